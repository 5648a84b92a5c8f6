"""Changes to suppliers, their contacts, the products they sell and their prices. Each function
is one transaction; bad input raises a ``ValidationError`` naming the field and writes nothing.
Only those ``selectors.can_edit_suppliers`` lets (purchasing, managers) may call them with an
``actor``; a change is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.audit import audit
from core.dates import optional_date_input
from core.money import MAX_QUANTITY, decimal_input, quantity, unit_price
from core.numbers import document_number
from scm.purchasing.lead_times import product_lead_times_sync, supplier_lead_times_sync
from scm.purchasing.models import Supplier, SupplierContact, SupplierPrice, SupplierProduct
from scm.purchasing.selectors import can_edit_suppliers

SUPPLIER_FIELDS = (
    "code",
    "name",
    "tax_id",
    "address",
    "phone",
    "email",
    "bank_name",
    "bank_account",
    "payment_terms_days",
    "payment_terms_month_end",
    "currency",
    "default_warehouse",
    "buyer",
    "notes",
    "is_active",
)
CONTACT_FIELDS = ("name", "title", "phone", "email", "is_primary")
PRODUCT_FIELDS = (
    "supplier_code",
    "unit",
    "pack_size",
    "min_order_quantity",
    "lead_time_days",
    "is_preferred",
    "is_active",
)
PRICE_FIELDS = ("min_quantity", "unit_price", "valid_from", "valid_to")


def _check_actor(actor) -> None:
    if actor is not None and not can_edit_suppliers(actor):
        raise PermissionDenied


def _known(data: dict, fields) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})


def _changes(obj, data: dict) -> dict:
    """The fields of ``data`` that differ from ``obj``, as {field: [old, new]} text for the audit."""
    changed = {}
    for key, value in data.items():
        old = getattr(obj, key)
        if old != value:
            changed[key] = [_plain(old), _plain(value)]
    return changed


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def _save(obj, *, exclude=()) -> None:
    obj.full_clean(exclude=list(exclude), validate_constraints=False)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        text = str(exc).lower()
        if isinstance(obj, Supplier) and "code" in text:
            raise ValidationError({"code": _("A supplier with this code already exists.")})
        if isinstance(obj, SupplierProduct) and "supplier_product_unique" in text:
            raise ValidationError({"product": _("This supplier already sells this product.")})
        if isinstance(obj, SupplierProduct) and "one_preferred" in text:
            raise ValidationError({"is_preferred": _("Another supplier became preferred meanwhile.")})
        raise


# --- suppliers ------------------------------------------------------------------------------


def _new_code() -> str:
    """The next automatic supplier code (``V-2026-000042``) from a counter; a code someone typed
    that happens to be next is skipped."""
    while True:
        code = document_number(prefix="V")
        if not Supplier.objects.filter(code=code).exists():
            return code


def _supplier_data(data: dict) -> dict:
    data = dict(data)
    for key in ("code", "name", "tax_id", "address", "phone", "email", "bank_name", "bank_account", "notes"):
        if key in data:
            data[key] = str(data[key] or "").strip()
    if "currency" in data:
        data["currency"] = str(data["currency"] or "").strip().upper()
    if "payment_terms_days" in data:
        days = decimal_input(data["payment_terms_days"], field="payment_terms_days", blank=30)
        if days < 0 or days > 3650 or days != days.to_integral_value():
            raise ValidationError({"payment_terms_days": _("Enter a whole number of days.")})
        data["payment_terms_days"] = int(days)
    return data


@transaction.atomic
def supplier_create(*, actor=None, contacts: list[dict] | None = None, **data) -> Supplier:
    """Create a supplier (and its contacts); the code is drawn from the counter when not given."""
    _check_actor(actor)
    _known(data, SUPPLIER_FIELDS)
    data = _supplier_data(data)
    if not data.get("code"):
        data["code"] = _new_code()
    supplier = Supplier(**data)
    _save(supplier)
    for contact in contacts or []:
        supplier_contact_create(supplier=supplier, actor=actor, **contact)
    audit("supplier.created", actor=actor, obj=supplier, data={"code": supplier.code, "name": supplier.name})
    return supplier


@transaction.atomic
def supplier_update(*, supplier: Supplier, actor=None, **data) -> Supplier:
    """Change a supplier; the fields changed are audited with their old and new values."""
    _check_actor(actor)
    _known(data, SUPPLIER_FIELDS)
    data = _supplier_data(data)
    if "code" in data and not data["code"]:
        raise ValidationError({"code": _("This field cannot be blank.")})
    locked = Supplier.objects.select_for_update(of=("self",)).get(pk=supplier.pk)
    changed = _changes(locked, data)
    for key, value in data.items():
        setattr(locked, key, value)
    _save(locked)
    if changed:
        audit("supplier.updated", actor=actor, obj=locked, data={"changes": changed})
    if "is_active" in changed:
        supplier_lead_times_sync(supplier_id=locked.pk)
    return locked


@transaction.atomic
def supplier_deactivate(*, supplier: Supplier, actor=None) -> Supplier:
    """Mark a supplier inactive (kept for its orders and history; new orders cannot pick it)."""
    _check_actor(actor)
    updated = Supplier.objects.filter(pk=supplier.pk, is_active=True).update(is_active=False)
    if updated:
        audit("supplier.deactivated", actor=actor, obj=supplier)
        supplier_lead_times_sync(supplier_id=supplier.pk)
    supplier.refresh_from_db()
    return supplier


@transaction.atomic
def supplier_activate(*, supplier: Supplier, actor=None) -> Supplier:
    _check_actor(actor)
    updated = Supplier.objects.filter(pk=supplier.pk, is_active=False).update(is_active=True)
    if updated:
        audit("supplier.activated", actor=actor, obj=supplier)
        supplier_lead_times_sync(supplier_id=supplier.pk)
    supplier.refresh_from_db()
    return supplier


# --- contacts -------------------------------------------------------------------------------


def _contact_data(data: dict) -> dict:
    data = dict(data)
    for key in ("name", "title", "phone", "email"):
        if key in data:
            data[key] = str(data[key] or "").strip()
    if "is_primary" in data:
        data["is_primary"] = bool(data["is_primary"])
    return data


def _primary_rule(contact: SupplierContact) -> None:
    """One primary contact per supplier: this one, if marked, unsets the others; a supplier's
    only contact is its primary."""
    others = SupplierContact.objects.filter(supplier_id=contact.supplier_id).exclude(pk=contact.pk)
    if contact.is_primary:
        others.filter(is_primary=True).update(is_primary=False)
    elif not others.filter(is_primary=True).exists():
        contact.is_primary = True


@transaction.atomic
def supplier_contact_create(*, supplier: Supplier, actor=None, **data) -> SupplierContact:
    _check_actor(actor)
    _known(data, CONTACT_FIELDS)
    Supplier.objects.select_for_update(of=("self",)).filter(pk=supplier.pk).first()
    contact = SupplierContact(supplier=supplier, **_contact_data(data))
    contact.full_clean(exclude=["supplier"])
    _primary_rule(contact)
    contact.save()
    audit(
        "supplier.contact_added",
        actor=actor,
        obj=supplier,
        data={"contact": contact.pk, "name": contact.name},
    )
    return contact


@transaction.atomic
def supplier_contact_update(*, contact: SupplierContact, actor=None, **data) -> SupplierContact:
    _check_actor(actor)
    _known(data, CONTACT_FIELDS)
    Supplier.objects.select_for_update(of=("self",)).filter(pk=contact.supplier_id).first()
    locked = SupplierContact.objects.get(pk=contact.pk)
    data = _contact_data(data)
    changed = _changes(locked, data)
    for key, value in data.items():
        setattr(locked, key, value)
    locked.full_clean(exclude=["supplier"])
    _primary_rule(locked)
    locked.save()
    if changed:
        audit(
            "supplier.contact_changed",
            actor=actor,
            obj=locked.supplier,
            data={"contact": locked.pk, "changes": changed},
        )
    return locked


@transaction.atomic
def supplier_contact_delete(*, contact: SupplierContact, actor=None) -> None:
    _check_actor(actor)
    supplier = contact.supplier
    Supplier.objects.select_for_update(of=("self",)).filter(pk=supplier.pk).first()
    was_primary = SupplierContact.objects.filter(pk=contact.pk, is_primary=True).exists()
    SupplierContact.objects.filter(pk=contact.pk).delete()
    if was_primary:
        nxt = SupplierContact.objects.filter(supplier=supplier).order_by("name", "id").first()
        if nxt is not None:
            SupplierContact.objects.filter(pk=nxt.pk).update(is_primary=True)
    audit(
        "supplier.contact_removed",
        actor=actor,
        obj=supplier,
        data={"contact": contact.pk, "name": contact.name},
    )


# --- supplier products ----------------------------------------------------------------------


def _product_data(data: dict, product) -> dict:
    data = dict(data)
    if "supplier_code" in data:
        data["supplier_code"] = str(data["supplier_code"] or "").strip()
    if "pack_size" in data:
        data["pack_size"] = quantity(decimal_input(data["pack_size"], field="pack_size", limit=MAX_QUANTITY))
        if data["pack_size"] <= 0:
            raise ValidationError({"pack_size": _("The pack size must be more than 0.")})
    if "min_order_quantity" in data:
        moq = decimal_input(
            data["min_order_quantity"], field="min_order_quantity", blank=0, limit=MAX_QUANTITY
        )
        if moq < 0:
            raise ValidationError({"min_order_quantity": _("Enter a number of 0 or more.")})
        data["min_order_quantity"] = quantity(moq)
    if "lead_time_days" in data:
        days = decimal_input(data["lead_time_days"], field="lead_time_days", blank=0)
        if days < 0 or days > 3650 or days != days.to_integral_value():
            raise ValidationError({"lead_time_days": _("Enter a whole number of days.")})
        data["lead_time_days"] = int(days)
    if data.get("unit") is not None and data["unit"].product_id != product.pk:
        raise ValidationError({"unit": _("This unit is not one of the product's units.")})
    for key in ("is_preferred", "is_active"):
        if key in data:
            data[key] = bool(data[key])
    return data


def _preferred_rule(item: SupplierProduct) -> None:
    """At most one preferred supplier per product: making this one preferred unsets the other
    (first, in this transaction, so the unique constraint holds at every statement)."""
    if item.is_preferred:
        SupplierProduct.objects.filter(product_id=item.product_id, is_preferred=True).exclude(
            pk=item.pk
        ).update(is_preferred=False)


def _lock_product(product) -> None:
    """Serialise changes to one product's preferred supplier (two buyers at once)."""
    from scm.inventory.models import Product

    Product.objects.select_for_update(of=("self",)).filter(pk=product.pk).first()


@transaction.atomic
def supplier_product_create(*, supplier: Supplier, product, actor=None, **data) -> SupplierProduct:
    _check_actor(actor)
    _known(data, PRODUCT_FIELDS)
    if product is None:
        raise ValidationError({"product": _("This field is required.")})
    data = _product_data(data, product)
    _lock_product(product)
    if SupplierProduct.objects.filter(supplier=supplier, product=product).exists():
        raise ValidationError({"product": _("This supplier already sells this product.")})
    item = SupplierProduct(supplier=supplier, product=product, **data)
    _preferred_rule(item)
    _save(item, exclude=["supplier", "product", "unit"])
    product_lead_times_sync(product_ids=[product.pk])
    audit(
        "supplier.product_added",
        actor=actor,
        obj=supplier,
        data={"supplier_product": item.pk, "product": product.pk, "preferred": item.is_preferred},
    )
    return item


@transaction.atomic
def supplier_product_update(*, item: SupplierProduct, actor=None, **data) -> SupplierProduct:
    _check_actor(actor)
    _known(data, PRODUCT_FIELDS)
    _lock_product(item.product)
    locked = SupplierProduct.objects.select_related("product").get(pk=item.pk)
    data = _product_data(data, locked.product)
    changed = _changes(locked, data)
    for key, value in data.items():
        setattr(locked, key, value)
    _preferred_rule(locked)
    _save(locked, exclude=["supplier", "product", "unit"])
    product_lead_times_sync(product_ids=[locked.product_id])
    if changed:
        audit(
            "supplier.product_changed",
            actor=actor,
            obj=locked.supplier,
            data={"supplier_product": locked.pk, "changes": changed},
        )
    return locked


def supplier_product_set_preferred(*, item: SupplierProduct, actor=None) -> SupplierProduct:
    """Make this supplier the product's preferred one (the other loses it, in one transaction)."""
    return supplier_product_update(item=item, actor=actor, is_preferred=True)


# --- supplier prices ------------------------------------------------------------------------


def _price_data(data: dict) -> dict:
    out = {}
    if "min_quantity" in data:
        out["min_quantity"] = quantity(
            decimal_input(data["min_quantity"], field="min_quantity", blank=0, limit=MAX_QUANTITY)
        )
        if out["min_quantity"] < 0:
            raise ValidationError({"min_quantity": _("Enter a number of 0 or more.")})
    if "unit_price" in data:
        price = decimal_input(data["unit_price"], field="unit_price")
        if price <= 0:
            raise ValidationError({"unit_price": _("The price must be more than 0.")})
        out["unit_price"] = unit_price(price)
    for key in ("valid_from", "valid_to"):
        if key in data:
            out[key] = optional_date_input(data[key], field=key)
    return out


def _price_checks(price: SupplierPrice) -> None:
    if price.valid_from and price.valid_to and price.valid_to < price.valid_from:
        raise ValidationError({"valid_to": _("The end of validity is before its start.")})
    overlapping = SupplierPrice.objects.filter(
        supplier_product_id=price.supplier_product_id, min_quantity=price.min_quantity
    ).exclude(pk=price.pk)
    if price.valid_to is not None:
        overlapping = overlapping.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=price.valid_to))
    if price.valid_from is not None:
        overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=price.valid_from))
    if overlapping.exists():
        raise ValidationError({"valid_from": _("Another price for this quantity is valid at the same time.")})


@transaction.atomic
def supplier_price_create(*, supplier_product: SupplierProduct, actor=None, **data) -> SupplierPrice:
    """A price from a quantity up, valid between two dates (either open). Prices of one quantity
    break may not be valid at the same time."""
    _check_actor(actor)
    _known(data, PRICE_FIELDS)
    if "unit_price" not in data:
        raise ValidationError({"unit_price": _("This field is required.")})
    values = _price_data(data)
    SupplierProduct.objects.select_for_update(of=("self",)).filter(pk=supplier_product.pk).first()
    price = SupplierPrice(supplier_product=supplier_product, **values)
    _price_checks(price)
    price.save()
    audit(
        "supplier.price_added",
        actor=actor,
        obj=supplier_product.supplier,
        data={
            "supplier_product": supplier_product.pk,
            "price": price.pk,
            "min_quantity": str(price.min_quantity),
            "unit_price": str(price.unit_price),
        },
    )
    return price


@transaction.atomic
def supplier_price_update(*, price: SupplierPrice, actor=None, **data) -> SupplierPrice:
    _check_actor(actor)
    _known(data, PRICE_FIELDS)
    SupplierProduct.objects.select_for_update(of=("self",)).filter(pk=price.supplier_product_id).first()
    locked = SupplierPrice.objects.select_related("supplier_product__supplier").get(pk=price.pk)
    values = _price_data(data)
    changed = _changes(locked, values)
    for key, value in values.items():
        setattr(locked, key, value)
    _price_checks(locked)
    locked.save()
    if changed:
        audit(
            "supplier.price_changed",
            actor=actor,
            obj=locked.supplier_product.supplier,
            data={"price": locked.pk, "changes": changed},
        )
    return locked


@transaction.atomic
def supplier_price_delete(*, price: SupplierPrice, actor=None) -> None:
    _check_actor(actor)
    supplier = price.supplier_product.supplier
    SupplierPrice.objects.filter(pk=price.pk).delete()
    audit("supplier.price_removed", actor=actor, obj=supplier, data={"price": price.pk})


@transaction.atomic
def supplier_product_delete(*, item: SupplierProduct, actor=None) -> None:
    """Remove a product from the supplier's list (its prices go with it; orders keep their
    lines). To keep the history, deactivating it (``is_active``) is the gentler way."""
    _check_actor(actor)
    supplier = item.supplier
    SupplierProduct.objects.filter(pk=item.pk).delete()
    product_lead_times_sync(product_ids=[item.product_id])
    audit(
        "supplier.product_removed",
        actor=actor,
        obj=supplier,
        data={"supplier_product": item.pk, "product": item.product_id},
    )


def supplier_complaint_record(
    *, supplier_id: int, product_id: int, lot_number: str, ticket_reference: str, confirmed_at
):
    """Record a confirmed quality complaint against the supplier of the lot (the scorecard's
    quality rate counts it). One per ticket: recording the same ticket again changes nothing and
    returns the record already made."""
    from scm.purchasing.models import SupplierComplaint

    if not ticket_reference:
        raise ValidationError({"ticket_reference": _("A complaint names its ticket.")})
    with transaction.atomic():
        complaint, _created = SupplierComplaint.objects.get_or_create(
            ticket_reference=ticket_reference,
            defaults={
                "supplier_id": supplier_id,
                "product_id": product_id,
                "lot_number": lot_number or "",
                "confirmed_at": confirmed_at,
            },
        )
    return complaint
