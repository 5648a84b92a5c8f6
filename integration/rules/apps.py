from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "integration.rules"
    label = "rules"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Rules")

    def ready(self):
        from integration.rules import handlers, tasks  # noqa: F401 - registers handlers and the task

        _register_today()


def _register_today() -> None:
    """The rep's stock alerts panel and the "stock is tight" notices' group line."""
    from django.utils.translation import ngettext_lazy

    from core import home
    from core.events import groups
    from core.roles import SALES
    from integration.rules import today
    from integration.rules.services import STOCK_TIGHT_KIND

    home.register(
        "rules.stock_alerts",
        _("Stock alerts for my customers"),
        "today/rows.html",
        today.home_stock_alerts,
        roles=(SALES,),
        order=20,
    )
    groups.register(
        STOCK_TIGHT_KIND,
        ngettext_lazy(
            "%(count)s product is tight for your customers",
            "%(count)s products are tight for your customers",
            "count",
        ),
    )
