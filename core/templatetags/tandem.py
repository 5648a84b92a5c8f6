"""Template helpers for the shared components: money, quantities, status badges, query strings.

Loaded as a builtin, so every template can use them without ``{% load %}``.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.html import format_html

from core.money import money as quantise_money
from core.people import display_name
from core.ui import status_colour

register = template.Library()

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€"}


@register.filter
def money(value, currency=None):
    """``¥1,234.50``: two decimals and thousands separators in both languages (see config/formats)."""
    if value is None or value == "":
        return ""
    try:
        # Rounded half up at the project's one precision (number_format would cut the digits).
        amount = quantise_money(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    symbol = CURRENCY_SYMBOLS.get(currency or settings.DEFAULT_CURRENCY, currency or "")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{number_format(abs(amount), 2, use_l10n=True, force_grouping=True)}"


@register.filter
def qty(value):
    """Quantities without trailing zeros: 24, 2.5, 0.125."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    normal = amount.normalize()
    places = max(0, -normal.as_tuple().exponent)
    return number_format(amount, places, use_l10n=True, force_grouping=True)


@register.simple_tag
def status_badge(status, label=None):
    """One colour per status everywhere (``core.ui.STATUS_COLOURS``)."""
    return format_html(
        '<span class="badge text-bg-{} status-badge" data-status="{}">{}</span>',
        status_colour(status),
        status,
        label if label is not None else status,
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed (sorting, pages, filters)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def person(user) -> str:
    """A user's name as people write it: 张伟 for Chinese names (``core.people``)."""
    return display_name(user)


@register.simple_tag
def form_token():
    """A creating form's one-time token (``core.idempotency.one_time_form``)."""
    from core.idempotency import form_token_input

    return form_token_input()


@register.simple_tag
def picker(widget, name, value=None, id=None):
    """A list filter's picker (``core.pickers.PickerSelect`` made by the view, with the records
    the user may choose as its ``queryset``): ``{% picker customer_picker "customer" value %}``."""
    return widget.render(name, value, attrs={"id": id or f"id_{name}"})
