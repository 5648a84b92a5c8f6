from decimal import Decimal

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DecimalField, DocumentDateField, IdField, style_fields
from core.money import validate_tax_rate
from crm.customers.pickers import customer_picker
from finance.models import Invoice, Payment


def posted_allocations(data, documents, *, key: str) -> list[dict] | None:
    """``alloc_<document id>`` fields of a payment form's table of open invoices or bills, as
    ``{key: document, "amount": text}``; None when none is filled in (the payment service then
    applies the amount oldest-first)."""
    chosen = []
    for document in documents:
        raw = (data.get(f"alloc_{document.pk}") or "").strip()
        if raw:
            chosen.append({key: document, "amount": raw})
    return chosen or None


class InvoiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *Invoice.State.choices]
    )
    customer = IdField(label=_("Customer"), required=False, widget=forms.HiddenInput)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class PaymentForm(forms.Form):
    # Inactive customers too: a customer who left may still pay what is open.
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=None,
        widget=customer_picker(
            include_inactive=True,
            placeholder=_("Choose a customer"),
            attrs={
                "hx-get": reverse_lazy("finance:payment_open_invoices"),
                "hx-target": "#open-invoices",
                "hx-trigger": "change",
            },
        ),
    )
    amount = DecimalField(label=_("Amount"), max_digits=18, decimal_places=2)
    paid_at = DocumentDateField(
        label=_("Payment date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=list(Payment.METHODS.items()), initial="bank_transfer"
    )
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)

    def __init__(self, *args, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        style_fields(self)
        self.fields["amount"].widget.attrs.update({"min": "0.01", "step": "0.01", "inputmode": "decimal"})

    def allocations(self, data, invoices) -> list[dict] | None:
        return posted_allocations(data, invoices, key="invoice")


class CreditNoteForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=300)
    amount = DecimalField(label=_("Net amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    tax_rate = DecimalField(
        label=_("Tax rate"),
        max_digits=5,
        decimal_places=4,
        initial=Decimal("0.13"),
        validators=[validate_tax_rate],
        help_text=_("A fraction: 0.13 for 13%."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )
