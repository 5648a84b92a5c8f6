"""After-sales quality API (/api/v1/aftersales/…): a lot's trace (``lots/{id}/trace/``), holds
(``lots/`` lists the lots on hold; ``hold``, ``release``, ``recall`` act on one), quality alerts
(read; ``hold``, ``close``) and recalls (read with their customers; ``close``, ``export``,
``customer_state``). Service, warehouse, purchasing and managers read; managers act (service
and managers mark a recalled customer contacted or returned)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.sql import as_id
from integration.aftersales import recall as recalls
from integration.aftersales import services
from integration.aftersales.models import QualityAlert, Recall, RecallCustomer
from integration.aftersales.selectors import ACT_ROLES, CONTACT_ROLES, READ_ROLES
from integration.aftersales.trace import lot_trace
from scm.inventory import holds
from scm.inventory.models import Lot


def _qty(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True, **kwargs)


class UpstreamSerializer(serializers.Serializer):
    receipt_id = serializers.IntegerField()
    receipt_number = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    warehouse_code = serializers.CharField()
    quantity = _qty()
    accepted_quantity = _qty(allow_null=True)
    purchase_order_id = serializers.IntegerField()
    purchase_order_number = serializers.CharField()
    supplier_id = serializers.IntegerField()
    supplier_name = serializers.CharField()


class ShippedSerializer(serializers.Serializer):
    shipment_id = serializers.IntegerField()
    shipment_number = serializers.CharField()
    shipped_at = serializers.DateTimeField(allow_null=True)
    order_id = serializers.IntegerField()
    order_number = serializers.CharField()
    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField()
    quantity = _qty()
    returned = _qty()
    warehouse_code = serializers.CharField()


class ServicePartSerializer(serializers.Serializer):
    ticket_id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    used_at = serializers.DateTimeField(allow_null=True)
    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField()
    quantity = _qty()


class CustomerTraceSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    quantity = _qty()
    shipments = serializers.IntegerField()
    first_shipped_at = serializers.DateTimeField(allow_null=True)
    last_shipped_at = serializers.DateTimeField(allow_null=True)
    orders = serializers.ListField(child=serializers.CharField())
    tickets = serializers.ListField(child=serializers.CharField())


class InStockSerializer(serializers.Serializer):
    warehouse_id = serializers.IntegerField()
    warehouse_code = serializers.CharField()
    warehouse_name = serializers.CharField()
    on_hand = _qty()
    reserved = _qty()
    quarantine = serializers.BooleanField()


class TraceSerializer(serializers.Serializer):
    lot_id = serializers.IntegerField(source="lot.pk")
    lot_number = serializers.CharField(source="lot.number")
    product_id = serializers.IntegerField(source="lot.product_id")
    product_name = serializers.CharField(source="lot.product.name")
    held_at = serializers.DateTimeField(source="lot.held_at", allow_null=True)
    supplier_id = serializers.IntegerField(allow_null=True)
    supplier_name = serializers.CharField()
    upstream = UpstreamSerializer(many=True)
    shipped = ShippedSerializer(many=True)
    service_parts = ServicePartSerializer(many=True)
    customers = CustomerTraceSerializer(many=True)
    in_stock = InStockSerializer(many=True)
    shipped_quantity = _qty()
    service_quantity = _qty()
    stock_quantity = _qty()


class HeldLotSerializer(api_fields.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = Lot
        fields = ["id", "number", "product", "product_name", "held_at", "held_reason", "held_by"]
        read_only_fields = fields


class HoldReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class RecallStartSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    alert = api_fields.IdField(required=False, allow_null=True, default=None)


class AlertSerializer(api_fields.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    lot_number = serializers.CharField(source="lot.number", read_only=True, default="")

    class Meta:
        model = QualityAlert
        fields = [
            "id",
            "product",
            "product_name",
            "lot",
            "lot_number",
            "complaints",
            "window_days",
            "state",
            "supplier_id",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class RecallCustomerSerializer(api_fields.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    quantity = _qty()

    class Meta:
        model = RecallCustomer
        fields = [
            "id",
            "customer",
            "customer_name",
            "quantity",
            "first_shipped_at",
            "last_shipped_at",
            "contact_name",
            "contact_phone",
            "contact_email",
            "owner",
            "authorisation",
            "state",
            "notified_at",
        ]
        read_only_fields = fields


class RecallSerializer(api_fields.ModelSerializer):
    lot_number = serializers.CharField(source="lot.number", read_only=True)
    customers = RecallCustomerSerializer(many=True, read_only=True)

    class Meta:
        model = Recall
        fields = [
            "id",
            "number",
            "lot",
            "lot_number",
            "alert",
            "reason",
            "state",
            "created_at",
            "closed_at",
            "customers",
        ]
        read_only_fields = fields


class RecallListSerializer(RecallSerializer):
    class Meta(RecallSerializer.Meta):
        fields = [f for f in RecallSerializer.Meta.fields if f != "customers"]
        read_only_fields = fields


class CustomerStateSerializer(serializers.Serializer):
    customer_row = api_fields.IdField()
    state = serializers.ChoiceField(choices=[RecallCustomer.State.CONTACTED, RecallCustomer.State.RETURNED])


class LotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lots on hold (list), one lot's hold (detail), its trace, and the manager's actions."""

    serializer_class = HeldLotSerializer
    allowed_roles = READ_ROLES
    write_roles = ACT_ROLES
    queryset = Lot.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Lot.objects.none()
        if self.action == "list":
            return holds.held_lots()
        return Lot.objects.select_related("product", "held_by").order_by("pk")

    def _lot(self, pk) -> Lot:
        return get_object_or_404(Lot.objects.select_related("product"), pk=as_id(pk))

    @extend_schema(responses=TraceSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def trace(self, request, pk=None):
        """Upstream (receipts, purchase order, supplier), downstream (shipments, customers with
        contacts), and what is left in stock per warehouse. A fixed number of queries."""
        return Response(TraceSerializer(lot_trace(lot=self._lot(pk))).data)

    @extend_schema(request=HoldReasonSerializer, responses=HeldLotSerializer)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def hold(self, request, pk=None):
        data = HoldReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lot = holds.lot_hold(lot=self._lot(pk), reason=data.validated_data["reason"], user=request.user)
        return Response(HeldLotSerializer(lot).data)

    @extend_schema(request=None, responses=HeldLotSerializer)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def release(self, request, pk=None):
        lot = holds.lot_release(lot=self._lot(pk), user=request.user)
        return Response(HeldLotSerializer(lot).data)

    @extend_schema(request=RecallStartSerializer, responses={201: RecallSerializer})
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def recall(self, request, pk=None):
        data = RecallStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert_id = data.validated_data.get("alert")
        alert = get_object_or_404(QualityAlert, pk=alert_id) if alert_id else None
        started = recalls.recall_start(
            lot=self._lot(pk), reason=data.validated_data["reason"], user=request.user, alert=alert
        )
        return Response(RecallSerializer(Recall.objects.get(pk=started.pk)).data, status=201)


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quality alerts, newest first; ``?state=``; a manager holds the lot or closes the alert."""

    serializer_class = AlertSerializer
    allowed_roles = READ_ROLES
    write_roles = ACT_ROLES
    filterset_fields = ["state", "product", "lot"]
    queryset = QualityAlert.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return QualityAlert.objects.none()
        return QualityAlert.objects.select_related("product", "lot")

    @extend_schema(request=HoldReasonSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def hold(self, request, pk=None):
        data = HoldReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = services.alert_hold(
            alert=self.get_object(), reason=data.validated_data["reason"], user=request.user
        )
        return Response(
            AlertSerializer(QualityAlert.objects.select_related("product", "lot").get(pk=alert.pk)).data
        )

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def close(self, request, pk=None):
        alert = services.alert_close(alert=self.get_object(), user=request.user)
        return Response(
            AlertSerializer(QualityAlert.objects.select_related("product", "lot").get(pk=alert.pk)).data
        )


class RecallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recalls, newest first, each with its customers (detail); ``export`` (xlsx) of the
    customers with their contacts; ``close``; ``customer_state`` marks one contacted or returned."""

    allowed_roles = READ_ROLES
    write_roles = ACT_ROLES
    action_roles = {"customer_state": CONTACT_ROLES}
    filterset_fields = ["state", "lot"]
    queryset = Recall.objects.none()

    def get_serializer_class(self):
        return RecallListSerializer if self.action == "list" else RecallSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Recall.objects.none()
        qs = Recall.objects.select_related("lot")
        if self.action != "list":
            qs = qs.prefetch_related("customers__customer")
        return qs

    @extend_schema(
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes}
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def export(self, request, pk=None):
        return recalls.recall_export(recall=self.get_object(), fmt="xlsx")

    @extend_schema(request=None, responses=RecallSerializer)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def close(self, request, pk=None):
        recall = recalls.recall_close(recall=self.get_object(), user=request.user)
        return Response(RecallSerializer(self.get_queryset().get(pk=recall.pk)).data)

    @extend_schema(request=CustomerStateSerializer, responses=RecallCustomerSerializer)
    @action(
        detail=True, methods=["post"], url_path="customer-state", pagination_class=None, filter_backends=[]
    )
    def customer_state(self, request, pk=None):
        recall = self.get_object()
        data = CustomerStateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = get_object_or_404(RecallCustomer, pk=data.validated_data["customer_row"], recall=recall)
        row = recalls.recall_customer_set_state(
            recall_customer=row, state=data.validated_data["state"], user=request.user
        )
        return Response(
            RecallCustomerSerializer(RecallCustomer.objects.select_related("customer").get(pk=row.pk)).data
        )


router = DefaultRouter()
router.register("aftersales/lots", LotViewSet, basename="aftersales-lot")
router.register("aftersales/alerts", AlertViewSet, basename="aftersales-alert")
router.register("aftersales/recalls", RecallViewSet, basename="aftersales-recall")
