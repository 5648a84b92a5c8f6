"""Pipeline API: leads, opportunities, stages, activities, under the same record rules as the
pages. The order side (``crm.sales.orders.api``) adds its routes to the app's router."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.restricted import VisibleRelatedMixin
from core.roles import ADMIN, MANAGER, SALES, is_manager
from crm.customers.selectors import customers_visible_to
from crm.sales import selectors, services
from crm.sales.models import Activity, Lead, Opportunity, PipelineStage
from crm.sales.orders import api as orders_api
from crm.sales.orders.prices import api as prices_api

REPS = (SALES, MANAGER)


class _RecordRules:
    """Reads through the selector; writes only on records the user may edit."""

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not selectors.can_edit(
            self.request.user, obj
        ):
            raise PermissionDenied()
        return obj


class StageSerializer(api_fields.ModelSerializer):
    class Meta:
        model = PipelineStage
        fields = ["id", "name", "order", "probability", "is_won", "is_lost", "is_active"]


class StageViewSet(viewsets.ModelViewSet):
    """Pipeline stages: everyone in sales reads them; admins set them up."""

    serializer_class = StageSerializer
    allowed_roles = REPS
    write_roles = (ADMIN,)
    queryset = PipelineStage.objects.all().order_by("order", "pk")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]


class LeadSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Lead
        fields = [
            "id",
            "name",
            "company",
            "phone",
            "email",
            "region",
            "products",
            "message",
            "source",
            "status",
            "owner",
            "team",
            "assignment_reason",
            "sla_due_at",
            "first_contacted_at",
            "possible_duplicate",
            "customer",
            "created_at",
        ]
        read_only_fields = [
            "assignment_reason",
            "sla_due_at",
            "first_contacted_at",
            "possible_duplicate",
            "customer",
            "created_at",
            "team",
        ]

    def create(self, validated_data):
        user = self.context["request"].user
        products = validated_data.pop("products", [])
        if not is_manager(user):
            validated_data["owner"] = user
        return services.lead_create(actor=user, products=products, **validated_data)

    def update(self, instance, validated_data):
        user = self.context["request"].user
        if "owner" in validated_data and not is_manager(user) and validated_data["owner"] != instance.owner:
            raise PermissionDenied()
        products = validated_data.pop("products", None)
        return services.lead_update(lead=instance, actor=user, products=products, **validated_data)


class LeadSourcesSerializer(serializers.Serializer):
    sources = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The sources the company offers; a lead's source may be any other text as well."),
    )


class ConvertSerializer(serializers.Serializer):
    opportunity_name = serializers.CharField(required=False, allow_blank=True)
    amount = api_fields.DecimalField(max_digits=18, decimal_places=2, required=False, default=0)
    stage = api_fields.IdRelatedField(
        queryset=PipelineStage.objects.filter(is_won=False, is_lost=False), required=False, allow_null=True
    )
    expected_close_date = api_fields.DocumentDateField(required=False, allow_null=True)


class ConvertedSerializer(serializers.Serializer):
    """What a converted lead became."""

    customer = serializers.IntegerField()
    opportunity = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("overdue", str, enum=["0", "1"], description=_("1: only overdue ones."))]
    )
)
class LeadViewSet(_RecordRules, viewsets.ModelViewSet):
    serializer_class = LeadSerializer
    allowed_roles = REPS
    filterset_fields = ["status", "owner", "region", "source"]
    search_fields = ["name", "company", "phone", "email"]
    ordering_fields = ["created_at", "sla_due_at"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    queryset = Lead.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Lead.objects.none()
        qs = (
            selectors.leads_visible_to(self.request.user)
            .prefetch_related("products")
            .order_by("-created_at", "-pk")
        )
        if self.request.query_params.get("overdue") == "1":
            qs = selectors.leads_overdue(qs)
        return qs

    @extend_schema(request=ConvertSerializer, responses={201: ConvertedSerializer})
    @action(detail=True, methods=["post"], serializer_class=ConvertSerializer)
    def convert(self, request, pk=None):
        lead = self.get_object()
        if not selectors.can_edit(request.user, lead):
            raise PermissionDenied()
        data = ConvertSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer, opp = services.lead_convert(lead=lead, actor=request.user, **data.validated_data)
        return Response({"customer": customer.pk, "opportunity": opp.pk}, status=201)

    @extend_schema(request=None, responses=LeadSourcesSerializer, parameters=[])
    @action(
        detail=False,
        methods=["get"],
        serializer_class=LeadSourcesSerializer,
        pagination_class=None,
        filter_backends=[],
    )
    def sources(self, request):
        """The lead sources the company offers (its industry template's or an admin's); a
        lead's ``source`` may still be any other text."""
        return Response(LeadSourcesSerializer({"sources": selectors.lead_sources_offered()}).data)


class OpportunitySerializer(VisibleRelatedMixin, api_fields.ModelSerializer):
    # Another team's customer is answered as one that does not exist.
    visible_related = {"customer": customers_visible_to}

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "customer",
            "lead",
            "stage",
            "state",
            "amount",
            "expected_close_date",
            "products",
            "owner",
            "team",
            "won_reason",
            "lost_reason",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "won_reason", "lost_reason", "closed_at", "lead", "team"]
        extra_kwargs = {"owner": {"required": False}}

    def create(self, validated_data):
        user = self.context["request"].user
        products = validated_data.pop("products", [])
        if not is_manager(user):
            validated_data["owner"] = user
        return services.opportunity_create(actor=user, products=products, **validated_data)

    def update(self, instance, validated_data):
        user = self.context["request"].user
        stage = validated_data.pop("stage", None)
        validated_data.pop("customer", None)
        products = validated_data.pop("products", None)
        if "owner" in validated_data and not is_manager(user) and validated_data["owner"] != instance.owner:
            raise PermissionDenied()
        opp = services.opportunity_update(
            opportunity=instance, actor=user, products=products, **validated_data
        )
        if stage is not None and stage.pk != instance.stage_id:
            opp = services.opportunity_move(opportunity=opp, stage=stage, actor=user)
        return opp


class CloseSerializer(serializers.Serializer):
    won = serializers.BooleanField()
    reason = serializers.CharField()


class OpportunityViewSet(_RecordRules, viewsets.ModelViewSet):
    serializer_class = OpportunitySerializer
    allowed_roles = REPS
    filterset_fields = ["stage", "state", "owner", "customer"]
    search_fields = ["name", "customer__name"]
    ordering_fields = ["amount", "expected_close_date", "updated_at"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    queryset = Opportunity.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Opportunity.objects.none()
        return (
            selectors.opportunities_visible_to(self.request.user)
            .prefetch_related("products")
            .order_by("-updated_at", "-pk")
        )

    @extend_schema(request=CloseSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], serializer_class=CloseSerializer)
    def close(self, request, pk=None):
        opp = self.get_object()
        if not selectors.can_edit(request.user, opp):
            raise PermissionDenied()
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        opp = services.opportunity_close(opportunity=opp, actor=request.user, **data.validated_data)
        return Response(OpportunitySerializer(opp, context={"request": request}).data)


class ActivitySerializer(VisibleRelatedMixin, api_fields.ModelSerializer):
    # A customer, lead or opportunity the user may not read is answered as one that does not exist.
    visible_related = {
        "customer": customers_visible_to,
        "lead": selectors.leads_visible_to,
        "opportunity": selectors.opportunities_visible_to,
    }

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "customer",
            "lead",
            "opportunity",
            "owner",
            "at",
            "due_at",
            "done_at",
        ]
        read_only_fields = ["owner", "done_at"]
        extra_kwargs = {"at": {"required": False}}

    def create(self, validated_data):
        return services.activity_log(actor=self.context["request"].user, **validated_data)


class ActivityViewSet(_RecordRules, viewsets.ModelViewSet):
    serializer_class = ActivitySerializer
    allowed_roles = REPS
    filterset_fields = ["kind", "customer", "lead", "opportunity", "owner"]
    ordering_fields = ["at", "due_at"]
    http_method_names = ["get", "post", "head", "options"]
    queryset = Activity.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        return selectors.activities_visible_to(self.request.user).order_by("-at", "-pk")

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        task = self.get_object()
        if not selectors.can_edit(request.user, task):
            raise PermissionDenied()
        task = services.task_complete(task=task, actor=request.user)
        return Response(ActivitySerializer(task, context={"request": request}).data)


router = DefaultRouter()
router.register("stages", StageViewSet, basename="stage")
router.register("leads", LeadViewSet, basename="lead")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("activities", ActivityViewSet, basename="activity")
router.registry.extend(orders_api.router.registry)
router.registry.extend(prices_api.router.registry)
