"""``manage.py planning_backtest [--holdout 28] [--weeks N]``: the forecast's error on the
company's own history against a 28-day moving average (``integration.planning.backtest``)."""

from django.core.management.base import BaseCommand

from integration.planning.backtest import backtest


def _pct(value) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


class Command(BaseCommand):
    help = "Compare the planning forecast with a moving average on the demand history."

    def add_arguments(self, parser):
        parser.add_argument("--holdout", type=int, default=28)
        parser.add_argument("--weeks", type=int, default=None)

    def handle(self, *args, holdout, weeks, **options):
        result = backtest(holdout=holdout, weeks=weeks)
        if not result.get("series"):
            self.stdout.write("planning backtest: no demand history to test on")
            return
        self.stdout.write(
            f"planning backtest: {result['series']} product × warehouse series, "
            f"{result['history_days']} days fitted, {result['holdout_days']} days hidden"
        )
        for name, label in (
            ("method", "level + trend + weekday"),
            ("moving_average", "28-day moving average"),
        ):
            e = result[name]
            self.stdout.write(
                f"  {label:<26} WAPE {_pct(e['wape'])}  bias {_pct(e['bias'])}  "
                f"error of the period's total {_pct(e['total_error'])}"
            )
