"""Invoicing the parts used on service tickets: when a visit used parts (``ticket.parts_used``),
the parts that are charged (not under warranty) go on one AR invoice for the ticket's customer,
a line per part (quantity, unit price, the product's tax rate), raised through finance's
``invoice_create``; each part then remembers its invoice (``crm.service.parts``).

Idempotent twice over: a part that already has an invoice is left out, and the invoice's source
reference (the ticket number and the first part's id) makes finance answer a second call with
the first invoice.
"""

from core.events import names
from core.events.registry import on
from core.roles import has_role
from crm.service import parts as service_parts
from finance import services as finance_services
from finance.models import Invoice
from finance.views import READ as INVOICE_READERS


def parts_invoice(*, part_ids: list[int]) -> Invoice | None:
    """Invoice the used, charged, not yet invoiced parts among ``part_ids`` (parts of one
    ticket). Returns the invoice, or None when nothing was to be charged."""
    chargeable = service_parts.chargeable_parts(part_ids=part_ids)
    if not chargeable:
        return None
    ticket = chargeable[0].ticket
    chargeable = [p for p in chargeable if p.ticket_id == ticket.pk]
    lines = [
        {
            "description": f"{p.product.sku} {p.product.name} · {ticket.number}",
            "quantity": p.quantity,
            "unit_price": p.unit_price,
            "tax_rate": p.product.tax_rate,
            "product": p.product,
        }
        for p in chargeable
    ]
    invoice = finance_services.invoice_create(
        customer=ticket.customer,
        lines=lines,
        source_reference=f"{ticket.number}/P{chargeable[0].pk}",
    )
    service_parts.ticket_parts_invoiced(
        ticket_id=ticket.pk,
        part_ids=[p.pk for p in chargeable],
        invoice_id=invoice.pk,
        invoice_number=invoice.number,
    )
    return invoice


@on(names.TICKET_PARTS_USED)
def invoice_used_parts(event):
    """A visit used parts: the charged ones are invoiced (once)."""
    parts_invoice(part_ids=event.payload.get("part_ids") or [])


def invoice_links(invoice_ids, user) -> dict[int, dict]:
    """The invoices' numbers for the ticket page, linked for who may open an invoice."""
    from django.urls import reverse

    may_open = user is not None and has_role(user, INVOICE_READERS)
    return {
        pk: {"number": number, "url": reverse("finance:invoice_detail", args=[pk]) if may_open else ""}
        for pk, number in Invoice.objects.filter(pk__in=invoice_ids).values_list("pk", "number")
    }
