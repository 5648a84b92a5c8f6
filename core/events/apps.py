from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "core.events"
    label = "events"
    verbose_name = _("Events and notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.events import handlers  # noqa: F401 - registers the platform's handlers
        from core.navigation import NavItem, register
        from core.roles import ADMIN

        register(
            NavItem("events.deliveries", _("Event deliveries"), "events:deliveries", (ADMIN,), order=900)
        )
