"""Invoice and statement PDFs (``core.pdf.render_document``), readable in Chinese: the seller's
and the buyer's invoicing details (开票信息) on the invoice, amounts in Chinese capitals and the
company's seal on both."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.company import company_name, company_profile
from core.pdf import company_block, local_format, party_block, render_document
from core.templatetags.tandem import money, qty


def _d(value) -> str:
    return local_format(value, "Y-m-d") if value else ""


def _customer_block(customer) -> str:
    return "\n".join(part for part in (customer.name, customer.address, customer.phone) if part)


def _buyer_block(customer) -> str:
    """The customer as an invoice names it: its invoicing details (title, taxpayer id, address
    and phone, bank and account) when it has them, else its name, address and phone."""
    if not any(
        (
            customer.invoice_title,
            customer.invoice_tax_id,
            customer.invoice_address_phone,
            customer.invoice_bank_account,
        )
    ):
        return _customer_block(customer)
    return party_block(
        name=customer.invoice_title or customer.name,
        tax_id=customer.invoice_tax_id,
        address_phone=customer.invoice_address_phone,
        bank_account=customer.invoice_bank_account,
    )


def invoice_pdf(invoice) -> bytes:
    rows = [
        [
            line.description,
            qty(line.quantity),
            money(line.unit_price, invoice.currency),
            f"{(line.tax_rate * 100).normalize():f}%",
            money(line.net_amount, invoice.currency),
            money(line.tax_amount, invoice.currency),
        ]
        for line in invoice.lines.all()
    ]
    totals = [
        (_("Subtotal"), money(invoice.subtotal, invoice.currency)),
        (_("Tax"), money(invoice.tax_total, invoice.currency)),
        (_("Total"), money(invoice.total, invoice.currency)),
    ]
    if invoice.paid_amount:
        totals.append((_("Paid"), money(invoice.paid_amount, invoice.currency)))
    if invoice.credited_amount:
        totals.append((_("Credited"), money(invoice.credited_amount, invoice.currency)))
    totals.append((_("Amount due"), money(invoice.open_amount, invoice.currency)))
    meta = [
        (_("Issue date"), _d(invoice.issue_date)),
        (_("Due date"), _d(invoice.due_date)),
        (_("Payment terms"), _("%(days)s days") % {"days": invoice.customer.payment_terms_days}),
    ]
    if invoice.sales_order_id:
        meta.append((_("Sales order"), invoice.sales_order.number))
    if invoice.source_reference:
        meta.append((_("Reference"), invoice.source_reference))
    notes = ""
    if invoice.state == invoice.State.CANCELLED:
        notes = _("Cancelled: %(reason)s") % {"reason": invoice.cancel_reason}
    profile = company_profile()
    return render_document(
        title=_("Invoice"),
        number=invoice.number,
        parties=[(_("Seller"), company_block(profile)), (_("Customer"), _buyer_block(invoice.customer))],
        meta=meta,
        columns=[_("Description"), _("Quantity"), _("Unit price"), _("Tax rate"), _("Net amount"), _("Tax")],
        rows=rows,
        numeric_columns=[1, 2, 3, 4, 5],
        totals=totals,
        amount_in_words=invoice.total,
        currency=invoice.currency,
        sealed=True,
        notes=notes,
        profile=profile,
    )


def statement_pdf(customer, statement: dict) -> bytes:
    kinds = {"invoice": _("Invoice"), "payment": _("Payment"), "credit_note": _("Credit note")}
    rows = [
        ["", _("Opening balance"), "", "", "", money(statement["opening_balance"])],
    ]
    for entry in statement["entries"]:
        rows.append(
            [
                _d(entry.date),
                f"{kinds[entry.kind]} {entry.number}",
                entry.description,
                money(entry.debit) if entry.debit else "",
                money(entry.credit) if entry.credit else "",
                money(entry.balance),
            ]
        )
    period = f"{_d(statement['date_from'])} – {_d(statement['date_to'])}"
    profile = company_profile()
    return render_document(
        title=_("Customer statement"),
        number=customer.code,
        parties=[(_("Seller"), company_name(profile)), (_("Customer"), _customer_block(customer))],
        meta=[(_("Period"), period)],
        columns=[
            _("Date"),
            _("Document"),
            pgettext("statement line", "Details"),
            _("Debit"),
            _("Credit"),
            _("Balance"),
        ],
        rows=rows,
        numeric_columns=[3, 4, 5],
        totals=[
            (_("Opening balance"), money(statement["opening_balance"])),
            (_("Invoiced"), money(statement["total_debit"])),
            (_("Paid and credited"), money(statement["total_credit"])),
            (_("Closing balance"), money(statement["closing_balance"])),
        ],
        amount_in_words=statement["closing_balance"],
        sealed=True,
        profile=profile,
    )
