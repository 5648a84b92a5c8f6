"""Warehouses: adding a place stock is kept and changing its details (not its stock)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit
from scm.inventory.models import StockLevel, Warehouse

EDITABLE = ("code", "name", "region", "address", "is_active")


def _text(value, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        raise ValidationError({field: _("Enter text.")})
    return value.strip()


def _code_taken(code: str) -> ValidationError:
    return ValidationError({"code": _("Another warehouse already has the code “%(code)s”.") % {"code": code}})


def warehouse_save(*, warehouse: Warehouse | None = None, actor, **fields) -> Warehouse:
    """Add a stock warehouse (``warehouse`` None) or change one: ``code``, ``name``, ``region``,
    ``address``, ``is_active`` (other keys are ignored; a change names only what changes).

    A code must be unique, whatever its case (the database's unique constraint is the guard, this
    check gives the message); a warehouse that holds stock cannot be made inactive (its stock
    would be neither sellable nor movable). A bad value is a ``ValidationError`` naming its
    field and nothing is written. One transaction, audited with the change. The warehouse row is
    not locked: reservations check its foreign key, and two admins changing one warehouse's
    details at once is a last-write-wins edit."""
    creating = warehouse is None
    target = Warehouse(kind=Warehouse.Kind.STOCK) if creating else warehouse
    given = {key: value for key, value in fields.items() if key in EDITABLE}
    cleaned = {}
    for key in ("code", "name", "region", "address"):
        if key in given:
            cleaned[key] = _text(given[key], key)
    if "code" in cleaned:
        cleaned["code"] = cleaned["code"].upper()
    if "is_active" in given:
        if not isinstance(given["is_active"], bool):
            raise ValidationError({"is_active": _("Choose yes or no.")})
        cleaned["is_active"] = given["is_active"]
    changed = {key: value for key, value in cleaned.items() if creating or getattr(target, key) != value}
    for key, value in changed.items():
        setattr(target, key, value)
    target.full_clean(validate_unique=False)
    code_clash = Warehouse.objects.filter(code__iexact=target.code)
    if not creating:
        code_clash = code_clash.exclude(pk=target.pk)
    if "code" in changed and code_clash.exists():
        raise _code_taken(target.code)
    if (
        not creating
        and changed.get("is_active") is False
        and StockLevel.objects.filter(warehouse=target, on_hand__gt=0).exists()
    ):
        raise ValidationError({"is_active": _("This warehouse still holds stock: move it out first.")})
    if not creating and not changed:
        return target
    try:
        with transaction.atomic():
            if creating:
                target.save()
            else:
                target.save(update_fields=list(changed))
            audit(
                "inventory.warehouse_created" if creating else "inventory.warehouse_changed",
                actor=actor,
                obj=target,
                data=dict(changed),
            )
    except IntegrityError:
        # Another save took the code between the check and this one.
        raise _code_taken(target.code) from None
    return target
