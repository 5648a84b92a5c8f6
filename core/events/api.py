from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.events import selectors, services
from core.events.models import Delivery, Notification
from core.roles import ADMIN, EVERYONE
from core.sql import as_id


class NotificationSerializer(api_fields.ModelSerializer):
    # In the reader's language (the request's), whoever caused the notification.
    title = serializers.CharField(source="title_text", read_only=True)
    body = serializers.CharField(source="body_text", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "kind", "created_at", "read_at", "folded"]


class NotificationsReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class NotificationsMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications were marked read."))


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in user's in-app notifications."""

    serializer_class = NotificationSerializer
    allowed_roles = EVERYONE
    write_roles = EVERYONE
    filterset_fields = ["kind"]
    ordering_fields = ["created_at"]

    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notifications_for(user=self.request.user)

    @extend_schema(request=NotificationsReadSerializer, responses=NotificationsMarkedSerializer)
    @action(detail=False, methods=["post"])
    def read(self, request):
        """Mark the user's unread notifications read: those with the given ids, or all."""
        ids = request.data.get("ids") if hasattr(request.data, "get") else []
        count = services.notifications_mark_read(user=request.user, ids=ids)
        return Response({"marked": count})


class DeliverySerializer(api_fields.ModelSerializer):
    event_name = serializers.CharField(source="event.name", read_only=True)
    payload = serializers.JSONField(source="event.payload", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "event_name",
            "payload",
            "handler",
            "state",
            "attempts",
            "next_attempt_at",
            "last_error",
            "handled_at",
            "created_at",
        ]


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Event deliveries for admins: see what is dead and replay it."""

    serializer_class = DeliverySerializer
    allowed_roles = (ADMIN,)
    filterset_fields = ["state", "handler"]
    ordering_fields = ["created_at", "attempts"]

    def get_queryset(self):
        return selectors.deliveries_list()

    @extend_schema(
        request=None,
        responses={
            200: DeliverySerializer,
            404: OpenApiResponse(description=_("No such delivery.")),
            409: OpenApiResponse(description=_("The delivery is not dead.")),
        },
    )
    @action(detail=True, methods=["post"], description=_("Replay a dead delivery."))
    def replay(self, request, pk=None):
        delivery_id = as_id(pk)
        if delivery_id is None:
            raise NotFound()
        try:
            delivery = services.delivery_replay(delivery_id=delivery_id, actor=request.user)
        except Delivery.DoesNotExist:
            raise NotFound()
        return Response(DeliverySerializer(delivery).data)


router = DefaultRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register("event-deliveries", DeliveryViewSet, basename="event-delivery")
