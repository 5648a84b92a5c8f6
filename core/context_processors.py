from django.conf import settings

from core import navigation
from core.roles import ROLE_LABELS, user_roles


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "nav_items": [],
            "nav_sections": [],
            "user_role_labels": [],
            "currency": settings.DEFAULT_CURRENCY,
        }
    roles = user_roles(user)
    items = navigation.items_for(user)
    return {
        "nav_items": items,
        "nav_sections": navigation.sections_for(user, items, request.path),
        "user_role_labels": [ROLE_LABELS[r] for r in ROLE_LABELS if r in roles],
        "currency": settings.DEFAULT_CURRENCY,
    }
