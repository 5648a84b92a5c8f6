"""Submissions a client may repeat without doing the work twice.

- API: a ``POST`` under ``/api/`` with an ``Idempotency-Key`` header (``IdempotencyMiddleware``).
  The same key with the same body from the same user gets the first answer again (status and
  body, with ``Idempotent-Replayed: true``); the same key with another body is refused (422); a
  repeat that arrives while the first is still running waits for it, or is answered 409.
- Pages: a creating form carries a one-time token (``{% form_token %}``, ``one_time_form``). The
  first successful submit (a redirect to what it created) consumes it; a second submit of the
  same token is sent to the same place instead of creating again.
- Scans: a page's POST that a tablet may send again (a scan queued while offline, or whose answer
  was lost) carries an ``Idempotency-Key`` header (``idempotent_post``): the same key with the same
  form fields gets the first answer again, so the scan is applied once.

Both keep one ``core.models.IdempotencyKey`` row per user and key, inserted *before* the work
starts: the unique constraint lets exactly one request in, whatever the number of processes. The
answer is written to the row afterwards; a failed request (5xx, a conflict, a form with errors)
deletes its row so that a retry runs. Rows live ``IDEMPOTENCY_KEY_TTL_SECONDS`` (24 h), then the
hourly purge (``core.tasks.idempotency_keys_purge``) deletes them; a row left unanswered by a
process that died is taken over after ``IDEMPOTENCY_LEASE_SECONDS``.
"""

import functools
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
FORM_FIELD = "form_token"
_API_PREFIX = "api:"
# A client's key is stored after its prefix, in a column of 255 characters.
MAX_KEY_LENGTH = IdempotencyKey._meta.get_field("key").max_length - len(_API_PREFIX)
# Answers that say "try again" rather than "this is the outcome": never kept for a replay.
_NOT_KEPT = {401, 403, 408, 409, 423, 429}
_KEPT_HEADERS = ("Content-Type", "Location", "Content-Language")


@dataclass
class Claim:
    outcome: str  # "new" (run it), "replay", "mismatch" (other request), "busy" (still running)
    row: IdempotencyKey | None


def _ttl() -> timedelta:
    return timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)


def key_claim(*, user, key: str, fingerprint: str, wait_seconds: float | None = None) -> Claim:
    """Insert the key's row first; if it is there already, say what the caller should do."""
    wait = settings.IDEMPOTENCY_WAIT_SECONDS if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    while True:
        now = timezone.now()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=now
                )
            return Claim("new", row)
        except IntegrityError:
            pass
        row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is None:
            continue  # released or purged in between: try the insert again
        if row.created_at < now - _ttl():
            IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
            continue
        if row.fingerprint != fingerprint:
            return Claim("mismatch", row)
        if row.response_status is not None:
            return Claim("replay", row)
        lease = timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
        if row.created_at < now - lease:
            # Its process died while running it: take it over (one taker wins the update).
            taken = IdempotencyKey.objects.filter(
                pk=row.pk, created_at=row.created_at, response_status=None
            ).update(created_at=now)
            if taken:
                row.created_at = now
                return Claim("new", row)
            continue
        if time.monotonic() >= deadline:
            return Claim("busy", row)
        time.sleep(0.05)


def key_answer(*, row: IdempotencyKey, response, headers: tuple[str, ...] = _KEPT_HEADERS) -> None:
    """Keep the answer of a claimed key (its status, body and ``headers``), or let the key go
    when the answer is not final."""
    status = response.status_code
    if status >= 500 or status in _NOT_KEPT or getattr(response, "streaming", False):
        key_release(row=row)
        return
    headers = {h: response[h] for h in headers if response.has_header(h)}
    IdempotencyKey.objects.filter(pk=row.pk).update(
        response_status=status, response_headers=headers, response_body=bytes(response.content)
    )


def key_release(*, row: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=row.pk, response_status=None).delete()


def keys_purge(*, now=None) -> int:
    """Delete the keys past their lifetime; returns how many."""
    cutoff = (now or timezone.now()) - _ttl()
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _replay(row: IdempotencyKey) -> HttpResponse:
    headers = dict(row.response_headers or {})
    response = HttpResponse(
        bytes(row.response_body), status=row.response_status, content_type=headers.pop("Content-Type", None)
    )
    for name, value in headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


# --- API --------------------------------------------------------------------------------------


def request_fingerprint(request) -> str:
    """The request's method, path, query and body; a JSON body is compared by its content (the
    order of its keys and its spacing do not matter)."""
    body = request.body
    if (request.content_type or "").endswith("json"):
        try:
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            pass
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    digest.update(body)
    return digest.hexdigest()


def _api_user(request):
    """The user the API will see: the first authenticator that answers (token before session, as
    the API's settings order them), else the session's; any failure is left to the view."""
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    drf_request = Request(request)
    for authenticator in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if issubclass(authenticator, SessionAuthentication):
            continue
        try:
            found = authenticator().authenticate(drf_request)
        except Exception:  # noqa: BLE001 - the view answers the failure itself
            return None
        if found:
            return found[0]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def _key_problem(key: str) -> str | None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        return _("Use a key of 1 to %(n)s printable ASCII characters.") % {"n": MAX_KEY_LENGTH}
    return None


class IdempotencyMiddleware:
    """``Idempotency-Key`` on the API's POST operations (see the module's text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        problem = _key_problem(key)
        if problem:
            return JsonResponse({HEADER: [problem]}, status=400)
        user = _api_user(request)
        if user is None:
            return self.get_response(request)
        try:
            fingerprint = request_fingerprint(request)
        except Exception:  # noqa: BLE001 - an unreadable body: the view answers it
            return self.get_response(request)
        claim = key_claim(user=user, key=f"{_API_PREFIX}{key}", fingerprint=fingerprint)
        if claim.outcome == "replay":
            return _replay(claim.row)
        if claim.outcome == "mismatch":
            return JsonResponse(
                {"detail": _("This Idempotency-Key was already used for another request.")}, status=422
            )
        if claim.outcome == "busy":
            response = JsonResponse(
                {"detail": _("A request with this Idempotency-Key is still running. Try again shortly.")},
                status=409,
            )
            response["Retry-After"] = "1"
            return response
        try:
            response = self.get_response(request)
        except BaseException:
            key_release(row=claim.row)
            raise
        key_answer(row=claim.row, response=response)
        return response


# --- page forms -------------------------------------------------------------------------------


def form_token_input() -> str:
    """A hidden input with a new one-time token, for a creating form."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4().hex)


def one_time_form(view):
    """A creating form's view whose successful submit (a redirect) may happen once per token: a
    repeat of the same token is redirected where the first went. A submit that shows the form
    again (errors) lets its token go."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(FORM_FIELD, "") if request.method == "POST" else ""
        user = getattr(request, "user", None)
        if not token or _key_problem(token) or user is None or not user.is_authenticated:
            return view(request, *args, **kwargs)
        fingerprint = hashlib.sha256(request.path.encode()).hexdigest()
        claim = key_claim(user=user, key=f"form:{token}", fingerprint=fingerprint)
        if claim.outcome == "replay" and claim.row.response_headers.get("Location"):
            return HttpResponseRedirect(claim.row.response_headers["Location"])
        if claim.outcome == "busy":
            message = _("This form is already being submitted. Wait a moment and reload the page.")
            return render(request, "409.html", {"message": message, "title": _("Conflict")}, status=409)
        if claim.outcome != "new":
            return view(request, *args, **kwargs)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            key_release(row=claim.row)
            raise
        if response.status_code in (301, 302, 303) and response.has_header("Location"):
            IdempotencyKey.objects.filter(pk=claim.row.pk).update(
                response_status=response.status_code, response_headers={"Location": response["Location"]}
            )
        else:
            key_release(row=claim.row)
        return response

    return wrapper


# --- page scans -------------------------------------------------------------------------------

_PAGE_PREFIX = "page:"
_CSRF_FIELD = "csrfmiddlewaretoken"


def form_fingerprint(request) -> str:
    """The POST's path and its form fields (in any order; the CSRF token, which differs from one
    rendering of the page to the next, left out)."""
    fields = sorted(
        (name, value) for name, values in request.POST.lists() if name != _CSRF_FIELD for value in values
    )
    digest = hashlib.sha256()
    digest.update(request.path.encode() + b"\0")
    digest.update(json.dumps(fields, ensure_ascii=False).encode())
    return digest.hexdigest()


def idempotent_post(view):
    """A page view whose POST with an ``Idempotency-Key`` header runs once per user and key: a
    repeat with the same fields is answered with the first answer (status, body and the view's
    own headers, plus ``Idempotent-Replayed: true``). A POST without the header runs as usual.
    Put it under ``role_required``: a refused request claims no key."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        user = getattr(request, "user", None)
        if key is None or request.method != "POST" or user is None or not user.is_authenticated:
            return view(request, *args, **kwargs)
        problem = _key_problem(key)
        if problem:
            return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
        claim = key_claim(user=user, key=f"{_PAGE_PREFIX}{key}", fingerprint=form_fingerprint(request))
        if claim.outcome == "replay":
            return _replay(claim.row)
        if claim.outcome == "mismatch":
            message = _("This Idempotency-Key was already used for another request.")
            return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
        if claim.outcome == "busy":
            message = _("A request with this Idempotency-Key is still running. Try again shortly.")
            response = HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
            response["Retry-After"] = "1"
            return response
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            key_release(row=claim.row)
            raise
        # Every header the view set is part of its answer (X-Scan-Result, HX-Trigger, …).
        key_answer(row=claim.row, response=response, headers=tuple(response.headers))
        return response

    return wrapper
