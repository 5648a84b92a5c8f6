"""Where replenishment comes from: the best supplier of each product and its lead time.

- **Best supplier:** the preferred supplier product (active, its supplier active); else, among
  the product's active supplier products, the lowest price per base unit valid today for the
  quantity of one minimum order (or one pack), then the shorter stated lead time, then the
  better quality rate of the supplier's scorecard.
- **Lead time** L and its spread σ_L (days): the supplier's actual lead times of the last year
  (``scm.purchasing.scorecard.actual_lead_days``) when there are at least ``MIN_RECEIPTS``
  receipts; else the lead time the supplier states for the product, with the spread of whatever
  receipts there are; a supplier that states none (0 days), or no supplier: the planning
  default, with a warning.

A few queries for any number of products.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from integration.planning import warnings
from integration.planning.models import Plan
from scm.purchasing import scorecard
from scm.purchasing.models import SupplierPrice, SupplierProduct
from scm.purchasing.pricing import valid_on_q

MIN_RECEIPTS = 3


@dataclass
class Supply:
    supplier_product: SupplierProduct | None
    lead_time: float
    lead_time_sigma: float
    source: str
    warnings: list = field(default_factory=list)

    @property
    def supplier_id(self) -> int | None:
        return self.supplier_product.supplier_id if self.supplier_product is not None else None


def _comparable_price(sp: SupplierProduct, prices: list) -> Decimal | None:
    """The price per base unit of one minimum order (or pack) of ``sp`` valid today."""
    quantity = max(Decimal(sp.min_order_quantity), Decimal(sp.pack_size), Decimal(1))
    fitting = [p for p in prices if p.min_quantity <= quantity]
    if not fitting:
        return None
    best = max(fitting, key=lambda p: (p.min_quantity, p.valid_from or date.min, p.pk))
    factor = sp.unit.factor if sp.unit_id else Decimal(1)
    return best.unit_price / factor


def best_supplier_products(product_ids, *, today: date) -> dict[int, SupplierProduct]:
    """The best supplier product of each product that has one (see the module)."""
    candidates = list(
        SupplierProduct.objects.filter(
            product_id__in=list(product_ids), is_active=True, supplier__is_active=True
        )
        .select_related("supplier", "unit")
        .order_by("product_id", "pk")
    )
    by_product: dict[int, list[SupplierProduct]] = {}
    for sp in candidates:
        by_product.setdefault(sp.product_id, []).append(sp)
    choose = [sps for sps in by_product.values() if not any(sp.is_preferred for sp in sps) and len(sps) > 1]
    prices: dict[int, list] = {}
    quality: dict[int, Decimal | None] = {}
    if choose:
        ids = [sp.pk for sps in choose for sp in sps]
        for price in SupplierPrice.objects.filter(valid_on_q(today), supplier_product_id__in=ids):
            prices.setdefault(price.supplier_product_id, []).append(price)
        suppliers = {sp.supplier_id for sps in choose for sp in sps}
        cards = scorecard.supplier_scorecards(suppliers, since=today - timedelta(days=365), today=today)
        quality = {sid: card["quality_rate"] for sid, card in cards.items()}
    best = {}
    for product_id, sps in by_product.items():
        preferred = [sp for sp in sps if sp.is_preferred]
        if preferred or len(sps) == 1:
            best[product_id] = (preferred or sps)[0]
            continue

        def rank(sp):
            price = _comparable_price(sp, prices.get(sp.pk, []))
            q = quality.get(sp.supplier_id)
            return (
                price is None,
                price if price is not None else Decimal(0),
                sp.lead_time_days or 10**6,
                -(q if q is not None else Decimal(0)),
                sp.pk,
            )

        best[product_id] = min(sps, key=rank)
    return best


def supplies_for(product_ids, *, today: date, default_lead_time: int) -> dict[int, Supply]:
    """Each product's supply: its best supplier product, lead time and spread (see the module)."""
    product_ids = list(product_ids)
    best = best_supplier_products(product_ids, today=today)
    actual = scorecard.actual_lead_days(
        {sp.supplier_id for sp in best.values()}, since=today - timedelta(days=365)
    )
    out = {}
    for product_id in product_ids:
        sp = best.get(product_id)
        if sp is None:
            out[product_id] = Supply(
                None,
                float(default_lead_time),
                0.0,
                Plan.LeadTimeSource.DEFAULT,
                [warnings.warning(warnings.NO_SUPPLIER)],
            )
            continue
        days = actual.get(sp.supplier_id, [])
        spread = statistics.pstdev(days) if len(days) >= 2 else 0.0
        if len(days) >= MIN_RECEIPTS:
            out[product_id] = Supply(sp, max(statistics.fmean(days), 1.0), spread, Plan.LeadTimeSource.ACTUAL)
        elif sp.lead_time_days:
            out[product_id] = Supply(sp, float(sp.lead_time_days), spread, Plan.LeadTimeSource.STATED)
        else:
            out[product_id] = Supply(
                sp,
                float(default_lead_time),
                spread,
                Plan.LeadTimeSource.DEFAULT,
                [warnings.warning(warnings.NO_LEAD_TIME, supplier=sp.supplier.name, days=default_lead_time)],
            )
    return out
