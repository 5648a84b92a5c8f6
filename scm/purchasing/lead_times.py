"""A product's lead time as inventory keeps it (``Product.lead_time_days``, what a promise date
falls back on): purchasing owns the rule and tells inventory whenever what it knows of a
product's suppliers changes.

The rule: the lead time of the product's preferred supplier (active, its supplier active); with
no preferred one, the shortest of its active suppliers'; with none, unknown (None: the order
form says "ask purchasing"). The data migration ``0004_product_lead_times`` fills existing
products by the same rule.
"""

from scm.inventory.catalogue import product_lead_time_set
from scm.purchasing.models import SupplierProduct


def lead_times_for(product_ids) -> dict[int, int | None]:
    """product id → lead time in days by the rule (None: no active supplier). One query."""
    ids = {int(pk) for pk in product_ids}
    out: dict[int, int | None] = dict.fromkeys(ids)
    seen: set[int] = set()
    # Per product the preferred supplier first, then the shortest lead time: the first row wins.
    rows = (
        SupplierProduct.objects.filter(product_id__in=ids, is_active=True, supplier__is_active=True)
        .order_by("product_id", "-is_preferred", "lead_time_days", "pk")
        .values_list("product_id", "lead_time_days")
    )
    for product_id, days in rows:
        if product_id not in seen:
            out[product_id] = days
            seen.add(product_id)
    return out


def product_lead_times_sync(*, product_ids) -> None:
    """Tell inventory the lead time of each of ``product_ids`` by the rule (``product_lead_time_set``
    writes only what changed). Called inside the purchasing service that changed a supplier
    product, a supplier's activity, or a preferred supplier."""
    for product_id, days in sorted(lead_times_for(product_ids).items()):
        product_lead_time_set(product_id=product_id, days=days)


def supplier_lead_times_sync(*, supplier_id: int) -> None:
    """``product_lead_times_sync`` for every product ``supplier_id`` sells (it became active or
    inactive)."""
    product_ids = SupplierProduct.objects.filter(supplier_id=supplier_id).values_list("product_id", flat=True)
    product_lead_times_sync(product_ids=list(product_ids))
