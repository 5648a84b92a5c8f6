from decimal import Decimal

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DecimalField, DocumentDateField, IdField, style_fields
from finance.forms import posted_allocations
from finance.payables.models import Bill, SupplierPayment
from scm.purchasing.pickers import supplier_picker


def _supplier_field(url_name: str, target: str):
    """The supplier of a bill or a payment: the suppliers picker (inactive ones too: what is
    open with a supplier who stopped delivering is still paid); choosing one loads its lines."""
    return forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=None,
        widget=supplier_picker(
            include_inactive=True,
            placeholder=_("Choose a supplier"),
            attrs={"hx-get": reverse_lazy(url_name), "hx-target": target, "hx-trigger": "change"},
        ),
    )


SERVICE_LINES = 3


class BillFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *Bill.State.choices]
    )
    supplier = IdField(label=_("Supplier"), required=False, widget=forms.HiddenInput)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due = forms.BooleanField(label=_("Due in 7 days"), required=False)
    to_pay = forms.BooleanField(label=_("Overdue or due in 7 days"), required=False)


class BillForm(forms.Form):
    supplier = _supplier_field("finance:bill_billable_lines", "#billable-lines")
    supplier_invoice_number = forms.CharField(label=_("Supplier's invoice number"), max_length=60)
    issue_date = DocumentDateField(
        label=_("Issue date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)

    def __init__(self, *args, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers
        style_fields(self)

    @staticmethod
    def lines(data, order_lines) -> list[dict]:
        """The bill's lines from the posted table: ``qty_<order line id>`` (and ``price_<id>``)
        for the order lines offered, ``desc_<n>``/``amount_<n>``/``tax_<n>`` for services."""
        lines = []
        for line in order_lines:
            qty = (data.get(f"qty_{line.pk}") or "").strip()
            if qty:
                lines.append(
                    {
                        "po_line": line.pk,
                        "quantity": qty,
                        "unit_price": (data.get(f"price_{line.pk}") or "").strip() or None,
                    }
                )
        for n in range(SERVICE_LINES):
            desc = (data.get(f"desc_{n}") or "").strip()
            amount = (data.get(f"amount_{n}") or "").strip()
            if desc or amount:
                lines.append(
                    {
                        "description": desc,
                        "quantity": "1",
                        "unit_price": amount,
                        "tax_rate": (data.get(f"tax_{n}") or "").strip() or "0",
                    }
                )
        return lines


class SupplierPaymentForm(forms.Form):
    supplier = _supplier_field("finance:supplier_payment_bills", "#payable-bills")
    amount = DecimalField(label=_("Amount"), max_digits=18, decimal_places=2)
    paid_at = DocumentDateField(
        label=pgettext_lazy("payables", "Payment date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    method = forms.ChoiceField(
        label=pgettext_lazy("payables", "Method"),
        choices=list(SupplierPayment.METHODS.items()),
        initial="bank_transfer",
    )
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)

    def __init__(self, *args, suppliers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers
        style_fields(self)
        self.fields["amount"].widget.attrs.update({"min": "0.01", "step": "0.01", "inputmode": "decimal"})

    @staticmethod
    def allocations(data, bills) -> list[dict] | None:
        return posted_allocations(data, bills, key="bill")


class SupplierCreditNoteForm(forms.Form):
    amount = DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(label=_("Reason"), max_length=300)
    supplier_reference = forms.CharField(label=_("Supplier's reference"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class AcceptMismatchForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for accepting"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
