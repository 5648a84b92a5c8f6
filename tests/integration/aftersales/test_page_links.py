"""The quality pages lead from one record to the next: ticket → lot trace → recall → customer,
alert → lot, carrier figures → the damage complaints behind the count; people by name."""

from datetime import date

import pytest
from django.urls import reverse

from integration.aftersales import recall as recalls
from tests.factories import UserFactory
from tests.integration.aftersales.factories import complaint, customer_of, received_lot, ship
from tests.integration.aftersales.test_delivery_surveys_and_carriers import _figures_world
from tests.integration.fulfilment.factories import three_warehouses

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(sales_user, warehouse_user, manager_user, django_capture_on_commit_callbacks):
    warehouses = three_warehouses()
    lot, _receipt = received_lot(warehouse=warehouses["SH"], user=warehouse_user)
    rep = UserFactory(roles=["sales"], first_name="芳", last_name="李", username="rep-li")
    customers = [customer_of(rep), customer_of(rep)]
    for customer in customers:
        ship(
            customer, sales_user, warehouse_user, lot, 3, warehouses["SH"], django_capture_on_commit_callbacks
        )
    return {"lot": lot, "customers": customers, "manager": manager_user}


def _recall(shipped, capture):
    with capture(execute=True):
        return recalls.recall_start(lot=shipped["lot"], reason="卡纸批次", user=shipped["manager"])


def test_the_recall_page_names_the_owner_and_links_each_customer(
    shipped, django_capture_on_commit_callbacks, client
):
    recall = _recall(shipped, django_capture_on_commit_callbacks)
    client.force_login(shipped["manager"])
    body = client.get(reverse("aftersales:recall_detail", args=[recall.pk])).content.decode()
    assert "李芳" in body and "rep-li" not in body
    for customer in shipped["customers"]:
        assert reverse("customers:detail", args=[customer.pk]) in body


def test_the_lot_trace_links_the_customers_for_those_who_may_open_them(shipped, client, warehouse_user):
    url = reverse("aftersales:lot_trace", args=[shipped["lot"].pk])
    customer_url = reverse("customers:detail", args=[shipped["customers"][0].pk])
    client.force_login(shipped["manager"])
    assert customer_url in client.get(url).content.decode()
    client.force_login(warehouse_user)  # the warehouse may not open customers: plain names
    body = client.get(url).content.decode()
    assert shipped["customers"][0].name in body and customer_url not in body


def test_the_lot_trace_lists_the_tickets_about_the_lot(shipped, client, service_user):
    ticket = complaint(shipped["customers"][0], shipped["lot"])
    client.force_login(service_user)
    body = client.get(reverse("aftersales:lot_trace", args=[shipped["lot"].pk])).content.decode()
    assert 'data-testid="lot-tickets"' in body
    assert reverse("service:ticket_detail", args=[ticket.pk]) in body


def test_the_ticket_trace_panel_links_the_open_recall(
    shipped, django_capture_on_commit_callbacks, client, service_user
):
    ticket = complaint(shipped["customers"][0], shipped["lot"], capture=django_capture_on_commit_callbacks)
    recall = _recall(shipped, django_capture_on_commit_callbacks)
    client.force_login(service_user)
    body = client.get(reverse("service:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="recall-link"' in body
    assert reverse("aftersales:recall_detail", args=[recall.pk]) in body


def test_an_alert_in_the_list_links_its_lot(shipped, client):
    from integration.aftersales.models import QualityAlert

    QualityAlert.objects.create(
        product=shipped["lot"].product, lot=shipped["lot"], complaints=3, window_days=30
    )
    client.force_login(shipped["manager"])
    body = client.get(reverse("aftersales:alerts")).content.decode()
    assert reverse("aftersales:lot_trace", args=[shipped["lot"].pk]) in body


def test_a_carriers_damage_count_opens_its_damage_tickets_of_the_period(
    client, manager_user, django_assert_max_num_queries
):
    zto, _sf = _figures_world()
    client.force_login(manager_user)
    period = {"from": "2026-12-01", "to": "2026-12-31"}
    page = client.get(reverse("carrier_figures:list"), period).content.decode()
    assert f"carrier={zto.pk}#damage" in page
    with django_assert_max_num_queries(12):
        page = client.get(reverse("carrier_figures:list"), {**period, "carrier": zto.pk}).content.decode()

    rows = page.split('data-testid="damage-tickets"')[1].split("</table>")[0]
    # The three complaints about December's two damaged parcels, not January's.
    assert rows.count("/service/tickets/") == 3


def test_the_damage_tickets_name_the_damaged_parcels_counted(django_assert_max_num_queries):
    from integration.aftersales import carriers

    zto, sf = _figures_world()
    kwargs = {"date_from": date(2026, 12, 1), "date_to": date(2026, 12, 31)}
    counts = {r.carrier_id: r.damage_complaints for r in carriers.carrier_figures(**kwargs)}
    parcels = {t.shipment_id for t in carriers.damage_tickets(carrier_id=zto.pk, **kwargs)}
    assert len(parcels) == counts[zto.pk] == 2
    assert carriers.damage_tickets(carrier_id=sf.pk, **kwargs).count() == counts[sf.pk] == 0


def test_the_trace_panel_counts_one_other_customer_in_the_singular(
    shipped, django_capture_on_commit_callbacks, client, service_user, settings
):
    settings.LANGUAGE_CODE = "en"
    ticket = complaint(shipped["customers"][0], shipped["lot"], capture=django_capture_on_commit_callbacks)
    client.force_login(service_user)
    body = client.get(reverse("service:ticket_detail", args=[ticket.pk])).content.decode()
    assert "1 other customer got this lot" in body


def test_a_recall_in_the_list_links_its_lot(shipped, django_capture_on_commit_callbacks, client):
    _recall(shipped, django_capture_on_commit_callbacks)
    client.force_login(shipped["manager"])
    body = client.get(reverse("aftersales:recalls")).content.decode()
    assert reverse("aftersales:lot_trace", args=[shipped["lot"].pk]) in body
