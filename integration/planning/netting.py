"""Suggestions from plans: what each product × warehouse below its reorder point needs, covered
first by transfers from warehouses with more than they need (nearest first), the rest by a
purchase from the best supplier rounded to its packs and minimum order.

For a product × warehouse, every quantity counted once (base units):
- **position** = on hand − reserved − on hold + incoming − backordered + planned in − planned out, where
  incoming is open purchase order lines (``IncomingSupply``) and transfers in transit to it,
  planned in is draft purchase orders and draft transfers to it (what an accepted suggestion
  made, so it is not suggested again), planned out is draft transfers from it, and backordered
  is the open backorders of the customers it serves (``history.backorders_by_warehouse``), and
  on hold is what is free on hand of lots on hold (never reserved: inventory's
  ``holding.free_level_q``);
- it is **below** when position < reorder point; its **net need** = order-up-to − position;
- a warehouse not below has a **surplus** of what it has free (on hand − reserved − on hold −
  planned out − backordered) above its own order-up-to level; a transfer from it is suggested when it
  covers what is left of the need or at least a quarter of it (``MIN_TRANSFER_SHARE``).
"""

from collections import defaultdict
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Sum
from django.utils import timezone

from integration.planning import history, supply, warnings
from integration.planning.models import Plan, Suggestion
from scm.inventory.holding import free_expression
from scm.inventory.models import IncomingSupply, Product, StockLevel, Transfer, TransferLine, Warehouse
from scm.inventory.selectors import warehouses_by_distance
from scm.inventory.services import plain_qty
from scm.purchasing import pricing
from scm.purchasing.models import EDITABLE_STATES, PurchaseOrderLine, SupplierPrice
from scm.purchasing.pricing import valid_on_q

ZERO = Decimal(0)
# A transfer that covers less than this share of a warehouse's need (and not all of what is
# left of it) is not suggested: one delivery from the supplier brings it with the rest.
MIN_TRANSFER_SHARE = Decimal("0.25")


def _sums(qs, key_fields, value) -> dict:
    return {
        tuple(row[k] for k in key_fields): Decimal(row["q"] or 0)
        for row in qs.values(*key_fields).annotate(q=Sum(value))
    }


def positions(product_ids) -> dict[tuple[int, int], dict]:
    """Each product × stock warehouse's figures (see the module), keyed (product, warehouse)."""
    ids = list(product_ids)
    levels = (
        StockLevel.objects.filter(
            product_id__in=ids, warehouse__kind=Warehouse.Kind.STOCK, warehouse__is_active=True
        )
        .values("product_id", "warehouse_id")
        # ``free`` first: it reads the levels' on_hand and reserved, not the sums named so below.
        .annotate(free=Sum(free_expression()))
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    )
    incoming = _sums(
        IncomingSupply.objects.filter(product_id__in=ids), ["product_id", "warehouse_id"], "quantity"
    )
    transit = _sums(
        TransferLine.objects.filter(product_id__in=ids, transfer__state=Transfer.State.IN_TRANSIT),
        ["product_id", "transfer__destination_id"],
        "quantity",
    )
    draft_in = _sums(
        TransferLine.objects.filter(product_id__in=ids, transfer__state=Transfer.State.DRAFT),
        ["product_id", "transfer__destination_id"],
        "quantity",
    )
    draft_out = _sums(
        TransferLine.objects.filter(product_id__in=ids, transfer__state=Transfer.State.DRAFT),
        ["product_id", "transfer__source_id"],
        "quantity",
    )
    draft_po = _sums(
        PurchaseOrderLine.objects.filter(product_id__in=ids, order__state__in=list(EDITABLE_STATES)),
        ["product_id", "order__warehouse_id"],
        "base_quantity",
    )
    backorders = history.backorders_by_warehouse(ids)
    out: dict[tuple[int, int], dict] = defaultdict(_blank)
    for row in levels:
        f = out[(row["product_id"], row["warehouse_id"])]
        f["on_hand"], f["reserved"] = Decimal(row["on_hand"] or 0), Decimal(row["reserved"] or 0)
        f["held"] = f["on_hand"] - f["reserved"] - Decimal(row["free"] or 0)
    for source, name in ((incoming, "incoming"), (transit, "incoming"), (draft_in, "planned_in")):
        for key, qty in source.items():
            out[key][name] += qty
    for key, qty in draft_po.items():
        out[key]["planned_in"] += qty
    for key, qty in draft_out.items():
        out[key]["planned_out"] += qty
    for key, waiting in backorders.items():
        out[key]["backordered"] += Decimal(waiting["quantity"])
        out[key]["short_orders"] = list(waiting["orders"])[:20]
    for f in out.values():
        _settle(f)
    return dict(out)


def _blank() -> dict:
    figures = {
        "on_hand": ZERO,
        "reserved": ZERO,
        "held": ZERO,
        "incoming": ZERO,
        "planned_in": ZERO,
        "planned_out": ZERO,
        "backordered": ZERO,
        "short_orders": [],
    }
    return _settle(figures)


def _settle(f: dict) -> dict:
    on_shelf = f["on_hand"] - f["reserved"] - f["held"]
    f["position"] = on_shelf + f["incoming"] - f["backordered"] + f["planned_in"] - f["planned_out"]
    f["free"] = on_shelf - f["planned_out"] - f["backordered"]
    return f


def _floor(value: Decimal, divisible: bool) -> Decimal:
    return value if divisible else value.to_integral_value(rounding=ROUND_FLOOR)


def _ceil(value: Decimal, divisible: bool) -> Decimal:
    return value if divisible else -((-value).to_integral_value(rounding=ROUND_FLOOR))


def _text(figures: dict, plan) -> dict:
    return {
        "on_hand": plain_qty(figures["on_hand"]),
        "reserved": plain_qty(figures["reserved"]),
        "held": plain_qty(figures["held"]),
        "incoming": plain_qty(figures["incoming"]),
        "planned": plain_qty(figures["planned_in"] - figures["planned_out"]),
        "backordered": plain_qty(figures["backordered"]),
        "position": plain_qty(figures["position"]),
        "reorder_point": plain_qty(plan["reorder_point"]),
        "order_up_to": plain_qty(plan["order_up_to"]),
        "short_orders": figures["short_orders"],
    }


def needs_for(product_ids, *, today: date) -> list[dict]:
    """The suggestions the products need now (not saved): dicts of Suggestion fields."""
    ids = list(product_ids)
    plans: dict[tuple[int, int], dict] = {
        (p["product_id"], p["warehouse_id"]): p
        for p in Plan.objects.filter(product_id__in=ids).values(
            "product_id", "warehouse_id", "reorder_point", "order_up_to", "warnings"
        )
    }
    figures = positions(ids)
    warehouses = list(Warehouse.objects.for_stock().order_by("code").values("pk", "latitude", "longitude"))
    stock_ids = {w["pk"] for w in warehouses}
    products = {
        p.pk: p for p in Product.objects.filter(pk__in=ids).only("pk", "base_unit_divisible", "tracking")
    }
    keys = sorted(
        k for k in set(plans) | {k for k, f in figures.items() if f["backordered"] > 0} if k[1] in stock_ids
    )
    by_product: dict[int, list] = defaultdict(list)
    for key in keys:
        by_product[key[0]].append(key)
    by_distance: dict[int, list[int]] = {}

    def nearest(warehouse_id: int) -> list[int]:
        if warehouse_id not in by_distance:
            dest = next(w for w in warehouses if w["pk"] == warehouse_id)
            by_distance[warehouse_id] = warehouses_by_distance(
                latitude=dest["latitude"], longitude=dest["longitude"], warehouses=warehouses
            )
        return by_distance[warehouse_id]

    figures_by_product: dict[int, list] = defaultdict(list)
    for (p, w), f in figures.items():
        figures_by_product[p].append((w, f))
    best = supply.best_supplier_products(list(by_product), today=today) if by_product else {}
    # the quantity breaks of the chosen suppliers' prices valid today (one query): an order below
    # every break has no price
    breaks: dict[int, list] = defaultdict(list)
    for sp_id, low in SupplierPrice.objects.filter(
        valid_on_q(today), supplier_product_id__in=[sp.pk for sp in best.values()]
    ).values_list("supplier_product_id", "min_quantity"):
        breaks[sp_id].append(low)
    zero_plan = {"reorder_point": ZERO, "order_up_to": ZERO, "warnings": []}
    out = []
    for product_id, pairs in by_product.items():
        product = products.get(product_id)
        if product is None:
            continue
        div = product.base_unit_divisible
        need, surplus = {}, {}
        for key in pairs:
            plan = plans.get(key, zero_plan)
            f = figures.get(key) or _blank()
            if f["position"] < plan["reorder_point"]:
                need[key[1]] = _ceil(plan["order_up_to"] - f["position"], div)
            else:
                spare = _floor(f["free"] - max(plan["order_up_to"], ZERO), div)
                if spare > 0:
                    surplus[key[1]] = spare
        # warehouses with stock and no plan at all (no demand there) give all they have free
        for w, f in figures_by_product.get(product_id, ()):
            if (product_id, w) not in plans and w in stock_ids and w not in need:
                spare = _floor(f["free"], div)
                if spare > 0:
                    surplus[w] = spare
        for warehouse_id, wanted in need.items():
            key = (product_id, warehouse_id)
            plan, f = plans.get(key, zero_plan), figures.get(key) or _blank()
            reasons = _text(f, plan)
            reasons["net_need"] = plain_qty(wanted)
            remaining = wanted
            for source_id in nearest(warehouse_id):
                if remaining <= 0:
                    break
                spare = surplus.get(source_id, ZERO)
                if source_id == warehouse_id or spare <= 0:
                    continue
                moved = min(remaining, spare)
                if moved < remaining and moved < wanted * MIN_TRANSFER_SHARE:
                    continue  # a shuffle of a few units: the purchase brings them with the rest
                surplus[source_id] = spare - moved
                remaining -= moved
                source = figures.get((product_id, source_id))
                source_plan = plans.get((product_id, source_id), zero_plan)
                out.append(
                    {
                        "kind": Suggestion.Kind.TRANSFER,
                        "product_id": product_id,
                        "warehouse_id": warehouse_id,
                        "source_warehouse_id": source_id,
                        "quantity": moved,
                        "reasons": {
                            **reasons,
                            "source_available": plain_qty(source["free"] if source else ZERO),
                            "source_order_up_to": plain_qty(source_plan["order_up_to"]),
                        },
                        "warnings": [],
                    }
                )
            if remaining <= 0:
                continue
            sp = best.get(product_id)
            notes = [w for w in plan["warnings"] if w.get("key") == warnings.NO_LEAD_TIME]
            if sp is None:
                out.append(
                    {
                        "kind": Suggestion.Kind.PURCHASE,
                        "product_id": product_id,
                        "warehouse_id": warehouse_id,
                        "quantity": _ceil(remaining, div),
                        "reasons": reasons,
                        "warnings": [warnings.warning(warnings.NO_SUPPLIER)],
                    }
                )
                continue
            order_quantity = pricing.suggested_quantity(sp, remaining)
            factor = sp.unit.factor if sp.unit_id else Decimal(1)
            if not any(low <= order_quantity for low in breaks.get(sp.pk, ())):
                notes = [*notes, warnings.warning(warnings.NO_PRICE, supplier=sp.supplier.name)]
            out.append(
                {
                    "kind": Suggestion.Kind.PURCHASE,
                    "product_id": product_id,
                    "warehouse_id": warehouse_id,
                    "supplier_id": sp.supplier_id,
                    "supplier_product_id": sp.pk,
                    "order_quantity": order_quantity,
                    "quantity": order_quantity * factor,
                    "reasons": reasons,
                    "warnings": notes,
                }
            )
    return out


def _key(kind, product_id, warehouse_id, source_id):
    return (kind, product_id, warehouse_id, source_id if kind == Suggestion.Kind.TRANSFER else None)


FIELDS = [
    "quantity",
    "supplier_id",
    "supplier_product_id",
    "order_quantity",
    "reasons",
    "warnings",
    "trigger",
]


def suggestions_refresh(product_ids, *, trigger: str, today: date | None = None) -> dict:
    """Bring the products' open suggestions to what they need now: new ones created, changed
    ones updated (the trigger records the latest cause), the rest expired. The caller holds
    the transaction."""
    today = today or timezone.localdate()
    ids = list(product_ids)
    # The open suggestions are locked first (primary-key order, as accepting does), and what is
    # needed is read after: a suggestion accepted meanwhile is no longer open when the lock is
    # granted, and its draft order is already in the position.
    existing = {
        _key(s.kind, s.product_id, s.warehouse_id, s.source_warehouse_id): s
        for s in Suggestion.objects.select_for_update()
        .filter(product_id__in=ids, state=Suggestion.State.OPEN)
        .order_by("pk")
    }
    wanted = needs_for(ids, today=today)
    now = timezone.now()
    create, update = [], []
    for item in wanted:
        item.setdefault("supplier_id", None)
        item.setdefault("supplier_product_id", None)
        item.setdefault("order_quantity", None)
        item["trigger"] = trigger
        key = _key(item["kind"], item["product_id"], item["warehouse_id"], item.get("source_warehouse_id"))
        current = existing.pop(key, None)
        if current is None:
            create.append(Suggestion(**item))
            continue
        if any(getattr(current, f) != item[f] for f in FIELDS if f != "trigger"):
            for f in FIELDS:
                setattr(current, f, item[f])
            current.updated_at = now
            update.append(current)
    if create:
        Suggestion.objects.bulk_create(create, batch_size=1000)
    if update:
        Suggestion.objects.bulk_update(update, [*FIELDS, "updated_at"], batch_size=1000)
    if existing:
        Suggestion.objects.filter(pk__in=[s.pk for s in existing.values()]).update(
            state=Suggestion.State.EXPIRED, decided_at=now, updated_at=now
        )
    return {"open": len(wanted), "created": len(create), "updated": len(update), "expired": len(existing)}


def suggestions_expire_unplanned(planned_ids) -> int:
    """Open suggestions of products no longer planned (deactivated) expire."""
    now = timezone.now()
    stale = Suggestion.objects.filter(state=Suggestion.State.OPEN).exclude(product_id__in=list(planned_ids))
    return stale.update(state=Suggestion.State.EXPIRED, decided_at=now, updated_at=now)
