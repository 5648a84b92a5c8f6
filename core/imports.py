"""Imports as they run: a checked file is kept as an ``ImportPreview`` (rows compressed, in the
database, for ``IMPORT_PREVIEW_SECONDS``), its confirmation hands it to a Celery task, and the
task writes it in one transaction through the same specs and services as the check
(``core.tabular``), telling its progress as it goes. Each app registers its kinds of import
(``ImportSpec``) here with ``register`` from its ``AppConfig.ready``; ``SPECS`` holds them by kind.

- Confirming is one conditional UPDATE (*ready* → *importing*): two confirmations of one preview
  (a double click, two tabs) start one import; the loser is told it is already running.
- The task locks the preview row and writes only an *importing* preview, and records it *done* in
  the transaction that writes the rows: a task delivered twice writes the file once.
- Progress (rows written so far) is kept in the cache while the task runs; a cache failure only
  hides it (the page still shows "importing" and then the outcome).
"""

import json
import logging
import zlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tabular
from core.models import ImportPreview
from core.roles import has_role
from core.tabular import ImportSpec

logger = logging.getLogger(__name__)

# An import still running this long after its preview expired is taken as lost by the purge.
_STUCK_AFTER = timedelta(hours=6)

# Every kind of import, by kind (``ImportSpec.kind``).
SPECS: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> None:
    """Add a kind of import (from an app's ``AppConfig.ready`` or its importers module)."""
    SPECS[spec.kind] = spec


def kinds_of(group: str) -> list[str]:
    """The kinds one import page offers, in the order they were registered."""
    return [kind for kind, spec in SPECS.items() if spec.group == group]


def import_allowed(user, spec: ImportSpec) -> bool:
    """May ``user`` import ``spec``'s kind (its ``roles``; admins always)?"""
    return has_role(user, spec.roles)


def kinds_for(user) -> list[ImportSpec]:
    """The kinds ``user`` may import, in the order they were registered."""
    return [spec for spec in SPECS.values() if import_allowed(user, spec)]


def _pack(header: list, rows: list) -> bytes:
    return zlib.compress(json.dumps([header, rows], ensure_ascii=False, separators=(",", ":")).encode(), 6)


def preview_rows(preview: ImportPreview) -> tuple[list, list]:
    header, rows = json.loads(zlib.decompress(bytes(preview.data)))
    return header, rows


def _progress_key(preview_id) -> str:
    return f"import-progress:{preview_id}"


def progress_get(preview: ImportPreview) -> int | None:
    """Rows written so far by the running import (None when not known)."""
    try:
        return cache.get(_progress_key(preview.pk))
    except Exception:  # noqa: BLE001 - the cache is a nicety here
        logger.warning("Could not read the progress of import %s", preview.pk, exc_info=True)
        return None


def _progress_set(preview_id, done: int) -> None:
    try:
        cache.set(_progress_key(preview_id), done, settings.IMPORT_PREVIEW_SECONDS)
    except Exception:  # noqa: BLE001 - never fail an import for its progress bar
        logger.warning("Could not record the progress of import %s", preview_id, exc_info=True)


def import_preview_create(*, user, kind: str, header: list, rows: list, file_name: str = "") -> ImportPreview:
    """Keep a checked file for its confirmation."""
    return ImportPreview.objects.create(
        user=user,
        kind=kind,
        file_name=(file_name or "")[:200],
        row_count=len(rows),
        data=_pack(header, rows),
        expires_at=timezone.now() + timedelta(seconds=settings.IMPORT_PREVIEW_SECONDS),
    )


def import_preview_get(
    *, user, preview_id, group: str | None = None, kinds: list[str] | None = None
) -> ImportPreview | None:
    """The user's own preview (anyone else's, one of another page's kinds — ``group``'s, or
    ``kinds`` when given —, or a malformed id, is none)."""
    qs = ImportPreview.objects.filter(user=user)
    if group is not None:
        qs = qs.filter(kind__in=kinds_of(group))
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    try:
        return qs.filter(pk=preview_id).first()
    except (ValueError, ValidationError):
        return None


def import_preview_confirm(
    *, user, preview_id, group: str | None = None, kinds: list[str] | None = None
) -> ImportPreview:
    """Start writing a ready preview: *ready* → *importing* in one conditional UPDATE, then queue
    the task (after commit). Raises ``ValidationError`` when the preview is gone, expired or
    already started."""
    preview = import_preview_get(user=user, preview_id=preview_id, group=group, kinds=kinds)
    if preview is None:
        raise ValidationError(_("The preview has expired. Upload the file again."))
    started = ImportPreview.objects.filter(
        pk=preview.pk, user=user, state=ImportPreview.State.READY, expires_at__gt=timezone.now()
    ).update(state=ImportPreview.State.IMPORTING)
    if not started:
        messages = {
            ImportPreview.State.READY: _("The preview has expired. Upload the file again."),
            ImportPreview.State.DONE: _("This file has been imported already."),
            ImportPreview.State.FAILED: _("This import failed. Correct the file and upload it again."),
        }
        raise ValidationError(messages.get(preview.state, _("This file is already being imported.")))
    transaction.on_commit(lambda: _enqueue(preview.pk))
    preview.state = ImportPreview.State.IMPORTING
    return preview


def _enqueue(preview_id) -> None:
    from core.tasks import import_write

    try:
        import_write.delay(str(preview_id))
    except Exception:
        # The broker cannot be reached: the preview may be confirmed again.
        logger.warning("Could not queue import %s", preview_id, exc_info=True)
        ImportPreview.objects.filter(pk=preview_id, state=ImportPreview.State.IMPORTING).update(
            state=ImportPreview.State.READY,
            errors=[{"row": "", "column": "", "message": _("The import could not be started. Try again.")}],
        )


def import_preview_write(*, preview_id) -> ImportPreview | None:
    """Write a confirmed preview (the task's body): every row or none, then *done* with the count
    in the same transaction; a row that fails marks it *failed* with the errors."""
    with transaction.atomic():
        preview = (
            ImportPreview.objects.select_for_update(of=("self",))
            .filter(pk=preview_id, state=ImportPreview.State.IMPORTING)
            .select_related("user")
            .first()
        )
        if preview is None:
            return None  # done by an earlier delivery of this task, or never confirmed
        spec = SPECS[preview.kind]
        header, rows = preview_rows(preview)

        def done():
            ImportPreview.objects.filter(pk=preview.pk).update(
                state=ImportPreview.State.DONE,
                imported=len(rows),
                errors=[],
                data=b"",
                finished_at=timezone.now(),
            )

        result = tabular.import_run(
            spec,
            header,
            rows,
            actor=preview.user,
            dry_run=False,
            progress=lambda n: _progress_set(preview.pk, n),
            on_success=done,
        )
        if not result.ok:
            ImportPreview.objects.filter(pk=preview.pk).update(
                state=ImportPreview.State.FAILED,
                errors=[{**e, "message": str(e["message"])} for e in result.errors[:500]],
                finished_at=timezone.now(),
            )
    preview.refresh_from_db()
    return preview


def import_previews_purge(*, now=None) -> int:
    """Delete previews past their time (and imports lost by a dead worker long ago)."""
    now = now or timezone.now()
    stale = ImportPreview.objects.filter(expires_at__lt=now).exclude(state=ImportPreview.State.IMPORTING)
    lost = ImportPreview.objects.filter(
        expires_at__lt=now - _STUCK_AFTER, state=ImportPreview.State.IMPORTING
    )
    return stale.delete()[0] + lost.delete()[0]
