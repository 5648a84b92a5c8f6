"""Core API: the audit log (admins), the signed-in user, API tokens (log in for a token,
log out, list and revoke tokens), and imports (``core.import_api``)."""

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, views, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import import_api, tokens
from core.drf import TooManyFailures
from core.models import ApiToken, AuditLog
from core.roles import ADMIN, EVERYONE, user_roles


class AuditLogSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)

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


# --- API tokens -------------------------------------------------------------------------------


class TokenLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="The device the token is for (shown in the user's list of tokens); "
        "the User-Agent header when left out.",
    )


class TokenIssuedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; shown only once.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    expiry = serializers.DateTimeField()


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.StringRelatedField()
    prefix = serializers.CharField(source="token_key", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "prefix", "created", "expiry", "idle_seconds", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class TokenLoginView(views.APIView):
    """Log in with a user name and password for a new API token (one per login and device).
    Locked out after too many failed passwords for that user from the client's address: 429."""

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    serializer_class = TokenLoginSerializer

    @extend_schema(
        request=TokenLoginSerializer,
        responses={
            200: TokenIssuedSerializer,
            400: OpenApiResponse(description="Missing fields or wrong user name or password."),
            429: OpenApiResponse(DetailSerializer, description="Locked out: too many failed attempts."),
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        http_request = request._request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        if getattr(http_request, "axes_locked_out", False):
            # Answered here, in the API's format; axes' middleware would answer with its page.
            http_request.axes_locked_out = False
            raise TooManyFailures(wait=int(settings.AXES_COOLOFF_TIME.total_seconds()))
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}
            )
        # Unnamed: the client's User-Agent, so that the user can tell their tokens apart.
        name = data.get("name") or http_request.headers.get("User-Agent", "")
        token, text = tokens.token_create(user=user, name=name, request=http_request)
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        return Response({"token": text, "id": token.pk, "name": token.name, "expiry": token.expiry})


class TokenLogoutView(views.APIView):
    """Revoke the token this call is made with (logging out of this device)."""

    allowed_roles = EVERYONE

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            tokens.token_revoke(token=request.auth, by=request.user, request=request._request)
            user_logged_out.send(sender=request.user.__class__, request=request._request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenLogoutAllView(views.APIView):
    """Revoke every token of the signed-in user (logging out of every device)."""

    allowed_roles = EVERYONE

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        tokens.tokens_revoke_for_user(
            user=request.user, by=request.user, reason="logout all", request=request._request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The signed-in user's API tokens (an admin: everyone's, ``?user=<id>`` for one user's);
    DELETE revokes one. The token itself is never shown again after login."""

    serializer_class = ApiTokenSerializer
    allowed_roles = EVERYONE
    filterset_fields = ["user"]
    ordering_fields = ["created", "expiry"]
    search_fields = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ApiToken.objects.none()
        return tokens.tokens_visible_to(self.request.user)

    def perform_destroy(self, instance):
        tokens.token_revoke(token=instance, by=self.request.user, request=self.request._request)


router = DefaultRouter()
router.register("audit-log", AuditLogViewSet, basename="audit-log")
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.registry.extend(import_api.router.registry)
