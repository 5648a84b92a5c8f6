"""The order and quote forms' live lines (htmx): as soon as a line has a product, a unit and a
quantity, its unit price (and where it came from), its amount and tax, the document's totals,
each line's availability per warehouse with incoming receipts and its promise date, and a
shortage warning with the rep's choices — all from ``document_lines.document_preview``, the
function the services save with, so that what the form shows is what is saved."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_POST

from core.dates import optional_date_input
from core.permissions import role_required
from core.sql import as_id
from crm.customers.selectors import customers_visible_to
from crm.sales.models import SalesOrder
from crm.sales.orders.document_lines import document_preview
from crm.sales.orders.prices.selectors import source_text
from crm.sales.orders.pricing import MAX_LINES
from crm.sales.orders.selectors import ORDER_WRITE_ROLES, QUOTE_WRITE_ROLES
from scm.inventory.models import Warehouse

LINE_FIELDS = ("product", "unit", "quantity", "unit_price", "discount_percent")


def posted_lines(post) -> tuple[list[tuple[str, dict]], int]:
    """The filled lines of a posted order or quote form, as (form prefix, line) read straight
    from the data (ids unchecked: ``pricing.lines_price`` reads the products in one query and
    refuses what is not sellable), and the number of line forms."""
    raw = post.get("lines-TOTAL_FORMS", "0")
    count = min(int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 0, MAX_LINES)
    entries = []
    for i in range(count):
        prefix = f"lines-{i}"
        value = {name: post.get(f"{prefix}-{name}", "").strip() for name in LINE_FIELDS}
        if not value["product"] or not value["quantity"] or post.get(f"{prefix}-DELETE"):
            continue
        entries.append(
            (
                prefix,
                {
                    "product": value["product"],
                    "unit": value["unit"] or None,
                    "quantity": value["quantity"],
                    "unit_price": value["unit_price"] or None,
                    "discount_percent": value["discount_percent"] or 0,
                },
            )
        )
    return entries, count


def posted_ship_from(value) -> Warehouse | None:
    """The ship-from warehouse a form posted: an active stock warehouse, else none."""
    pk = as_id(value)
    return Warehouse.objects.for_stock().filter(pk=pk).first() if pk is not None else None


def posted_place(post) -> SalesOrder:
    """The order being entered as the backorder rule places it among waiting orders (by the
    priority and requested date posted; a bad value: none), after every confirmed order like it:
    as the services promise its lines when saving a new order or a draft."""
    priority = post.get("priority")
    try:
        requested_date = optional_date_input(post.get("requested_date"), field="requested_date")
    except ValidationError:
        requested_date = None
    return SalesOrder(
        priority=priority if priority in SalesOrder.Priority.values else SalesOrder.Priority.NORMAL,
        requested_date=requested_date,
    )


@role_required(*(set(ORDER_WRITE_ROLES) | set(QUOTE_WRITE_ROLES)))
@require_POST
def totals_partial(request):
    """Live figures of the lines being entered (htmx), priced and promised as saving would for
    the customer picked (``document_lines.document_preview``): the totals (with the shortage
    warning and its choices), and out-of-band, next to each line, its price and where it came
    from, its amount and tax, and its availability and promise date. Lines that do not price
    (yet) are skipped and their figures cleared. A fixed number of queries, whatever the number
    of lines."""
    entries, count = posted_lines(request.POST)
    customer_id = as_id(request.POST.get("customer"))
    customer = (
        customers_visible_to(request.user).filter(pk=customer_id, is_active=True).first()
        if customer_id is not None
        else None
    )
    try:
        on = optional_date_input(request.POST.get("price_date"), field="price_date")
    except ValidationError:
        on = None  # a hand-made value: today's prices
    kind = "quote" if request.POST.get("kind") == "quote" else "order"
    ship_from = posted_ship_from(request.POST.get("ship_from")) if kind == "order" else None
    ahead_of = posted_place(request.POST) if kind == "order" else None
    found = document_preview(entries, customer=customer, on=on, ship_from=ship_from, ahead_of=ahead_of)
    figures = {entry.key: entry for entry in found.entries()}
    # Every line's figures are redrawn: empty for a line that does not price (yet).
    lines = []
    for i in range(count):
        prefix = f"lines-{i}"
        entry = figures.get(prefix)
        hints = []
        if entry is not None:
            hints = [
                {
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "source": line.price_source,
                    "text": source_text(line.price_source, line.price_list_id, line.price_promotion_id),
                }
                for line in entry.parts
            ]
        # A line without figures keeps what its product's pick showed (``atp``), if anything.
        lines.append({"prefix": prefix, "entry": entry, "hints": hints, "keep_atp": entry is None})
    short = [entry for entry in figures.values() if entry.shortage > 0]
    return render(
        request,
        "sales/orders/_totals.html",
        {
            "totals": found.totals,
            "line_count": len(found.priced),
            "promotion": getattr(found.priced, "promotion", None),
            "lines": lines,
            "kind": kind,
            "short": short,
            "ship_from": ship_from,
            "ship_complete": request.POST.get("ship_complete") == "1",
            "complete_by": found.complete_by,
            "unknown_date": any(p.promise_date is None for p in found.promises),
            "complete_from": found.complete_from() if short else [],
        },
    )
