"""The supplier's own history on its 360 timeline (from the audit log): created, changed,
contacts, products and prices."""

from django.utils.translation import gettext as _

from core.models import AuditLog
from core.people import display_name

TITLES = {
    "supplier.created": lambda d: _("Supplier created"),
    "supplier.updated": lambda d: (
        _("Changed: %(fields)s") % {"fields": ", ".join(sorted(d.get("changes", {})))}
    ),
    "supplier.deactivated": lambda d: _("Supplier deactivated"),
    "supplier.activated": lambda d: _("Supplier activated again"),
    "supplier.contact_added": lambda d: _("Contact %(name)s added") % {"name": d.get("name", "")},
    "supplier.contact_changed": lambda d: _("Contact changed"),
    "supplier.contact_removed": lambda d: _("Contact %(name)s removed") % {"name": d.get("name", "")},
    "supplier.product_added": lambda d: _("Product added"),
    "supplier.product_changed": lambda d: _("Product changed"),
    "supplier.product_removed": lambda d: _("Product removed"),
    "supplier.price_added": lambda d: (
        _("Price %(price)s from %(qty)s added")
        % {"price": d.get("unit_price", ""), "qty": d.get("min_quantity", "")}
    ),
    "supplier.price_changed": lambda d: _("Price changed"),
    "supplier.price_removed": lambda d: _("Price removed"),
}


def audit_entries(supplier, user, limit) -> list[dict]:
    rows = (
        AuditLog.objects.filter(
            object_type="purchasing.supplier", object_id=str(supplier.pk), action__in=list(TITLES)
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
            "who": display_name(row.actor) if row.actor else "",
        }
        for row in rows
    ]
