from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import formfield
from scm.inventory.models import Category, Product, ProductUnit, Warehouse
from scm.inventory.units import units_offered


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        formfield_callback = formfield
        fields = [
            "sku",
            "name",
            "category",
            "brand",
            "barcode",
            "tracking",
            "base_unit",
            "base_unit_divisible",
            "list_price",
            "tax_rate",
            "reorder_point",
            "reorder_quantity",
            "is_template",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The company's units, offered as a choice (the service checks them: ``unit_input``).
        names = unit_names(units_offered())
        if names:
            current = self.instance.base_unit if self.instance.pk else ""
            choices = [*names, *([current] if current and current not in names else [])]
            self.fields["base_unit"].widget = forms.Select(choices=[(n, n) for n in choices])
            if not self.instance.pk:
                self.initial.setdefault("base_unit", names[0])
        for field in self.fields.values():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
            if isinstance(widget, forms.Select):
                css = "form-select"
            widget.attrs.setdefault("class", css)


class CountStartForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        Warehouse.objects.for_stock(),
        label=_("warehouse"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    category = forms.ModelChoiceField(
        Category.objects.all(),
        label=_("category"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    # A warehouse with bins: count one zone's bins only (checked by ``counts.count_start``).
    zone = forms.CharField(
        label=_("zone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class TransferStartForm(forms.Form):
    source = forms.ModelChoiceField(
        Warehouse.objects.for_stock(),
        label=_("from"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    destination = forms.ModelChoiceField(
        Warehouse.objects.for_stock(),
        label=_("to"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def apply_errors(form: forms.Form, exc) -> None:
    """Put a service's ValidationError next to the fields it names."""
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def unit_names(offered: list[dict]) -> list[str]:
    return [str(u["name"]) for u in offered]


class ProductUnitForm(forms.ModelForm):
    """Another unit of the product. The company's units are offered as a choice; an empty
    factor is the company's usual conversion (``catalogue.product_unit_save``), which the page
    also fills in as soon as a unit is chosen (``inventory/units.js``)."""

    class Meta:
        model = ProductUnit
        formfield_callback = formfield
        fields = ["name", "factor", "barcode", "divisible"]
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control", "data-unit-name": ""}),
            "factor": forms.NumberInput(attrs={"class": "form-control", "data-unit-factor": ""}),
            "barcode": forms.TextInput(attrs={"class": "form-control"}),
            "divisible": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args, offered: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factor"].required = False
        names = unit_names(offered or [])
        if names:
            current = self.instance.name if self.instance.pk else ""
            choices = [("", "—"), *((n, n) for n in names)]
            if current and current not in names:
                choices.append((current, current))
            self.fields["name"].widget = forms.Select(
                choices=choices, attrs={"class": "form-select", "data-unit-name": ""}
            )


UnitFormSet = forms.inlineformset_factory(
    Product, ProductUnit, form=ProductUnitForm, extra=1, can_delete=True
)


class WarehouseForm(forms.Form):
    """A warehouse's details (``scm.inventory.warehouses.warehouse_save`` checks and saves)."""

    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    region = forms.CharField(label=_("Region"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, warehouse: Warehouse | None = None, **kwargs):
        if warehouse is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(warehouse, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        self.warehouse = warehouse
        for field in self.fields.values():
            checkbox = isinstance(field.widget, forms.CheckboxInput)
            field.widget.attrs.setdefault("class", "form-check-input" if checkbox else "form-control")
