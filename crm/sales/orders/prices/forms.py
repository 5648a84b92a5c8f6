"""Forms of the price pages: they parse input; the services validate (and name the fields) and
write. Numbers and dates the services parse are taken as text, so that their messages — an end
before the start, a discount over 100 % — are the ones shown next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import DocumentDateField, style_fields
from core.pickers import picker_prime
from crm.customers.models import CustomerGroup
from crm.customers.pickers import customer_picker
from crm.customers.selectors import customers_visible_to
from crm.sales.orders.forms import DateInput
from crm.sales.orders.prices import bulk
from crm.sales.orders.prices.models import Promotion
from crm.sales.orders.prices.services import MAX_PRICE_LINES
from crm.sales.orders.selectors import product_choices
from scm.inventory.models import Brand, Category
from scm.inventory.pickers import pickable_products, product_picker


def _number(label, required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "form-control num", "inputmode": "decimal"}),
    )


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=None, required=False, widget=customer_picker()
    )
    group = forms.ModelChoiceField(
        label=_("Customer group"),
        queryset=CustomerGroup.objects.order_by("code"),
        required=False,
        help_text=_("A price list is for one customer or for one customer group."),
    )
    valid_from = DocumentDateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_until = DocumentDateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: until further notice."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = (
            customers_visible_to(user).filter(is_active=True).order_by("search_pinyin", "pk")
        )
        style_fields(self)
        self.fields["is_active"].widget.attrs["class"] = "form-check-input"


class PriceLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=product_choices(),
        widget=product_picker(attrs={"class": "form-select form-select-sm"}),
    )
    # The unit by its name (箱, 托): empty for the base unit; the service finds it.
    unit = forms.CharField(
        label=_("Unit"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": _("base unit")}
        ),
    )
    min_quantity = forms.CharField(
        label=_("From quantity"),
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm num", "inputmode": "decimal", "placeholder": "0"}
        ),
    )
    price = forms.CharField(
        label=_("Price"),
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm num", "inputmode": "decimal"}),
    )

    def as_line(self) -> dict:
        data = self.cleaned_data
        return {
            "product": data["product"],
            "unit_name": data.get("unit") or "",
            "min_quantity": data.get("min_quantity") or "0",
            "price": data.get("price"),
        }


def price_line_formset(data=None, initial=None, extra=3):
    formset_class = forms.formset_factory(
        PriceLineForm,
        extra=extra,
        can_delete=True,
        max_num=MAX_PRICE_LINES,
        validate_max=True,
        absolute_max=MAX_PRICE_LINES,
    )
    formset = formset_class(data=data, initial=initial, prefix="lines")
    picker_prime(formset.forms, "product")  # one query for the products the lines show
    return formset


class PromotionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Promotion.Kind.choices)
    valid_from = DocumentDateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_until = DocumentDateField(label=_("Valid until"), required=False, widget=DateInput())
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    group = forms.ModelChoiceField(
        label=_("Only for customer group"),
        queryset=CustomerGroup.objects.order_by("code"),
        required=False,
        help_text=_("Empty: every customer."),
    )
    threshold = _number(
        _("Order net amount from"), help_text=_("Order discount: the net amount it starts from.")
    )
    discount_percent = _number(_("Discount %"))
    discount_amount = _number(_("Amount off"), help_text=_("A discount percent or an amount off, not both."))
    buy_product = forms.ModelChoiceField(
        label=_("Buy product"), queryset=product_choices(), required=False, widget=product_picker()
    )
    buy_quantity = _number(_("Buy quantity"), help_text=_("In the product's base unit."))
    get_product = forms.ModelChoiceField(
        label=_("Get product"), queryset=product_choices(), required=False, widget=product_picker()
    )
    get_quantity = _number(
        _("Get quantity"), help_text=_("In the product's base unit, for every buy quantity.")
    )
    get_discount_percent = _number(_("Discount on the product got %"), help_text=_("100: free."))
    stock_product = forms.ModelChoiceField(
        label=_("Only while in stock"),
        queryset=pickable_products().order_by("sku"),
        required=False,
        widget=product_picker(),
        help_text=_("Empty: no stock condition."),
    )
    min_available = _number(
        _("At least available"), help_text=_("Base units available to promise (above 0).")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["is_active"].widget.attrs["class"] = "form-check-input"


def promotion_initial(promotion: Promotion) -> dict:
    def plain(value):
        return "" if value is None else f"{value.normalize():f}"

    return {
        "name": promotion.name,
        "kind": promotion.kind,
        "valid_from": promotion.valid_from,
        "valid_until": promotion.valid_until,
        "is_active": promotion.is_active,
        "group": promotion.group_id,
        "threshold": plain(promotion.threshold) if promotion.kind == Promotion.Kind.ORDER else "",
        "discount_percent": plain(promotion.discount_percent),
        "discount_amount": plain(promotion.discount_amount),
        "buy_product": promotion.buy_product_id,
        "buy_quantity": plain(promotion.buy_quantity),
        "get_product": promotion.get_product_id,
        "get_quantity": plain(promotion.get_quantity),
        "get_discount_percent": plain(promotion.get_discount_percent)
        if promotion.kind == Promotion.Kind.BUY_GET
        else "",
        "stock_product": promotion.stock_product_id,
        "min_available": plain(promotion.min_available) if promotion.stock_product_id else "",
    }


class BulkPriceForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.select_related("parent").order_by("parent__name", "name"),
        required=False,
        help_text=_("With its subcategories."),
    )
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.order_by("name"), required=False)
    method = forms.ChoiceField(
        label=pgettext_lazy("bulk price change", "Change"), choices=list(bulk.METHODS.items())
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=list(bulk.DIRECTIONS.items()))
    value = _number(_("By how much"), required=True, help_text=_("Percent, or amount per base unit."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["category"].label_from_instance = lambda c: (
            f"{c.parent.name} / {c.name}" if c.parent_id else c.name
        )
