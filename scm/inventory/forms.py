from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import formfield
from scm.inventory.models import Category, Product, ProductUnit, Warehouse


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


class ProductUnitForm(forms.ModelForm):
    class Meta:
        model = ProductUnit
        formfield_callback = formfield
        fields = ["name", "factor", "barcode", "divisible"]
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control"}),
            "factor": forms.NumberInput(attrs={"class": "form-control"}),
            "barcode": forms.TextInput(attrs={"class": "form-control"}),
            "divisible": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }


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
