"""Display helpers for CRM pages."""

from django import template

from core.people import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's name as people write it (see ``core.people.display_name``)."""
    return display_name(user)
