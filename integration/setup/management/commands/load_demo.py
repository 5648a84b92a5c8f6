from django.core.management.base import BaseCommand

from integration.setup.demo import DEMO_PASSWORD, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Load the demo company (idempotent: steps already loaded are skipped)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiply the amount of demo data.")
        parser.add_argument("--only", nargs="*", help="Run only these steps.")

    def handle(self, *args, **options):
        # One line per step, printed as the step finishes (it takes a minute in all).
        demo_load(scale=options["scale"], only=options["only"], progress=self._line)
        users = [username for username, *_ in DEMO_USERS]
        self.stdout.write(f"log in as {', '.join(users[:-1])} or {users[-1]} (password {DEMO_PASSWORD})")

    def _line(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()
