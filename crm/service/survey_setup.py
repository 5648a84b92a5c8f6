"""The surveys' registrations, called from ``ServiceConfig.ready``: the event handlers, the
customer 360 timeline entries (answers), the navigation entry and the states' colours."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from core.navigation import NavItem, register
    from core.roles import MANAGER, SALES, SERVICE
    from core.ui import register_status_colours
    from crm.customers import panels
    from crm.service import survey_handlers  # noqa: F401 - registers the event handlers

    register(
        NavItem(
            "surveys", _("Surveys"), "surveys:list", (SERVICE, SALES, MANAGER), section="service", order=63
        )
    )
    panels.register_timeline("service.surveys", survey_entries, roles=(SERVICE, SALES, MANAGER))
    register_status_colours({"answered": "success"})


def survey_entries(customer, user, limit: int) -> list[dict]:
    """The customer's survey answers on the 360 timeline (one query)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from crm.service.models import Survey

    rows = (
        Survey.objects.filter(customer_id=customer.pk, answered_at__isnull=False)
        .select_related("order", "ticket")
        .order_by("-answered_at", "-id")[:limit]
    )
    url = reverse("surveys:list")
    return [
        {
            "at": s.answered_at,
            "title": gettext("Survey answered: %(score)s/10 (%(kind)s)")
            % {"score": s.score, "kind": s.get_kind_display()},
            "body": s.comment,
            "url": url,
            "kind": "survey",
            "kind_label": gettext("Survey"),
        }
        for s in rows
    ]
