"""The users pages (admin only): list, invite, a user's page with their roles, what they own
and the actions their state allows (resend the invitation, deactivate with reassignment,
reactivate)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pagination import CappedPaginator, page_size
from core.people import display_name
from core.permissions import role_required
from core.roles import ADMIN, ROLE_LABELS
from core.sql import as_id
from integration.setup import users
from integration.setup.users_forms import DeactivateForm, InviteForm, RolesForm, errors_onto


def _state_labels() -> dict:
    # Built per request: the labels in the reader's language.
    return {users.ACTIVE: _("Active"), users.INVITED: _("Invited"), users.INACTIVE: _("Inactive")}


def _user(pk):
    if as_id(pk) is None:
        raise Http404
    return get_object_or_404(get_user_model(), pk=pk)


def _row(user, labels: dict) -> dict:
    state = users.user_state(user)
    return {
        "user": user,
        "state": state,
        "state_label": labels[state],
        "roles": [(role, ROLE_LABELS[role]) for role in users.user_roles_of(user)],
    }


@role_required(ADMIN)
def user_list(request):
    q = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    state = state if state in users.STATES else ""
    page = CappedPaginator(users.users_list(q=q, state=state), page_size(request)).get_page(
        request.GET.get("page")
    )
    labels = _state_labels()
    return render(
        request,
        "setup/users/list.html",
        {
            "title": _("Users"),
            "page_obj": page,
            "rows": [_row(u, labels) for u in page.object_list],
            "q": q,
            "state": state,
            "states": list(labels.items()),
        },
    )


@role_required(ADMIN)
def user_invite(request):
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = users.user_invite(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is invited: the set-password link is on its way to %(email)s.")
                % {"name": display_name(user), "email": user.email},
            )
            return redirect("setup:user_detail", pk=user.pk)
    return render(request, "setup/users/invite.html", {"title": _("Invite a user"), "form": form})


def _detail(request, user, *, roles_form=None, deactivate_form=None, status=200):
    roles = users.user_roles_of(user)
    owned = users.records_owned_count(user) if user.is_active else {}
    return render(
        request,
        "setup/users/detail.html",
        {
            "title": display_name(user),
            "row": _row(user, _state_labels()),
            "person": user,
            "teams": list(user.sales_teams.order_by("name")),
            "roles_form": roles_form or RolesForm(initial={"roles": roles}),
            "deactivate_form": deactivate_form or DeactivateForm(user=user),
            "owned": [(users.OWNED_LABELS[kind], n) for kind, n in owned.items()],
            "owns_records": any(owned.values()),
            "is_self": user.pk == request.user.pk,
        },
        status=status,
    )


@role_required(ADMIN)
def user_detail(request, pk):
    return _detail(request, _user(pk))


@role_required(ADMIN)
@require_POST
def user_roles(request, pk):
    user = _user(pk)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            users.user_roles_set(
                actor=request.user, user=user, roles=form.cleaned_data["roles"], request=request
            )
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("The roles of %(name)s are saved.") % {"name": display_name(user)})
            return redirect("setup:user_detail", pk=user.pk)
    return _detail(request, user, roles_form=form, status=400)


@role_required(ADMIN)
def user_deactivate(request, pk):
    """GET: the deactivation form on a page of its own (the user page shows it in a dialog);
    POST: deactivate, moving what the user owns to the colleague or team chosen."""
    user = _user(pk)
    # An empty POST is a deactivation without a colleague or team: bound all the same.
    form = DeactivateForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            moved = users.user_deactivate(actor=request.user, user=user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto(form, exc)
        else:
            text = _("%(name)s is deactivated.") % {"name": display_name(user)}
            if moved:
                text += " " + _("Moved to others: %(counts)s.") % {
                    "counts": ", ".join(f"{users.OWNED_LABELS[kind]} {n}" for kind, n in moved.items() if n)
                }
            messages.success(request, text)
            return redirect("setup:user_detail", pk=user.pk)
    owned = users.records_owned_count(user) if user.is_active else {}
    return render(
        request,
        "setup/users/deactivate.html",
        {
            "title": _("Deactivate %(name)s") % {"name": display_name(user)},
            "person": user,
            "deactivate_form": form,
            "owned": [(users.OWNED_LABELS[kind], n) for kind, n in owned.items()],
            "owns_records": any(owned.values()),
        },
        status=400 if form.errors else 200,
    )


def _action(request, pk, service, done_text):
    user = _user(pk)
    try:
        service(actor=request.user, user=user, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_text % {"name": display_name(user), "email": user.email})
    return redirect("setup:user_detail", pk=user.pk)


@role_required(ADMIN)
@require_POST
def user_reactivate(request, pk):
    return _action(request, pk, users.user_reactivate, _("%(name)s can log in again."))


@role_required(ADMIN)
@require_POST
def user_resend_invite(request, pk):
    return _action(
        request, pk, users.user_invite_resend, _("A new set-password link is on its way to %(email)s.")
    )
