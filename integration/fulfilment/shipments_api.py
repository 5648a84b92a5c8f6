"""REST API of pick lists and shipments: the orders ready to pick in a warehouse, opening a
pick list, scanning (a quantity may come with a scan), shipping, delivery. Lines come in the
order the picker walks them, with their bins and the order lines' units. Joined to the
bridge's router in ``api``."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import api_fields
from core.drf import DefaultCharField
from core.roles import FINANCE, MANAGER, SALES, WAREHOUSE
from core.sql import as_id
from crm.sales.models import SalesOrder
from crm.sales.orders import selectors as order_selectors
from integration.fulfilment import delivery, selectors, shipping, walk
from integration.fulfilment.models import Shipment, ShipmentLine, ShipmentNotice
from scm.inventory.models import Warehouse

READERS = (SALES, WAREHOUSE, FINANCE, MANAGER)


class ShipmentLineSerializer(api_fields.ModelSerializer):
    lot_number = DefaultCharField(source="lot.number", default=None, read_only=True, allow_null=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    # The bin to pick from (null: the warehouse's implicit location: not put away, or no bins).
    location_code = DefaultCharField(source="location.code", default=None, read_only=True, allow_null=True)
    location_sequence = serializers.IntegerField(
        source="location.sequence", default=None, read_only=True, allow_null=True
    )
    # Quantities are in the product's base unit; the order line's unit says how the customer
    # counts them ("2 箱 (48 个)" in ``quantity_text``).
    base_unit = serializers.CharField(source="product.base_unit", read_only=True)
    unit = DefaultCharField(source="order_line.unit.name", default=None, read_only=True, allow_null=True)
    unit_factor = serializers.DecimalField(
        source="order_line.unit.factor",
        max_digits=18,
        decimal_places=3,
        default=None,
        read_only=True,
        allow_null=True,
    )
    quantity_text = serializers.SerializerMethodField()

    class Meta:
        model = ShipmentLine
        fields = [
            "id",
            "order_line",
            "product",
            "sku",
            "lot",
            "lot_number",
            "location",
            "location_code",
            "location_sequence",
            "quantity",
            "picked_quantity",
            "returned_quantity",
            "base_unit",
            "unit",
            "unit_factor",
            "quantity_text",
        ]
        read_only_fields = fields

    def get_quantity_text(self, line) -> str:
        return walk.unit_text(line.quantity, unit=line.order_line.unit, base_unit=line.product.base_unit)


class ShipmentNoticeSerializer(api_fields.ModelSerializer):
    reason = serializers.CharField(source="reason_text", read_only=True)

    class Meta:
        model = ShipmentNotice
        fields = ["state", "recipient", "attempts", "reason", "sent_at", "updated_at"]
        read_only_fields = fields


class ShipmentSerializer(api_fields.ModelSerializer):
    lines = ShipmentLineSerializer(many=True, read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    # The customer's shipping notice (null: none, e.g. no e-mail address): sent, or why not.
    notice = serializers.SerializerMethodField()
    # Empty until the delivery is confirmed.
    delivery_source = serializers.ChoiceField(
        choices=Shipment.Delivery.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "warehouse",
            "state",
            "carrier",
            "carrier_ref",
            "tracking_number",
            "invoice_id",
            "created_at",
            "shipped_at",
            "expected_delivery_on",
            "delivered_at",
            "delivery_source",
            "notice",
            "batch",
            "tote",
            "current_location",
            "pending_lot",
            "lines",
        ]
        read_only_fields = fields

    def to_representation(self, shipment):
        data = super().to_representation(shipment)
        # The lines in the order the picker walks them (bins' sequence, no bin last).
        data["lines"] = [
            ShipmentLineSerializer(line).data for line in walk.lines_for_display(list(shipment.lines.all()))
        ]
        return data

    @extend_schema_field(ShipmentNoticeSerializer(allow_null=True))
    def get_notice(self, shipment) -> dict | None:
        notice = getattr(shipment, "notice", None)
        return ShipmentNoticeSerializer(notice).data if notice is not None else None


class ShipmentScanSerializer(ShipmentSerializer):
    """The shipment after a scan, with what the scan did (or why it was refused)."""

    message = serializers.CharField(read_only=True)

    class Meta(ShipmentSerializer.Meta):
        fields = [*ShipmentSerializer.Meta.fields, "message"]
        read_only_fields = fields


class ShipmentCreateInput(serializers.Serializer):
    order = api_fields.IdField()
    warehouse = api_fields.IdField()


class ScanInput(serializers.Serializer):
    code = serializers.CharField(max_length=100, required=False, allow_blank=True)
    # How many of the scanned unit (a box barcode: boxes); with no code, how many the last
    # product scan was. Text: the service parses it and names the field.
    quantity = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ShipLineInput(serializers.Serializer):
    id = api_fields.IdField()
    quantity = api_fields.DecimalField(max_digits=18, decimal_places=3)


class ShipInput(serializers.Serializer):
    carrier = serializers.CharField(max_length=100, allow_blank=True)
    tracking_number = serializers.CharField(max_length=100, allow_blank=True)
    lines = ShipLineInput(many=True, required=False)


class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Shipments (pick lists while picking). POST opens the pick list of an order in a warehouse;
    ``scan`` picks by barcode; ``ship`` ships what was picked (or the given line quantities)."""

    serializer_class = ShipmentSerializer
    allowed_roles = READERS
    write_roles = (WAREHOUSE, MANAGER)
    filterset_fields = ["state", "order", "warehouse"]
    ordering_fields = ["created_at", "shipped_at", "number"]
    search_fields = ["number", "tracking_number", "order__number"]

    queryset = Shipment.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Shipment.objects.none()
        return (
            selectors.shipments_for(user=self.request.user)
            .select_related("notice")
            .prefetch_related("lines__lot", "lines__product", "lines__location", "lines__order_line__unit")
        )

    @extend_schema(request=ShipmentCreateInput, responses=ShipmentSerializer)
    def create(self, request):
        data = ShipmentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = get_object_or_404(
            order_selectors.orders_visible_to(request.user), pk=as_id(data.validated_data["order"])
        )
        warehouse = get_object_or_404(Warehouse, pk=data.validated_data["warehouse"])
        shipment = shipping.shipment_start(order=order, warehouse=warehouse, user=request.user)
        return Response(ShipmentSerializer(selectors.shipment_with_lines(pk=shipment.pk)).data, status=201)

    @extend_schema(request=ScanInput, responses=ShipmentScanSerializer)
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        data = ScanInput(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = self.get_object()
        result = shipping.shipment_scan(
            shipment=shipment,
            code=data.validated_data.get("code", ""),
            quantity=data.validated_data.get("quantity"),
            user=request.user,
        )
        body = ShipmentSerializer(selectors.shipment_with_lines(pk=shipment.pk)).data
        body["message"] = result.message
        return Response(body)

    @extend_schema(request=ShipInput, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        data = ShipInput(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = self.get_object()
        lines = data.validated_data.get("lines")
        quantities = {line["id"]: line["quantity"] for line in lines} if lines is not None else None
        shipment = shipping.shipment_ship(
            shipment=shipment,
            carrier=data.validated_data["carrier"],
            tracking_number=data.validated_data["tracking_number"],
            quantities=quantities,
            user=request.user,
        )
        return Response(ShipmentSerializer(selectors.shipment_with_lines(pk=shipment.pk)).data)

    @extend_schema(request=None, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """The driver confirms the shipment reached the customer (once; a second time is refused
        with its state)."""
        shipment = self.get_object()
        delivery.shipment_deliver(shipment=shipment, source=Shipment.Delivery.DRIVER, user=request.user)
        return Response(ShipmentSerializer(selectors.shipment_with_lines(pk=shipment.pk)).data)


class PickListSerializer(serializers.Serializer):
    order = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    customer = serializers.CharField(source="customer.name")
    state = serializers.CharField()


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("warehouse", int, required=True)]))
class PickListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Orders ready to pick in one warehouse (``?warehouse=<id>``; required)."""

    serializer_class = PickListSerializer
    allowed_roles = (WAREHOUSE, MANAGER)
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SalesOrder.objects.none()
        warehouse_id = as_id(self.request.query_params.get("warehouse"))
        if warehouse_id is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"warehouse": [_("Give the warehouse id.")]})
        return selectors.pick_list_orders(warehouse_id=warehouse_id)
