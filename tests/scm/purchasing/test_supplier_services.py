"""Supplier services: field errors for bad input, nothing half-written, one primary contact,
one preferred supplier per product, price validity rules, codes from the counter, audit."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditLog
from scm.purchasing import services
from scm.purchasing.models import Supplier, SupplierContact, SupplierPrice, SupplierProduct
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import (
    SupplierContactFactory,
    SupplierFactory,
    SupplierPriceFactory,
    SupplierProductFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(db):
    return UserFactory(roles=["purchasing"])


def test_a_supplier_without_a_code_gets_one_from_the_counter(buyer):
    supplier = services.supplier_create(actor=buyer, name="华为技术")
    assert supplier.code.startswith("V-")
    assert AuditLog.objects.filter(action="supplier.created", object_id=str(supplier.pk)).exists()


def test_a_supplier_name_is_searchable_by_pinyin(buyer):
    supplier = services.supplier_create(actor=buyer, name="华为技术")
    assert "huawei" in supplier.search_pinyin


def test_bad_payment_terms_name_the_field_and_write_nothing(buyer):
    with pytest.raises(ValidationError) as exc:
        services.supplier_create(actor=buyer, name="A", payment_terms_days="abc", contacts=[{"name": "x"}])
    assert "payment_terms_days" in exc.value.message_dict
    assert not Supplier.objects.exists()


def test_a_bad_contact_rolls_back_the_new_supplier(buyer):
    with pytest.raises(ValidationError) as exc:
        services.supplier_create(actor=buyer, name="A", contacts=[{"name": "x", "email": "not-mail"}])
    assert "email" in exc.value.message_dict
    assert not Supplier.objects.exists() and not SupplierContact.objects.exists()


def test_a_duplicate_code_is_a_field_error(buyer):
    SupplierFactory(code="V1")
    with pytest.raises(ValidationError) as exc:
        services.supplier_create(actor=buyer, code="V1", name="B")
    assert "code" in exc.value.message_dict


def test_an_unknown_field_is_named(buyer):
    with pytest.raises(ValidationError) as exc:
        services.supplier_create(actor=buyer, name="A", colour="red")
    assert "colour" in exc.value.message_dict


def test_only_purchasing_and_managers_may_write():
    with pytest.raises(PermissionDenied):
        services.supplier_create(actor=UserFactory(roles=["finance"]), name="A")
    services.supplier_create(actor=UserFactory(roles=["manager"]), name="A")


def test_an_update_is_audited_with_old_and_new_values(buyer):
    supplier = SupplierFactory(name="Old")
    services.supplier_update(supplier=supplier, actor=buyer, name="New", payment_terms_days=60)
    log = AuditLog.objects.get(action="supplier.updated")
    assert log.data["changes"]["name"] == ["Old", "New"]
    assert log.data["changes"]["payment_terms_days"] == [30, 60]


def test_deactivating_keeps_the_supplier_and_audits(buyer):
    supplier = SupplierFactory()
    services.supplier_deactivate(supplier=supplier, actor=buyer)
    supplier.refresh_from_db()
    assert not supplier.is_active
    assert AuditLog.objects.filter(action="supplier.deactivated").count() == 1


def test_a_new_primary_contact_unsets_the_old_one(buyer):
    supplier = SupplierFactory()
    old = SupplierContactFactory(supplier=supplier, is_primary=True)
    new = services.supplier_contact_create(supplier=supplier, actor=buyer, name="New", is_primary=True)
    old.refresh_from_db()
    assert new.is_primary and not old.is_primary


def test_the_first_contact_is_the_primary_one(buyer):
    contact = services.supplier_contact_create(supplier=SupplierFactory(), actor=buyer, name="Only")
    assert contact.is_primary


def test_a_preferred_supplier_product_unsets_the_other_supplier(buyer):
    product = ProductFactory()
    first = SupplierProductFactory(product=product, is_preferred=True)
    second = services.supplier_product_create(
        supplier=SupplierFactory(), product=product, actor=buyer, is_preferred=True, pack_size="12"
    )
    first.refresh_from_db()
    assert second.is_preferred and not first.is_preferred
    assert SupplierProduct.objects.filter(product=product, is_preferred=True).count() == 1


def test_set_preferred_moves_the_mark(buyer):
    product = ProductFactory()
    first = SupplierProductFactory(product=product, is_preferred=True)
    second = SupplierProductFactory(product=product, is_preferred=False)
    services.supplier_product_set_preferred(item=second, actor=buyer)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_preferred and not first.is_preferred


@pytest.mark.parametrize(
    ("field", "value"),
    [("pack_size", "0"), ("pack_size", "abc"), ("min_order_quantity", "-1"), ("lead_time_days", "1.5")],
)
def test_bad_supplier_product_figures_name_the_field(buyer, field, value):
    with pytest.raises(ValidationError) as exc:
        services.supplier_product_create(
            supplier=SupplierFactory(), product=ProductFactory(), actor=buyer, **{field: value}
        )
    assert field in exc.value.message_dict
    assert not SupplierProduct.objects.exists()


def test_a_unit_of_another_product_is_refused(buyer):
    from scm.inventory.models import ProductUnit

    other = ProductFactory()
    unit = ProductUnit.objects.create(product=other, name="box", factor=12)
    with pytest.raises(ValidationError) as exc:
        services.supplier_product_create(
            supplier=SupplierFactory(), product=ProductFactory(), actor=buyer, unit=unit
        )
    assert "unit" in exc.value.message_dict


def test_the_same_product_twice_for_one_supplier_is_refused(buyer):
    item = SupplierProductFactory()
    with pytest.raises(ValidationError) as exc:
        services.supplier_product_create(supplier=item.supplier, product=item.product, actor=buyer)
    assert "product" in exc.value.message_dict


@pytest.mark.parametrize("price", ["0", "-5", "x"])
def test_a_price_must_be_more_than_zero(buyer, price):
    with pytest.raises(ValidationError) as exc:
        services.supplier_price_create(
            supplier_product=SupplierProductFactory(), actor=buyer, unit_price=price
        )
    assert "unit_price" in exc.value.message_dict
    assert not SupplierPrice.objects.exists()


def test_validity_must_not_end_before_it_starts(buyer):
    with pytest.raises(ValidationError) as exc:
        services.supplier_price_create(
            supplier_product=SupplierProductFactory(),
            actor=buyer,
            unit_price="10",
            valid_from="2026-05-01",
            valid_to="2026-04-01",
        )
    assert "valid_to" in exc.value.message_dict


def test_overlapping_validity_for_the_same_break_is_refused(buyer):
    item = SupplierProductFactory()
    SupplierPriceFactory(
        supplier_product=item, min_quantity=100, valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30)
    )
    with pytest.raises(ValidationError) as exc:
        services.supplier_price_create(
            supplier_product=item, actor=buyer, unit_price="9", min_quantity="100", valid_from="2026-06-01"
        )
    assert "valid_from" in exc.value.message_dict


def test_other_breaks_and_later_periods_are_allowed(buyer):
    item = SupplierProductFactory()
    SupplierPriceFactory(
        supplier_product=item, min_quantity=100, valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30)
    )
    services.supplier_price_create(supplier_product=item, actor=buyer, unit_price="8", min_quantity="500")
    services.supplier_price_create(
        supplier_product=item, actor=buyer, unit_price="9", min_quantity="100", valid_from="2026-07-01"
    )
    assert SupplierPrice.objects.filter(supplier_product=item).count() == 3
    assert SupplierPrice.objects.get(min_quantity=500).unit_price == Decimal("8.0000")


def test_an_open_ended_price_overlaps_every_period_of_its_break(buyer):
    item = SupplierProductFactory()
    SupplierPriceFactory(supplier_product=item, min_quantity=0)
    with pytest.raises(ValidationError):
        services.supplier_price_create(
            supplier_product=item, actor=buyer, unit_price="9", valid_from="2030-01-01"
        )


def test_a_bad_date_names_the_field(buyer):
    with pytest.raises(ValidationError) as exc:
        services.supplier_price_create(
            supplier_product=SupplierProductFactory(), actor=buyer, unit_price="9", valid_from="31/12/2026"
        )
    assert "valid_from" in exc.value.message_dict
