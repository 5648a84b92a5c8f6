"""The engineers picker (``core.pickers``): the people a ticket may be assigned to (active
engineers, active users) by name, pinyin or initials, each with its team. Its value is the
engineer's user, as a ticket's assignee is."""

from core.people import display_name, people_search
from core.pickers import PICKER_LIMIT, picker_widget
from crm.service.selectors import assignable_users

URL_NAME = "service-engineer-picker"


def engineer_row(user) -> dict:
    return {"id": user.pk, "text": display_name(user), "secondary": user.engineer.team.name}


def engineer_picker_search(*, query: str, limit: int = PICKER_LIMIT) -> list[dict]:
    """Assignable engineers found by what was typed, sorted by pinyin, their team below. One
    query whatever the number of people."""
    return people_search(
        query=query, users=assignable_users(), secondary="user__engineer__team__name", limit=limit
    )


def engineer_picker(**kwargs):
    """The widget of an assignee field (the field's queryset, or ``queryset``, still decides what
    may be posted)."""
    return picker_widget(URL_NAME, engineer_row, **kwargs)
