"""The put-away tablet screen: stock of a warehouse with bins that is in no bin yet (received
"to put away later", returned, arrived by transfer), each with its suggested bin
(``putaway.put_away_suggestions``). The picker scans (or taps) what to put away and the bin, in
either order; the stock moves with ``locations.stock_relocate``. The quantity is all of it that
is waiting, unless one is typed (in the scanned unit: a box's barcode counts boxes)."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.idempotency import idempotent_post
from core.permissions import role_required
from core.sql import as_id, id_input
from scm.inventory import bin_scan, location_selectors, locations, putaway
from scm.inventory.models import Lot, Product, StockLevel, Warehouse
from scm.inventory.selectors import Scan
from scm.inventory.services import plain_qty
from scm.inventory.tablet_bins import memory, scan_step, shown_state, step_done
from scm.inventory.views import STOCK_WRITE

TEMPLATE = "inventory/tablet/put_away.html"
PAGE_SIZE = 8


def _warehouses() -> list[Warehouse]:
    with_bins = location_selectors.warehouses_with_bins()
    return [w for w in location_selectors.stock_warehouses() if w.pk in with_bins]


def _waiting(warehouse: Warehouse | None, page_number=None):
    """A page of what waits to be put away, each row with its suggested bin (fixed queries)."""
    if warehouse is None:
        return Paginator([], PAGE_SIZE).get_page(1)
    page = Paginator(putaway.not_put_away(warehouse_id=warehouse.pk), PAGE_SIZE).get_page(page_number)
    suggested = putaway.put_away_suggestions(
        warehouse=warehouse, items=[(level.product, level.lot) for level in page.object_list]
    )
    for level in page.object_list:
        level.suggestion = suggested.get((level.product_id, level.lot_id))
    return page


@role_required(*STOCK_WRITE)
def put_away(request):
    warehouses = _warehouses()
    asked = id_input(request.GET.get("warehouse"), field="warehouse", required=False)
    warehouse = next((w for w in warehouses if w.pk == asked), warehouses[0] if warehouses else None)
    return render(
        request,
        TEMPLATE,
        {
            "title": _("Put away"),
            "warehouses": warehouses,
            "warehouse": warehouse,
            "page_obj": _waiting(warehouse, request.GET.get("page")),
            "bins_here": warehouse is not None,
            **(shown_state(request, warehouse, _screen(warehouse)) if warehouse else {}),
        },
    )


def _screen(warehouse: Warehouse) -> str:
    return f"putaway:{warehouse.pk}"


def _lot_for(warehouse: Warehouse, scan, pending_lot) -> Lot | None:
    """The lot to put away: the one scanned (or tapped), else the only lot of the product
    waiting (a lot product's barcode names no lot)."""
    if scan.lot is not None or scan.product.tracking == Product.Tracking.NONE:
        return scan.lot
    tapped = Lot.objects.filter(pk=as_id(pending_lot) or 0, product_id=scan.product.pk).first()
    if tapped is not None:
        return tapped
    waiting = list(
        putaway.not_put_away(warehouse_id=warehouse.pk)
        .filter(product_id=scan.product.pk)
        .values_list("lot_id", flat=True)[:2]
    )
    if len(waiting) != 1:
        raise ValidationError({"code": _("Scan the lot or serial number on the label.")})
    return Lot.objects.get(pk=waiting[0])


def _place(request, warehouse: Warehouse, step: bin_scan.BinStep, pending_lot):
    scan = step.scan
    lot = _lot_for(warehouse, scan, pending_lot)
    typed = (request.POST.get("quantity") or "").strip()
    unit = scan.unit if typed else None
    quantity = typed or locations.implicit_quantity(
        product_id=scan.product.pk, warehouse_id=warehouse.pk, lot_id=lot.pk if lot else None
    )
    if not typed and quantity <= 0:
        raise ValidationError({"code": _("Nothing of this is waiting to be put away.")})
    _out, into = locations.stock_relocate(
        product=scan.product,
        warehouse=warehouse,
        quantity=quantity,
        unit=unit,
        lot=lot,
        to_location=step.location,
        from_location=None,
        user=request.user,
    )
    return _("%(qty)s %(unit)s %(name)s put away into %(bin)s") % {
        "qty": plain_qty(into.quantity),
        "unit": scan.product.base_unit,
        "name": scan.product.name + (f" · {lot.number}" if lot else ""),
        "bin": step.location.code,
    }


def _tapped(warehouse: Warehouse, row) -> bin_scan.BinStep:
    """A row tapped: its product and lot wait for their bin, as if scanned."""
    level = (
        StockLevel.objects.filter(pk=as_id(row) or 0, warehouse_id=warehouse.pk)
        .select_related("product", "lot")
        .first()
    )
    if level is None:
        raise ValidationError({"row": _("This stock is no longer waiting here.")})
    suggestion = putaway.put_away_suggestion(warehouse=warehouse, product=level.product, lot=level.lot)
    return bin_scan.BinStep(
        bin_scan.PENDING,
        scan=Scan(level.product, None, level.lot),
        code=level.product.sku,
        suggestion=suggestion,
    )


@role_required(*STOCK_WRITE)
@require_POST
@idempotent_post
def put_away_scan(request):
    post = request.POST
    warehouse = next((w for w in _warehouses() if w.pk == as_id(post.get("warehouse"))), None)
    context = {"bins_here": True, "page_obj": _waiting(None), "warehouse": warehouse}
    if warehouse is None:
        return render(
            request,
            TEMPLATE + "#scan-result",
            {**context, "ok": False, "message": _("Choose the warehouse.")},
        )
    screen = _screen(warehouse)
    try:
        step = (
            _tapped(warehouse, post.get("row")) if post.get("row") else scan_step(request, warehouse, screen)
        )
        if step.kind == bin_scan.PLACE and step.location is None:
            raise ValidationError({"code": _("Scan the bin to put it into.")})
        if step.kind == bin_scan.HOLD:
            message = _("Done with the bin.")
            if step.location is not None:
                message = _("Bin %(code)s: now scan what goes into it.") % {"code": step.location.code}
        elif step.kind == bin_scan.PENDING:
            message = _("Now scan the bin.")
        else:
            message = _place(request, warehouse, step, memory(request, screen).get("pending_lot"))
        state = step_done(request, screen, step)
    except ValidationError as exc:
        return render(
            request,
            TEMPLATE + "#scan-result",
            {**context, "ok": False, "message": " ".join(exc.messages)},
        )
    return render(
        request,
        TEMPLATE + "#scan-result",
        {
            **context,
            **state,
            "ok": True,
            "message": message,
            "oob": True,
            "page_obj": _waiting(warehouse),
        },
    )
