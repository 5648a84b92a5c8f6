"""REST API of batch picks and short picks (joined to the bridge's router in ``api``).

Batch picks: create (chosen orders, or the next N of a warehouse's queue), list, detail (totes
and the one walk), scan (the answer names the tote), ship totes, finish. Short picks: report a
pick line's goods (or some) not found where the list sends them.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import api_fields
from core.roles import MANAGER, WAREHOUSE
from integration.fulfilment import batches, selectors, short_picks
from integration.fulfilment.models import PickBatch, ShortPick
from scm.inventory.models import Warehouse


class ToteSerializer(serializers.Serializer):
    shipment = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    tote = serializers.CharField()
    order = serializers.IntegerField(source="order_id")
    order_number = serializers.CharField(source="order.number")
    customer = serializers.CharField(source="order.customer.name")
    priority = serializers.CharField(source="order.priority")
    requested_date = serializers.DateField(source="order.requested_date", allow_null=True)
    state = serializers.CharField()
    tracking_number = serializers.CharField()


class WalkLineSerializer(serializers.Serializer):
    """One stop of the walk: a pick line, its bin and its tote."""

    id = serializers.IntegerField(source="pk")
    shipment = serializers.IntegerField(source="shipment_id")
    tote = serializers.CharField()
    location = serializers.IntegerField(source="location_id", allow_null=True)
    location_code = serializers.CharField(source="location.code", default=None, allow_null=True)
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField(source="product.sku")
    lot_number = serializers.CharField(source="lot.number", default=None, allow_null=True)
    quantity = serializers.DecimalField(max_digits=18, decimal_places=3)
    picked_quantity = serializers.DecimalField(max_digits=18, decimal_places=3)
    quantity_text = serializers.CharField(source="to_pick_text")
    picked_text = serializers.CharField()


class PickBatchSerializer(api_fields.ModelSerializer):
    class Meta:
        model = PickBatch
        fields = ["id", "number", "warehouse", "state", "created_by", "created_at"]
        read_only_fields = fields


class PickBatchDetailSerializer(PickBatchSerializer):
    totes = serializers.SerializerMethodField()
    walk = serializers.SerializerMethodField()

    class Meta(PickBatchSerializer.Meta):
        fields = [*PickBatchSerializer.Meta.fields, "totes", "walk"]
        read_only_fields = fields

    def _walk(self, batch) -> dict:
        if not hasattr(batch, "_walk"):
            batch._walk = selectors.batch_walk(batch=batch, user=self.context["request"].user)
        return batch._walk

    @extend_schema_field(ToteSerializer(many=True))
    def get_totes(self, batch):
        return ToteSerializer(self._walk(batch)["totes"], many=True).data

    @extend_schema_field(WalkLineSerializer(many=True))
    def get_walk(self, batch):
        return WalkLineSerializer(self._walk(batch)["lines"], many=True).data


class BatchCreateInput(serializers.Serializer):
    warehouse = api_fields.IdField()
    # Either the orders (ids) to pick together, or how many of the next orders of the queue.
    orders = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    count = serializers.CharField(max_length=10, required=False, allow_blank=True)


class BatchScanInput(serializers.Serializer):
    code = serializers.CharField(max_length=100, required=False, allow_blank=True)
    quantity = serializers.CharField(max_length=40, required=False, allow_blank=True)


class BatchScanSerializer(PickBatchDetailSerializer):
    message = serializers.CharField(read_only=True)
    tote = serializers.CharField(read_only=True)

    class Meta(PickBatchDetailSerializer.Meta):
        fields = [*PickBatchDetailSerializer.Meta.fields, "message", "tote"]
        read_only_fields = fields


class ToteShipInput(serializers.Serializer):
    shipment = serializers.CharField(max_length=20)
    tracking_number = serializers.CharField(max_length=100, allow_blank=True)


class BatchShipInput(serializers.Serializer):
    carrier = serializers.CharField(max_length=100, allow_blank=True)
    totes = ToteShipInput(many=True)


class PickBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Batch picks: several orders of one warehouse picked in one walk, each into its tote."""

    serializer_class = PickBatchSerializer
    allowed_roles = (WAREHOUSE, MANAGER)
    filterset_fields = ["warehouse", "state"]
    ordering_fields = ["created_at", "number"]
    queryset = PickBatch.objects.none()

    def get_queryset(self):
        return PickBatch.objects.order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return PickBatchSerializer if self.action == "list" else PickBatchDetailSerializer

    def _detail(self, batch, status_code=200, **extra):
        batch = self.get_queryset().get(pk=batch.pk)
        for name, value in extra.items():
            setattr(batch, name, value)
        serializer = BatchScanSerializer if extra else PickBatchDetailSerializer
        return Response(serializer(batch, context={"request": self.request}).data, status=status_code)

    @extend_schema(request=BatchCreateInput, responses={201: PickBatchDetailSerializer})
    def create(self, request):
        data = BatchCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        warehouse = get_object_or_404(Warehouse.objects.for_stock(), pk=v["warehouse"])
        batch = batches.pick_batch_create(
            warehouse=warehouse, user=request.user, order_ids=v.get("orders"), count=v.get("count")
        )
        return self._detail(batch, status.HTTP_201_CREATED)

    @extend_schema(request=BatchScanInput, responses=BatchScanSerializer)
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        data = BatchScanInput(data=request.data)
        data.is_valid(raise_exception=True)
        batch = self.get_object()
        result = batches.pick_batch_scan(
            batch=batch,
            code=data.validated_data.get("code", ""),
            quantity=data.validated_data.get("quantity"),
            user=request.user,
        )
        return self._detail(batch, message=result.message, tote=result.tote)

    @extend_schema(request=BatchShipInput, responses=PickBatchDetailSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        """Ship totes, each its own parcel with its tracking number; all or nothing."""
        data = BatchShipInput(data=request.data)
        data.is_valid(raise_exception=True)
        batch = self.get_object()
        batches.pick_batch_ship(
            batch=batch,
            carrier=data.validated_data["carrier"],
            tracking_numbers={t["shipment"]: t["tracking_number"] for t in data.validated_data["totes"]},
            user=request.user,
        )
        return self._detail(batch)

    @extend_schema(request=None, responses=PickBatchDetailSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        """End the batch: totes not shipped go back to the queue as ordinary pick lists."""
        batch = batches.pick_batch_finish(batch=self.get_object(), user=request.user)
        return self._detail(batch)


class ShortPickSerializer(api_fields.ModelSerializer):
    class Meta:
        model = ShortPick
        fields = ["id", "shipment_line", "location", "quantity", "resolution", "user", "created_at"]
        read_only_fields = fields


class ShortPickInput(serializers.Serializer):
    shipment_line = api_fields.IdField()
    # Base units not found (empty: all the line still lacks). Text: the service parses it.
    quantity = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ShortPickOutcomeSerializer(serializers.Serializer):
    message = serializers.CharField()
    short_picks = ShortPickSerializer(many=True, source="records")


class ShortPickViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Report a pick line's goods (or some of them) not found where the list sends them: they
    are taken from another bin of the warehouse, else reserved in another warehouse, else
    backordered; the answer says which."""

    serializer_class = ShortPickSerializer
    allowed_roles = (WAREHOUSE, MANAGER)
    queryset = ShortPick.objects.none()

    @extend_schema(request=ShortPickInput, responses={201: ShortPickOutcomeSerializer})
    def create(self, request):
        data = ShortPickInput(data=request.data)
        data.is_valid(raise_exception=True)
        line = get_object_or_404(
            selectors.shipment_lines_for(user=request.user).select_related("shipment"),
            pk=data.validated_data["shipment_line"],
        )
        outcome = short_picks.short_pick_record(
            shipment_line=line, quantity=data.validated_data.get("quantity"), user=request.user
        )
        return Response(ShortPickOutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)
