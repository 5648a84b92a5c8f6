"""The money figures' computations (``integration.insights.figures`` defines them):
receivables and payables aging (finance's selectors, as they are today) and cash in and out
(the cash facts)."""

from functools import cached_property

from django.db.models import Sum
from django.utils.translation import gettext as _

from core.money import money
from integration.insights.figure_base import (
    ZERO,
    CardsBase,
    DataBase,
    Trend,
    bucket_labels,
    by_day,
    chart_of,
    list_url,
    trend_table,
)
from integration.insights.models import CashDay


class MoneyData(DataBase):
    @cached_property
    def cash(self) -> Trend:
        return by_day(self._facts(CashDay), {"received": Sum("received"), "paid_out": Sum("paid_out")})

    @cached_property
    def ar(self) -> dict:
        from finance.selectors import receivables_aging_totals

        return receivables_aging_totals(user=self.user)

    @cached_property
    def ap(self) -> dict:
        from finance.payables.selectors import ap_aging_totals

        return ap_aging_totals()


class MoneyCards(CardsBase):
    def _aging(self, report: dict, url: str):
        from finance.views import aging_labels

        labels = aging_labels()
        keys = report["buckets"]
        totals = report["totals"]
        categories = [str(labels[k]) for k in keys]
        series = [(_("Open amount"), [totals[k] for k in keys])]
        overdue = money(sum((totals[k] for k in keys if k != "current"), ZERO))
        return (
            overdue,
            None,
            chart_of("bar", categories, series),
            trend_table(_("Days past due"), categories, series),
            url,
        )

    def ar_aging(self):
        return self._aging(self.d.ar, list_url("finance:aging"))

    def ap_aging(self):
        return self._aging(self.d.ap, list_url("finance:ap_aging"))

    def cash(self):
        c, labels = self.d.cash, bucket_labels(self.p)
        series = [
            (_("Cash in"), [money(v) for v in c.per_bucket(self.p, "received")]),
            (_("Cash out"), [money(v) for v in c.per_bucket(self.p, "paid_out")]),
        ]
        return (
            money(c.total(self.p, "received") - c.total(self.p, "paid_out")),
            money(c.total(self.q, "received") - c.total(self.q, "paid_out")),
            chart_of("bar", labels, series),
            trend_table(_("Period"), labels, series),
            list_url("finance:payment_list"),
        )
