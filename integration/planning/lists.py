"""Planning's list reads for the pages, the API and the home page: suggestions and plans with
their filters (a fixed number of queries whatever the page's length), the rows a suggestion
list shows (the why, warnings in the reader's language, short orders as links where the reader
may open them) and the categories with their own and effective service levels."""

from django.db.models import Q, QuerySet

from core.roles import has_role
from integration.planning import selectors
from integration.planning.models import CategoryServiceLevel, Plan, PlanningSettings, Suggestion
from integration.planning.warnings import warning_text
from scm.inventory.models import Category, Warehouse

STATE_ALL = "all"


def suggestion_filters(params) -> dict:
    """The list's filters from a query string (unknown values are ignored: no filter)."""
    from core.sql import as_id

    state = params.get("state", Suggestion.State.OPEN)
    kind = params.get("kind", "")
    return {
        "state": state if state in {*Suggestion.State.values, STATE_ALL} else Suggestion.State.OPEN,
        "kind": kind if kind in Suggestion.Kind.values else "",
        "warehouse_id": as_id(params.get("warehouse")),
        "supplier_id": as_id(params.get("supplier")),
        "search": str(params.get("q", "")).strip()[:100],
    }


def _product_search(search: str, prefix: str = "product__") -> Q:
    return Q(**{f"{prefix}sku__icontains": search}) | Q(**{f"{prefix}name__icontains": search})


def suggestion_list(
    user, *, state: str = "open", kind: str = "", warehouse_id=None, supplier_id=None, search: str = ""
) -> QuerySet:
    """The suggestions ``user`` may read, filtered, newest first, with everything a row shows
    joined."""
    qs = selectors.suggestions_visible_to(user).select_related(
        "product",
        "warehouse",
        "source_warehouse",
        "supplier",
        "supplier_product__unit",
        "decided_by",
        "purchase_order",
        "transfer",
    )
    if state and state != STATE_ALL:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if search:
        qs = qs.filter(_product_search(search))
    return qs.order_by("-created_at", "-id")


def order_unit(suggestion: Suggestion) -> str:
    """The unit of a suggestion's order quantity: the supplier's, else the product's base unit."""
    sp = suggestion.supplier_product
    if sp is not None and sp.unit_id:
        return sp.unit.name
    return suggestion.product.base_unit


def suggestion_rows(suggestions, user) -> list[dict]:
    """What each row of a suggestion list shows; the sales orders waiting on a shortage are
    links for readers of sales orders (one query for the whole page)."""
    suggestions = list(suggestions)
    numbers = {
        n for s in suggestions for n in (s.reasons or {}).get("short_orders") or [] if isinstance(n, str)
    }
    order_ids = {}
    if numbers:
        from crm.sales.orders.selectors import ORDER_READ_ROLES, orders_visible_to

        if has_role(user, ORDER_READ_ROLES):
            order_ids = dict(orders_visible_to(user).filter(number__in=numbers).values_list("number", "pk"))
    rows = []
    for s in suggestions:
        reasons = s.reasons if isinstance(s.reasons, dict) else {}
        short = [
            {"number": n, "pk": order_ids.get(n)}
            for n in reasons.get("short_orders") or []
            if isinstance(n, str)
        ]
        rows.append(
            {
                "suggestion": s,
                "reasons": reasons,
                "short_orders": short,
                "warnings": [warning_text(w) for w in s.warnings or [] if isinstance(w, dict)],
                "order_unit": order_unit(s),
            }
        )
    return rows


def open_suggestions(user, limit: int = 10) -> list[dict]:
    """The home panel's open suggestions (the newest ``limit``) as list rows."""
    qs = suggestion_list(user, state=Suggestion.State.OPEN)[:limit]
    return suggestion_rows(qs, user)


def home_suggestions(record, user) -> dict:
    """The home page's "Replenishment suggestions" panel (``core.home``)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    visible = selectors.suggestions_visible_to(user).filter(state=Suggestion.State.OPEN)
    count = visible.count()
    return {
        "rows": open_suggestions(user, limit=6),
        "open_count": count,
        "count": count,
        "see_all": reverse("planning:suggestions"),
        "see_all_label": _("All open suggestions (%(count)s)") % {"count": count},
    }


def plan_filters(params) -> dict:
    from core.sql import as_id

    source = params.get("source", "")
    return {
        "warehouse_id": as_id(params.get("warehouse")),
        "source": source if source in Plan.Source.values else "",
        "search": str(params.get("q", "")).strip()[:100],
    }


def plan_list(user, *, warehouse_id=None, source: str = "", search: str = "", product_id=None) -> QuerySet:
    qs = selectors.plans_visible_to(user).select_related("product", "warehouse", "supplier")
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if source:
        qs = qs.filter(source=source)
    if search:
        qs = qs.filter(_product_search(search))
    return qs.order_by("product__sku", "warehouse__code")


def stock_warehouses() -> QuerySet:
    return Warehouse.objects.for_stock().order_by("code")


def category_service_levels() -> list[dict]:
    """Every category with its own service level and the effective one (its own, else the
    nearest ancestor's, else the company's default), in tree order; three queries."""
    default = PlanningSettings.current().service_level
    categories = list(Category.objects.order_by("name"))
    own = dict(CategoryServiceLevel.objects.values_list("category_id", "service_level"))
    by_id = {c.pk: c for c in categories}
    children: dict = {}
    for c in categories:
        children.setdefault(c.parent_id if c.parent_id in by_id else None, []).append(c)

    def effective(category) -> tuple:
        seen = set()
        node = category
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            if node.pk in own:
                return own[node.pk], node if node is not category else None
            node = by_id.get(node.parent_id)
        return default, None

    rows: list[dict] = []

    def walk(parent_id, depth, seen):
        for c in children.get(parent_id, []):
            if c.pk in seen:
                continue
            seen.add(c.pk)
            level, inherited_from = effective(c)
            rows.append(
                {
                    "category": c,
                    "depth": depth,
                    "indent": min(depth, 6),
                    "own": own.get(c.pk),
                    "effective": level,
                    "inherited_from": inherited_from,
                }
            )
            walk(c.pk, depth + 1, seen)

    walk(None, 0, set())
    return rows
