"""The sales rep's "today" panel of the pipeline (``core.home``): my tasks due today or overdue."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm.sales import selectors

ROWS = 6


def _subject_of(task) -> tuple[str, str]:
    if task.customer_id:
        return task.customer.name, reverse("customers:detail", args=[task.customer_id])
    if task.opportunity_id:
        return task.opportunity.name, reverse("sales:opportunity_detail", args=[task.opportunity_id])
    if task.lead_id:
        return str(task.lead), reverse("sales:lead_detail", args=[task.lead_id])
    return "", reverse("sales:tasks")


def home_tasks(record, user) -> dict:
    """My open tasks due today or overdue (two queries)."""
    qs = selectors.tasks_due(user=user)
    now = timezone.now()
    rows = []
    for task in qs[:ROWS]:
        name, url = _subject_of(task)
        overdue = task.due_at < now
        rows.append(
            {
                "url": url,
                "title": task.subject,
                "meta": name,
                "end": date_format(timezone.localtime(task.due_at), "SHORT_DATETIME_FORMAT"),
                "end_colour": "danger" if overdue else "",
                "badge": _("overdue") if overdue else "",
                "badge_colour": "danger",
            }
        )
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": reverse("sales:tasks") + "?due=today",
        "empty": _("No task due today. Plan the next step with a customer: log a call or add a task."),
        "empty_url": reverse("customers:list"),
        "empty_label": _("Customers"),
    }
