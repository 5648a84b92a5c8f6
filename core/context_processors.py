from django.conf import settings

from core import navigation
from core.roles import ADMIN, ROLE_LABELS, WAREHOUSE, user_roles


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "nav_items": [],
            "nav_sections": [],
            "user_role_labels": [],
            "currency": settings.DEFAULT_CURRENCY,
            "touch_layout": False,
        }
    roles = user_roles(user)
    items = navigation.items_for(user)
    return {
        "nav_items": items,
        "nav_sections": navigation.sections_for(user, items, request.path),
        "user_role_labels": [ROLE_LABELS[r] for r in ROLE_LABELS if r in roles],
        "currency": settings.DEFAULT_CURRENCY,
        "touch_layout": touch_layout(roles),
    }


def touch_layout(roles) -> bool:
    """Warehouse staff work on a tablet: every page they open has the touch layout (targets of
    at least 44×44 px). Admins keep the desktop look whatever roles they also hold."""
    return WAREHOUSE in roles and ADMIN not in roles
