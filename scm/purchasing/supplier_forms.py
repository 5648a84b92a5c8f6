"""Forms of the supplier pages: they parse input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.forms import formfield
from core.people import users_by_name
from core.pickers import use_picker, user_picker
from core.roles import MANAGER, PURCHASING
from scm.purchasing.models import Supplier, SupplierContact, SupplierPrice, SupplierProduct


def buyers():
    """Users who may buy (purchasing and managers), for the buyer field and the list filter."""
    return users_by_name(
        get_user_model().objects.filter(is_active=True, groups__name__in=[PURCHASING, MANAGER])
    ).distinct()


class _Styled:
    def _style(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class SupplierForm(_Styled, forms.ModelForm):
    class Meta:
        model = Supplier
        formfield_callback = formfield
        fields = [
            "code",
            "name",
            "tax_id",
            "phone",
            "email",
            "address",
            "bank_name",
            "bank_account",
            "payment_terms_days",
            "payment_terms_month_end",
            "currency",
            "default_warehouse",
            "buyer",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"code": _("Leave empty to number it automatically.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["buyer"].queryset = buyers()
        use_picker(self.fields["buyer"], user_picker(roles=[PURCHASING, MANAGER]))
        self._style()


class SupplierContactForm(_Styled, forms.ModelForm):
    class Meta:
        model = SupplierContact
        fields = ["name", "title", "phone", "email", "is_primary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class SupplierProductForm(_Styled, forms.ModelForm):
    class Meta:
        model = SupplierProduct
        formfield_callback = formfield
        fields = [
            "product",
            "supplier_code",
            "unit",
            "pack_size",
            "min_order_quantity",
            "lead_time_days",
            "is_preferred",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from scm.inventory.models import ProductUnit
        from scm.inventory.pickers import product_picker

        product = self.instance.product if self.instance.pk else None
        if product is not None:
            del self.fields["product"]
            self.fields["unit"].queryset = ProductUnit.objects.filter(product=product)
        else:
            use_picker(self.fields["product"], product_picker())
        self.fields["unit"].help_text = _("Empty: the product's base unit.")
        self._style()

    def _post_clean(self):
        pass  # the service checks the product, the unit and the one preferred supplier


class SupplierPriceForm(_Styled, forms.ModelForm):
    class Meta:
        model = SupplierPrice
        formfield_callback = formfield
        fields = ["min_quantity", "unit_price", "valid_from", "valid_to"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def _post_clean(self):
        pass  # the service checks prices, dates and overlaps (field errors)
