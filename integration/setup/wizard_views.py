"""The set-up wizard's pages (admins only): /setup/ resumes at the first step still to do; each
step's page shows the step bar and the step, by its kind (``integration.setup.wizard``)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import import_pages, imports
from core.permissions import role_required
from core.roles import ADMIN
from integration.setup import wizard
from integration.setup.context_processors import SETUP_RETURN
from integration.setup.wizard import CHECKLIST, DONE, FORM, IMPORT, LINK, SKIPPED

IMPORT_STATUS_URL = "setup:wizard_import_status"


def _frame(rows: list[wizard.StepRow], step: wizard.Step) -> dict:
    """The context every step's page shares: the step bar and this step's place and URLs."""
    row = next(r for r in rows if r.key == step.key)
    previous = rows[row.number - 2] if row.number > 1 else None
    following = rows[row.number] if row.number < len(rows) else None
    return {
        "title": _("Set-up: %(step)s") % {"step": step.title},
        "step": step,
        "row": row,
        "rows": rows,
        "total": len(rows),
        "done_count": sum(1 for r in rows if r.state == DONE),
        "previous": previous,
        "following": following,
        "step_url": row.url,
        "done_url": reverse("setup:wizard_done", args=[step.key]),
        "skip_url": reverse("setup:wizard_skip", args=[step.key]),
    }


def _rows(current: str = "") -> list[wizard.StepRow]:
    progress = wizard.setup_progress()
    rows = wizard.step_rows(progress)
    wizard.progress_record(progress=progress, rows=rows, current=current)
    return rows


def _onwards(key: str):
    """After a step: the next step, or the checklist."""
    following = wizard.next_row(_rows(), key)
    return redirect(following.url if following else reverse("setup:wizard"))


@role_required(ADMIN)
def wizard_start(request):
    """Open the wizard where it was left: the first step still to do."""
    return redirect(wizard.resume_row(_rows()).url)


@role_required(ADMIN)
def wizard_step(request, key: str):
    step = wizard.step_get(key)
    if step is None:
        raise Http404
    frame = _frame(_rows(current=key), step)
    # A link step's page may lead on to others (a template's dry run, an invitation): every page
    # the admin opens from it offers the way back (``context_processors.setup_return``).
    if step.kind == LINK:
        request.session[SETUP_RETURN] = step.key
    else:
        request.session.pop(SETUP_RETURN, None)
    if step.kind == FORM:

        def complete():
            wizard.step_state_set(key=step.key, state=DONE)
            return _onwards(step.key)

        return step.view(request, frame=frame, complete=complete)
    if step.kind == LINK:
        target = f"{reverse(step.url_name)}?{urlencode({'next': frame['step_url']})}"
        return render(request, "setup/wizard_link.html", {**frame, "target": target})
    if step.kind == IMPORT:
        return _import_step(request, step, frame)
    if step.kind == CHECKLIST:
        return render(request, "setup/wizard_checklist.html", {**frame, "items": wizard.checklist()})
    raise Http404


def _import_context(step: wizard.Step, frame: dict) -> dict:
    offered = step.import_kinds()
    return {
        **frame,
        "offered": offered,
        "missing": [wizard.KIND_LABELS.get(kind, kind) for kind in step.missing_kinds()],
    }


def _import_step(request, step: wizard.Step, frame: dict):
    context = _import_context(step, frame)
    if not context["offered"]:
        return render(request, "setup/wizard_import.html", context)
    return import_pages.import_page(
        request,
        kinds=context["offered"],
        labels=wizard.KIND_LABELS,
        heading=str(step.title),
        page_url=frame["step_url"],
        status_url=IMPORT_STATUS_URL,
        template="setup/wizard_import.html",
        extra_context=context,
    )


@role_required(ADMIN)
def wizard_import_status(request, pk):
    """An import started from a step: its progress and outcome inside the wizard (the page polls
    its status part while the import runs)."""
    steps = [step for step in wizard.steps_offered() if step.kind == IMPORT]
    kinds = [kind for step in steps for kind in step.import_kinds()]
    preview = imports.import_preview_get(user=request.user, preview_id=pk, kinds=kinds)
    if preview is None:
        raise Http404
    step = next(step for step in steps if preview.kind in step.kinds)
    page_url = wizard.step_url(step.key)
    if request.htmx:
        # The poll: only the status part, without the step bar's reads.
        return import_pages.import_status(
            request, pk, kinds=step.import_kinds(), heading=str(step.title), page_url=page_url
        )
    return import_pages.import_status(
        request,
        pk,
        kinds=step.import_kinds(),
        heading=str(step.title),
        page_url=page_url,
        template="setup/wizard_import_status.html",
        extra_context=_import_context(step, _frame(_rows(current=step.key), step)),
    )


@role_required(ADMIN)
@require_POST
def wizard_done(request, key: str):
    """The admin is done with a step: on to the next."""
    if wizard.step_get(key) is None:
        raise Http404
    wizard.step_state_set(key=key, state=DONE)
    return _onwards(key)


@role_required(ADMIN)
@require_POST
def wizard_skip(request, key: str):
    """The admin leaves a step for later: on to the next (it can be opened again)."""
    if wizard.step_get(key) is None:
        raise Http404
    wizard.step_state_set(key=key, state=SKIPPED)
    return _onwards(key)


@role_required(ADMIN)
@require_POST
def wizard_finish(request):
    """The set-up is finished: the home page's banner goes."""
    wizard.setup_finish(actor=request.user)
    messages.success(request, _("The set-up is finished. Welcome to Tandem."))
    return redirect("home")
