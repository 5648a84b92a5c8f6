"""The delivery note as PDF (Chinese-capable, ``core.pdf``)."""

from django.utils.translation import gettext as _

from core.pdf import local_format, render_document
from core.templatetags.tandem import qty


def delivery_note_pdf(*, shipment) -> bytes:
    order = shipment.order
    customer = order.customer
    rows = []
    for index, line in enumerate(shipment.lines.all(), start=1):
        amount = line.picked_quantity if shipment.state == shipment.State.SHIPPED else line.quantity
        rows.append(
            [
                str(index),
                line.product.sku,
                line.product.name,
                line.lot.number if line.lot else "",
                str(qty(amount)),
                line.product.base_unit,
            ]
        )
    meta = [
        (_("Order"), order.number),
        (_("Warehouse"), str(shipment.warehouse)),
        (_("Carrier"), shipment.carrier or "—"),
        (_("Tracking number"), shipment.tracking_number or "—"),
    ]
    if shipment.shipped_at:
        meta.append((_("Shipped at"), local_format(shipment.shipped_at, "SHORT_DATETIME_FORMAT")))
    return render_document(
        title=_("Delivery note"),
        number=shipment.number,
        parties=[(_("Customer"), f"{customer.name}\n{order.shipping_address or customer.address}")],
        meta=meta,
        columns=["#", _("SKU"), _("Product"), _("Lot"), _("Quantity"), _("Unit")],
        rows=rows,
        numeric_columns=[0, 4],
        notes=_("Received in good order: signature and date"),
    )
