import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from core import company, tokens
from core import home as home_panels
from core.db import is_connection_lost
from core.forms import CompanyProfileForm
from core.images import FORMATS
from core.middleware import connection_lost_response
from core.permissions import role_required
from core.redirects import redirect_next, safe_next_url
from core.roles import ADMIN, EVERYONE
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
        {
            "title": _("Home"),
            "today": today,
            "quick_actions": home_panels.actions_for(request.user),
            "banners": home_panels.banners_for(request.user),
        },
    )


@role_required(ADMIN)
def company_profile(request):
    """The company profile (name, tax id, address, bank, logo and seal, fiscal year, currency)
    that every document carries. After saving, a ``next`` URL of this site is followed (the
    set-up wizard sends its admins here and gets them back)."""
    profile = company.company_profile()
    form = CompanyProfileForm(request.POST or None, request.FILES or None, profile=profile)
    next_url = safe_next_url(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        try:
            company.company_profile_update(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The company profile is saved."))
            return redirect_next(request, "company-profile", url=next_url)
    return render(
        request,
        "core/company_profile.html",
        {"title": _("Company profile"), "form": form, "profile": profile, "next_url": next_url},
    )


@role_required(*EVERYONE)
def company_image(request, which: str):
    """The company's logo or seal (``which``), as kept: previews and the API link here, so the
    images show wherever the media folder is not served."""
    if which not in company.IMAGE_FIELDS:
        raise Http404
    image = getattr(company.company_profile(), which)
    extension = image.name.rsplit(".", 1)[-1].lower() if image else ""
    types = dict(FORMATS.values())
    if extension not in types or not image.storage.exists(image.name):
        raise Http404
    response = FileResponse(image.open("rb"), content_type=types[extension])
    response["Cache-Control"] = "private, max-age=300"
    return response


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
