"""The one permission layer that pages and the API share.

Pages use ``role_required`` (function views) or ``RoleRequiredMixin``; API views use
``core.drf.RolePermission``. Both call ``check_roles``, which records every denial in the audit log.
"""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from core.audit import audit
from core.roles import has_role


def check_roles(request, roles: Iterable[str]) -> bool:
    """True if the request's user holds one of ``roles``; a denial is audited."""
    if has_role(request.user, roles):
        return True
    audit(
        "permission.denied",
        request=request,
        data={"path": request.path, "method": request.method, "roles": sorted(roles)},
    )
    return False


def role_required(*roles: str):
    """Page decorator: anonymous users go to the login page, others without a role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check_roles(request, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = roles
        return wrapper

    return decorator


class RoleRequiredMixin:
    """Class-based page views: set ``allowed_roles``."""

    allowed_roles: Iterable[str] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not check_roles(request, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
