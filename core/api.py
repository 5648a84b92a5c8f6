"""Core API: the audit log (admins), the signed-in user, API tokens (log in for a token,
log out, list and revoke tokens), imports (``core.import_api``) and the company profile."""

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, views, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import company, import_api, tokens
from core.drf import TooManyFailures
from core.models import ApiToken, AuditLog, CompanyProfile
from core.people import people_search
from core.pickers import PICKER_LIMIT, PickerAnswerSerializer, picker_answer, picker_query
from core.roles import ADMIN, ALL_ROLES, EVERYONE, user_roles


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


class UserPickerView(views.APIView):
    """The users picker: active users by name, pinyin or initials (never by user name), at most
    20, sorted by pinyin; ``role`` (one or several, comma-separated): only users holding one;
    ``inactive``: people who have left too."""

    allowed_roles = EVERYONE

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=gettext_lazy("Name, pinyin or initials.")),
            OpenApiParameter(
                "role", str, description=gettext_lazy("Only users with one of these roles (comma-separated).")
            ),
        ],
        responses=PickerAnswerSerializer,
    )
    def get(self, request):
        roles = [r for r in str(request.query_params.get("role", "")).split(",") if r in ALL_ROLES]
        query = picker_query(request.query_params.get("q", ""))
        inactive = request.query_params.get("inactive") in {"1", "true"}
        rows = people_search(query=query, roles=roles, include_inactive=inactive, limit=PICKER_LIMIT)
        return Response(picker_answer(rows))


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


# --- company profile -----------------------------------------------------------------------------


class CompanyProfileSerializer(serializers.ModelSerializer):
    logo = serializers.SerializerMethodField(help_text="The logo's address, or null when there is none.")
    seal = serializers.SerializerMethodField(help_text="The seal's address, or null when there is none.")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = CompanyProfile
        fields = [*company.FIELDS, "logo", "seal", "updated_at"]
        read_only_fields = fields

    def _image_url(self, profile, name) -> str | None:
        if not getattr(profile, name):
            return None
        url = f"{reverse('company-image', args=[name])}?v={int(profile.updated_at.timestamp())}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_logo(self, profile) -> str | None:
        return self._image_url(profile, "logo")

    def get_seal(self, profile) -> str | None:
        return self._image_url(profile, "seal")


class CompanyProfileInputSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    tax_id = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The unified social credit code (统一社会信用代码): 18 characters, the last a check.",
    )
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    bank_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=64, required=False, allow_blank=True)
    fiscal_year_start = serializers.IntegerField(
        min_value=1, max_value=12, required=False, help_text="The month the fiscal year starts in."
    )
    base_currency = serializers.CharField(max_length=3, required=False, help_text="A three-letter code: CNY.")
    logo = serializers.FileField(
        required=False, help_text="PNG, JPEG or WebP, at most 2 MB (a multipart request)."
    )
    seal = serializers.FileField(
        required=False, help_text="PNG, JPEG or WebP, at most 2 MB (a multipart request)."
    )
    clear_logo = serializers.BooleanField(required=False, help_text="Remove the logo.")
    clear_seal = serializers.BooleanField(required=False, help_text="Remove the seal.")


_PROFILE_INPUT = {
    "multipart/form-data": CompanyProfileInputSerializer,
    "application/json": CompanyProfileInputSerializer,
}


class CompanyProfileView(views.APIView):
    """The company profile that every document carries (one object): every role reads it, admins
    change it. PUT and PATCH both change the fields given and leave the others; images go in a
    multipart request. A bad value answers 400 naming its field, and nothing is saved."""

    allowed_roles = EVERYONE
    write_roles = (ADMIN,)
    serializer_class = CompanyProfileSerializer

    def _answer(self, profile):
        return Response(CompanyProfileSerializer(profile, context={"request": self.request}).data)

    @extend_schema(responses=CompanyProfileSerializer)
    def get(self, request):
        return self._answer(company.company_profile())

    def _update(self, request, *, partial: bool):
        given = CompanyProfileInputSerializer(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        images = {name: data.pop(name, None) for name in ("logo", "seal")}
        clear = {name: bool(data.pop(name, False)) for name in ("clear_logo", "clear_seal")}
        profile = company.company_profile_update(actor=request.user, data=data, **images, **clear)
        return self._answer(profile)

    @extend_schema(request=_PROFILE_INPUT, responses=CompanyProfileSerializer)
    def put(self, request):
        return self._update(request, partial=False)

    @extend_schema(request=_PROFILE_INPUT, responses=CompanyProfileSerializer)
    def patch(self, request):
        return self._update(request, partial=True)


router = DefaultRouter()
router.register("audit-log", AuditLogViewSet, basename="audit-log")
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.registry.extend(import_api.router.registry)
