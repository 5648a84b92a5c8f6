"""Pages of the industry templates (admins): the templates as cards, and one template with what
applying it would add (a dry run, run when the page is shown) and the button that applies it.
A template file that fails its checks shows its errors, never a server error."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.permissions import role_required
from core.preferences import INDUSTRY, preference
from core.roles import ADMIN
from integration.setup import industry


def _applied() -> dict:
    value = preference(INDUSTRY)
    return value if isinstance(value, dict) else {}


def _counts(changes: list[industry.Change]) -> list[tuple[str, int]]:
    """How many of each kind, in the order they come: the table's summary."""
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.kind_label] = counts.get(change.kind_label, 0) + 1
    return list(counts.items())


@role_required(ADMIN)
def template_list(request):
    return render(
        request,
        "setup/industry_list.html",
        {
            "templates": industry.templates_available(),
            "applied": _applied(),
            "title": _("Industry templates"),
        },
    )


def _summary(key: str) -> industry.TemplateSummary:
    for summary in industry.templates_available():
        if summary.key == key:
            return summary
    raise Http404


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def template_detail(request, key):
    """GET: the dry run's table; POST: apply, then the list of what was added."""
    summary = _summary(key)
    context = {
        "template": summary,
        "applied": _applied(),
        "title": summary.name,
        "errors": list(summary.errors),
    }
    if summary.valid:
        content = industry.template_load(key)
        context["notes"] = content.get("notes", "")
        dry_run = request.method != "POST"
        try:
            changes = industry.template_apply(key=key, actor=request.user, dry_run=dry_run)
        except ValidationError as exc:
            context["errors"] = exc.messages
        else:
            context["changes"] = changes
            context["counts"] = _counts(changes)
            context["done"] = not dry_run
            if not dry_run:
                context["applied"] = _applied()
    return render(request, "setup/industry_detail.html", context, status=200)
