"""REST API of the bridge: order workflow actions, pick lists, shipments and returns.

Role rules: sales confirm and cancel their own orders (managers any), managers release credit
holds, the warehouse picks and ships, finance reads.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.drf import serialized
from core.restricted import VisibleRelatedMixin
from core.roles import FINANCE, MANAGER, PURCHASING, SALES, SERVICE, WAREHOUSE
from core.sql import as_id
from crm.sales.models import SalesOrder, SalesOrderLine
from crm.sales.orders import selectors as order_selectors
from crm.sales.orders.serializers import (
    OrderInputSerializer,
    OrderPricesMixin,
    SalesOrderSerializer,
    order_input,
)
from integration.fulfilment import (
    backorders,
    carriers,
    picking_api,
    purchase_to_order,
    selectors,
    services,
    shipments_api,
    shipping,
)
from integration.fulfilment.models import Backorder, Carrier, Return
from scm.purchasing.api import PurchaseOrderLineSerializer

READERS = (SALES, WAREHOUSE, FINANCE, MANAGER)


class BackorderSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Backorder
        fields = ["line", "product", "quantity"]


class OrderWorkflowSerializer(OrderPricesMixin, api_fields.ModelSerializer):
    restricted_fields = ("total",)
    backorders = BackorderSerializer(many=True, read_only=True)

    class Meta:
        model = SalesOrder
        fields = ["id", "number", "state", "customer", "owner", "total", "confirmed_at", "backorders"]
        read_only_fields = fields


class WorkflowInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ShortenInput(WorkflowInput):
    line = serializers.CharField(help_text="The order line's id.")
    # Text: the service parses it and names the field.
    quantity = serializers.CharField(help_text="The line's new quantity, in its unit.")


class ReserveAgainSerializer(OrderWorkflowSerializer):
    reserved = serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True)
    backordered = serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True)
    message = serializers.CharField(read_only=True)

    class Meta(OrderWorkflowSerializer.Meta):
        fields = [*OrderWorkflowSerializer.Meta.fields, "reserved", "backordered", "message"]
        read_only_fields = fields


class OrderWorkflowViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An order's workflow state, and the actions that move it: confirm (credit check),
    release-hold (managers), cancel (releases every reservation)."""

    serializer_class = OrderWorkflowSerializer
    allowed_roles = READERS
    action_roles = {
        "place": (SALES, MANAGER),
        "confirm": (SALES, MANAGER),
        "cancel": (SALES, MANAGER),
        "release_hold": (MANAGER,),
        "reserve_again": (MANAGER,),
        "shorten_line": (SALES, MANAGER),
    }

    queryset = SalesOrder.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SalesOrder.objects.none()
        return (
            order_selectors.orders_visible_to(self.request.user)
            .select_related("customer")
            .prefetch_related("backorders")
            .order_by("pk")
        )

    def _order(self, request, pk) -> SalesOrder:
        # The action locks and reads the order itself: here only what the record rules need.
        # An order the user may not read is not found; one they may not act on is refused.
        order = get_object_or_404(
            order_selectors.orders_visible_to(request.user).only("pk", "owner_id"), pk=as_id(pk)
        )
        if not order_selectors.can_change(request.user, order):
            raise PermissionDenied
        return order

    def _act(self, request, pk, func, **kwargs):
        order = func(order=self._order(request, pk), user=request.user, **kwargs)
        return Response(serialized(OrderWorkflowSerializer, order))

    @extend_schema(request=OrderInputSerializer, responses={201: SalesOrderSerializer})
    @action(detail=False, methods=["post"])
    def place(self, request):
        """Create and confirm an order in one call (same input as ``POST /sales-orders/``)."""
        data = OrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_place(owner=request.user, **order_input(data.validated_data))
        return Response(serialized(SalesOrderSerializer, order), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OrderWorkflowSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        # The service applies the order record rule itself (PermissionDenied: 403).
        try:
            order = services.order_confirm(order=pk, user=request.user)
        except SalesOrder.DoesNotExist:
            raise Http404 from None
        return Response(serialized(OrderWorkflowSerializer, order))

    @extend_schema(request=WorkflowInput, responses=OrderWorkflowSerializer)
    @action(detail=True, methods=["post"], url_path="release-hold")
    def release_hold(self, request, pk=None):
        data = WorkflowInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(request, pk, services.order_release_hold, text=data.validated_data.get("text", ""))

    @extend_schema(request=WorkflowInput, responses=OrderWorkflowSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = WorkflowInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(request, pk, services.order_cancel, text=data.validated_data.get("text", ""))

    @extend_schema(request=None, responses=ReserveAgainSerializer)
    @action(detail=True, methods=["post"], url_path="reserve-again")
    def reserve_again(self, request, pk=None):
        """Managers: reserve what the order's lines still lack now, as the backorder rule would
        when stock arrives; the answer says what was reserved and what still waits."""
        outcome = backorders.order_reserve_again(order=self._order(request, pk), user=request.user)
        order = self.get_queryset().get(pk=outcome.order.pk)
        order.reserved, order.backordered = outcome.reserved, outcome.short
        order.message = backorders.reserve_again_message(outcome)
        return Response(ReserveAgainSerializer(order).data)

    @extend_schema(request=ShortenInput, responses=OrderWorkflowSerializer)
    @action(detail=True, methods=["post"], url_path="shorten-line")
    def shorten_line(self, request, pk=None):
        """The customer wants less of a line: it asks for ``quantity`` from now on; what it no
        longer needs is released for other orders."""
        data = ShortenInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        order = services.order_line_shorten(
            order=self._order(request, pk),
            user=request.user,
            line_id=v["line"],
            quantity=v["quantity"],
            text=v.get("text", ""),
        )
        return Response(OrderWorkflowSerializer(self.get_queryset().get(pk=order.pk)).data)


class CarrierTransitSerializer(serializers.Serializer):
    region = serializers.IntegerField(source="region_id")
    region_name = serializers.CharField(source="region.name", read_only=True)
    days = serializers.IntegerField(min_value=0, max_value=carriers.MAX_TRANSIT_DAYS)


class CarrierSerializer(api_fields.ModelSerializer):
    transits = CarrierTransitSerializer(many=True, required=False)

    class Meta:
        model = Carrier
        fields = ["id", "name", "transit_days", "is_active", "transits", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"name": {"validators": []}}


class CarrierViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Carriers and their transit days (default, and per customer region; calendar days).
    PUT/PATCH with ``transits`` replaces the per-region days; without, leaves them."""

    serializer_class = CarrierSerializer
    allowed_roles = (WAREHOUSE, PURCHASING, SERVICE, MANAGER)
    write_roles = (WAREHOUSE, MANAGER)
    lookup_value_regex = r"\d+"
    queryset = Carrier.objects.none()

    def get_queryset(self):
        return Carrier.objects.prefetch_related("transits__region").order_by("name")

    def _save(self, serializer, carrier=None):
        data = serializer.validated_data
        transits = data.get("transits")
        saved = carriers.carrier_save(
            carrier=carrier,
            name=data.get("name", carrier.name if carrier else ""),
            transit_days=data.get("transit_days", carrier.transit_days if carrier else 2),
            is_active=data.get("is_active", carrier.is_active if carrier else True),
            transits=None if transits is None else {t["region_id"]: t["days"] for t in transits},
            user=self.request.user,
        )
        return self.get_queryset().get(pk=saved.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        carrier = self._save(serializer)
        return Response(CarrierSerializer(carrier).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        carrier = self.get_object()
        serializer = self.get_serializer(carrier, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        return Response(CarrierSerializer(self._save(serializer, carrier)).data)


class ReturnSerializer(VisibleRelatedMixin, api_fields.ModelSerializer):
    # A shipment line of an order the user may not read is answered as one that does not exist.
    visible_related = {"shipment_line": lambda user: selectors.shipment_lines_for(user=user)}

    class Meta:
        model = Return
        fields = [
            "id",
            "number",
            "shipment_line",
            "quantity",
            "disposition",
            "reason",
            "credit_note_id",
            "created_at",
        ]
        read_only_fields = ["id", "number", "credit_note_id", "created_at"]


class ReturnViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ReturnSerializer
    allowed_roles = READERS
    write_roles = (WAREHOUSE, MANAGER)
    filterset_fields = ["disposition"]
    ordering_fields = ["created_at"]

    queryset = Return.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Return.objects.none()
        return selectors.returns_for(user=self.request.user)

    def create(self, request):
        data = ReturnSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        ret = shipping.return_create(
            shipment_line=data.validated_data["shipment_line"],
            quantity=data.validated_data["quantity"],
            disposition=data.validated_data["disposition"],
            reason=data.validated_data["reason"],
            user=request.user,
        )
        return Response(ReturnSerializer(ret).data, status=201)


class PurchaseForLineSerializer(serializers.Serializer):
    purchase_order = serializers.IntegerField(source="order.pk")
    purchase_order_number = serializers.CharField(source="order.number")
    line = PurchaseOrderLineSerializer(source="*")


class SalesOrderLinePurchaseViewSet(viewsets.GenericViewSet):
    """Purchase to order: ``POST /sales-order-lines/{id}/purchase/`` buys a backordered sales
    order line's missing quantity from the product's preferred supplier, on a draft purchase
    order linked to the line (``demand``). The order's owner, purchasing and managers."""

    allowed_roles = (SALES, PURCHASING, MANAGER)
    serializer_class = PurchaseForLineSerializer
    queryset = SalesOrderLine.objects.none()

    @extend_schema(request=None, responses={201: PurchaseForLineSerializer})
    @action(detail=True, methods=["post"])
    def purchase(self, request, pk=None):
        line = get_object_or_404(SalesOrderLine.objects.select_related("order"), pk=as_id(pk))
        if not purchase_to_order.may_purchase_for(request.user, line.order):
            if not order_selectors.orders_visible_to(request.user).filter(pk=line.order_id).exists():
                raise Http404
            raise PermissionDenied
        made = purchase_to_order.order_line_purchase(line=line, user=request.user)
        return Response(PurchaseForLineSerializer(made).data, status=status.HTTP_201_CREATED)


router = DefaultRouter()
router.register("order-workflow", OrderWorkflowViewSet, basename="order-workflow")
router.register("shipments", shipments_api.ShipmentViewSet, basename="shipment")
router.register("pick-lists", shipments_api.PickListViewSet, basename="pick-list")
router.register("returns", ReturnViewSet, basename="return")
router.register("carriers", CarrierViewSet, basename="carrier")
router.register("sales-order-lines", SalesOrderLinePurchaseViewSet, basename="sales-order-line")
router.register("batch-picks", picking_api.PickBatchViewSet, basename="batch-pick")
router.register("short-picks", picking_api.ShortPickViewSet, basename="short-pick")
