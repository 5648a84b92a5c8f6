"""The sales figures' computations (``integration.insights.figures`` defines them): sales and
gross margin, pipeline conversion, average order value, repurchase rate, NPS, order fill rate,
OTIF and backorders — from the sales, order and survey facts, the funnel and the closed
opportunities."""

from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from core.money import money
from crm.service.nps import Nps
from integration.insights.fact_days import day_start
from integration.insights.figure_base import (
    CardsBase,
    DataBase,
    Trend,
    average,
    bucket_labels,
    by_day,
    chart_of,
    list_url,
    ratio_pct,
    trend_table,
)
from integration.insights.models import OrderFact, SalesDay, SurveyDay


class SalesData(DataBase):
    @cached_property
    def sales(self) -> Trend:
        return by_day(
            self._owners(self._facts(SalesDay)),
            {
                "orders": Sum("orders"),
                "lines": Sum("lines"),
                "net": Sum("net"),
                "backordered": Sum("backordered_lines"),
                "revenue": Sum("revenue"),
                "cost": Sum("cost"),
                "due": Sum("due_orders"),
                "otif": Sum("otif_orders"),
            },
        )

    @cached_property
    def repurchase(self) -> dict[str, tuple[int, int]]:
        """Per period: (customers with an order, customers with two or more). One query."""
        qs = self._owners(
            OrderFact.objects.using(self.db).filter(cancelled=False, day__range=(self.first, self.last))
        )
        cur = Q(day__range=(self.period.start, self.period.end))
        prev = Q(day__range=(self.previous.start, self.previous.end))
        row = (
            qs.order_by()
            .values("customer_id")
            .annotate(cur=Count("pk", filter=cur), prev=Count("pk", filter=prev))
            .aggregate(
                cur_any=Count("customer_id", filter=Q(cur__gte=1)),
                cur_repeat=Count("customer_id", filter=Q(cur__gte=2)),
                prev_any=Count("customer_id", filter=Q(prev__gte=1)),
                prev_repeat=Count("customer_id", filter=Q(prev__gte=2)),
            )
        )
        return {"cur": (row["cur_any"], row["cur_repeat"]), "prev": (row["prev_any"], row["prev_repeat"])}

    @cached_property
    def surveys(self) -> Trend:
        return by_day(
            self._facts(SurveyDay),
            {
                "answers": Sum("answers"),
                "promoters": Sum("promoters"),
                "passives": Sum("passives"),
                "detractors": Sum("detractors"),
            },
        )

    @cached_property
    def funnel(self) -> list[dict]:
        from crm.sales.selectors import funnel

        return funnel(user=self.user)

    @cached_property
    def conversion(self) -> dict:
        from crm.sales.models import Opportunity
        from crm.sales.selectors import opportunities_visible_to

        qs = self._owners(opportunities_visible_to(self.user).filter(state__in=("won", "lost")))
        won = Q(state=Opportunity.State.WON)
        spans = {"cur": self.period, "prev": self.previous}
        aggregates = {}
        for key, p in spans.items():
            inside = Q(closed_at__gte=day_start(p.start), closed_at__lt=day_start(p.end + timedelta(days=1)))
            aggregates[f"{key}_closed"] = Count("pk", filter=inside)
            aggregates[f"{key}_won"] = Count("pk", filter=inside & won)
        return qs.aggregate(**aggregates)


class SalesCards(CardsBase):
    def _orders_url(self, **params):
        return list_url("sales:orders:order_list", **params)

    def sales(self):
        s, labels = self.d.sales, bucket_labels(self.p)
        revenue = [money(v) for v in s.per_bucket(self.p, "revenue")]
        costs = s.per_bucket(self.p, "cost")
        margin = [money(r - c) for r, c in zip(revenue, costs, strict=True)]
        series = [(_("Sales"), revenue), (_("Gross margin"), margin)]
        return (
            money(s.total(self.p, "revenue")),
            money(s.total(self.q, "revenue")),
            chart_of("line", labels, series),
            trend_table(_("Period"), labels, series),
            list_url("fulfilment:shipments", state="shipped"),
        )

    def gross_margin(self):
        s, labels = self.d.sales, bucket_labels(self.p)

        def pct(period):
            revenue = s.total(period, "revenue")
            return ratio_pct(revenue - s.total(period, "cost"), revenue)

        revenue, costs = s.per_bucket(self.p, "revenue"), s.per_bucket(self.p, "cost")
        series = [(_("Gross margin %"), [ratio_pct(r - c, r) for r, c in zip(revenue, costs, strict=True)])]
        return (
            pct(self.p),
            pct(self.q),
            chart_of("line", labels, series),
            trend_table(_("Period"), labels, series),
            list_url("fulfilment:shipments", state="shipped"),
        )

    def pipeline(self):
        """The funnel's open stages open their column of the pipeline board (the won stage, which
        has none, the board)."""
        c = self.d.conversion
        board = list_url("sales:board")
        stages = self.d.funnel
        names = [s["stage"].name for s in stages]
        series = [(_("Open opportunities"), [s["count"] for s in stages])]
        links = [board if s["stage"].is_closed else f"{board}#stage-{s['stage'].pk}" for s in stages]
        table = {
            "columns": [
                _("Stage"),
                _("Open opportunities"),
                _("Value"),
                _("Reached"),
                _("Conversion to next %"),
            ],
            "rows": [
                [s["stage"].name, s["count"], s["value"], s["reached"], s["conversion"]] for s in stages
            ],
        }
        return (
            ratio_pct(c["cur_won"], c["cur_closed"]),
            ratio_pct(c["prev_won"], c["prev_closed"]),
            chart_of("funnel", names, series, links=links),
            table,
            board,
        )

    def aov(self):
        s, labels = self.d.sales, bucket_labels(self.p)
        values = [
            average(n, o)
            for n, o in zip(s.per_bucket(self.p, "net"), s.per_bucket(self.p, "orders"), strict=True)
        ]
        series = [(_("Average order value"), values)]
        return (
            average(s.total(self.p, "net"), s.total(self.p, "orders")),
            average(s.total(self.q, "net"), s.total(self.q, "orders")),
            chart_of("bar", labels, series),
            trend_table(_("Period"), labels, series),
            self._orders_url(),
        )

    def repurchase(self):
        r = self.d.repurchase
        any_, repeat = r["cur"]
        categories = [_("One order"), _("Two or more")]
        series = [(_("Customers"), [any_ - repeat, repeat])]
        return (
            ratio_pct(repeat, any_),
            ratio_pct(r["prev"][1], r["prev"][0]),
            chart_of("pie", categories, series),
            trend_table(_("Customers"), categories, [(_("Number"), [any_ - repeat, repeat])]),
            list_url("customers:list"),
        )

    def nps(self):
        s, labels = self.d.surveys, bucket_labels(self.p)

        def score(period):
            n = {k: int(s.total(period, k)) for k in ("answers", "promoters", "passives", "detractors")}
            return Nps(surveys=0, sent=0, **n).score

        series = [
            (_("Promoters"), [int(v) for v in s.per_bucket(self.p, "promoters")]),
            (_("Passives"), [int(v) for v in s.per_bucket(self.p, "passives")]),
            (_("Detractors"), [int(v) for v in s.per_bucket(self.p, "detractors")]),
        ]
        return (
            score(self.p),
            score(self.q),
            chart_of("bar_stacked", labels, series),
            trend_table(_("Period"), labels, series),
            list_url("surveys:list", date_from=self.p.start.isoformat(), date_to=self.p.end.isoformat()),
        )

    def fill_rate(self):
        s = self.d.sales
        filled = Trend(
            {
                d: {
                    "filled": (r.get("lines") or 0) - (r.get("backordered") or 0),
                    "lines": r.get("lines") or 0,
                }
                for d, r in s.rows.items()
            }
        )
        return (*self._ratio_trend(filled, "filled", "lines", _("Fill rate %")), self._orders_url())

    def otif(self):
        return (
            *self._ratio_trend(self.d.sales, "otif", "due", _("On time in full %")),
            list_url("fulfilment:shipments", state="shipped"),
        )

    def backorders(self):
        s, labels = self.d.sales, bucket_labels(self.p)
        series = [(_("Backordered lines"), [int(v) for v in s.per_bucket(self.p, "backordered")])]
        return (
            Decimal(int(s.total(self.p, "backordered"))),
            Decimal(int(s.total(self.q, "backordered"))),
            chart_of("bar", labels, series),
            trend_table(_("Period"), labels, series),
            self._orders_url(state="partly_reserved"),
        )
