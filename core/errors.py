"""What a client is told when a delete is refused because the record is still in use (a
``ProtectedError`` or ``RestrictedError`` of the database's foreign keys): one message, used by
the API's exception handler (``core.drf``, 409) and the pages' (``core.middleware``, 409)."""

from django.db.models import ProtectedError, RestrictedError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

IN_USE_ERRORS = (ProtectedError, RestrictedError)


def in_use_message(exc: ProtectedError | RestrictedError) -> str:
    """ "This record is still used by 3 stock moves and 1 sales order line: it cannot be
    deleted. Deactivate it instead." — the kinds of records that hold it, with their counts."""
    objects = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or ()
    counts: dict[str, int] = {}
    names: dict[str, tuple[str, str]] = {}
    for obj in objects:
        meta = obj._meta
        counts[meta.label] = counts.get(meta.label, 0) + 1
        names[meta.label] = (str(meta.verbose_name), str(meta.verbose_name_plural))
    users = ", ".join(
        f"{count} {names[label][0] if count == 1 else names[label][1]}"
        for label, count in sorted(counts.items())
    )
    if not users:
        return _("This record is still in use: it cannot be deleted. Deactivate it instead.")
    return capfirst(
        _("This record is still used by %(users)s: it cannot be deleted. Deactivate it instead.")
        % {"users": users}
    )
