"""``manage.py insights_rebuild [--start YYYY-MM-DD] [--end YYYY-MM-DD]``: recompute the
dashboards' facts from the documents (all of them, or those of the days given)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.dates import optional_date_input
from integration.insights.facts import facts_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboards' daily facts from the documents."

    def add_arguments(self, parser):
        parser.add_argument(
            "--start",
            default="",
            help="first day (YYYY-MM-DD); up to today without --end; all days without either",
        )
        parser.add_argument("--end", default="", help="last day (YYYY-MM-DD)")

    def handle(self, *args, start="", end="", **options):
        try:
            first = optional_date_input(start, field="start")
            last = optional_date_input(end, field="end")
        except ValidationError as exc:
            errors = exc.message_dict.items()
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in errors)) from None
        if first and last and last < first:
            raise CommandError("end: the end is before the start")
        counts = facts_rebuild(start=first, end=last)
        if options.get("verbosity", 1):
            self.stdout.write(", ".join(f"{name} {n}" for name, n in counts.items()))
