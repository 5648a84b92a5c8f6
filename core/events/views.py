from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.db import ConflictError
from core.events import selectors, services
from core.events.models import Delivery
from core.permissions import role_required
from core.roles import ADMIN
from core.sql import as_id


@login_required
def notifications(request):
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "events/notifications.html", {"page_obj": page, "title": _("Notifications")})


@login_required
def bell(request):
    return render(request, "components/notification_bell.html")


@login_required
@require_POST
def mark_read(request):
    ids = request.POST.getlist("id") or None
    services.notifications_mark_read(user=request.user, ids=ids)
    if request.htmx:
        response = render(request, "components/notification_bell.html", {"unread_notifications": 0})
        response["HX-Trigger"] = "tandem:notifications"
        return response
    return redirect("events:notifications")


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
