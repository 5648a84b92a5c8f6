from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from integration.setup import industry


class Command(BaseCommand):
    help = (
        "Apply an industry template (trade, manufacturing, retail) to the company: adds what is missing, "
        "never deletes or renames. --dry-run lists what it would add and writes nothing."
    )

    def add_arguments(self, parser):
        keys = ", ".join(t.key for t in industry.templates_available())
        parser.add_argument("key", help=f"The template ({keys}).")
        parser.add_argument("--dry-run", action="store_true", help="List what would be added; write nothing.")

    def handle(self, *args, key, dry_run, **options):
        try:
            changes = industry.template_apply(key=key, actor=None, dry_run=dry_run)
        except industry.TemplateNotFound:
            known = ", ".join(t.key for t in industry.templates_available())
            raise CommandError(f"No template “{key}” (there are: {known}).") from None
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        for change in changes:
            detail = f" ({change.detail})" if change.detail else ""
            self.stdout.write(f"{change.kind_label}: {change.name}{detail}")
        verb = "would add" if dry_run else "added"
        self.stdout.write(
            f"{key}: {verb} {len(changes)}" + (" (dry run: nothing written)" if dry_run else "")
        )
