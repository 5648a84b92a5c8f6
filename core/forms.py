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
