"""REST API for replenishment planning (/api/v1/planning/…): suggestions (read, accept into
draft purchase orders and transfers, dismiss with a reason), plans (read), overrides (through
the services: a bad value is a 400 naming the field), category service levels (read, set) and
slow movers (read). The same roles as the pages (``integration.planning.selectors``);
quantities are strings."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.people import display_name
from integration.planning import lists, selectors, services, slow_movers
from integration.planning.models import CategoryServiceLevel, Plan, PlanOverride, Suggestion
from integration.planning.selectors import ACT_ROLES, READ_ROLES
from integration.planning.warnings import warning_text
from scm.inventory.selectors import can_see_cost


def _qty(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True, **kwargs)


class WarningsField(serializers.ListField):
    child = serializers.CharField()

    def to_representation(self, data):
        return [warning_text(w) for w in data or [] if isinstance(w, dict)]


class SuggestionSerializer(api_fields.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    source_warehouse_code = serializers.SerializerMethodField()
    supplier_name = serializers.SerializerMethodField()
    order_unit = serializers.SerializerMethodField()
    quantity = _qty()
    order_quantity = _qty(allow_null=True)
    reasons = serializers.DictField(read_only=True)
    warnings = WarningsField(read_only=True)
    decided_by_name = serializers.SerializerMethodField()
    purchase_order_number = serializers.SerializerMethodField()
    transfer_number = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "kind",
            "state",
            "trigger",
            "product",
            "product_sku",
            "product_name",
            "warehouse",
            "warehouse_code",
            "source_warehouse",
            "source_warehouse_code",
            "supplier",
            "supplier_name",
            "quantity",
            "order_quantity",
            "order_unit",
            "reasons",
            "warnings",
            "created_at",
            "decided_at",
            "decided_by",
            "decided_by_name",
            "dismiss_reason",
            "purchase_order",
            "purchase_order_number",
            "transfer",
            "transfer_number",
        ]
        read_only_fields = fields

    def get_source_warehouse_code(self, s) -> str:
        return s.source_warehouse.code if s.source_warehouse_id else ""

    def get_supplier_name(self, s) -> str:
        return s.supplier.name if s.supplier_id else ""

    def get_order_unit(self, s) -> str:
        return lists.order_unit(s)

    def get_decided_by_name(self, s) -> str:
        return display_name(s.decided_by) if s.decided_by_id else ""

    def get_purchase_order_number(self, s) -> str:
        return s.purchase_order.number if s.purchase_order_id else ""

    def get_transfer_number(self, s) -> str:
        return s.transfer.number if s.transfer_id else ""


class SuggestionIdsSerializer(serializers.Serializer):
    ids = serializers.ListField(child=api_fields.IdField(), min_length=1, max_length=services.MAX_SELECTED)


class SuggestionDismissSerializer(SuggestionIdsSerializer):
    reason = serializers.CharField(allow_blank=True, max_length=200)


class CreatedDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class AcceptedSerializer(serializers.Serializer):
    purchase_orders = CreatedDocumentSerializer(many=True)
    transfers = CreatedDocumentSerializer(many=True)
    skipped = serializers.IntegerField()


class DismissedSerializer(serializers.Serializer):
    dismissed = serializers.IntegerField()


class SuggestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Replenishment suggestions, newest first; ``?state=`` (open, accepted, dismissed, expired),
    ``kind``, ``warehouse``, ``supplier``, ``product``; ``?search=`` SKU or name."""

    serializer_class = SuggestionSerializer
    allowed_roles = ACT_ROLES
    filterset_fields = ["state", "kind", "warehouse", "supplier", "product"]
    search_fields = ["product__sku", "product__name"]
    ordering_fields = ["created_at", "quantity"]
    queryset = Suggestion.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Suggestion.objects.none()
        return lists.suggestion_list(self.request.user, state=lists.STATE_ALL)

    @extend_schema(request=SuggestionIdsSerializer, responses=AcceptedSerializer)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def accept(self, request):
        """Turn the chosen open suggestions into draft purchase orders and transfers; those
        already decided are skipped (a second call creates nothing)."""
        data = SuggestionIdsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.suggestions_accept(ids=data.validated_data["ids"], user=request.user)
        return Response(
            {
                "purchase_orders": [{"id": o.pk, "number": o.number} for o in result.purchase_orders],
                "transfers": [{"id": t.pk, "number": t.number} for t in result.transfers],
                "skipped": result.skipped,
            }
        )

    @extend_schema(
        request=SuggestionDismissSerializer,
        responses=DismissedSerializer,
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def dismiss(self, request):
        """Dismiss the chosen open suggestions with a reason (required)."""
        data = SuggestionDismissSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        count = services.suggestions_dismiss(ids=v["ids"], user=request.user, reason=v["reason"])
        return Response({"dismissed": count})


class PlanSerializer(api_fields.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    warnings = WarningsField(read_only=True)
    demand_total = _qty()
    lead_time_demand = _qty()
    review_demand = _qty()
    safety_stock = _qty()
    reorder_point = _qty()
    order_up_to = _qty()
    weekday_factors = serializers.ListField(child=serializers.FloatField(), read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "product",
            "product_sku",
            "warehouse",
            "warehouse_code",
            "source",
            "computed_at",
            "history_days",
            "stockout_days",
            "demand_total",
            "last_demand_day",
            "level",
            "trend",
            "weekday_factors",
            "sigma",
            "supplier",
            "lead_time_days",
            "lead_time_sigma",
            "lead_time_source",
            "service_level",
            "z",
            "review_days",
            "lead_time_demand",
            "review_demand",
            "safety_stock",
            "reorder_point",
            "order_up_to",
            "warnings",
        ]
        read_only_fields = fields


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Each product × warehouse's plan as the last planning run left it."""

    serializer_class = PlanSerializer
    allowed_roles = READ_ROLES
    filterset_fields = ["product", "warehouse", "source"]
    search_fields = ["product__sku", "product__name"]
    ordering_fields = ["reorder_point", "safety_stock", "level"]
    queryset = Plan.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        return lists.plan_list(self.request.user)


class OverrideSerializer(api_fields.ModelSerializer):
    reorder_point = _qty()
    order_up_to = _qty()

    class Meta:
        model = PlanOverride
        fields = ["id", "product", "warehouse", "reorder_point", "order_up_to", "note", "user", "updated_at"]
        read_only_fields = fields


class OverrideInputSerializer(serializers.Serializer):
    # Numbers as text: the service checks them and names the field.
    product = api_fields.IdField()
    warehouse = api_fields.IdField()
    reorder_point = serializers.CharField(max_length=50)
    order_up_to = serializers.CharField(max_length=50)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class OverrideUpdateSerializer(serializers.Serializer):
    reorder_point = serializers.CharField(max_length=50)
    order_up_to = serializers.CharField(max_length=50)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class OverrideViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A planner's own reorder point and order-up-to level for a product × warehouse (one per
    pair: creating another for the pair changes it)."""

    serializer_class = OverrideSerializer
    allowed_roles = READ_ROLES
    write_roles = ACT_ROLES
    filterset_fields = ["product", "warehouse"]
    queryset = PlanOverride.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or not selectors.can_read_planning(self.request.user):
            return PlanOverride.objects.none()
        return PlanOverride.objects.order_by("product_id", "warehouse_id")

    @extend_schema(request=OverrideInputSerializer, responses={201: OverrideSerializer})
    def create(self, request, *args, **kwargs):
        data = OverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        override = services.plan_override_set(user=request.user, **data.validated_data)
        return Response(OverrideSerializer(override).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OverrideUpdateSerializer, responses=OverrideSerializer)
    def update(self, request, *args, **kwargs):
        current = self.get_object()
        data = OverrideUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        override = services.plan_override_set(
            user=request.user,
            product=current.product_id,
            warehouse=current.warehouse_id,
            **data.validated_data,
        )
        return Response(OverrideSerializer(override).data)

    @extend_schema(request=OverrideUpdateSerializer, responses=OverrideSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        current = self.get_object()
        services.plan_override_clear(
            product=current.product_id, warehouse=current.warehouse_id, user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceLevelSerializer(serializers.Serializer):
    category = serializers.IntegerField(source="category.pk")
    name = serializers.CharField(source="category.name")
    parent = serializers.IntegerField(source="category.parent_id", allow_null=True)
    own = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    effective = serializers.DecimalField(max_digits=5, decimal_places=2)


class ServiceLevelInputSerializer(serializers.Serializer):
    category = api_fields.IdField()
    # Text: the service reads it (blank clears the category's own level).
    service_level = serializers.CharField(allow_blank=True, allow_null=True, max_length=50)


class ServiceLevelViewSet(viewsets.GenericViewSet):
    """Categories with their own and effective service level (own, else the nearest parent's,
    else the company default); ``set`` changes or clears a category's own."""

    serializer_class = ServiceLevelSerializer
    allowed_roles = ACT_ROLES
    queryset = CategoryServiceLevel.objects.none()
    filter_backends = []

    def list(self, request):
        rows = lists.category_service_levels()
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ServiceLevelSerializer(page, many=True).data)

    @extend_schema(request=ServiceLevelInputSerializer, responses=ServiceLevelSerializer)
    @action(detail=False, methods=["post"], url_path="set", url_name="set", pagination_class=None)
    def set_level(self, request):
        data = ServiceLevelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.category_service_level_set(
            category=v["category"], service_level=v["service_level"], user=request.user
        )
        row = next(r for r in lists.category_service_levels() if r["category"].pk == v["category"])
        return Response(ServiceLevelSerializer(row).data)


class SlowMoverSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="pk")
    sku = serializers.CharField()
    name = serializers.CharField()
    on_hand = serializers.DecimalField(max_digits=18, decimal_places=3)
    last_demand = serializers.DateField(allow_null=True)
    cover_months = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class SlowMoverViewSet(viewsets.GenericViewSet):
    """Products with stock and no recent demand or too much cover, biggest value first (the
    value only for readers of cost prices); ``?search=`` SKU or name."""

    serializer_class = SlowMoverSerializer
    allowed_roles = ACT_ROLES
    queryset = Plan.objects.none()
    filter_backends = []

    def list(self, request):
        search = str(request.query_params.get("search", "")).strip()[:100]
        page = self.paginate_queryset(slow_movers.slow_movers(search=search))
        show_value = can_see_cost(request.user)
        for p in page:
            p.cover_months = slow_movers.cover_months(p)
            if not show_value:
                p.value = None
        return self.get_paginated_response(SlowMoverSerializer(page, many=True).data)


router = DefaultRouter()
router.register("planning/suggestions", SuggestionViewSet, basename="planning-suggestion")
router.register("planning/plans", PlanViewSet, basename="planning-plan")
router.register("planning/overrides", OverrideViewSet, basename="planning-override")
router.register("planning/service-levels", ServiceLevelViewSet, basename="planning-service-level")
router.register("planning/slow-movers", SlowMoverViewSet, basename="planning-slow-mover")
