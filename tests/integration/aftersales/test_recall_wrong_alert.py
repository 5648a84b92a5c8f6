"""A recall started from an alert about another product is refused and writes nothing."""

import pytest
from django.core.exceptions import ValidationError

from integration.aftersales import recall as recalls
from integration.aftersales.models import QualityAlert, Recall
from tests.integration.aftersales.factories import customer_of, received_lot, ship
from tests.integration.fulfilment.factories import three_warehouses
from tests.scm.inventory.factories import lot_product

pytestmark = pytest.mark.django_db


def test_a_product_alert_about_another_product_is_refused(
    sales_user, warehouse_user, manager_user, django_capture_on_commit_callbacks
):
    warehouses = three_warehouses()
    lot, _receipt = received_lot(warehouse=warehouses["SH"], user=warehouse_user)
    ship(
        customer_of(sales_user),
        sales_user,
        warehouse_user,
        lot,
        3,
        warehouses["SH"],
        django_capture_on_commit_callbacks,
    )
    alert = QualityAlert.objects.create(product=lot_product(), lot=None, complaints=3, window_days=30)
    with pytest.raises(ValidationError) as exc:
        recalls.recall_start(lot=lot, reason="卡纸批次", user=manager_user, alert=alert)
    assert "alert" in exc.value.message_dict
    lot.refresh_from_db()
    assert not Recall.objects.exists() and lot.held_at is None
    alert.refresh_from_db()
    assert alert.state == QualityAlert.State.OPEN
