"""Planning's other pages: slow movers (with an export), category service levels (inline edit)
and the planning settings (managers)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.export import export_response
from core.money import money
from core.pagination import CappedPaginator, page_size
from core.permissions import role_required
from integration.planning import lists, services, slow_movers
from integration.planning.models import PlanningSettings
from integration.planning.selectors import ACT_ROLES, SETTINGS_ROLES
from integration.planning.views import errors_of
from scm.inventory.models import Category
from scm.inventory.selectors import can_see_cost

EXPORT_LIMIT = 10000


@role_required(*ACT_ROLES)
def slow_mover_list(request):
    search = request.GET.get("q", "").strip()[:100]
    settings = PlanningSettings.current()
    qs = slow_movers.slow_movers(search=search, settings=settings)
    show_value = can_see_cost(request.user)
    if request.GET.get("export") in {"csv", "xlsx"}:
        headers = [_("SKU"), _("Product"), _("On hand"), _("Last demand"), _("Cover (months)")]
        if show_value:
            headers.append(_("Value"))

        def rows():
            for p in qs[:EXPORT_LIMIT]:
                row = [p.sku, p.name, p.on_hand, p.last_demand, slow_movers.cover_months(p)]
                yield [*row, money(p.value)] if show_value else row

        return export_response(
            filename="slow-movers", headers=headers, rows=rows(), fmt=request.GET["export"]
        )
    page = CappedPaginator(qs, page_size(request)).get_page(request.GET.get("page"))
    for product in page.object_list:
        product.cover = slow_movers.cover_months(product)
    return render(
        request,
        "planning/slow_movers.html",
        {
            "title": _("Slow movers"),
            "page_obj": page,
            "search": search,
            "settings": settings,
            "show_value": show_value,
        },
    )


@role_required(*ACT_ROLES)
def service_levels(request, *, errors=None, status=200):
    rows = lists.category_service_levels()
    for row in rows:
        row["error"] = (errors or {}).get(row["category"].pk)
    return render(
        request,
        "planning/service_levels.html",
        {
            "title": _("Service levels"),
            "rows": rows,
            "default": PlanningSettings.current().service_level,
        },
        status=status,
    )


@require_POST
@role_required(*ACT_ROLES)
def service_level_set(request, pk):
    category = Category.objects.filter(pk=pk).first()
    value = request.POST.get("service_level", "")[:50]
    try:
        services.category_service_level_set(category=category or pk, service_level=value, user=request.user)
    except ValidationError as exc:
        errors = errors_of(exc)
        return service_levels(
            request, errors={pk: {"value": value, "message": " ".join(errors.values())}}, status=400
        )
    messages.success(request, _("The service level of %(category)s is saved.") % {"category": category})
    return redirect("planning:service_levels")


FIELDS = (
    "service_level",
    "review_days",
    "history_weeks",
    "default_lead_time_days",
    "slow_mover_days",
    "slow_mover_cover_months",
)


@role_required(*SETTINGS_ROLES)
def planning_settings(request):
    current = PlanningSettings.current()
    values = {name: getattr(current, name) for name in FIELDS}
    errors = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "")[:50] for name in FIELDS}
        try:
            services.planning_settings_update(user=request.user, **values)
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("The planning settings are saved."))
            return redirect("planning:settings")
    labels = {f.name: f.verbose_name for f in PlanningSettings._meta.fields}
    fields = [{"name": n, "label": labels[n], "value": values[n], "error": errors.get(n)} for n in FIELDS]
    return render(
        request,
        "planning/settings.html",
        {"title": _("Planning settings"), "fields": fields, "errors": errors},
        status=400 if errors else 200,
    )
