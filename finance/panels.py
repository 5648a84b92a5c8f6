"""The customer 360 "balance" panel."""

from finance import selectors
from finance.models import Invoice


def balance_panel_context(customer, user) -> dict:
    if not selectors.visible_customers(user).filter(pk=customer.pk).exists():
        return {"hidden": True, "customer_id": customer.pk, "last_invoices": []}
    return {
        "customer_id": customer.pk,
        "balance": selectors.customer_balance(customer_id=customer.pk),
        "exposure": selectors.credit_exposure(customer=customer),
        "last_invoices": list(
            Invoice.objects.filter(customer_id=customer.pk).order_by("-issue_date", "-id")[:5]
        ),
    }


def timeline_entries(customer, user, limit: int) -> list[dict]:
    """Invoices, payments and credit notes on the customer 360 timeline."""
    from datetime import datetime, time

    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from core.templatetags.tandem import money
    from finance.models import CreditNote, Payment

    if not selectors.visible_customers(user).filter(pk=customer.pk).exists():
        return []

    def at(day):
        return timezone.make_aware(datetime.combine(day, time(12, 0)))

    entries = []
    for inv in Invoice.objects.filter(customer_id=customer.pk).order_by("-issue_date", "-id")[:limit]:
        entries.append(
            {
                "at": at(inv.issue_date),
                "title": _("Invoice %(number)s: %(total)s")
                % {"number": inv.number, "total": money(inv.total)},
                "body": inv.get_state_display(),
                "url": reverse("finance:invoice_detail", args=[inv.pk]),
                "kind": "invoice",
                "kind_label": _("Invoice"),
            }
        )
    for pay in Payment.objects.filter(customer_id=customer.pk).order_by("-paid_at", "-id")[:limit]:
        entries.append(
            {
                "at": at(pay.paid_at),
                "title": _("Payment %(number)s: %(amount)s")
                % {"number": pay.number, "amount": money(pay.amount)},
                "body": pay.method_label,
                "url": reverse("finance:customer_statement", args=[customer.pk]),
                "kind": "payment",
                "kind_label": _("Payment"),
            }
        )
    for note in CreditNote.objects.filter(customer_id=customer.pk).order_by("-issue_date", "-id")[:limit]:
        entries.append(
            {
                "at": at(note.issue_date),
                "title": _("Credit note %(number)s: %(total)s")
                % {"number": note.number, "total": money(note.total)},
                "body": note.reason,
                "url": reverse("finance:invoice_detail", args=[note.invoice_id]),
                "kind": "credit_note",
                "kind_label": _("Credit note"),
            }
        )
    return entries
