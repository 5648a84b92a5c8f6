"""The import pages' common flow, used by each app's import page (customers, purchasing) and the
set-up wizard's import steps: upload → check and preview (every error by row and column) →
confirm: a task writes all rows or none while the status page shows its progress
(``core.imports``). A page offers, checks and confirms only the kinds of its ``group`` (or the
``kinds`` it names). ``page_url`` and ``status_url`` are URL names or paths; ``template`` and
``extra_context`` let a page show the flow inside its own layout. Each kind's template file
(``import_template``) is offered on the page, to the kind's roles."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from core import imports, tabular
from core.forms import ImportForm
from core.permissions import check_roles, role_required
from core.roles import ALL_ROLES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEMPLATE = "core/import.html"
STATUS_TEMPLATE = "core/import_status.html"


def import_page(
    request,
    *,
    group: str | None = None,
    kinds: list[str] | None = None,
    labels: dict | None = None,
    heading: str,
    page_url: str,
    status_url: str,
    template: str = TEMPLATE,
    extra_context: dict | None = None,
):
    """The upload, preview and confirm page of ``group``'s kinds, or of ``kinds`` (``labels``:
    kind → label, each kind's own ``label`` when left out)."""
    offered = list(kinds) if kinds is not None else imports.kinds_of(group)
    scope = {"group": group, "kinds": offered if kinds is not None else None}
    labels = labels or {}
    choices = [(k, labels.get(k) or imports.SPECS[k].title) for k in offered]
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        try:
            preview = imports.import_preview_confirm(user=request.user, preview_id=token, **scope)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            preview = imports.import_preview_get(user=request.user, preview_id=token, **scope)
            if preview is None:
                return redirect(page_url)
        return redirect(status_url, pk=preview.pk)
    form = ImportForm(request.POST or None, request.FILES or None, kinds=choices)
    context = {
        **(extra_context or {}),
        "form": form,
        "title": heading,
        "heading": heading,
        "page_url": page_url,
        "page_href": resolve_url(page_url),
        "kinds": choices,
    }
    if request.method == "POST" and form.is_valid():
        spec = imports.SPECS[form.cleaned_data["kind"]]
        upload = form.cleaned_data["file"]
        try:
            header, rows = tabular.read_rows(upload)
        except ValidationError as exc:
            form.add_error(None, exc)
            return render(request, template, context)
        result = tabular.import_run(spec, header, rows, actor=request.user, dry_run=True)
        # Each error's column also by the header the template writes for it.
        context["errors"] = [{**e, "label": spec.labels.get(e["column"], "")} for e in result.errors]
        context["result"] = result
        context["columns"] = spec.columns
        if result.ok:
            preview = imports.import_preview_create(
                user=request.user, kind=spec.kind, header=header, rows=rows, file_name=upload.name
            )
            context["token"] = str(preview.pk)
    return render(request, template, context)


def import_status(
    request,
    pk,
    *,
    group: str | None = None,
    kinds: list[str] | None = None,
    heading: str,
    page_url: str,
    template: str = STATUS_TEMPLATE,
    extra_context: dict | None = None,
):
    """One import's progress and outcome; the page polls it (htmx) while the import runs."""
    preview = imports.import_preview_get(user=request.user, preview_id=pk, group=group, kinds=kinds)
    if preview is None:
        raise Http404
    running = preview.state == preview.State.IMPORTING
    context = {
        **(extra_context or {}),
        "page_href": resolve_url(page_url),
        "title": heading,
        "heading": heading,
        "page_url": page_url,
        "preview": preview,
        "running": running,
        "done_rows": imports.progress_get(preview) if running else None,
    }
    if request.htmx:
        return render(request, STATUS_TEMPLATE + "#status", context)
    return render(request, template, context)


@role_required(*ALL_ROLES)
@require_GET
def import_template(request, kind: str):
    """The template file (xlsx) of one kind of import: its Chinese headers and an example row
    (``core.tabular.template_workbook``). Only the kind's roles may have it; an unknown kind is
    404."""
    spec = imports.SPECS.get(kind)
    if spec is None:
        raise Http404
    if not check_roles(request, spec.roles):
        raise PermissionDenied
    response = HttpResponse(tabular.template_workbook(spec), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{spec.kind}-template.xlsx")
    return response
