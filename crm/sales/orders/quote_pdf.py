"""The quote as a PDF (``core.pdf``), readable in Chinese."""

from django.utils.translation import gettext as _

from core.pdf import local_format, render_document
from core.people import display_name
from crm.sales.orders.pdf import LINE_COLUMNS_NUMERIC, customer_block, line_columns, line_rows, totals


def quote_pdf(quote) -> bytes:
    lines = quote.lines.select_related("product", "unit")
    return render_document(
        title=_("Quote"),
        number=quote.number,
        parties=[(_("Customer"), customer_block(quote.customer))],
        meta=[
            (_("Date"), local_format(quote.created_at, "SHORT_DATE_FORMAT")),
            (_("Valid until"), local_format(quote.valid_until, "SHORT_DATE_FORMAT")),
            (_("Sales rep"), display_name(quote.owner)),
        ],
        columns=line_columns(),
        rows=line_rows(lines),
        numeric_columns=LINE_COLUMNS_NUMERIC,
        totals=totals(quote),
        amount_in_words=quote.total,
        currency=quote.currency,
        sealed=True,
        notes=quote.notes,
    )
