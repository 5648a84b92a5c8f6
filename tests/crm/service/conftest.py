import pytest
from django.utils import translation


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def shipped(monkeypatch):
    """Lots shipped to customers, as the module above service would tell: add (customer, lot)."""
    from datetime import date

    from crm.service import hooks

    table = {}

    def lot(customer_id, lot_id):
        return table.get((customer_id, lot_id))

    def lots(customer_id, product_id, search, limit):
        return [v for (c, _l), v in table.items() if c == customer_id][:limit]

    monkeypatch.setattr(hooks, "_lot_provider", lot)
    monkeypatch.setattr(hooks, "_lots_provider", lots)

    def add(customer, lot_obj, order=None, shipped_on=date(2026, 3, 2)):
        table[(customer.pk, lot_obj.pk)] = hooks.ShippedLot(
            lot_id=lot_obj.pk,
            lot_number=lot_obj.number,
            product_id=lot_obj.product_id,
            product_name=lot_obj.product.name,
            shipment_id=777,
            shipment_number="SH-2026-000777",
            order_id=order.pk if order else 0,
            order_number=order.number if order else "",
            shipped_on=shipped_on,
            quantity=1,
        )

    return add


@pytest.fixture
def in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
