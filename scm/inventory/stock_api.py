"""Inventory API, the stock side: lots, levels and the ledger (read), and what the warehouse
does — receipts, adjustments, transfers, counts — with the same roles as the pages. Writes go
through the services; a service's ValidationError is a 400 naming the field. The router is in
``api``."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import api_fields
from core.restricted import RestrictedFieldsMixin
from scm.inventory import counts, selectors, services, transfers
from scm.inventory.holding import free_expression
from scm.inventory.models import (
    CountLine,
    CountSession,
    Location,
    Lot,
    Product,
    ProductUnit,
    StockLevel,
    StockMove,
    Transfer,
    TransferLine,
    Warehouse,
)
from scm.inventory.views import APPROVE, READ, STOCK_WRITE

# --- stock (read) ---------------------------------------------------------------------------


class LotSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Lot
        fields = [
            "id",
            "product",
            "number",
            "expiry_date",
            "source_reference",
            "supplier_reference",
            "created_at",
        ]


class LotViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LotSerializer
    queryset = Lot.objects.order_by("pk")
    allowed_roles = READ
    filterset_fields = ["product", "number"]
    search_fields = ["number"]


class StockLevelSerializer(api_fields.ModelSerializer):
    available = serializers.SerializerMethodField()

    class Meta:
        model = StockLevel
        fields = ["id", "product", "warehouse", "lot", "on_hand", "reserved", "available"]

    def get_available(self, obj) -> str:
        """Free to reserve: nothing in a quarantine or of a lot on hold."""
        free = getattr(obj, "free", None)
        return str(obj.on_hand - obj.reserved if free is None else free)


class StockLevelViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StockLevelSerializer
    queryset = StockLevel.objects.annotate(free=free_expression()).order_by("pk")
    allowed_roles = READ
    filterset_fields = ["product", "warehouse", "lot"]


class CostHiddenMixin(RestrictedFieldsMixin):
    """Cost fields (``restricted_fields``) read as null for a user who may not read costs
    (``selectors.can_see_cost``), and for an answer without a request."""

    may_read_restricted = staticmethod(selectors.can_see_cost)


class StockMoveSerializer(CostHiddenMixin, api_fields.ModelSerializer):
    restricted_fields = ("unit_cost",)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "kind",
            "product",
            "warehouse",
            "location",
            "lot",
            "quantity",
            "unit_cost",
            "reference",
            "reason",
            "user",
            "created_at",
        ]


class StockMoveViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StockMoveSerializer
    queryset = StockMove.objects.order_by("-pk")
    allowed_roles = READ
    filterset_fields = ["product", "warehouse", "location", "lot", "kind", "reference"]
    ordering_fields = ["created_at", "id"]


# --- stock actions --------------------------------------------------------------------------


class ReceiptSerializer(serializers.Serializer):
    product = api_fields.IdRelatedField(queryset=Product.objects.all())
    warehouse = api_fields.IdRelatedField(queryset=Warehouse.objects.all())
    quantity = api_fields.DecimalField(max_digits=18, decimal_places=3)
    unit = api_fields.IdRelatedField(queryset=ProductUnit.objects.all(), required=False, allow_null=True)
    unit_cost = api_fields.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True)
    lot_number = serializers.CharField(required=False, allow_blank=True, default="")
    expiry_date = api_fields.DocumentDateField(required=False, allow_null=True)
    reference = serializers.CharField(required=False, allow_blank=True, default="")
    location = api_fields.IdRelatedField(
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        help_text="the bin; none: not put away",
    )


class AdjustmentSerializer(serializers.Serializer):
    KINDS = (("adjustment", "adjustment"), ("scrap", "scrap"))
    kind = serializers.ChoiceField(choices=KINDS, default="adjustment")
    product = api_fields.IdRelatedField(queryset=Product.objects.all())
    warehouse = api_fields.IdRelatedField(queryset=Warehouse.objects.all())
    quantity = api_fields.DecimalField(max_digits=18, decimal_places=3, help_text="signed for adjustments")
    reason = serializers.CharField(allow_blank=True)
    unit = api_fields.IdRelatedField(queryset=ProductUnit.objects.all(), required=False, allow_null=True)
    lot = api_fields.IdRelatedField(queryset=Lot.objects.all(), required=False, allow_null=True)
    lot_number = serializers.CharField(required=False, allow_blank=True, default="")
    expiry_date = api_fields.DocumentDateField(required=False, allow_null=True)
    reference = serializers.CharField(required=False, allow_blank=True, default="")
    location = api_fields.IdRelatedField(
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        help_text="the bin; none: not put away",
    )


class StockActionViewSet(viewsets.GenericViewSet):
    allowed_roles = STOCK_WRITE
    write_roles = STOCK_WRITE
    pagination_class = None
    filter_backends = []
    queryset = StockMove.objects.none()


class ReceiptViewSet(StockActionViewSet):
    serializer_class = ReceiptSerializer

    @extend_schema(request=ReceiptSerializer, responses={201: StockMoveSerializer})
    def create(self, request):
        data = self._valid(ReceiptSerializer, request)
        move = services.stock_receive(user=request.user, **data)
        return Response(StockMoveSerializer(move).data, status=status.HTTP_201_CREATED)

    def _valid(self, serializer_class, request):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class AdjustmentViewSet(ReceiptViewSet):
    serializer_class = AdjustmentSerializer

    @extend_schema(request=AdjustmentSerializer, responses={201: StockMoveSerializer})
    def create(self, request):
        data = dict(self._valid(AdjustmentSerializer, request))
        if data.pop("kind") == "scrap":
            data.pop("lot_number", None)
            data.pop("expiry_date", None)
            move = services.stock_scrap(user=request.user, **data)
        else:
            move = services.stock_adjust(user=request.user, **data)
        return Response(StockMoveSerializer(move).data, status=status.HTTP_201_CREATED)


# --- transfers ------------------------------------------------------------------------------


class TransferLineSerializer(api_fields.ModelSerializer):
    class Meta:
        model = TransferLine
        fields = ["id", "product", "lot", "quantity", "unit"]
        extra_kwargs = {"unit": {"required": False}, "lot": {"required": False}}


class TransferSerializer(api_fields.ModelSerializer):
    lines = TransferLineSerializer(many=True, required=False)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "number",
            "source",
            "destination",
            "state",
            "note",
            "created_by",
            "created_at",
            "shipped_at",
            "received_at",
            "lines",
        ]
        read_only_fields = ["number", "state", "created_by", "created_at", "shipped_at", "received_at"]
        # The service checks the pair and names the field; the model's CHECK is the backstop.
        validators = []


class TransferViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = TransferSerializer
    allowed_roles = READ
    write_roles = STOCK_WRITE
    filterset_fields = ["state", "source", "destination"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return Transfer.objects.prefetch_related("lines").order_by("-pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        lines = [
            {
                "product": ln["product"],
                "quantity": ln["quantity"],
                "unit": ln.get("unit"),
                "lot": ln.get("lot"),
            }
            for ln in data.pop("lines", [])
        ]
        serializer.instance = transfers.transfer_create(user=self.request.user, lines=lines, **data)

    def _act(self, service):
        transfer = self.get_object()
        service(transfer=transfer, user=self.request.user)
        return Response(TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data)

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        return self._act(transfers.transfer_ship)

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        return self._act(transfers.transfer_receive)

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(transfers.transfer_cancel)


# --- counts ---------------------------------------------------------------------------------


class CountLineSerializer(CostHiddenMixin, api_fields.ModelSerializer):
    restricted_fields = ("unit_cost",)
    variance = serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True)

    class Meta:
        model = CountLine
        fields = [
            "id",
            "product",
            "lot",
            "location",
            "snapshot_on_hand",
            "counted",
            "expected",
            "variance",
            "unit_cost",
        ]


class CountSerializer(api_fields.ModelSerializer):
    lines = serializers.SerializerMethodField()

    class Meta:
        model = CountSession
        fields = [
            "id",
            "number",
            "warehouse",
            "category",
            "zone",
            "state",
            "created_by",
            "created_at",
            "submitted_at",
            "approved_by",
            "approved_at",
            "posted_at",
            "lines",
        ]
        read_only_fields = [f for f in fields if f not in ("warehouse", "category", "zone")]

    def get_lines(self, obj) -> list[dict]:
        # Blind while counting: what the ledger expects stays hidden until submission.
        data = CountLineSerializer(obj.lines.all(), many=True, context=self.context).data
        if obj.state == CountSession.State.COUNTING:
            for row in data:
                row["snapshot_on_hand"] = row["expected"] = row["variance"] = None
        return data


class CountRecordSerializer(serializers.Serializer):
    product = api_fields.IdRelatedField(queryset=Product.objects.all())
    quantity = api_fields.DecimalField(max_digits=18, decimal_places=3)
    unit = api_fields.IdRelatedField(queryset=ProductUnit.objects.all(), required=False, allow_null=True)
    lot = api_fields.IdRelatedField(queryset=Lot.objects.all(), required=False, allow_null=True)
    replace = serializers.BooleanField(default=False)
    location = api_fields.IdRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True, help_text="the bin counted"
    )


class CountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = CountSerializer
    allowed_roles = READ
    write_roles = STOCK_WRITE
    action_roles = {
        "approve": APPROVE,
        "post_adjustments": STOCK_WRITE + APPROVE,
        "cancel": STOCK_WRITE + APPROVE,
    }
    filterset_fields = ["state", "warehouse"]

    def get_queryset(self):
        return CountSession.objects.prefetch_related("lines").order_by("-pk")

    def perform_create(self, serializer):
        serializer.instance = counts.count_start(user=self.request.user, **serializer.validated_data)

    def _act(self, service):
        session = self.get_object()
        service(session=session, user=self.request.user)
        return Response(CountSerializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(request=CountRecordSerializer, responses=CountLineSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        session = self.get_object()
        serializer = CountRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = counts.count_record(session=session, user=request.user, **serializer.validated_data)
        return Response(
            {
                "id": line.pk,
                "product": line.product_id,
                "lot": line.lot_id,
                "location": line.location_id,
                "counted": str(line.counted),
            }
        )

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(counts.count_submit)

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(counts.count_approve)

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"], url_path="post")
    def post_adjustments(self, request, pk=None):
        return self._act(counts.count_post)

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(counts.count_cancel)
