"""Purchase-cycle reminders: a follow-up task for the customer's owner when a cycle's expected
date comes near (from ``INSIGHTS_CYCLE_LEAD_DAYS`` before it to as many days after it), with the
quantities of the last purchase and what is available of each product now (``scm.inventory``'s
available-to-promise: per warehouse, nearest the customer first, and the incoming supplies).

The task is a sales activity of kind task (``crm.sales.services.activity_log``), due a week
before the expected date (today if that has passed), so it shows on the tasks page, the customer's
timeline and the owner's reminders like any other. It is made once per cycle and expected date
(``CycleReminder``, unique): running the nightly job again makes nothing new. Its text is written
in the company's language (``LANGUAGE_CODE``), as a rep would have typed it. Customers without an
owner, or inactive, get none.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import override

from crm.sales import services as sales_services
from crm.sales.models import Activity
from integration.insights import purchases
from integration.insights.models import CycleReminder, PurchaseCycle
from scm.inventory.models import Product
from scm.inventory.selectors import active_warehouses, available_to_promise, warehouses_by_distance
from scm.inventory.services import plain_qty

CONTACT_DAYS_BEFORE = 7
SUBJECT_MAX = Activity._meta.get_field("subject").max_length


def lead_days() -> int:
    return int(getattr(settings, "INSIGHTS_CYCLE_LEAD_DAYS", 14))


def cycles_due(
    qs: QuerySet[PurchaseCycle] | None = None, *, today: date | None = None
) -> QuerySet[PurchaseCycle]:
    """Cycles whose expected date is within the lead time of today, before or after."""
    today = today or timezone.localdate()
    lead = timedelta(days=lead_days())
    qs = PurchaseCycle.objects.all() if qs is None else qs
    return qs.filter(expected_date__gte=today - lead, expected_date__lte=today + lead)


def _reminded():
    return Exists(
        CycleReminder.objects.filter(
            customer_id=OuterRef("customer_id"),
            kind=OuterRef("kind"),
            item_key=OuterRef("item_key"),
            expected_date=OuterRef("expected_date"),
        )
    )


def _due_at(cycle: PurchaseCycle, today: date) -> datetime:
    day = max(today, cycle.expected_date - timedelta(days=CONTACT_DAYS_BEFORE))
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _last_lines(cycles: list[PurchaseCycle], today: date) -> dict[tuple[int, date, int], list[tuple]]:
    """For the category cycles: what the customer bought of the category on the last day, as
    (product, quantity) by (customer, day, category). One query."""
    wanted = {(c.customer_id, c.last_order_date, c.category_id) for c in cycles if c.category_id}
    if not wanted:
        return {}
    rows = (
        purchases.counted_lines(since=min(w[1] for w in wanted), until=today)
        .filter(
            order__customer_id__in={w[0] for w in wanted},
            order__order_date__in={w[1] for w in wanted},
            product__category_id__in={w[2] for w in wanted},
        )
        .values("order__customer_id", "order__order_date", "product__category_id", "product_id")
        .annotate(quantity=Sum("base_quantity"))
        .order_by("product__sku")
    )
    rows = list(rows)
    products = Product.objects.in_bulk({r["product_id"] for r in rows})
    out: dict[tuple[int, date, int], list[tuple]] = defaultdict(list)
    for r in rows:
        key = (r["order__customer_id"], r["order__order_date"], r["product__category_id"])
        if key in wanted:
            out[key].append((products[r["product_id"]], r["quantity"]))
    return out


def _cycle_text(cycle: PurchaseCycle, item: str) -> str:
    confidence = round(cycle.confidence * 100)
    if cycle.kind == PurchaseCycle.Kind.ANNUAL:
        return _("Buys %(item)s every year in %(month)s (%(count)s years, confidence %(confidence)s%%).") % {
            "item": item,
            "month": MONTHS[cycle.month],
            "count": cycle.occurrences,
            "confidence": confidence,
        }
    return _("Buys %(item)s every %(days)s days (%(count)s purchases, confidence %(confidence)s%%).") % {
        "item": item,
        "days": cycle.interval_days,
        "count": cycle.occurrences,
        "confidence": confidence,
    }


def _availability_text(rows: list[dict], order: list[int]) -> str:
    rank = {w: i for i, w in enumerate(order)}
    rows = sorted(rows, key=lambda r: rank.get(r["warehouse"].pk, len(rank)))
    parts = [f"{r['warehouse'].name} {plain_qty(r['available'])}" for r in rows]
    text = _("available now: %(stock)s") % {"stock": ", ".join(parts) or "0"}
    incoming = sorted(
        (i["expected_date"], i["quantity"])
        for r in rows
        for i in r["incoming"]
        if i["expected_date"] is not None
    )
    if incoming:
        day, quantity = incoming[0]
        text += "; " + _("next incoming %(quantity)s on %(date)s") % {
            "quantity": plain_qty(quantity),
            "date": day.isoformat(),
        }
    return text


def reminder_text(cycle: PurchaseCycle, items: list[tuple], availability, warehouse_order) -> tuple[str, str]:
    """The task's subject and details (in the active language)."""
    item = cycle.product.name if cycle.product_id else cycle.category.name
    subject = _("Purchase cycle: %(customer)s may order %(item)s around %(date)s") % {
        "customer": cycle.customer.name,
        "item": item,
        "date": cycle.expected_date.isoformat(),
    }
    lines = [
        _cycle_text(cycle, item),
        _("Last order on %(date)s:") % {"date": cycle.last_order_date.isoformat()},
    ]
    for product, quantity in items:
        lines.append(
            f"- {product.name} ({product.sku}): {plain_qty(quantity)} {product.base_unit}; "
            + _availability_text(availability(product.pk), warehouse_order)
        )
    return subject[:SUBJECT_MAX], "\n".join(lines)


def reminders_create(*, today: date | None = None) -> dict[str, int]:
    """A follow-up task for each cycle due (``cycles_due``) that has none for its expected date
    yet. Returns how many were created, and how many another run made meanwhile (skipped)."""
    today = today or timezone.localdate()
    due = list(
        cycles_due(today=today)
        .filter(customer__is_active=True, customer__owner__isnull=False, customer__owner__is_active=True)
        .exclude(_reminded())
        .select_related("customer__owner", "product", "category")
        .order_by("expected_date", "pk")
    )
    created = skipped = 0
    if not due:
        return {"created": 0, "skipped": 0}
    category_lines = _last_lines(due, today)
    warehouses = active_warehouses()
    stock: dict[int, list[dict]] = {}

    def availability(product_id: int) -> list[dict]:
        if product_id not in stock:
            stock[product_id] = available_to_promise(product_id=product_id)
        return stock[product_id]

    with override(settings.LANGUAGE_CODE):
        for cycle in due:
            customer = cycle.customer
            if cycle.product_id:
                items = [(cycle.product, cycle.last_quantity)]
            else:
                items = category_lines.get((cycle.customer_id, cycle.last_order_date, cycle.category_id), [])
            order = warehouses_by_distance(
                latitude=customer.latitude, longitude=customer.longitude, warehouses=warehouses
            )
            subject, body = reminder_text(cycle, items, availability, order)
            try:
                with transaction.atomic():
                    task = sales_services.activity_log(
                        actor=None,
                        kind=Activity.Kind.TASK,
                        subject=subject,
                        body=body,
                        customer=customer,
                        owner=customer.owner,
                        due_at=_due_at(cycle, today),
                    )
                    CycleReminder.objects.create(
                        cycle=cycle,
                        customer_id=cycle.customer_id,
                        product_id=cycle.product_id,
                        category_id=cycle.category_id,
                        item_key=cycle.item_key,
                        kind=cycle.kind,
                        expected_date=cycle.expected_date,
                        task=task,
                    )
            except IntegrityError:
                skipped += 1  # another run made it meanwhile
                continue
            created += 1
    return {"created": created, "skipped": skipped}
