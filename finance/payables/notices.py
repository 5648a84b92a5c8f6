"""The daily notice to finance: bills overdue and due in the next days."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.events.services import notify
from core.roles import FINANCE
from finance.payables.selectors import DUE_SOON_DAYS, bills_due


def bills_due_notify(*, today=None) -> int:
    """Tell every finance user how many bills are overdue and due in the next
    ``DUE_SOON_DAYS`` days, once a day (the notification key makes a second run that day a
    no-op). Nothing when no bill is due. Returns the notifications written."""
    today = today or timezone.localdate()
    due = bills_due(today)
    if not due["overdue_count"] and not due["due_count"]:
        return 0
    users = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=FINANCE)
        .values_list("pk", flat=True)
        .distinct()
    )
    return notify(
        users=users,
        title=gettext_noop("Bills to pay: %(overdue)s overdue, %(due)s due in %(days)s days"),
        body=gettext_noop("Overdue: %(overdue_amount)s. Due in the next %(days)s days: %(due_amount)s."),
        params={
            "overdue": due["overdue_count"],
            "due": due["due_count"],
            "days": DUE_SOON_DAYS,
            "overdue_amount": str(due["overdue_amount"]),
            "due_amount": str(due["due_amount"]),
        },
        url=reverse("finance:bill_list") + "?due=1",
        kind="finance.bills_due",
        key=f"finance-bills-due:{today.isoformat()}",
    )
