"""The customer's own history on its 360 timeline: created, owner and credit-limit changes,
merges (from the audit log)."""

from django.utils.translation import gettext as _

from core.models import AuditLog
from crm.customers.templatetags.crm import person

TITLES = {
    "customer.created": lambda d: _("Customer created"),
    "customer.credit_limit_changed": lambda d: (
        _("Credit limit changed from %(old)s to %(new)s") % {"old": d.get("old"), "new": d.get("new")}
    ),
    "customer.owner_changed": lambda d: _("Owner changed"),
    "customer.merged": lambda d: (
        _("Merged with %(name)s") % {"name": (d.get("merged") or {}).get("name", "")}
    ),
}


def audit_entries(customer, user, limit) -> list[dict]:
    rows = (
        AuditLog.objects.filter(
            object_type="customers.customer", object_id=str(customer.pk), action__in=list(TITLES)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        {
            "at": row.created_at,
            "title": TITLES[row.action](row.data or {}),
            "body": "",
            "url": "",
            "kind": "audit",
            "kind_label": _("Record"),
            "who": person(row.actor),
        }
        for row in rows
    ]
