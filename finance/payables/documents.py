"""The supplier statement PDF (对账单), readable in Chinese (``core.pdf.render_document``)."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.company import company_name, company_profile
from core.pdf import render_document
from core.templatetags.tandem import money
from finance.documents import _customer_block, _d


def supplier_statement_pdf(supplier, statement: dict) -> bytes:
    kinds = {"bill": _("Bill"), "payment": pgettext("payables", "Payment"), "credit_note": _("Credit note")}
    rows = [["", _("Opening balance"), "", "", "", money(statement["opening_balance"])]]
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
        title=_("Supplier statement"),
        number=supplier.code,
        parties=[(_("Buyer"), company_name(profile)), (_("Supplier"), _customer_block(supplier))],
        meta=[(_("Period"), period)],
        columns=[
            _("Date"),
            _("Document"),
            pgettext("statement line", "Details"),
            _("Billed"),
            pgettext("payables", "Paid and credited"),
            _("Balance"),
        ],
        rows=rows,
        numeric_columns=[3, 4, 5],
        totals=[
            (_("Opening balance"), money(statement["opening_balance"])),
            (_("Billed"), money(statement["total_debit"])),
            (pgettext("payables", "Paid and credited"), money(statement["total_credit"])),
            (_("Closing balance"), money(statement["closing_balance"])),
        ],
        amount_in_words=statement["closing_balance"],
        sealed=True,
        profile=profile,
    )
