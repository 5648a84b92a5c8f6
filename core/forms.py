"""Form fields that parse with the project's one parser of each kind: numbers
(``core.money.decimal_input``), ids (``core.sql.as_id``) and dates (``core.dates.date_input``)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.dates import date_input
from core.money import MAX_AMOUNT, decimal_input
from core.sql import as_id


def style_fields(form) -> None:
    """The pages' look for a form's fields: ``form-select`` for choices, ``form-control`` for the
    rest (check boxes and lists of check boxes or radio buttons keep their own)."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput | forms.RadioSelect):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class DecimalField(forms.DecimalField):
    """Django's ``DecimalField`` reading its input with ``decimal_input`` (finite, below
    ``limit``, thousands separators allowed)."""

    def __init__(self, *args, limit: Decimal = MAX_AMOUNT, **kwargs):
        self.limit = limit
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return decimal_input(value, field="value", limit=self.limit)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["value"], code="invalid") from None


class DocumentDateField(forms.DateField):
    """A date that exists and that a document can have (``date_input``)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return date_input(value, field="value")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["value"], code="invalid") from None


class IdField(forms.IntegerField):
    """An id in a form or a query string, by ``core.sql.as_id``'s rule."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pk = as_id(value)
        if pk is None:
            raise ValidationError(_("Enter a valid id."), code="invalid")
        return pk


class OfferedTextInput(forms.TextInput):
    """A text input that offers ``options`` (a ``<datalist>``: the browser suggests them as one
    types) and still takes any text: the company's lead sources, customer tags."""

    def __init__(self, attrs=None, options=()):
        super().__init__(attrs)
        self.options = [str(o) for o in options if str(o).strip()]

    def render(self, name, value, attrs=None, renderer=None):
        if not self.options:
            return super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or 'id_' + name}_offered"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}"></option>', ((o,) for o in self.options))
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


def offer(field: forms.Field, options) -> None:
    """Let a form's text ``field`` offer ``options`` (keeping its attributes)."""
    field.widget = OfferedTextInput(attrs=dict(field.widget.attrs), options=options)


def formfield(db_field, **kwargs):
    """A ``ModelForm``'s ``Meta.formfield_callback``: model decimals and dates read their input
    with the fields above (``DecimalField``, ``DocumentDateField``)."""
    from django.db import models

    if isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", DecimalField)
    elif isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DocumentDateField)
    return db_field.formfield(**kwargs)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=())
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"


class CompanyProfileForm(forms.Form):
    """The company profile's fields (``core.company.company_profile_update`` checks them: the tax
    id, the month, the currency and the images)."""

    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    tax_id = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        required=False,
        help_text=_("18 characters, as on the business licence (统一社会信用代码)."),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=200, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=64, required=False)
    fiscal_year_start = forms.TypedChoiceField(
        label=_("Fiscal year starts in"), coerce=int, choices=(), initial=1
    )
    base_currency = forms.CharField(label=_("Base currency"), max_length=3, initial="CNY")
    logo = forms.FileField(label=_("Logo"), required=False, help_text=_("PNG, JPEG or WebP, at most 2 MB."))
    clear_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    seal = forms.FileField(
        label=_("Seal"),
        required=False,
        help_text=_("The company seal (公章) printed on documents: PNG, JPEG or WebP, at most 2 MB."),
    )
    clear_seal = forms.BooleanField(label=_("Remove the seal"), required=False)

    TEXT = ("legal_name", "short_name", "tax_id", "address", "phone", "bank_name", "bank_account")

    def __init__(self, *args, profile=None, **kwargs):
        from django.utils.dates import MONTHS

        if profile is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(profile, name) for name in self.TEXT},
                "fiscal_year_start": profile.fiscal_year_start,
                "base_currency": profile.base_currency,
            }
        super().__init__(*args, **kwargs)
        self.profile = profile
        self.fields["fiscal_year_start"].choices = [(n, MONTHS[n]) for n in range(1, 13)]
        for name in ("logo", "seal"):
            self.fields[name].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"
        style_fields(self)
        for name in ("clear_logo", "clear_seal"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def details(self) -> list:
        """The bound fields of the company's details (not its images), in order."""
        return [self[name] for name in (*self.TEXT, "fiscal_year_start", "base_currency")]

    def images(self) -> list[tuple]:
        """(image field, its "remove" check box, the image kept now) for the logo and the seal."""
        return [
            (self[name], self[f"clear_{name}"], getattr(self.profile, name, None) if self.profile else None)
            for name in ("logo", "seal")
        ]

    def service_kwargs(self) -> dict:
        """The arguments of ``company_profile_update`` from the cleaned form."""
        data = self.cleaned_data
        return {
            "data": {name: data[name] for name in (*self.TEXT, "fiscal_year_start", "base_currency")},
            "logo": data.get("logo"),
            "seal": data.get("seal"),
            "clear_logo": bool(data.get("clear_logo")),
            "clear_seal": bool(data.get("clear_seal")),
        }
