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


class AutoSchema(SpectacularAutoSchema):
    """Every POST operation documents the optional ``Idempotency-Key`` header
    (``core.idempotency.IdempotencyMiddleware``)."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "POST":
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters
