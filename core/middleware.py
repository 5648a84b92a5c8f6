import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import CONNECTION_LOST_RETRY_AFTER, ConflictError, is_connection_lost, is_retryable
from core.roles import WAREHOUSE, user_roles

LAST_SEEN_KEY = "tandem_last_seen"
CONNECTION_LOST_MESSAGE = gettext_lazy("The database could not be reached. Try again in a moment.")
logger = logging.getLogger(__name__)


class IdleTimeoutMiddleware:
    """Log out a session idle longer than its role allows (warehouse tablets are shared).

    The last-seen time is written at most once a minute, so a busy user does not cost a session
    write per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            timeout = settings.SESSION_IDLE_TIMEOUT
            if WAREHOUSE in user_roles(user) and len(user_roles(user)) == 1:
                timeout = settings.SESSION_IDLE_TIMEOUT_WAREHOUSE
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > timeout:
                logout(request)
            elif last_seen is None or now - last_seen > 60:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class ConflictMiddleware:
    """A conflict that survived the service's retries is answered 409 with a clear message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, ConflictError) or (isinstance(exc, OperationalError) and is_retryable(exc)):
            message = str(exc) if isinstance(exc, ConflictError) else str(ConflictError())
            if request.path.startswith("/api/") or request.headers.get("Accept") == "application/json":
                return JsonResponse({"detail": message}, status=409)
            return render(request, "409.html", {"message": message, "title": _("Conflict")}, status=409)
        return None


class InputErrorMiddleware:
    """The pages' side of the API's exception handler (``core.drf.exception_handler``), for what a
    view did not answer itself: a service's ``ValidationError`` is a 400 showing its messages
    (by field), a delete refused because the record is still in use (``ProtectedError``) a 409
    with the reason (``core.errors.in_use_message``). Never a 500 for bad input."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        from django.core.exceptions import ValidationError

        from core.errors import IN_USE_ERRORS, in_use_message

        if isinstance(exc, IN_USE_ERRORS):
            status, title, messages = 409, _("Cannot delete"), [in_use_message(exc)]
        elif isinstance(exc, ValidationError):
            status, title = 400, _("Please correct the input")
            if hasattr(exc, "error_dict"):
                messages = [f"{field}: {m}" for field, errors in exc.message_dict.items() for m in errors]
            else:
                messages = list(exc.messages)
        else:
            return None
        if request.path.startswith("/api/") or request.headers.get("Accept") == "application/json":
            return JsonResponse({"detail": " ".join(messages)}, status=status)
        return render(request, "input_error.html", {"messages_list": messages, "title": title}, status=status)


class ConnectionLostMiddleware:
    """A database connection lost during the request (``core.db.is_connection_lost``) is
    answered 503 with ``Retry-After``: nothing was written (the transaction rolled back), and
    the next request gets a fresh connection. Deadlocks and conflicts are not this (409)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not is_connection_lost(exc):
            return None
        logger.warning("Database connection lost during %s %s", request.method, request.path, exc_info=True)
        return connection_lost_response(request)


def connection_lost_response(request):
    """503 with ``Retry-After``: JSON for the API, a page (rendered without the request's
    context, whose processors would ask the database again) otherwise."""
    message = str(CONNECTION_LOST_MESSAGE)
    if request.path.startswith("/api/") or request.headers.get("Accept") == "application/json":
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(CONNECTION_LOST_RETRY_AFTER)
    return response
