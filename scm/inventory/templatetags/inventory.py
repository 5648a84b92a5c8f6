from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value):
    """0.13 → 13%, 0.065 → 6.5%."""
    if value in (None, ""):
        return ""
    pct = (Decimal(value) * 100).normalize()
    places = max(0, -pct.as_tuple().exponent)
    return f"{number_format(pct, places, use_l10n=True)}%"
