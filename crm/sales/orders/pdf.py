"""The order confirmation as a PDF (``core.pdf``), readable in Chinese."""

from django.utils.translation import gettext as _

from core.pdf import local_format, render_document
from core.people import display_name
from core.templatetags.tandem import money, qty


def line_rows(lines) -> list[list[str]]:
    rows = []
    for line in lines:
        unit = line.unit.name if line.unit_id else line.product.base_unit
        product = f"{line.product.sku}\n{line.product.name}"
        if getattr(line, "promise_date", None):
            # The day promised for the line (``scm.inventory.promise``), as the customer reads it.
            product += "\n" + _("Promise date: %(date)s") % {
                "date": local_format(line.promise_date, "SHORT_DATE_FORMAT")
            }
        rows.append(
            [
                product,
                f"{qty(line.quantity)} {unit}",
                money(line.unit_price),
                f"{qty(line.discount_percent)}%" if line.discount_percent else "",
                f"{qty(line.tax_rate * 100)}%",
                money(line.net_amount),
            ]
        )
    return rows


LINE_COLUMNS_NUMERIC = [1, 2, 3, 4, 5]


def line_columns() -> list[str]:
    return [_("Product"), _("Quantity"), _("Unit price"), _("Discount"), _("Tax rate"), _("Net amount")]


def totals(doc) -> list[tuple[str, str]]:
    rows = []
    if doc.promotion_id and doc.promotion_discount:
        # Already taken off the lines' net amounts: shown so the customer sees what it gave.
        rows.append(
            (
                _("Promotion %(name)s (in the net amounts)") % {"name": doc.promotion.name},
                "−" + money(doc.promotion_discount, doc.currency),
            )
        )
    return rows + [
        (_("Subtotal"), money(doc.subtotal, doc.currency)),
        (_("Tax"), money(doc.tax_total, doc.currency)),
        (_("Total"), money(doc.total, doc.currency)),
    ]


def customer_block(customer) -> str:
    return "\n".join(part for part in [customer.name, customer.address, customer.phone] if part)


def order_confirmation_pdf(order) -> bytes:
    lines = order.lines.select_related("product", "unit")
    meta = [
        (_("Order date"), local_format(order.order_date, "SHORT_DATE_FORMAT")),
        (_("Sales rep"), display_name(order.owner)),
    ]
    if order.requested_date:
        meta.append((_("Requested delivery date"), local_format(order.requested_date, "SHORT_DATE_FORMAT")))
    if order.shipping_address:
        meta.append((_("Shipping address"), order.shipping_address))
    return render_document(
        title=_("Order confirmation"),
        number=order.number,
        parties=[(_("Customer"), customer_block(order.customer))],
        meta=meta,
        columns=line_columns(),
        rows=line_rows(lines),
        numeric_columns=LINE_COLUMNS_NUMERIC,
        totals=totals(order),
        amount_in_words=order.total,
        currency=order.currency,
        sealed=True,
        notes=order.notes,
    )
