"""The API schema's class: drf-spectacular's, plus what every operation of a kind shares."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from core.idempotency import HEADER, MAX_KEY_LENGTH

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
# The answers the header adds to a POST operation (kept when the operation documents its own).
IDEMPOTENCY_RESPONSES = {
    "400": {
        "description": "Bad input (by field), or an unusable Idempotency-Key",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    "409": {"description": "A request with this Idempotency-Key is still running", "content": _DETAIL},
    "422": {"description": "This Idempotency-Key was already used for another request", "content": _DETAIL},
}


class AutoSchema(SpectacularAutoSchema):
    """Every POST operation documents the optional ``Idempotency-Key`` header
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
