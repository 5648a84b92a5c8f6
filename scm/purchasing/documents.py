"""The purchase order as a PDF (``core.pdf.render_document``), readable in Chinese, with the
company's name as the buyer, the total in Chinese capitals and the company's seal."""

from django.utils.translation import gettext as _

from core.company import company_name, company_profile
from core.pdf import local_format, render_document
from core.people import display_name
from core.templatetags.tandem import money, qty


def _supplier_block(supplier) -> str:
    return "\n".join(
        part for part in (supplier.name, supplier.address, supplier.phone, supplier.tax_id) if part
    )


def _warehouse_block(warehouse) -> str:
    return "\n".join(part for part in (warehouse.name, getattr(warehouse, "address", "")) if part)


def purchase_order_pdf(order) -> bytes:
    lines = order.lines.select_related("product", "unit")
    rows = [
        [
            f"{line.product.sku}\n{line.product.name}",
            f"{qty(line.quantity)} {line.unit.name if line.unit_id else line.product.base_unit}",
            money(line.unit_price, order.currency),
            f"{qty(line.tax_rate * 100)}%",
            money(line.net_amount, order.currency),
            local_format(line.expected_date, "Y-m-d"),
        ]
        for line in lines
    ]
    meta = [
        (_("Order date"), local_format(order.order_date, "Y-m-d")),
        (_("Buyer"), display_name(order.owner)),
        (_("Payment terms"), _("%(days)s days") % {"days": order.supplier.payment_terms_days}),
    ]
    if order.supplier_reference:
        meta.append((_("Supplier's reference"), order.supplier_reference))
    profile = company_profile()
    return render_document(
        title=_("Purchase order"),
        number=order.number,
        parties=[
            (_("Buyer"), company_name(profile)),
            (_("Supplier"), _supplier_block(order.supplier)),
            (_("Deliver to"), _warehouse_block(order.warehouse)),
        ],
        meta=meta,
        columns=[_("Product"), _("Quantity"), _("Unit price"), _("Tax rate"), _("Net amount"), _("Expected")],
        rows=rows,
        numeric_columns=[1, 2, 3, 4],
        totals=[
            (_("Subtotal"), money(order.subtotal, order.currency)),
            (_("Tax"), money(order.tax_total, order.currency)),
            (_("Total"), money(order.total, order.currency)),
        ],
        amount_in_words=order.total,
        currency=order.currency,
        sealed=True,
        notes=order.notes,
        profile=profile,
    )
