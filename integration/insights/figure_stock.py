"""The stock and purchasing figures' computations (``integration.insights.figures`` defines
them): inventory value and turnover per warehouse, slow movers, purchase on-time rate — from the
stock and receipt facts and the slow movers records."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import money
from integration.insights.fact_days import slow_movers_read
from integration.insights.figure_base import (
    RATIO,
    ZERO,
    CardsBase,
    DataBase,
    Trend,
    by_day,
    chart_of,
    list_url,
    trend_table,
)
from integration.insights.models import ReceiptDay, SlowMoversDay, StockDay
from integration.insights.periods import Period


class StockData(DataBase):
    @cached_property
    def receipts(self) -> Trend:
        return by_day(self._facts(ReceiptDay), {"lines": Sum("lines"), "on_time": Sum("on_time_lines")})

    @cached_property
    def stock(self) -> dict:
        """Per warehouse: the value at the end of each day from the first to the last day read,
        and the cost of goods shipped per day. Three queries."""
        from scm.inventory.models import Warehouse

        facts = StockDay.objects.using(self.db)
        opening = {
            wid: value or ZERO
            for wid, value in facts.filter(day__lt=self.first)
            .order_by()
            .values("warehouse_id")
            .annotate(v=Sum("value_change"))
            .values_list("warehouse_id", "v")
        }
        changes: dict[int, dict[date, tuple]] = defaultdict(dict)
        for day, wid, value, cogs in self._facts(StockDay).values_list(
            "day", "warehouse_id", "value_change", "cogs"
        ):
            changes[wid][day] = (value, cogs)
        ids = set(opening) | set(changes)
        names = dict(Warehouse.objects.filter(pk__in=ids).values_list("pk", "name"))
        out = {}
        for wid in sorted(ids, key=lambda i: (names.get(i, ""), i)):
            # Running sums from the first day read: the value at the end of each day, and the
            # sums of those values and of the cost of goods up to it (a period's sum is then a
            # difference of two).
            level = Decimal(opening.get(wid, ZERO))
            values, value_sums, cogs_sums = [], [ZERO], [ZERO]
            for i in range((self.last - self.first).days + 1):
                value, cost = changes[wid].get(self.first + timedelta(days=i), (ZERO, ZERO))
                level += value
                values.append(level)
                value_sums.append(value_sums[-1] + level)
                cogs_sums.append(cogs_sums[-1] + cost)
            out[wid] = {
                "name": names.get(wid, str(wid)),
                "values": values,
                "value_sums": value_sums,
                "cogs": cogs_sums,
            }
        return out

    def _span(self, period: Period) -> tuple[int, int]:
        return (period.start - self.first).days, (period.end - self.first).days + 1

    def stock_end(self, period: Period, wid: int) -> Decimal:
        return money(self.stock[wid]["values"][(period.end - self.first).days])

    def turnover(self, period: Period, wid: int | None) -> Decimal | None:
        """Cost of goods ÷ the average daily value, per year (× 365 ÷ days)."""
        a, b = self._span(period)
        wids = list(self.stock) if wid is None else [wid]
        cogs = sum((self.stock[w]["cogs"][b] - self.stock[w]["cogs"][a] for w in wids), ZERO)
        total = sum((self.stock[w]["value_sums"][b] - self.stock[w]["value_sums"][a] for w in wids), ZERO)
        average = total / period.days
        if average <= 0:
            return None
        return (cogs * 365 / period.days / average).quantize(RATIO, rounding=ROUND_HALF_UP)

    def _slow_snapshot(self, period: Period) -> SlowMoversDay | None:
        return (
            SlowMoversDay.objects.using(self.db)
            .filter(day__lte=period.end)
            .order_by("-day")
            .only("day", "products", "value", "top")
            .first()
        )

    @cached_property
    def slow(self) -> dict:
        """The slow movers as last recorded up to the period's end (``SlowMoversDay``); when none
        was, as they are now if the period runs to today (else none); the value recorded up to
        the comparison period's end. Two or three queries."""
        snapshot = self._slow_snapshot(self.period)
        if snapshot is not None:
            current = {"products": snapshot.products, "value": snapshot.value, "top": snapshot.top}
        elif self.period.end >= timezone.localdate():
            current = slow_movers_read()
        else:  # a past period with no record
            current = {"products": 0, "value": None, "top": []}
        before = self._slow_snapshot(self.previous)
        return {**current, "previous": before.value if before is not None else None}


class StockCards(CardsBase):
    def _warehouse_links(self) -> list[str]:
        """Each warehouse's stock list."""
        return [list_url("inventory:stock", warehouse=wid) for wid in self.d.stock]

    def inventory_value(self):
        st = self.d.stock
        names = [w["name"] for w in st.values()]
        current = [self.d.stock_end(self.p, wid) for wid in st]
        before = [self.d.stock_end(self.q, wid) for wid in st]
        series = [(self.p.label, current), (self.q.label, before)]
        return (
            money(sum(current, ZERO)),
            money(sum(before, ZERO)),
            chart_of("bar", names, series, links=self._warehouse_links()),
            trend_table(_("Warehouse"), names, series),
            list_url("inventory:stock"),
        )

    def turnover(self):
        st = self.d.stock
        names = [w["name"] for w in st.values()]
        series = [
            (self.p.label, [self.d.turnover(self.p, wid) for wid in st]),
            (self.q.label, [self.d.turnover(self.q, wid) for wid in st]),
        ]
        return (
            self.d.turnover(self.p, None) if st else None,
            self.d.turnover(self.q, None) if st else None,
            chart_of("bar", names, series, links=self._warehouse_links()),
            trend_table(_("Warehouse"), names, series),
            list_url("inventory:stock"),
        )

    def slow_movers(self):
        slow = self.d.slow
        top = [[sku, name, Decimal(on_hand), Decimal(value)] for sku, name, on_hand, value in slow["top"]]
        categories = [f"{sku} {name}" for sku, name, _q, _v in top]
        series = [(_("Stock value"), [value for _s, _n, _q, value in top])]
        table = {"columns": [_("SKU"), _("Product"), _("On hand"), _("Stock value")], "rows": top}
        links = [list_url("inventory:stock", q=sku) for sku, *_rest in top]  # the product's stock
        return (
            None if slow["value"] is None else money(slow["value"]),
            slow["previous"],
            chart_of("bar", categories, series, links=links),
            table,
            list_url("planning:slow_movers"),
        )

    def purchase_on_time(self):
        return (
            *self._ratio_trend(self.d.receipts, "on_time", "lines", _("On time %")),
            list_url("purchasing:supplier_list"),
        )
