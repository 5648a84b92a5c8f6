"""Pickers: searchable, scannable choosers for the records that can number in the thousands
(customers, products, suppliers, users), in forms and in list filters.

A picker is a ``<select data-picker="<search URL>">`` that holds the current choice only, never
every record; ``static/js/tandem.js`` turns it into a Tom Select box that asks the URL as one
types (code, name, pinyin, initials; a scanned barcode followed by Enter picks its product).
Each owning app serves its own search (an API action, for pages and API clients alike) with the
record rules of its selectors, and offers a widget built on ``PickerSelect``; the form field keeps
its queryset, so a posted id is still checked against the same rules.

Every search answers ``{"results": [row, …]}``, at most ``PICKER_LIMIT`` rows, each row
``{"id", "text", "secondary"}`` (and whatever its app adds: a product's ``unit`` and ``exact``).
"""

import json
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.sql import as_id

PICKER_LIMIT = 20
# What one types or scans into a picker; longer input is cut (never refused, never a 500).
QUERY_MAX = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Row = dict


def picker_query(raw) -> str:
    """A picker's search text from a request: control characters (a NUL byte) removed, full-width
    characters made plain (an IME's "ＳＫＵ１" is "SKU1"), at most ``QUERY_MAX`` characters."""
    if not isinstance(raw, str):
        return ""
    text = unicodedata.normalize("NFKC", _CONTROL.sub("", raw[: QUERY_MAX * 4]))
    return text.strip()[:QUERY_MAX].strip()


def secondary(*parts) -> str:
    """The second line of a picker row: the non-empty parts, joined."""
    return " · ".join(str(p) for p in parts if p not in (None, ""))


def named_records_search(qs, *, query: str, row, include_inactive: bool = False, limit: int = PICKER_LIMIT):
    """The search of a picker over named records with a code, a phone and pinyin columns
    (customers, suppliers), within ``qs`` (the caller's record rule): the code typed in full
    first, then those starting with what was typed, each group by pinyin; active ones only
    unless ``include_inactive``. One query."""
    from core.search import search_filter, search_ordered

    if not include_inactive:
        qs = qs.filter(is_active=True)
    if query:
        qs = search_ordered(qs.filter(search_filter(query)), query)
    else:
        qs = qs.order_by("search_pinyin", "pk")
    return [row(r) for r in qs.only("pk", "code", "name", "phone")[:limit]]


def picker_answer(rows: list[Row]) -> dict:
    return {"results": rows}


class PickerRowSerializer(serializers.Serializer):
    """One row of a picker's answer (the schema; the answer is built as plain data)."""

    id = serializers.IntegerField()
    text = serializers.CharField(help_text=_("What the picker shows: the name."))
    secondary = serializers.CharField(help_text=_("The second line: code, phone, SKU, barcode."))


class PickerAnswerSerializer(serializers.Serializer):
    results = PickerRowSerializer(many=True)


class PickerSelect(forms.Select):
    """A ``<select>`` that renders the chosen record only and names its search URL.

    ``url_name`` is the search's route (reversed when rendered), ``params`` extra query
    parameters (``{"role": "sales"}``), ``row`` the function that writes a record as a picker
    row (the same as the search's, so the chosen record looks the same before and after a
    search). The field's queryset decides what may be chosen; the widget reads only the chosen
    records from it (one query, none when nothing is chosen). A list filter, which has no
    field, gives the widget a ``queryset`` of its own and renders it with the ``picker`` tag."""

    def __init__(
        self,
        url_name: str,
        *,
        row: Callable[[object], Row],
        params: dict | None = None,
        placeholder: str = "",
        attrs: dict | None = None,
        queryset=None,
    ):
        attrs = {"class": "form-select", **(attrs or {})}
        super().__init__(attrs)
        self.url_name = url_name
        self.row = row
        self.params = params or {}
        self.placeholder = placeholder
        self.queryset = queryset
        # The chosen records read for many forms at once (``picker_prime``), by primary key.
        self.known: dict | None = None

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.params = dict(self.params)
        return copy

    def knowing(self, *records) -> "PickerSelect":
        """The chosen records are already read (a list filter's, shown in the title too): the
        widget reads nothing more. Returns the widget."""
        self.known = {r.pk: r for r in records if r is not None}
        return self

    def url(self) -> str:
        url = reverse(self.url_name)
        return f"{url}?{urlencode(self.params)}" if self.params else url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-picker"] = self.url()
        if self.placeholder:
            widget_attrs["data-placeholder"] = str(self.placeholder)
        widget_attrs["data-picker-none"] = str(_("Nothing found."))
        widget_attrs["autocomplete"] = "off"
        return context

    def chosen_records(self, values) -> list:
        ids = [pk for pk in (as_id(str(v)) for v in values) if pk is not None]
        if self.known is not None:
            return [self.known[pk] for pk in dict.fromkeys(ids) if pk in self.known]
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            queryset = self.queryset
        if not ids or queryset is None:
            return []
        found = {obj.pk: obj for obj in queryset.filter(pk__in=ids)}
        return [found[pk] for pk in dict.fromkeys(ids) if pk in found]

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if v not in (None, "")]
        options = []
        if not self.allow_multiple_selected:
            options.append(self.create_option(name, "", str(self.placeholder), not chosen, 0))
        for index, record in enumerate(self.chosen_records(chosen), start=1):
            row = {**self.row(record), "id": str(record.pk)}
            option = self.create_option(name, str(record.pk), row["text"], True, index)
            option["attrs"]["data-data"] = json.dumps(row, ensure_ascii=False, default=str)
            options.append(option)
        return [(None, options, 0)]


class PickerSelectMultiple(PickerSelect, forms.SelectMultiple):
    allow_multiple_selected = True


def picker_widget(url_name: str, row, *, multiple: bool = False, **kwargs) -> PickerSelect:
    return (PickerSelectMultiple if multiple else PickerSelect)(url_name, row=row, **kwargs)


def user_picker(*, roles=(), include_inactive: bool = False, **kwargs) -> PickerSelect:
    """A users picker (``core.api.UserPickerView``): people by name, pinyin or initials;
    ``roles`` narrows the search as the field's queryset narrows the choice;
    ``include_inactive`` finds people who have left too (handing their records over)."""
    from core.people import person_row

    params = {"role": ",".join(roles)} if roles else {}
    if include_inactive:
        params["inactive"] = "1"
    return picker_widget("api-user-picker", person_row, params=params, **kwargs)


def use_picker(field: forms.Field, widget: PickerSelect) -> None:
    """Give a form's model choice ``field`` (a ``ModelForm``'s foreign key) a picker widget,
    keeping its queryset, its required flag and the widget's attributes set so far."""
    widget.attrs = {**field.widget.attrs, **widget.attrs}
    widget.is_required = field.required
    widget.choices = field.choices
    field.widget = widget


def picker_prime(forms_, name: str) -> None:
    """Read the records chosen in field ``name`` of every form (a formset's lines) in one query,
    instead of one per line, for their pickers to render (the first form's queryset: a formset's
    forms share it)."""
    widgets, ids = [], set()
    for form in forms_:
        field = form.fields.get(name)
        if field is None or not isinstance(field.widget, PickerSelect):
            continue
        value = form[name].value()
        for v in value if isinstance(value, list | tuple) else [value]:
            pk = as_id(str(v)) if v not in (None, "") else None
            if pk is not None:
                ids.add(pk)
        widgets.append(field.widget)
    if not widgets:
        return
    queryset = getattr(widgets[0].choices, "queryset", None)
    if queryset is None:
        queryset = widgets[0].queryset
    found = {obj.pk: obj for obj in queryset.filter(pk__in=ids)} if ids and queryset is not None else {}
    for widget in widgets:
        widget.known = found
