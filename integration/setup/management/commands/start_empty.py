"""An empty start (``make run-empty``): on a migrated database without users, create the first
admin without a password and print the set-password link and the set-up wizard's address.

A database that has users already is refused (the company is set up: invite people from the
users page) unless ``--force`` (add this admin anyway) or ``--resume`` (``make run-empty`` run
again: create nothing, print a fresh link for each admin who has not chosen a password yet).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.audit import audit
from core.roles import ADMIN
from integration.setup.invites import invite_link, is_invited

WIZARD_PATH = "/setup/"


class Command(BaseCommand):
    help = "Start an empty company: the first admin (no password yet) and the link to choose one."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="The first admin's user name (admin).")
        parser.add_argument("--email", default="", help="The first admin's e-mail address.")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--force", action="store_true", help="Add the admin even though there are users.")
        group.add_argument(
            "--resume",
            action="store_true",
            help="On a database with users: create nothing, print the links of admins without a password.",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        existing = User.objects.count()
        if existing and options["resume"]:
            return self._resume()
        if existing and not options["force"]:
            raise CommandError(
                f"This database has {existing} user(s) already: start_empty only starts an empty one. "
                "Invite people from the users page, use --resume to print the set-password links of "
                "admins who have none yet, or --force to add this admin anyway."
            )
        username = options["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} exists already: choose another --username.")
        with transaction.atomic():
            user = User(username=username, email=options["email"].strip(), is_staff=True, is_superuser=True)
            user.set_unusable_password()
            try:
                user.full_clean(exclude=["password"])
            except ValidationError as exc:
                raise CommandError(
                    "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                ) from None
            user.save()
            user.groups.add(Group.objects.get_or_create(name=ADMIN)[0])
            audit("setup.first_admin_created", obj=user, data={"username": username})
        self._print(user)

    def _resume(self):
        User = get_user_model()
        admins = [
            u
            for u in User.objects.filter(is_active=True, groups__name=ADMIN).distinct().order_by("pk")
            if is_invited(u)
        ]
        if not admins:
            self.stdout.write("Every admin has chosen a password: log in at " + self._url("/accounts/login/"))
        for user in admins:
            self._print(user)

    def _url(self, path: str) -> str:
        return settings.SITE_URL.rstrip("/") + path

    def _print(self, user) -> None:
        self.stdout.write(
            f"First admin: {user.get_username()} (no password yet). Choose the password at\n"
            f"  {invite_link(user)}\n"
            f"(valid {settings.INVITE_DAYS} days, once), then set up the company at\n"
            f"  {self._url(WIZARD_PATH)}"
        )
