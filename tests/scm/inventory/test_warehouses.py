"""Adding and changing warehouses (``scm.inventory.warehouses.warehouse_save``)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.models import AuditLog
from scm.inventory import services
from scm.inventory.models import Warehouse
from scm.inventory.warehouses import warehouse_save
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        call()
    return exc.value.message_dict


def test_a_new_warehouse_is_a_stock_warehouse_with_its_code_in_capitals(admin_user):
    warehouse = warehouse_save(actor=admin_user, code=" bj01 ", name="北京仓", region="华北", is_active=True)
    assert (warehouse.code, warehouse.kind, warehouse.region) == ("BJ01", Warehouse.Kind.STOCK, "华北")
    entry = AuditLog.objects.get(action="inventory.warehouse_created")
    assert (entry.actor, entry.object_id) == (admin_user, str(warehouse.pk))


def test_a_code_another_warehouse_has_in_any_case_is_refused_by_name(admin_user):
    WarehouseFactory(code="SH01")
    errors = errors_of(lambda: warehouse_save(actor=admin_user, code="sh01", name="上海二仓"))
    assert errors == {"code": ["Another warehouse already has the code “SH01”."]}
    assert Warehouse.objects.count() == 1


def test_a_warehouse_keeps_its_own_code_when_changed(admin_user):
    warehouse = WarehouseFactory(code="GZ01", name="广州仓")
    warehouse_save(warehouse=warehouse, actor=admin_user, code="GZ01", name="广州白云仓")
    warehouse.refresh_from_db()
    assert warehouse.name == "广州白云仓"
    assert AuditLog.objects.get(action="inventory.warehouse_changed").data == {"name": "广州白云仓"}


def test_saving_without_a_change_writes_nothing(admin_user):
    warehouse = WarehouseFactory(code="GZ01", name="广州仓")
    warehouse_save(warehouse=warehouse, actor=admin_user, code="GZ01", name="广州仓")
    assert not AuditLog.objects.filter(action="inventory.warehouse_changed").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "", "name": "仓"}, "code"),
        ({"code": "A1", "name": "  "}, "name"),
        ({"code": "X" * 21, "name": "仓"}, "code"),
        ({"code": 12, "name": "仓"}, "code"),
        ({"code": "A1", "name": "仓", "is_active": "yes"}, "is_active"),
    ],
)
def test_a_bad_value_names_its_field_and_saves_nothing(admin_user, fields, field):
    errors = errors_of(lambda: warehouse_save(actor=admin_user, **fields))
    assert field in errors
    assert not Warehouse.objects.exists()


def test_a_warehouse_holding_stock_cannot_be_made_inactive(admin_user):
    warehouse = WarehouseFactory()
    services.stock_receive(product=ProductFactory(), warehouse=warehouse, quantity=3)
    errors = errors_of(lambda: warehouse_save(warehouse=warehouse, actor=admin_user, is_active=False))
    assert errors == {"is_active": ["This warehouse still holds stock: move it out first."]}
    warehouse.refresh_from_db()
    assert warehouse.is_active


def test_an_empty_warehouse_can_be_made_inactive(admin_user):
    warehouse = WarehouseFactory()
    warehouse_save(warehouse=warehouse, actor=admin_user, is_active=False)
    warehouse.refresh_from_db()
    assert not warehouse.is_active
