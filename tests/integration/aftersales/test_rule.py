"""The ticket.opened rule: a complaint naming a lot is traced, written on the ticket's timeline,
and quality complaints past the threshold raise one quality alert."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.events import names
from core.events.models import Event, Notification
from core.events.services import publish
from crm.service.models import Category, TicketEvent
from integration.aftersales import handlers, services
from integration.aftersales.models import QualityAlert, QualitySettings, TraceRun
from scm.purchasing.models import SupplierComplaint
from scm.purchasing.scorecard import supplier_scorecard
from tests.crm.service.factories import TicketFactory
from tests.factories import UserFactory
from tests.integration.aftersales.factories import complaint, customer_of, received_lot, ship
from tests.integration.fulfilment.factories import three_warehouses

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(sales_user, warehouse_user, django_capture_on_commit_callbacks):
    """Lot L received from 宏达耗材 and shipped to three customers (two reps' customers)."""
    warehouses = three_warehouses()
    lot, receipt = received_lot(warehouse=warehouses["SH"], user=warehouse_user)
    other_rep = UserFactory(roles=["sales"])
    customers = [customer_of(sales_user), customer_of(sales_user), customer_of(other_rep)]
    for customer in customers:
        ship(
            customer, sales_user, warehouse_user, lot, 5, warehouses["SH"], django_capture_on_commit_callbacks
        )
    return {"lot": lot, "receipt": receipt, "customers": customers, "rep": sales_user, "other_rep": other_rep}


def test_a_complaint_about_a_lot_is_traced_and_written_on_the_ticket(
    shipped, django_capture_on_commit_callbacks
):
    ticket = complaint(shipped["customers"][0], shipped["lot"], capture=django_capture_on_commit_callbacks)
    run = TraceRun.objects.get(ticket_id=ticket.pk)
    assert run.supplier_id == shipped["receipt"].supplier_id and run.customers == 3 and run.in_stock == 85
    entry = TicketEvent.objects.get(ticket=ticket, kind="trace")
    assert entry.data["params"] == {
        "supplier": "宏达耗材",
        "receipt": shipped["receipt"].number,
        "others": 2,
        "stock": "85",
    }
    assert entry.data["url"] == f"/aftersales/lots/{shipped['lot'].pk}/trace/"


def test_the_rule_runs_once_per_event(shipped):
    ticket = TicketFactory(customer=shipped["customers"][0], lot=shipped["lot"], category=Category.QUALITY)
    event = Event.objects.create(
        name=names.TICKET_OPENED,
        payload={"ticket_id": ticket.pk, "category": "quality", "lot_id": shipped["lot"].pk},
    )
    handlers.trace_complaint(event)
    handlers.trace_complaint(event)
    assert TraceRun.objects.count() == 1 and TicketEvent.objects.filter(kind="trace").count() == 1


def test_a_question_or_a_complaint_without_a_lot_is_not_traced(shipped, django_capture_on_commit_callbacks):
    complaint(
        shipped["customers"][0],
        shipped["lot"],
        category=Category.QUESTION,
        capture=django_capture_on_commit_callbacks,
    )
    ticket = TicketFactory(customer=shipped["customers"][0], category=Category.QUALITY)
    with django_capture_on_commit_callbacks(execute=True):
        publish(names.TICKET_OPENED, {"ticket_id": ticket.pk, "category": "quality", "lot_id": None})
    assert not TraceRun.objects.exists()


def test_the_third_quality_complaint_raises_one_alert(
    shipped, purchasing_user, manager_user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    a, b, c = shipped["customers"]
    complaint(a, shipped["lot"], capture=capture)
    complaint(b, shipped["lot"], capture=capture)
    assert not QualityAlert.objects.exists()
    complaint(b, shipped["lot"], capture=capture)
    alert = QualityAlert.objects.get()
    assert (alert.lot_id, alert.complaints, alert.supplier_id) == (
        shipped["lot"].pk,
        3,
        shipped["receipt"].supplier_id,
    )
    told = set(Notification.objects.filter(kind="quality_alert").values_list("user_id", flat=True))
    # purchasing and managers; the owner of the customer who got the lot and did not complain
    assert {purchasing_user.pk, manager_user.pk, shipped["other_rep"].pk} <= told
    assert shipped["rep"].pk not in told
    complaint(c, shipped["lot"], capture=capture)
    assert QualityAlert.objects.count() == 1


def test_complaints_older_than_the_window_do_not_count(shipped, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    old = timezone.now() - timedelta(days=QualitySettings.current().window_days + 1)
    a, b, _c = shipped["customers"]
    complaint(a, shipped["lot"], capture=capture, opened_at=old)
    complaint(a, shipped["lot"], capture=capture)
    complaint(b, shipped["lot"], capture=capture)
    assert not QualityAlert.objects.exists()


def test_damage_in_transport_is_traced_but_raises_no_quality_alert(
    shipped, django_capture_on_commit_callbacks
):
    for customer in shipped["customers"]:
        complaint(
            customer, shipped["lot"], category=Category.DAMAGE, capture=django_capture_on_commit_callbacks
        )
    assert TraceRun.objects.count() == 3 and not QualityAlert.objects.exists()


def test_complaints_about_one_product_across_lots_raise_a_product_alert(
    shipped, warehouse_user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    lot = shipped["lot"]
    second, _r = received_lot(
        warehouse=lot.stock_levels.first().warehouse,
        user=warehouse_user,
        number="L-JAM-2",
        product=lot.product,
    )
    a, b, _c = shipped["customers"]
    complaint(a, lot, capture=capture)
    complaint(b, lot, capture=capture)
    # (Made as given: the reservation took lot L's older stock for a's orders.)
    complaint(a, second, capture=capture, subject="卡纸")
    alert = QualityAlert.objects.get()
    assert alert.lot_id is None and alert.product_id == lot.product_id and alert.complaints == 3


def test_a_confirmed_quality_complaint_counts_against_the_supplier(
    shipped, django_capture_on_commit_callbacks
):
    ticket = complaint(shipped["customers"][0], shipped["lot"], capture=django_capture_on_commit_callbacks)
    assert not SupplierComplaint.objects.exists()
    ticket.quality_confirmed_at = timezone.now()
    ticket.save(update_fields=["quality_confirmed_at"])
    with django_capture_on_commit_callbacks(execute=True):
        publish(names.TICKET_QUALITY_CONFIRMED, {"ticket_id": ticket.pk})
        publish(names.TICKET_QUALITY_CONFIRMED, {"ticket_id": ticket.pk})
    recorded = SupplierComplaint.objects.get()
    assert (recorded.supplier_id, recorded.lot_number, recorded.ticket_reference) == (
        shipped["receipt"].supplier_id,
        "L-JAM-1",
        ticket.number,
    )
    card = supplier_scorecard(recorded.supplier_id)
    assert card["complaints"] == 1 and card["quality_rate"] == 0


def test_a_complaint_opened_already_confirmed_is_recorded_at_once(
    shipped, django_capture_on_commit_callbacks
):
    complaint(
        shipped["customers"][0],
        shipped["lot"],
        capture=django_capture_on_commit_callbacks,
        quality_confirmed_at=timezone.now(),
    )
    assert SupplierComplaint.objects.count() == 1


def test_the_check_says_nothing_for_a_ticket_without_a_lot(shipped):
    ticket = TicketFactory(customer=shipped["customers"][0], category=Category.QUALITY)
    assert services.complaints_check(ticket=ticket) is None


def test_the_ticket_page_panel_shows_the_trace_with_a_link(
    shipped, service_user, django_capture_on_commit_callbacks
):
    from crm.service import panels

    ticket = complaint(shipped["customers"][0], shipped["lot"], capture=django_capture_on_commit_callbacks)
    (panel,) = [p for p in panels.panels_for(ticket, service_user) if p["key"] == "trace"]
    assert panel["run"] is not None and panel["others"] == 2 and panel["supplier"] == "宏达耗材"
    assert panel["url"] == f"/aftersales/lots/{shipped['lot'].pk}/trace/"
    assert not [p for p in panels.panels_for(ticket, shipped["rep"]) if p["key"] == "trace"]


def test_confirming_a_complaint_on_the_desk_counts_it_against_the_supplier(
    shipped, service_user, django_capture_on_commit_callbacks
):
    from crm.service.services import ticket_confirm_quality

    ticket = complaint(shipped["customers"][0], shipped["lot"], capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_confirm_quality(ticket=ticket, user=service_user)
    recorded = SupplierComplaint.objects.get()
    assert (recorded.supplier_id, recorded.ticket_reference) == (
        shipped["receipt"].supplier_id,
        ticket.number,
    )


def test_a_damage_complaint_about_an_order_names_its_only_shipment(shipped):
    from crm.service.services import ticket_open
    from integration.fulfilment.models import Shipment

    customer = shipped["customers"][0]
    shipment = Shipment.objects.get(order__customer=customer)
    ticket = ticket_open(
        customer=customer, category=Category.DAMAGE, subject="外箱破损", order=shipment.order
    )
    assert ticket.shipment_id == shipment.pk and ticket.shipped_on is not None


def test_a_damage_complaint_names_a_shipment_that_left_for_the_customer(shipped):
    from crm.service.services import ticket_open
    from integration.fulfilment.models import Shipment

    first, second = shipped["customers"][:2]
    theirs = Shipment.objects.get(order__customer=second)
    with pytest.raises(ValidationError) as refused:
        ticket_open(customer=first, category=Category.DAMAGE, subject="外箱破损", shipment_id=theirs.pk)
    assert "shipment" in refused.value.message_dict
    mine = Shipment.objects.get(order__customer=first)
    ticket = ticket_open(customer=first, category=Category.DAMAGE, subject="外箱破损", shipment_id=mine.pk)
    assert (ticket.shipment_id, ticket.order_id) == (mine.pk, mine.order_id)
