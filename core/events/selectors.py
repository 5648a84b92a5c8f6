"""Reads of the outbox and the notifications. Notifications are read by lines: the notifications
of one kind received the same day make one line (``core.events.groups``), one without a kind a
line of its own; the bell counts the unread lines."""

from datetime import date

from django.db.models import CharField, Count, F, Max, Q, Value, When
from django.db.models.expressions import Case
from django.db.models.functions import Cast, Concat, TruncDate

from core.events import groups
from core.events.models import Delivery, Notification


def notifications_for(*, user):
    return Notification.objects.filter(user=user)


def _lines(qs):
    """``qs`` by line: (group, day) with counts, the latest row's id and time."""
    group = Case(
        When(kind="", then=Concat(Value("#"), Cast("id", output_field=CharField()))),
        default=F("kind"),
        output_field=CharField(),
    )
    return qs.annotate(group=group, day=TruncDate("created_at")).values("group", "day")


def unread_count(*, user) -> int:
    """The bell's number: unread lines (a group with an unread notification counts once)."""
    return _lines(Notification.objects.filter(user=user, read_at__isnull=True)).distinct().order_by().count()


def notification_lines(*, user, unread_only: bool = False):
    """The user's notifications by line, newest first (a values queryset to paginate; each row:
    group, day, count, unread, folded, latest_id, latest_at); ``unread_only``: the lines with an
    unread notification (counting the whole line). ``line_rows`` turns a page of them into lines
    to show."""
    lines = _lines(Notification.objects.filter(user=user)).annotate(
        count=Count("pk"),
        unread=Count("pk", filter=Q(read_at__isnull=True)),
        folded=Count("pk", filter=Q(folded=True)),
        latest_id=Max("pk"),
        latest_at=Max("created_at"),
    )
    if unread_only:
        lines = lines.filter(unread__gt=0)
    return lines.order_by("-latest_at", "-latest_id")


def line_rows(rows) -> list[dict]:
    """Lines to show for rows of ``notification_lines`` (one query: the latest notification of
    each): ``{"note", "count", "unread", "folded", "kind", "day", "text", "url"}``; a line of one
    shows its notification, a group its line and the link to what is behind it."""
    rows = list(rows)
    latest = Notification.objects.in_bulk([r["latest_id"] for r in rows])
    lines = []
    for row in rows:
        note = latest.get(row["latest_id"])
        if note is None:
            continue
        grouped = bool(note.kind) and row["count"] > 1
        lines.append(
            {
                "note": note,
                "count": row["count"],
                "unread": row["unread"],
                "folded": row["folded"],
                "kind": note.kind,
                "day": row["day"],
                "grouped": grouped,
                "text": groups.group_text(note.kind, row["count"], note) if grouped else note.title_text(),
                "url": groups.group_url(note.kind, row["day"]) if grouped else note.url,
            }
        )
    return lines


def notifications_of_group(*, user, kind: str, day: date | None = None):
    """The notifications behind one line: of ``kind`` (that ``day``, in the current time zone)."""
    qs = Notification.objects.filter(user=user, kind=kind)
    if day is not None:
        qs = qs.filter(created_at__date=day)
    return qs


def latest_by_link(*, user, kind: str, since, limit: int = 6) -> tuple[int, list[Notification]]:
    """The user's notifications of ``kind`` since ``since``, one per link (the latest): how many
    links, and the newest ``limit`` of them (three queries)."""
    per_link = (
        Notification.objects.filter(user=user, kind=kind, created_at__gte=since)
        .values("url")
        .annotate(latest_id=Max("pk"))
        .order_by("-latest_id")
    )
    ids = [row["latest_id"] for row in per_link[:limit]]
    count = per_link.count()
    notes = Notification.objects.in_bulk(ids)
    return count, [notes[i] for i in ids if i in notes]


def deliveries_list(*, state: str | None = None):
    qs = Delivery.objects.select_related("event")
    if state:
        qs = qs.filter(state=state)
    return qs
