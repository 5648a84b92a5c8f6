import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from core import home as home_panels
from core import tokens
from core.db import is_connection_lost
from core.middleware import connection_lost_response
from core.sql import as_id


@login_required
def home(request):
    """The user's "today" page: the panels of their roles (``core.home``), what needs them now,
    and a row of quick actions; the menu has the rest."""
    today = home_panels.today_for(request.user)
    for group in today["groups"]:
        for panel in group["panels"]:
            panel["html"] = render_to_string(panel["template"], panel["context"], request)
    return render(
        request,
        "core/home.html",
        {"title": _("Home"), "today": today, "quick_actions": home_panels.actions_for(request.user)},
    )


@login_required
def api_tokens(request):
    """The signed-in user's API tokens (one per device), each revocable, or all at once."""
    mine = tokens.tokens_visible_to(request.user).filter(user=request.user)
    if request.method == "POST":
        choice = request.POST.get("revoke", "")
        if choice == "all":
            tokens.tokens_revoke_for_user(
                user=request.user, by=request.user, reason="revoked", request=request
            )
            messages.success(request, _("All your API tokens are revoked."))
        else:
            token = mine.filter(pk=as_id(choice)).first() if as_id(choice) else None
            if token is not None:
                tokens.token_revoke(token=token, by=request.user, request=request)
                messages.success(request, _("The token is revoked."))
        return redirect("api_tokens")
    page_obj = Paginator(mine, 50).get_page(request.GET.get("page"))
    return render(request, "core/tokens.html", {"title": _("API tokens"), "page_obj": page_obj})


def permission_denied(request, exception=None):
    return render(
        request,
        "403.html",
        {"title": _("Access denied"), "message": _("Your role does not allow this page.")},
        status=403,
    )


def page_not_found(request, exception=None):
    """A missing page; under the API (an address no route matches, such as an id that is not a
    number) the API's error shape, in JSON, as its schema says."""
    if request.path.startswith("/api/"):
        from rest_framework.exceptions import NotFound

        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """Django's 500 page, except for a database connection lost before a view ran (loading the
    session or the user in a middleware): that is 503 with ``Retry-After``, as in a view
    (``core.middleware.ConnectionLostMiddleware``)."""
    exc = sys.exc_info()[1]
    if exc is not None and is_connection_lost(exc):
        return connection_lost_response(request)
    return defaults.server_error(request)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return False


def _broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from celery import current_app as app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return "unreachable"


def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links (the API docs, a PDF, a bookmark)."""
    return redirect(static("favicon.svg"))


@never_cache
def healthz(request):
    """Database and broker reachability for load balancers and compose health checks."""
    database = "ok" if _database_ok() else "unreachable"
    broker = _broker_status()
    healthy = database == "ok" and broker in {"ok", "in-process"}
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
