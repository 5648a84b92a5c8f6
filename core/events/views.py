from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import optional_date_input
from core.db import ConflictError
from core.events import selectors, services
from core.events.models import Delivery
from core.permissions import role_required
from core.redirects import redirect_next
from core.roles import ADMIN
from core.sql import as_id

BELL_LINES = 8


def _group_filter(params) -> tuple[str, object]:
    """The line asked for in a query string or form: ``kind`` and ``day`` (a date; a day that is
    not one is ignored)."""
    kind = str(params.get("kind", ""))[:50]
    try:
        day = optional_date_input(params.get("day"), field="day")
    except ValidationError:
        day = None
    return kind, day


@login_required
def notifications(request):
    """The user's notifications by line (a kind's notifications of one day grouped); with
    ``kind`` (and ``day``), the notifications behind one line."""
    kind, day = _group_filter(request.GET)
    context = {"title": _("Notifications"), "kind": kind, "day": day}
    if kind:
        qs = selectors.notifications_of_group(user=request.user, kind=kind, day=day)
        context["page_obj"] = Paginator(qs, 30).get_page(request.GET.get("page"))
    else:
        page = Paginator(selectors.notification_lines(user=request.user), 30).get_page(
            request.GET.get("page")
        )
        context.update(page_obj=page, lines=selectors.line_rows(page))
    return render(request, "events/notifications.html", context)


@login_required
def bell(request):
    """The bell's number (polled)."""
    return render(request, "components/notification_count.html")


@login_required
def bell_menu(request):
    """The bell's drop-down: the newest unread lines."""
    rows = selectors.notification_lines(user=request.user, unread_only=True)[:BELL_LINES]
    return render(request, "components/notification_menu.html", {"lines": selectors.line_rows(rows)})


@login_required
@require_POST
def mark_read(request):
    ids = request.POST.getlist("id") or None
    kind, day = _group_filter(request.POST)
    services.notifications_mark_read(user=request.user, ids=ids, kind=kind, day=day)
    if request.htmx:
        response = render(request, "components/notification_count.html", {"unread_notifications": 0})
        response["HX-Trigger"] = "tandem:notifications"
        return response
    return redirect_next(request, "events:notifications")


@role_required(ADMIN)
def deliveries(request):
    state = request.GET.get("state") or "dead"
    page = Paginator(selectors.deliveries_list(state=state), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "events/deliveries.html",
        {"page_obj": page, "state": state, "title": _("Event deliveries")},
    )


@role_required(ADMIN)
@require_POST
def replay(request, pk):
    if as_id(pk) is None:
        raise Http404
    try:
        services.delivery_replay(delivery_id=pk, actor=request.user)
    except Delivery.DoesNotExist:
        raise Http404
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Delivery %(id)s queued again.") % {"id": pk})
    return redirect("events:deliveries")
