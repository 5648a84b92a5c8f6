"""Planning's actions, one transaction each: accept suggestions (draft purchase orders grouped by
supplier and warehouse, draft transfers grouped by route), dismiss them with a reason, set or
clear a product × warehouse's override, set a category's service level and the settings.

Every action checks ``selectors.can_plan`` (settings: ``can_edit_planning_settings``) itself, so
pages and API cannot differ."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.db import atomic_with_retry
from core.money import decimal_input
from core.money import quantity as as_quantity
from core.sql import as_id
from integration.planning import selectors
from integration.planning.models import (
    SERVICE_LEVEL_MAX,
    SERVICE_LEVEL_MIN,
    CategoryServiceLevel,
    PlanningSettings,
    PlanOverride,
    Suggestion,
)
from scm.inventory import holding
from scm.inventory.models import Category, Lot, Product, Warehouse
from scm.inventory.services import plain_qty
from scm.inventory.transfers import transfer_create
from scm.purchasing.orders import purchase_order_create

MAX_SELECTED = 500


def _check_plan(user) -> None:
    if not selectors.can_plan(user):
        raise PermissionDenied(_("Only purchasing and managers decide replenishment."))


def service_level_input(value, *, field: str = "service_level") -> Decimal:
    """A service level in percent, more than 50 and at most 99.9 (the one parser: forms, API,
    imports of templates)."""
    level = decimal_input(value, field=field)
    if not SERVICE_LEVEL_MIN < level <= SERVICE_LEVEL_MAX:
        raise ValidationError(
            {
                field: _("Enter a service level above %(low)s %% and at most %(high)s %%.")
                % {"low": SERVICE_LEVEL_MIN, "high": SERVICE_LEVEL_MAX}
            }
        )
    return level.quantize(Decimal("0.01"))


def _selected_ids(ids, *, field: str = "suggestions") -> list[int]:
    if isinstance(ids, str | int):
        ids = [ids]
    try:
        raw = list(ids or [])
    except TypeError:
        raise ValidationError({field: _("Choose the suggestions.")})
    if not raw:
        raise ValidationError({field: _("Choose the suggestions.")})
    if len(raw) > MAX_SELECTED:
        raise ValidationError({field: _("Choose at most %(count)s suggestions.") % {"count": MAX_SELECTED}})
    parsed = [as_id(v) for v in raw]
    if any(v is None for v in parsed):
        raise ValidationError({field: _("Choose the suggestions.")})
    return sorted(set(parsed))


def _locked(ids: list[int], user) -> list[Suggestion]:
    """The chosen suggestions, locked in primary-key order; an id the user may not see is an
    error naming the field (nothing is done)."""
    rows = list(
        selectors.suggestions_visible_to(user)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("product", "supplier", "supplier_product__unit", "warehouse", "source_warehouse")
        .order_by("pk")
    )
    if len(rows) != len(ids):
        raise ValidationError({"suggestions": _("Some of the chosen suggestions do not exist.")})
    return rows


@dataclass
class Accepted:
    purchase_orders: list = field(default_factory=list)
    transfers: list = field(default_factory=list)
    # Suggestions already decided (a second click): left as they are.
    skipped: int = 0


def _transfer_lines(suggestion: Suggestion) -> list[dict]:
    """The transfer lines that move a suggestion's quantity from what the source has free now:
    untracked stock as one line, lots and serial numbers first-expiry-first-out. Less free
    than suggested is an error naming the product (plan again, or dismiss)."""
    product = suggestion.product
    levels = holding.candidate_levels(product.pk, [suggestion.source_warehouse_id])
    free = sum((level["available"] for level in levels), Decimal(0))
    if free < suggestion.quantity:
        raise ValidationError(
            {
                "suggestions": _(
                    "%(warehouse)s has only %(free)s of %(sku)s free to move: run planning again or "
                    "dismiss the transfer."
                )
                % {"warehouse": suggestion.source_warehouse.name, "sku": product.sku, "free": plain_qty(free)}
            }
        )
    if product.tracking == Product.Tracking.NONE:
        return [{"product": product, "quantity": suggestion.quantity}]
    lots = Lot.objects.in_bulk([level["lot_id"] for level in levels])
    lines, want = [], suggestion.quantity
    for level in levels:
        if want <= 0:
            break
        take = Decimal(1) if product.tracking == Product.Tracking.SERIAL else min(want, level["available"])
        lines.append({"product": product, "quantity": take, "lot": lots[level["lot_id"]]})
        want -= take
    return lines


def _named(exc: ValidationError, group: list[Suggestion]) -> list[str]:
    """A purchase order's line errors (``lines[i].field``) as messages naming the product."""
    out = []
    for key, messages in exc.message_dict.items():
        index = key[len("lines[") : key.find("]")] if key.startswith("lines[") else ""
        sku = group[int(index)].product.sku if index.isdigit() and int(index) < len(group) else ""
        out += [f"{sku}: {m}" if sku else m for m in messages]
    return out


@atomic_with_retry
def suggestions_accept(*, ids, user) -> Accepted:
    """Turn the chosen open suggestions into draft purchase orders (one per supplier and
    delivery warehouse, owned by ``user``) and draft transfers (one per route). Suggestions
    already decided are skipped, so a second click creates nothing; all or nothing otherwise."""
    _check_plan(user)
    rows = _locked(_selected_ids(ids), user)
    todo = [s for s in rows if s.state == Suggestion.State.OPEN]
    result = Accepted(skipped=len(rows) - len(todo))
    purchases: dict[tuple, list[Suggestion]] = defaultdict(list)
    transfers: dict[tuple, list[Suggestion]] = defaultdict(list)
    for s in todo:
        if s.kind == Suggestion.Kind.PURCHASE:
            if s.supplier_id is None or s.supplier_product_id is None:
                raise ValidationError(
                    {
                        "suggestions": _("No supplier sells %(sku)s: add one or dismiss the suggestion.")
                        % {"sku": s.product.sku}
                    }
                )
            purchases[(s.supplier_id, s.warehouse_id)].append(s)
        else:
            transfers[(s.source_warehouse_id, s.warehouse_id)].append(s)
    now = timezone.now()
    for group in purchases.values():
        first = group[0]
        try:
            order = purchase_order_create(
                supplier=first.supplier,
                user=user,
                warehouse=first.warehouse,
                notes=_("From replenishment suggestions"),
                lines=[
                    {"product": s.product, "quantity": s.order_quantity, "unit": s.supplier_product.unit}
                    for s in group
                ],
            )
        except ValidationError as exc:
            raise ValidationError({"suggestions": _named(exc, group)}) from exc
        Suggestion.objects.filter(pk__in=[s.pk for s in group]).update(
            state=Suggestion.State.ACCEPTED,
            decided_at=now,
            decided_by=user,
            purchase_order=order,
            updated_at=now,
        )
        result.purchase_orders.append(order)
    for (_source_id, _destination_id), group in transfers.items():
        first = group[0]
        lines = [line for s in group for line in _transfer_lines(s)]
        transfer = transfer_create(
            source=first.source_warehouse,
            destination=first.warehouse,
            lines=lines,
            note=_("From replenishment suggestions"),
            user=user,
        )
        Suggestion.objects.filter(pk__in=[s.pk for s in group]).update(
            state=Suggestion.State.ACCEPTED,
            decided_at=now,
            decided_by=user,
            transfer=transfer,
            updated_at=now,
        )
        result.transfers.append(transfer)
    if todo:
        audit(
            "planning.suggestions_accepted",
            actor=user,
            data={
                "suggestions": [s.pk for s in todo],
                "purchase_orders": [o.number for o in result.purchase_orders],
                "transfers": [t.number for t in result.transfers],
            },
        )
    return result


@atomic_with_retry
def suggestions_dismiss(*, ids, user, reason) -> int:
    """Dismiss the chosen open suggestions with a reason (kept for the record); returns how
    many were dismissed (a second click: none)."""
    _check_plan(user)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError({"reason": _("Say why the suggestion is dismissed.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Keep the reason under 200 characters.")})
    rows = _locked(_selected_ids(ids), user)
    todo = [s.pk for s in rows if s.state == Suggestion.State.OPEN]
    now = timezone.now()
    Suggestion.objects.filter(pk__in=todo).update(
        state=Suggestion.State.DISMISSED,
        decided_at=now,
        decided_by=user,
        dismiss_reason=reason,
        updated_at=now,
    )
    if todo:
        audit("planning.suggestions_dismissed", actor=user, data={"suggestions": todo, "reason": reason})
    return len(todo)


def _product_and_warehouse(product, warehouse) -> tuple[Product, Warehouse]:
    if not isinstance(product, Product):
        pid = as_id(product)
        product = Product.objects.filter(pk=pid).first() if pid else None
    if product is None or product.is_template:
        raise ValidationError({"product": _("Choose a product.")})
    if not isinstance(warehouse, Warehouse):
        wid = as_id(warehouse)
        warehouse = Warehouse.objects.for_stock().filter(pk=wid).first() if wid else None
    if warehouse is None or warehouse.kind != Warehouse.Kind.STOCK or not warehouse.is_active:
        raise ValidationError({"warehouse": _("Choose a warehouse.")})
    return product, warehouse


@atomic_with_retry
def plan_override_set(
    *, product, warehouse, reorder_point, order_up_to, note: str = "", user
) -> PlanOverride:
    """Set a product × warehouse's own reorder point and order-up-to level (base units); the
    plan uses them at once, marked as overridden."""
    _check_plan(user)
    product, warehouse = _product_and_warehouse(product, warehouse)
    point = as_quantity(decimal_input(reorder_point, field="reorder_point"))
    up_to = as_quantity(decimal_input(order_up_to, field="order_up_to"))
    if point < 0:
        raise ValidationError({"reorder_point": _("The reorder point cannot be negative.")})
    if up_to < point:
        raise ValidationError({"order_up_to": _("The order-up-to level must be at least the reorder point.")})
    note = (note or "").strip()[:200] if isinstance(note, str) else ""
    override, _created = PlanOverride.objects.update_or_create(
        product=product,
        warehouse=warehouse,
        defaults={"reorder_point": point, "order_up_to": up_to, "note": note, "user": user},
    )
    audit(
        "planning.override_set",
        actor=user,
        obj=override,
        data={
            "product": product.pk,
            "warehouse": warehouse.pk,
            "reorder_point": str(point),
            "order_up_to": str(up_to),
        },
    )
    _replan(product.pk)
    return override


@atomic_with_retry
def plan_override_clear(*, product, warehouse, user) -> bool:
    """Back to the computed plan for a product × warehouse."""
    _check_plan(user)
    product, warehouse = _product_and_warehouse(product, warehouse)
    deleted, _rows = PlanOverride.objects.filter(product=product, warehouse=warehouse).delete()
    if deleted:
        audit(
            "planning.override_cleared", actor=user, data={"product": product.pk, "warehouse": warehouse.pk}
        )
        _replan(product.pk)
    return bool(deleted)


@atomic_with_retry
def category_service_level_set(*, category, service_level, user) -> CategoryServiceLevel | None:
    """A category's service level in percent; blank clears it (the parent's or the default
    applies again)."""
    _check_plan(user)
    if not isinstance(category, Category):
        cid = as_id(category)
        category = Category.objects.filter(pk=cid).first() if cid else None
    if category is None:
        raise ValidationError({"category": _("Choose a category.")})
    if service_level is None or (isinstance(service_level, str) and not service_level.strip()):
        CategoryServiceLevel.objects.filter(category=category).delete()
        audit("planning.service_level_cleared", actor=user, data={"category": category.pk})
        return None
    level = service_level_input(service_level)
    row, _created = CategoryServiceLevel.objects.update_or_create(
        category=category, defaults={"service_level": level}
    )
    audit(
        "planning.service_level_set", actor=user, data={"category": category.pk, "service_level": str(level)}
    )
    return row


@atomic_with_retry
def category_service_level_ensure(*, category: Category, service_level, actor=None) -> bool:
    """Give ``category`` its own service level when it has none (an industry template's set-up:
    a level already set, by a planner or an earlier template, is kept). True when it set one.
    Not a planner's action, so no ``can_plan`` check: the caller is the admins' set-up."""
    if CategoryServiceLevel.objects.filter(category=category).exists():
        return False
    level = service_level_input(service_level)
    CategoryServiceLevel.objects.create(category=category, service_level=level)
    audit(
        "planning.service_level_set", actor=actor, data={"category": category.pk, "service_level": str(level)}
    )
    return True


SETTINGS_FIELDS = {
    "history_weeks": (4, 104),
    "review_days": (1, 90),
    "default_lead_time_days": (1, 365),
    "slow_mover_days": (7, 730),
}


@atomic_with_retry
def planning_settings_update(*, user, **values) -> PlanningSettings:
    """Change the planning settings (managers); each value is checked and named when wrong."""
    if not selectors.can_edit_planning_settings(user):
        raise PermissionDenied(_("Only managers change the planning settings."))
    current = PlanningSettings.current()
    errors = {}
    for name, value in values.items():
        try:
            if name == "service_level":
                current.service_level = service_level_input(value)
            elif name == "slow_mover_cover_months":
                months = decimal_input(value, field=name)
                if not Decimal("0.5") <= months <= Decimal("60"):
                    raise ValidationError({name: _("Enter between 0.5 and 60 months.")})
                current.slow_mover_cover_months = months.quantize(Decimal("0.1"))
            elif name in SETTINGS_FIELDS:
                low, high = SETTINGS_FIELDS[name]
                number = decimal_input(value, field=name)
                if number != number.to_integral_value() or not low <= number <= high:
                    raise ValidationError(
                        {
                            name: _("Enter a whole number from %(low)s to %(high)s.")
                            % {"low": low, "high": high}
                        }
                    )
                setattr(current, name, int(number))
            else:
                raise ValidationError({name: _("Unknown setting.")})
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    current.save()
    audit("planning.settings", actor=user, data={k: str(v) for k, v in values.items()})
    return current


def _replan(product_id: int) -> None:
    """The product's plans and suggestions again, after a change of its inputs."""
    from integration.planning import engine

    engine.planning_run(product_ids=[product_id], trigger=Suggestion.Trigger.MANUAL)
