"""Groups of notifications: the notifications of one kind received the same day are shown as one
line ("12 products are tight for your customers") in the bell and the notification list, with a
link to the notifications behind it (or to the list a module names). A notification without a
kind is a line of its own.

Modules name their kinds' lines from ``AppConfig.ready``::

    groups.register("stock_tight", ngettext_lazy("%(count)s product is tight …",
                                                 "%(count)s products are tight …", "count"))

A kind nobody registered reads "<latest title> (and n more)".
"""

from dataclasses import dataclass
from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext


@dataclass(frozen=True)
class Group:
    kind: str
    text: object  # ngettext_lazy(singular, plural, "count")
    url_name: str = ""
    query: str = ""


_groups: dict[str, Group] = {}


def register(kind: str, text, *, url_name: str = "", query: str = "") -> None:
    """The line of ``kind``'s group; ``url_name`` (and ``query``): the list it links to, if not
    the notifications of the group."""
    _groups[kind] = Group(kind, text, url_name, query)


def group_text(kind: str, count: int, latest) -> str:
    """The line for ``count`` notifications of ``kind`` whose latest is ``latest``."""
    group = _groups.get(kind)
    if group is not None:
        return group.text % {"count": count}
    more = count - 1
    return gettext("%(title)s (and %(more)s more)") % {
        "title": latest.title_text(),
        "more": more,
    }


def group_url(kind: str, day: date | None) -> str:
    """Where a group's line leads: the module's list, else the notifications of the group."""
    group = _groups.get(kind)
    if group is not None and group.url_name:
        try:
            url = reverse(group.url_name)
        except NoReverseMatch:
            url = ""
        if url:
            return f"{url}?{group.query}" if group.query else url
    params = {"kind": kind}
    if day is not None:
        params["day"] = day.isoformat()
    return f"{reverse('events:notifications')}?{urlencode(params)}"
