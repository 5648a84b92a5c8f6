"""Core API: the audit log (admins) and the signed-in user."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, views, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.models import AuditLog
from core.roles import ADMIN, EVERYONE, user_roles


class AuditLogSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = AuditLog
        fields = ["id", "created_at", "actor", "action", "object_type", "object_id", "data", "ip"]


class AuditLogViewSet(viewsets.ReadOnlyModelViewSet):
    """The append-only audit log, readable by admins."""

    serializer_class = AuditLogSerializer
    allowed_roles = (ADMIN,)
    filterset_fields = ["action", "object_type", "object_id", "actor"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return AuditLog.objects.select_related("actor")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class MeView(views.APIView):
    """Who am I, and which roles do I hold."""

    allowed_roles = EVERYONE
    serializer_class = MeSerializer

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(
            {
                "id": request.user.pk,
                "username": request.user.get_username(),
                "roles": sorted(user_roles(request.user)),
            }
        )


router = DefaultRouter()
router.register("audit-log", AuditLogViewSet, basename="audit-log")
