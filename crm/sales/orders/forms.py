"""Forms for the order and quote pages: they parse input; the services validate and write.

A service ``ValidationError`` names fields like ``lines[2].quantity``; ``apply_service_errors``
puts each message next to its field (header form or line form)."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import DocumentDateField
from core.pickers import picker_prime
from crm.customers.models import Customer
from crm.customers.pickers import customer_picker
from crm.customers.selectors import customers_visible_to
from crm.sales.models import SalesOrder
from crm.sales.orders.document_lines import LINE_ERROR
from crm.sales.orders.pricing import MAX_LINES
from crm.sales.orders.selectors import product_choices
from scm.inventory.models import ProductUnit, Warehouse
from scm.inventory.pickers import product_picker


class DateInput(forms.DateInput):
    input_type = "date"


class _CustomerChoiceForm(forms.Form):
    """A header form whose customer choices are the active customers the user may read
    (``crm.customers.selectors.customers_visible_to``): the picker does not find another team's
    customer and, posted by id, it is refused as an invalid choice."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = (
            customers_visible_to(user).filter(is_active=True).order_by("search_pinyin", "pk")
        )


class OrderHeaderForm(_CustomerChoiceForm):
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        widget=customer_picker(
            placeholder=_("Type a name, code or pinyin"),
            attrs={
                "class": "form-select",
                "hx-get": reverse_lazy("sales:orders:customer_info"),
                "hx-trigger": "change",
                "hx-target": "#customer-info",
            },
        ),
    )
    requested_date = DocumentDateField(
        label=_("Requested delivery date"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=SalesOrder.Priority.choices,
        initial=SalesOrder.Priority.NORMAL,
        required=False,
        empty_value=SalesOrder.Priority.NORMAL,
        help_text=_("Decides, with the requested date, which order gets stock that arrives first."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    shipping_address = forms.CharField(
        label=_("Shipping address"),
        required=False,
        max_length=SalesOrder._meta.get_field("shipping_address").max_length,
        help_text=_("Empty: the customer's address."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    # Where the order ships from, and whether it waits to ship complete: the shortage warning's
    # choices set them (``line_views``; ``sales/order_lines.js``).
    ship_from = forms.ModelChoiceField(
        label=_("Ship from"),
        queryset=Warehouse.objects.none(),
        required=False,
        empty_label=_("Nearest warehouse with stock"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    ship_complete = forms.TypedChoiceField(
        label=_("When stock is short"),
        choices=[
            ("0", _("Ship partially, backorder the rest")),
            ("1", _("Wait and ship complete")),
        ],
        coerce=lambda value: value == "1",
        empty_value=False,
        required=False,
        initial="0",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 1})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ship_from"].queryset = Warehouse.objects.for_stock().order_by("code")


class QuoteHeaderForm(_CustomerChoiceForm):
    customer = OrderHeaderForm.base_fields["customer"]
    valid_until = DocumentDateField(
        label=_("Valid until"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    notes = OrderHeaderForm.base_fields["notes"]


class LineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=product_choices(),
        widget=product_picker(
            placeholder=_("Type or scan"), attrs={"class": "form-select form-select-sm line-product"}
        ),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=ProductUnit.objects.all(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    # Parsed as text: the service checks numbers, signs and whole units and names the field.
    quantity = forms.CharField(
        label=_("Quantity"),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm num", "inputmode": "decimal"}),
    )
    unit_price = forms.CharField(
        label=_("Unit price"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm num",
                "inputmode": "decimal",
                "placeholder": _("automatic price"),
            }
        ),
    )
    discount_percent = forms.CharField(
        label=_("Discount %"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm num", "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Picking a product fetches its available-to-promise and units for this line (htmx).
        self.fields["product"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("sales:orders:atp"),
                "hx-trigger": "change",
                "hx-target": f"#atp-{self.prefix}",
                "hx-vals": json.dumps({"prefix": self.prefix}),
                # A scanned unit barcode (a box) also chooses the line's unit.
                "data-picker-unit-field": f"id_{self.prefix}-unit",
            }
        )

    def as_line(self) -> dict:
        data = self.cleaned_data
        return {
            "product": data["product"],
            "unit": data.get("unit"),
            "quantity": data["quantity"],
            "unit_price": data.get("unit_price") or None,
            "discount_percent": data.get("discount_percent") or 0,
        }


LineFormSet = forms.formset_factory(
    LineForm, extra=0, can_delete=True, max_num=MAX_LINES, validate_max=True, absolute_max=MAX_LINES
)


def line_formset(data=None, initial=None, extra=1):
    """The lines of an order or quote form: at most ``MAX_LINES`` (a posted ``TOTAL_FORMS`` of a
    thousand builds no more forms than that, and is refused)."""
    formset_class = forms.formset_factory(
        LineForm,
        extra=extra,
        can_delete=True,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES,
    )
    formset = formset_class(data=data, initial=initial, prefix="lines")
    picker_prime(formset.forms, "product")  # one query for the products the lines show
    return formset


def formset_lines(formset) -> tuple[list[dict], list[int]]:
    """The lines to save (filled, not deleted) and, for each, the index of its form."""
    lines, indexes = [], []
    for i, form in enumerate(formset.forms):
        if not form.has_changed() or (formset.can_delete and formset._should_delete_form(form)):
            continue
        lines.append(form.as_line())
        indexes.append(i)
    return lines, indexes


def apply_service_errors(exc: ValidationError, header_form, formset, indexes: list[int]) -> None:
    """Put a service's field errors next to the fields they name."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for name, messages in errors.items():
        match = LINE_ERROR.match(name)
        if match:
            position, field = int(match.group(1)), match.group(2)
            form = formset.forms[indexes[position]] if position < len(indexes) else None
            if form is not None and field in form.fields:
                for message in messages:
                    form.add_error(field, message)
                continue
        if name in header_form.fields:
            for message in messages:
                header_form.add_error(name, message)
        else:
            for message in messages:
                header_form.add_error(None, message)
