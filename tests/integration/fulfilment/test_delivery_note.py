"""The delivery note prints the time of shipping as the pages show it: local time, not UTC."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from integration.fulfilment import documents, services, shipping
from integration.fulfilment.models import Shipment
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_delivery_note_prints_the_shipping_time_in_local_time(
    sales_user, monkeypatch, django_capture_on_commit_callbacks
):
    warehouses = three_warehouses()
    product = ProductFactory()
    receive(product, warehouses["SH"], 5)
    order = make_order(CustomerFactory(owner=sales_user), sales_user, (product, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"])
    shipped_at = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)  # 2 March, 02:30 in Shanghai
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=shipped_at)
    seen = {}
    monkeypatch.setattr(documents, "render_document", lambda **kwargs: seen.update(kwargs) or b"%PDF")

    with translation.override("zh-hans"):
        documents.delivery_note_pdf(shipment=Shipment.objects.get(pk=shipment.pk))
        on_the_page = Template("{{ t|date:'SHORT_DATETIME_FORMAT' }}").render(Context({"t": shipped_at}))

    printed = dict(seen["meta"])["发货时间"]
    assert printed == on_the_page
    assert "2026" in printed and "2:30" in printed and "18:30" not in printed


def test_delivery_note_is_headed_by_the_company_and_carries_no_amounts(
    sales_user, django_capture_on_commit_callbacks
):
    from tests.company_profile import TAX_ID, company_profile_saved
    from tests.pdf_text import pdf_text

    company_profile_saved()
    warehouses = three_warehouses()
    product = ProductFactory()
    receive(product, warehouses["SH"], 5)
    order = make_order(CustomerFactory(owner=sales_user), sales_user, (product, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=sales_user)
    shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"])
    with translation.override("en"):
        text = pdf_text(documents.delivery_note_pdf(shipment=Shipment.objects.get(pk=shipment.pk)))
    assert text.startswith("北京同行商贸有限公司\n") and TAX_ID in text
    assert "Amount in words" not in text
