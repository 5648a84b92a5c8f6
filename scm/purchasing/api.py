"""REST API for purchase orders (/api/v1/purchase-orders/): list, read, create and change with
lines, the state actions (submit, approve, reject, send, cancel, close) and the PDF. The same
roles and record rules as the pages (``scm.purchasing.selectors``); writes go through
``scm.purchasing.orders``, whose ``ValidationError`` becomes a 400 naming the field.

Supplier (``supplier_api``) and receiving (``receiving_api``) routes join this router."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.drf import PersonNameField
from core.people import display_name
from scm.inventory.models import Warehouse
from scm.purchasing import orders, receiving_api, selectors, supplier_api
from scm.purchasing.documents import purchase_order_pdf
from scm.purchasing.models import PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine, Supplier
from scm.purchasing.selectors import APPROVE_ROLES, READ_ROLES, SUPPLIER_EDIT_ROLES

WRITE_ROLES = SUPPLIER_EDIT_ROLES


class PurchaseOrderLineSerializer(api_fields.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    unit_name = serializers.SerializerMethodField()
    open_quantity = serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "product",
            "product_sku",
            "product_name",
            "unit",
            "unit_name",
            "quantity",
            "base_quantity",
            "unit_price",
            "tax_rate",
            "net_amount",
            "tax_amount",
            "expected_date",
            "received_quantity",
            "accepted_quantity",
            "billed_quantity",
            "open_quantity",
            "demand",
        ]
        read_only_fields = fields

    def get_unit_name(self, line) -> str:
        return line.unit.name if line.unit_id else line.product.base_unit


class PurchaseOrderSerializer(api_fields.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    owner_name = PersonNameField(source="owner")
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "supplier",
            "supplier_name",
            "owner",
            "owner_name",
            "warehouse",
            "state",
            "order_date",
            "supplier_reference",
            "notes",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            "approved_by",
            "approved_at",
            "sent_at",
            "closed_at",
            "cancel_reason",
            "created_at",
            "updated_at",
            "lines",
        ]
        read_only_fields = fields


class PurchaseOrderEventSerializer(api_fields.ModelSerializer):
    text = serializers.SerializerMethodField()
    user_name = serializers.SerializerMethodField()

    class Meta:
        model = PurchaseOrderEvent
        fields = ["id", "kind", "text", "user", "user_name", "created_at"]
        read_only_fields = fields

    def get_text(self, event) -> str:
        return orders.event_text(event)

    def get_user_name(self, event) -> str:
        return display_name(event.user) if event.user_id else ""


class PurchaseLineInputSerializer(serializers.Serializer):
    # Numbers and dates as text: the service checks them and names the field (lines[i].quantity).
    product = api_fields.IdField()
    unit = api_fields.IdField(required=False, allow_null=True)
    quantity = serializers.CharField()
    unit_price = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    expected_date = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class PurchaseOrderInputSerializer(serializers.Serializer):
    supplier = api_fields.IdRelatedField(queryset=Supplier.objects.all())
    warehouse = api_fields.IdRelatedField(queryset=Warehouse.objects.all(), required=False, allow_null=True)
    order_date = api_fields.DocumentDateField(required=False, allow_null=True)
    supplier_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    lines = PurchaseLineInputSerializer(many=True, required=False, default=list)


class PurchaseOrderUpdateSerializer(serializers.Serializer):
    warehouse = api_fields.IdRelatedField(queryset=Warehouse.objects.all(), required=False)
    supplier_reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    notes = serializers.CharField(required=False, allow_blank=True)
    lines = PurchaseLineInputSerializer(many=True, required=False)


class PurchaseOrderReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


def _line(data) -> dict:
    line = {k: v for k, v in dict(data).items() if v is not None or k == "unit"}
    if "unit" in data and data["unit"] is None:
        line["unit"] = None
    return line


class PurchaseOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Purchase orders: list, read, create with lines, change a draft (``lines`` replaces them),
    and the state actions. Submitting above the approval threshold waits for a manager."""

    serializer_class = PurchaseOrderSerializer
    allowed_roles = READ_ROLES
    write_roles = WRITE_ROLES
    action_roles = {"approve": APPROVE_ROLES, "reject": APPROVE_ROLES}
    filterset_fields = ["state", "supplier", "owner", "warehouse"]
    search_fields = ["number", "supplier__name", "supplier__code"]
    ordering_fields = ["order_date", "created_at", "number", "state", "total"]
    queryset = PurchaseOrder.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PurchaseOrder.objects.none()
        return (
            selectors.purchase_orders_visible_to(self.request.user)
            .select_related("supplier", "owner")
            .prefetch_related(
                Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product", "unit"))
            )
            .order_by("-created_at", "-id")
        )

    def _out(self, order, code=status.HTTP_200_OK):
        return Response(PurchaseOrderSerializer(self.get_queryset().get(pk=order.pk)).data, status=code)

    @extend_schema(request=PurchaseOrderInputSerializer, responses={201: PurchaseOrderSerializer})
    def create(self, request, *args, **kwargs):
        data = PurchaseOrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        order = orders.purchase_order_create(
            supplier=v["supplier"],
            user=request.user,
            warehouse=v.get("warehouse"),
            order_date=v.get("order_date"),
            supplier_reference=v.get("supplier_reference", ""),
            notes=v.get("notes", ""),
            lines=[_line(line) for line in v.get("lines", [])],
        )
        return self._out(order, status.HTTP_201_CREATED)

    @extend_schema(request=PurchaseOrderUpdateSerializer, responses=PurchaseOrderSerializer)
    def update(self, request, *args, **kwargs):
        order = self.get_object()
        data = PurchaseOrderUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with transaction.atomic():
            orders.purchase_order_update(
                order=order,
                user=request.user,
                warehouse=v.get("warehouse"),
                notes=v.get("notes"),
                supplier_reference=v.get("supplier_reference"),
            )
            if "lines" in v:
                for line in list(order.lines.all()):
                    orders.purchase_order_line_remove(line=line, user=request.user)
                errors = {}
                for i, raw in enumerate(v["lines"]):
                    try:
                        orders.purchase_order_line_add(order=order, user=request.user, **_line(raw))
                    except ValidationError as exc:
                        for name, messages in exc.message_dict.items():
                            errors[f"lines[{i}].{name}"] = messages
                if errors:
                    raise ValidationError(errors)
        return self._out(order)

    @extend_schema(request=PurchaseOrderUpdateSerializer, responses=PurchaseOrderSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def _act(self, service, **kwargs):
        order = self.get_object()
        service(order=order, user=self.request.user, **kwargs)
        return self._out(order)

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(orders.purchase_order_submit)

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(orders.purchase_order_approve)

    @extend_schema(request=PurchaseOrderReasonSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = PurchaseOrderReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(orders.purchase_order_reject, reason=data.validated_data["reason"])

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return self._act(orders.purchase_order_send)

    @extend_schema(request=PurchaseOrderReasonSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = PurchaseOrderReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(orders.purchase_order_cancel, reason=data.validated_data["reason"])

    @extend_schema(request=PurchaseOrderReasonSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = PurchaseOrderReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(orders.purchase_order_close, reason=data.validated_data["reason"])

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(response=OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def pdf(self, request, pk=None):
        """The purchase order as the supplier receives it (PDF)."""
        order = self.get_object()
        response = HttpResponse(purchase_order_pdf(order), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
        return response

    @extend_schema(responses=PurchaseOrderEventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request, pk=None):
        """The order's timeline, oldest first, in the reader's language."""
        order = self.get_object()
        entries = self.paginate_queryset(order.events.select_related("user").order_by("created_at", "id"))
        return self.get_paginated_response(PurchaseOrderEventSerializer(entries, many=True).data)


router = DefaultRouter()
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")

router.registry.extend(supplier_api.router.registry)
router.registry.extend(receiving_api.router.registry)
