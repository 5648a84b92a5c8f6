"""Dates from input have one parser, ``date_input``: an ISO date (``2026-03-31``) that exists
(``2026-02-31`` does not) and, for a document (an order, an invoice, a payment, a report's
period), lies in the years a document can have (``9999-12-31`` is no invoice date: the due date
after it would not even fit a date). Forms and the API use it through ``DocumentDateField``
(``core.forms`` and ``core.api_fields``); query strings and services call it directly."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The years a document date may fall in: far enough back for any history imported, far enough
# ahead for any validity or delivery date, and well inside what date arithmetic can reach.
MIN_DOCUMENT_DATE = datetime.date(1900, 1, 1)
MAX_DOCUMENT_DATE = datetime.date(2199, 12, 31)


def date_input(value, *, field: str, blank=None) -> datetime.date | None:
    """``value`` (a ``date`` or ISO text) as a document date, or a ``ValidationError`` naming
    ``field``. Empty input gives ``blank`` (which may be None) when given, else the error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if blank is not None:
            return blank
        raise ValidationError({field: _("Enter a date.")})
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        text = str(value).strip() if isinstance(value, str) else ""
        try:
            # ISO only (YYYY-MM-DD), as the forms' date inputs and the API send it.
            if len(text) != 10 or not text.isascii():
                raise ValueError
            value = datetime.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                {field: _("Enter a real date as YYYY-MM-DD (for example 2026-03-31).")}
            ) from None
    if not MIN_DOCUMENT_DATE <= value <= MAX_DOCUMENT_DATE:
        raise ValidationError(
            {
                field: _("Enter a date between %(first)s and %(last)s.")
                % {"first": MIN_DOCUMENT_DATE.isoformat(), "last": MAX_DOCUMENT_DATE.isoformat()}
            }
        )
    return value


def optional_date_input(value, *, field: str) -> datetime.date | None:
    """``date_input`` where empty input means no date (None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return date_input(value, field=field)


def end_of_day(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next local midnight after ``now`` (aware, in the current time zone): what is due
    before it is due today (or overdue)."""
    from django.utils import timezone

    local = timezone.localtime(now)
    return timezone.make_aware(
        datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time())
    )


def at_hour(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """``day`` at ``hour`` o'clock, aware, in the current time zone (back-dated records: the
    demo's history)."""
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
