"""Quarantine: goods that have not passed, or have failed, the quality check.

Each warehouse gets its own quarantine on demand (a ``Warehouse`` of kind quarantine whose
``site`` is the warehouse). Its stock is on hand and valued, but never reserved, promised or
counted as available (``holding.candidate_levels_for``, ``selectors.active_warehouses``,
``available_to_promise`` and the stock pages leave it out) until it is released into the site
(``quarantine_release``, announced as ``stock.available``) or sent back to the supplier
(``quarantine_return``).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from scm.inventory.lots import lot_for_outgoing
from scm.inventory.models import Lot, Product, StockLevel, StockMove, Warehouse
from scm.inventory.services import (
    _add_stock,
    _average_out,
    _check_warehouse,
    _remove_stock,
    _write_move,
    stock_available_publish,
    to_base_quantity,
)


def quarantine_of(warehouse: Warehouse) -> Warehouse:
    """The quarantine of ``warehouse``, made the first time it is needed (two callers racing:
    one wins the unique constraint, the other reads its row)."""
    if warehouse.is_quarantine:
        return warehouse
    found = Warehouse.objects.filter(site=warehouse, kind=Warehouse.Kind.QUARANTINE).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Warehouse.objects.create(
                code=_quarantine_code(warehouse),
                name=_("%(name)s quarantine") % {"name": warehouse.name},
                kind=Warehouse.Kind.QUARANTINE,
                site=warehouse,
                region=warehouse.region,
                address=warehouse.address,
            )
    except IntegrityError:
        return Warehouse.objects.get(site=warehouse, kind=Warehouse.Kind.QUARANTINE)


def _quarantine_code(warehouse: Warehouse) -> str:
    code = f"{warehouse.code[:16]}-QC"
    if Warehouse.objects.filter(code=code).exists():
        code = f"QC-{warehouse.pk}"
    return code


def quarantine_levels(*, product_id: int | None = None, site_id: int | None = None):
    """Stock held in quarantine (levels above zero), with product, lot and quarantine."""
    qs = (
        StockLevel.objects.filter(warehouse__kind=Warehouse.Kind.QUARANTINE, on_hand__gt=0)
        .select_related("product", "lot", "warehouse", "warehouse__site")
        .order_by("warehouse__code", "product__sku", "lot__number", "pk")
    )
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if site_id is not None:
        qs = qs.filter(warehouse__site_id=site_id)
    return qs


def _checked(level: StockLevel, quantity, reason: str | None = None) -> Decimal:
    if not level.warehouse.is_quarantine:
        raise ValidationError({"warehouse": _("This stock is not in quarantine.")})
    _check_warehouse(level.warehouse.site)
    if reason is not None and not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    base = to_base_quantity(product=level.product, quantity=quantity)
    if base > level.on_hand:
        raise ValidationError(
            {
                "quantity": _("Only %(qty)s is in quarantine.")
                % {"qty": format(level.on_hand.normalize(), "f")}
            }
        )
    return base


def _level(level_id: int) -> StockLevel:
    return StockLevel.objects.select_related("product", "lot", "warehouse", "warehouse__site").get(
        pk=level_id
    )


@atomic_with_retry
def quarantine_release(
    *, level_id: int, quantity, reference: str = "", reason: str = "", user=None
) -> StockMove:
    """Goods accepted after re-inspection: ``quantity`` of a quarantine level moves into the
    site warehouse (a transfer out and in, at the product's cost) and is announced as
    ``stock.available``."""
    level = _level(level_id)
    base = _checked(level, quantity)
    product: Product = level.product
    lot: Lot | None = lot_for_outgoing(product=product, lot=level.lot)
    site = level.warehouse.site
    lot_id = lot.pk if lot else None
    cost = Product.objects.values_list("cost", flat=True).get(pk=product.pk)
    _remove_stock(product_id=product.pk, warehouse_id=level.warehouse_id, lot_id=lot_id, base=base)
    _write_move(
        kind=StockMove.Kind.TRANSFER_OUT,
        product_id=product.pk,
        warehouse_id=level.warehouse_id,
        lot_id=lot_id,
        quantity=-base,
        unit_cost=cost,
        reference=reference,
        reason=reason or _("Released from quarantine"),
        user=user,
    )
    _add_stock(product=product, warehouse=site, lot=lot, base=base)
    move = _write_move(
        kind=StockMove.Kind.TRANSFER_IN,
        product_id=product.pk,
        warehouse_id=site.pk,
        lot_id=lot_id,
        quantity=base,
        unit_cost=cost,
        reference=reference,
        reason=reason or _("Released from quarantine"),
        user=user,
    )
    audit(
        "stock.quarantine_release", actor=user, obj=move, data={"quantity": str(base), "reference": reference}
    )
    stock_available_publish(
        product_ids=[product.pk], warehouse_id=site.pk, reason="quarantine_release", reference=reference
    )
    return move


@atomic_with_retry
def quarantine_return(
    *, level_id: int, quantity, reason: str, reference: str = "", unit_cost=None, user=None
) -> StockMove:
    """Goods sent back to the supplier out of quarantine (``reference``: the return document):
    a negative return move, at ``unit_cost`` (what was paid) or the product's cost."""
    level = _level(level_id)
    base = _checked(level, quantity, reason)
    lot_id = level.lot_id
    # Lock the product row (as a receipt does): the moving average gives back the goods' value.
    locked = Product.objects.select_for_update().only("pk", "cost").order_by("pk").get(pk=level.product_id)
    cost = locked.cost if unit_cost is None else Decimal(str(unit_cost))
    _average_out(locked, base, cost)
    _remove_stock(product_id=level.product_id, warehouse_id=level.warehouse_id, lot_id=lot_id, base=base)
    move = _write_move(
        kind=StockMove.Kind.RETURN,
        product_id=level.product_id,
        warehouse_id=level.warehouse_id,
        lot_id=lot_id,
        quantity=-base,
        unit_cost=cost,
        reference=reference,
        reason=reason.strip(),
        user=user,
    )
    audit(
        "stock.quarantine_return", actor=user, obj=move, data={"quantity": str(-base), "reference": reference}
    )
    return move


def quarantine_level_id(*, product_id: int, quarantine_id: int, lot_id: int | None) -> int | None:
    """The level of a product (and lot) in a quarantine, if there is one."""
    return (
        StockLevel.objects.filter(product_id=product_id, warehouse_id=quarantine_id, lot_id=lot_id)
        .values_list("pk", flat=True)
        .first()
    )
