"""Users and roles in the API (admin only), under /api/v1/setup/users/: list and read, create
(= invite: the person gets a set-password link by e-mail), PATCH the roles, and the actions
deactivate (with the colleague or team taking over), reactivate and resend-invite. The services
of ``integration.setup.users`` decide; bad input answers 400 naming the field."""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api_fields import IdRelatedField
from core.people import display_name
from core.roles import ADMIN, ALL_ROLES
from core.sql import as_id
from crm.customers.models import Team
from integration.setup import users

User = get_user_model()


class UserSerializer(serializers.ModelSerializer):
    full_name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    teams = serializers.PrimaryKeyRelatedField(source="sales_teams", many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "roles",
            "state",
            "is_superuser",
            "last_login",
            "date_joined",
            "teams",
        ]
        read_only_fields = fields

    def get_full_name(self, user) -> str:
        return display_name(user)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ALL_ROLES)))
    def get_roles(self, user):
        return users.user_roles_of(user)

    @extend_schema_field(serializers.ChoiceField(choices=users.STATES))
    def get_state(self, user):
        return users.user_state(user)


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    username = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text=_("Empty: made from the e-mail address.")
    )
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ALL_ROLES), allow_empty=False)
    teams = IdRelatedField(queryset=Team.objects.all(), many=True, required=False)


class RolesSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ALL_ROLES), allow_empty=False)


class DeactivateSerializer(serializers.Serializer):
    to_user = IdRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    team = IdRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)

    def validate(self, attrs):
        if attrs.get("to_user") and attrs.get("team"):
            raise serializers.ValidationError({"team": _("Choose a colleague or a team, not both.")})
        return attrs


class MovedSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    leads = serializers.IntegerField()
    opportunities = serializers.IntegerField()
    tasks = serializers.IntegerField()
    quotes = serializers.IntegerField()
    orders = serializers.IntegerField()


class DeactivatedSerializer(serializers.Serializer):
    user = UserSerializer()
    moved = MovedSerializer(help_text=_("What moved to the colleague or team, by kind."))


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=_("Search: user name, e-mail, name.")),
            OpenApiParameter("state", str, enum=list(users.STATES)),
        ]
    ),
    create=extend_schema(request=InviteSerializer, responses={201: UserSerializer}),
    partial_update=extend_schema(request=RolesSerializer, responses=UserSerializer),
)
class SetupUserViewSet(viewsets.ModelViewSet):
    """Users and their roles (admin only)."""

    serializer_class = UserSerializer
    allowed_roles = (ADMIN,)
    ordering_fields = ["username", "last_login", "date_joined"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = User.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        params = self.request.query_params
        state = params.get("state", "")
        return users.users_list(q=params.get("q", ""), state=state).prefetch_related("sales_teams")

    def get_object(self):
        if as_id(self.kwargs.get("pk")) is None:
            raise Http404
        return super().get_object()

    def _fresh(self, user):
        """The user as the list shows them, read again after the change (whatever the query
        string filters)."""
        return users.users_list().prefetch_related("sales_teams").get(pk=user.pk)

    def _answer(self, user, code=status.HTTP_200_OK):
        data = UserSerializer(self._fresh(user), context=self.get_serializer_context()).data
        return Response(data, status=code)

    def create(self, request, *args, **kwargs):
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = users.user_invite(actor=request.user, request=request, **data.validated_data)
        return self._answer(user, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        user = self.get_object()
        data = RolesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        users.user_roles_set(
            actor=request.user, user=user, roles=data.validated_data["roles"], request=request
        )
        return self._answer(user)

    @extend_schema(request=DeactivateSerializer, responses=DeactivatedSerializer)
    @action(detail=True, methods=["post"], serializer_class=DeactivateSerializer)
    def deactivate(self, request, pk=None):
        user = self.get_object()
        data = DeactivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = users.user_deactivate(
            actor=request.user,
            user=user,
            to_user=data.validated_data.get("to_user"),
            team=data.validated_data.get("team"),
            request=request,
        )
        return Response(
            {
                "user": UserSerializer(self._fresh(user), context=self.get_serializer_context()).data,
                "moved": {kind: moved.get(kind, 0) for kind in users.OWNED_LABELS},
            }
        )

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        user = self.get_object()
        users.user_reactivate(actor=request.user, user=user, request=request)
        return self._answer(user)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"], url_path="resend-invite")
    def resend_invite(self, request, pk=None):
        user = self.get_object()
        users.user_invite_resend(actor=request.user, user=user, request=request)
        return self._answer(user)


router = DefaultRouter()
router.register("setup/users", SetupUserViewSet, basename="setup-user")
