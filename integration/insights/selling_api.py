"""REST API of the selling loop (/api/v1/insights/…), joined by ``config.urls`` (``EXTRA_APIS``):

- ``customers/{customer_id}/cross-sell/``: a customer's cross-sell suggestions
  (``crosssell.suggestions_for``: in stock for the customer, not ordered lately), ``?limit=``
  (1 to 50, default 5);
- ``co-purchases/``: the co-purchase rules A → B with support, confidence and lift;
- ``purchase-cycles/``: customers' purchase cycles (``?show=due`` for those due now);
- ``purchase-reminders/``: the follow-up tasks made for them.

Cycles, reminders and suggestions follow the customers' record rules (a rep: own and team's
customers). Figures are strings (decimals)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.sql import as_id
from crm.customers.selectors import customers_visible_to
from integration.insights import crosssell, selling_selectors
from integration.insights.models import CoPurchase, CycleReminder, PurchaseCycle
from integration.insights.selling_selectors import SELLING_ROLES, SHOW_ALL, SHOW_DUE, STATS_ROLES

MAX_LIMIT = 50


def _qty(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True, **kwargs)


class ProductRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    sku = serializers.CharField()
    name = serializers.CharField()


class CrossSellSuggestionSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product.pk")
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    base_unit = serializers.CharField(source="product.base_unit")
    confidence = serializers.DecimalField(max_digits=7, decimal_places=6)
    lift = serializers.DecimalField(max_digits=14, decimal_places=4)
    customers = serializers.IntegerField(help_text="Customers who bought both within the window.")
    because = ProductRefSerializer(many=True, help_text="What the customer bought that leads to it.")
    available = serializers.DecimalField(max_digits=18, decimal_places=3)
    warehouse = serializers.IntegerField(
        source="warehouse.pk", help_text="The nearest serving warehouse with stock."
    )
    warehouse_name = serializers.CharField(source="warehouse.name")


class CrossSellViewSet(viewsets.GenericViewSet):
    """Cross-sell suggestions for one customer the user may read (404 for any other): products
    that customers who bought what this customer bought also bought, in stock in a warehouse
    that serves the customer and not ordered by them lately, the most confident first."""

    serializer_class = CrossSellSuggestionSerializer
    allowed_roles = SELLING_ROLES
    queryset = CoPurchase.objects.none()
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("customer_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1 to 50, default 5"),
        ]
    )
    def list(self, request, customer_id=None):
        customer = get_object_or_404(customers_visible_to(request.user), pk=as_id(customer_id) or 0)
        limit = as_id(request.query_params.get("limit")) or 5
        rows = crosssell.suggestions_for(
            customer=customer, user=request.user, limit=max(1, min(limit, MAX_LIMIT))
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(CrossSellSuggestionSerializer(page, many=True).data)


class CoPurchaseSerializer(api_fields.ModelSerializer):
    product_a_sku = serializers.CharField(source="product_a.sku", read_only=True)
    product_a_name = serializers.CharField(source="product_a.name", read_only=True)
    product_b_sku = serializers.CharField(source="product_b.sku", read_only=True)
    product_b_name = serializers.CharField(source="product_b.name", read_only=True)

    class Meta:
        model = CoPurchase
        fields = [
            "id",
            "product_a",
            "product_a_sku",
            "product_a_name",
            "product_b",
            "product_b_sku",
            "product_b_name",
            "support",
            "confidence",
            "lift",
            "customers",
            "customers_a",
            "customers_b",
            "rank",
            "refreshed_at",
        ]
        read_only_fields = fields


class CoPurchaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Co-purchase rules "customers who buy A also buy B" of the last nightly run: support
    (share of customers who bought both), confidence (share of A's buyers who bought B), lift
    (confidence ÷ B's share of customers), each product's best ranked from 1. Filter
    ``product_a``, ``product_b``; ``?search=`` SKU or name."""

    serializer_class = CoPurchaseSerializer
    allowed_roles = STATS_ROLES
    filterset_fields = ["product_a", "product_b", "rank"]
    search_fields = ["product_a__sku", "product_a__name", "product_b__sku", "product_b__name"]
    ordering_fields = ["confidence", "lift", "support", "customers", "rank"]
    queryset = CoPurchase.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CoPurchase.objects.none()
        return selling_selectors.copurchase_list()


class PurchaseCycleSerializer(api_fields.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner = serializers.IntegerField(source="customer.owner_id", read_only=True, allow_null=True)
    product_sku = serializers.SerializerMethodField()
    product_name = serializers.SerializerMethodField()
    category_name = serializers.SerializerMethodField()
    rhythm = serializers.CharField(read_only=True)
    last_quantity = _qty()
    task = serializers.IntegerField(source="task_id", read_only=True, allow_null=True)

    class Meta:
        model = PurchaseCycle
        fields = [
            "id",
            "customer",
            "customer_name",
            "owner",
            "product",
            "product_sku",
            "product_name",
            "category",
            "category_name",
            "kind",
            "rhythm",
            "interval_days",
            "month",
            "occurrences",
            "expected_date",
            "confidence",
            "last_quantity",
            "last_order_date",
            "refreshed_at",
            "task",
        ]
        read_only_fields = fields

    def get_product_sku(self, cycle) -> str:
        return cycle.product.sku if cycle.product_id else ""

    def get_product_name(self, cycle) -> str:
        return cycle.product.name if cycle.product_id else ""

    def get_category_name(self, cycle) -> str:
        return cycle.category.name if cycle.category_id else ""


class PurchaseCycleViewSet(viewsets.ReadOnlyModelViewSet):
    """Purchase cycles of the customers the user may read, the soonest expected first:
    ``?show=due`` only those due now (expected within the lead time); filter ``customer``,
    ``kind``, ``product``, ``category``; ``task`` is the follow-up task made for the expected
    date, if any."""

    serializer_class = PurchaseCycleSerializer
    allowed_roles = SELLING_ROLES
    filterset_fields = ["customer", "kind", "product", "category"]
    ordering_fields = ["expected_date", "confidence", "last_order_date"]
    queryset = PurchaseCycle.objects.none()

    @extend_schema(parameters=[OpenApiParameter("show", OpenApiTypes.STR, enum=[SHOW_ALL, SHOW_DUE])])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PurchaseCycle.objects.none()
        show = SHOW_DUE if self.request.query_params.get("show") == SHOW_DUE else SHOW_ALL
        return selling_selectors.cycle_list(user=self.request.user, show=show)


class CycleReminderSerializer(api_fields.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    task_subject = serializers.SerializerMethodField()
    task_owner = serializers.SerializerMethodField()
    task_due_at = serializers.SerializerMethodField()
    task_done_at = serializers.SerializerMethodField()

    class Meta:
        model = CycleReminder
        fields = [
            "id",
            "cycle",
            "customer",
            "customer_name",
            "product",
            "category",
            "kind",
            "expected_date",
            "task",
            "task_subject",
            "task_owner",
            "task_due_at",
            "task_done_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_task_subject(self, reminder) -> str:
        return reminder.task.subject if reminder.task_id else ""

    def get_task_owner(self, reminder) -> int | None:
        return reminder.task.owner_id if reminder.task_id else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_task_due_at(self, reminder):
        return (
            serializers.DateTimeField().to_representation(reminder.task.due_at) if reminder.task_id else None
        )

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_task_done_at(self, reminder):
        done = reminder.task.done_at if reminder.task_id else None
        return serializers.DateTimeField().to_representation(done) if done else None


class CycleReminderViewSet(viewsets.ReadOnlyModelViewSet):
    """Follow-up tasks made for purchase cycles (one per cycle and expected date), newest first,
    for the customers the user may read; filter ``customer``, ``kind``, ``product``."""

    serializer_class = CycleReminderSerializer
    allowed_roles = SELLING_ROLES
    filterset_fields = ["customer", "kind", "product", "category"]
    ordering_fields = ["created_at", "expected_date"]
    queryset = CycleReminder.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CycleReminder.objects.none()
        return selling_selectors.reminder_list(user=self.request.user)


router = DefaultRouter()
router.register(
    r"insights/customers/(?P<customer_id>[^/.]+)/cross-sell", CrossSellViewSet, basename="insights-cross-sell"
)
router.register("insights/co-purchases", CoPurchaseViewSet, basename="insights-co-purchase")
router.register("insights/purchase-cycles", PurchaseCycleViewSet, basename="insights-purchase-cycle")
router.register("insights/purchase-reminders", CycleReminderViewSet, basename="insights-purchase-reminder")
