from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import audit, navigation, people, tokens  # noqa: F401  (signal receivers, base navigation)

        people.connect_signals()
        people.install_user_str()
