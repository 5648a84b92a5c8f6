"""The OpenAPI schema's one addition to drf-spectacular: the error answers every operation can give,
in the project's error shape (``core.drf.exception_handler``), documented in one place instead of
on each of the API's operations.

- 400: the request's body or query could not be accepted: field errors (each field names its
  messages, nested for lines; ``non_field_errors`` for the rest) or ``{"detail": …}`` for a body
  that could not be read;
- 401: no valid credentials; 403: the user's roles do not allow it;
- 404: an object the request names (in its path or body) does not exist or is not visible to
  the user; for a list, the page does not exist;
- 409: the change conflicts with the object's state or a concurrent change;
- 415: the body's content type is not one the operation reads;
- 429: too many failed authentication attempts from this client.

Every POST also documents the optional ``Idempotency-Key`` header and the 422 it adds.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import AllowAny

from core.idempotency import HEADER, MAX_KEY_LENGTH

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BODY_METHODS = {"POST", "PUT", "PATCH"}

ERROR = ResolvedComponent(
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object="Error",
    schema={
        "type": "object",
        "description": _("An error that concerns the whole request."),
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
)
VALIDATION_ERROR = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="ValidationError",
    schema={
        "type": "object",
        "description": _(
            "What was wrong with the request, by field: each field names its messages (a list of "
            "objects of the same shape for a field holding lines, an object for a nested one); "
            "messages about no one field are under `non_field_errors`; a body that could not be "
            'read answers `{"detail": …}`.'
        ),
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                {"type": "object"},
                {"type": "string"},
            ]
        },
    },
)

DESCRIPTIONS = {
    "400": _("The request's body or query could not be accepted."),
    "401": _("No valid credentials."),
    "403": _("The user's roles do not allow this."),
    "404": _("Not found, or not visible to this user."),
    "409": _("Conflicts with the object's state or with a concurrent change."),
    "415": _("The body's content type is not one this operation reads."),
    "429": _("Too many failed authentication attempts from this client; try again later."),
}


IDEMPOTENCY_KEY = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        f"Optional, at most {MAX_KEY_LENGTH} printable ASCII characters (a UUID will do). The same key "
        "with the same body from the same user within 24 hours gets the first answer again "
        "(status and body, with the header Idempotent-Replayed: true) instead of running twice; "
        "the same key with another body is answered 422; a repeat sent while the first is still "
        "running waits for it or is answered 409."
    ),
)


_DETAIL = {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}
# The answers the header adds to a POST operation (kept when the operation documents its own:
# the 400 and 409 of every POST come from the error answers below, in the error shape).
IDEMPOTENCY_RESPONSES = {
    "400": {
        "description": "Bad input (by field), or an unusable Idempotency-Key",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    "409": {"description": "A request with this Idempotency-Key is still running", "content": _DETAIL},
    "422": {"description": "This Idempotency-Key was already used for another request", "content": _DETAIL},
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with the error answers each operation can give; every POST
    operation documents the optional ``Idempotency-Key`` header
    (``core.idempotency.IdempotencyMiddleware``) and the answers it adds."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "POST":
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation and self.method == "POST":
            responses = operation.setdefault("responses", {})
            for status, response in IDEMPOTENCY_RESPONSES.items():
                responses.setdefault(status, response)
        return operation

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            component = VALIDATION_ERROR if code == "400" else ERROR
            self.registry.register_on_missing(component)
            response = responses.setdefault(code, {"description": DESCRIPTIONS[code]})
            # An operation may name its own reason for a code (``OpenApiResponse(description=…)``);
            # the body is the error shape all the same.
            response.setdefault("content", {"application/json": {"schema": component.ref}})
        return responses

    def _error_codes(self) -> list[str]:
        codes = []
        has_path_ids = "{" in self.path
        is_list = bool(self._get_pagination_parameters())
        takes_input = (
            self.method in WRITE_METHODS
            or is_list
            or bool(self._get_filter_parameters())
            or self._has_query_parameters()
        )
        if takes_input:
            codes.append("400")
        if not self._is_public():
            codes += ["401", "403"]
        # A write that names an object (in its path or body) the user may not see answers 404.
        if has_path_ids or is_list or self.method in WRITE_METHODS:
            codes.append("404")
        if self.method in WRITE_METHODS and not self._is_public():
            codes.append("409")
        if self.method in BODY_METHODS:
            codes.append("415")
        codes.append("429")
        return codes

    def _has_query_parameters(self) -> bool:
        """Query parameters the operation declares itself (a report's period), which it parses."""
        return any(
            isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
            for p in self.get_override_parameters()
        )

    def _is_public(self) -> bool:
        permissions = self.view.get_permissions()
        return all(isinstance(p, AllowAny) for p in permissions)
