from django.core.management.base import BaseCommand

from integration.setup.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo company (idempotent: steps already loaded are skipped)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiply the amount of demo data.")
        parser.add_argument("--only", nargs="*", help="Run only these steps.")

    def handle(self, *args, **options):
        ctx = demo_load(scale=options["scale"], only=options["only"])
        for line in ctx.log:
            self.stdout.write(line)
