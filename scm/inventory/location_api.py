"""Inventory API, the bins: locations (read by everyone who reads stock, changed by the
warehouse) and their printable labels (``bin_labels``), what bins hold, the put-away suggestion
and moving stock between bins. Writes go through ``locations_admin`` and ``locations``; a
service's ValidationError is a 400 naming the field. Registered on the router in ``api``."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import api_fields
from core.sql import id_input
from scm.inventory import bin_labels, location_selectors, locations, locations_admin, putaway
from scm.inventory.models import Location, LocationStock, Lot, Product, ProductUnit, StockMove, Warehouse
from scm.inventory.stock_api import StockMoveSerializer
from scm.inventory.views import READ, STOCK_WRITE


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": locations_admin.MAX_SEQUENCE})
class SequenceField(serializers.Field):
    """The walk sequence: given as sent to ``locations_admin.location_save``, which parses it and
    names the field (``NaN``, ``1e30``, ``²``); answered as the stored whole number."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class LocationSerializer(api_fields.ModelSerializer):
    # Annotations of ``location_selectors.location_list``; the views answer from it after a write.
    products = serializers.IntegerField(read_only=True)
    quantity = serializers.DecimalField(max_digits=18, decimal_places=3, read_only=True)
    sequence = SequenceField(required=False)

    class Meta:
        model = Location
        fields = [
            "id",
            "warehouse",
            "code",
            "zone",
            "aisle",
            "shelf",
            "bin",
            "sequence",
            "barcode",
            "is_active",
            "products",
            "quantity",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "code": {"required": False},
            "barcode": {"required": False},
        }
        # The service checks codes and barcodes and names the field; the constraints back it up.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        # A location stays in its warehouse: the warehouse is given once, when it is made.
        if self.instance is not None:
            fields["warehouse"].read_only = True
        return fields


class ZoneSerializer(serializers.Serializer):
    """A zone's bins at once: each range a count (1..n) or ``[first, last]``."""

    warehouse = api_fields.IdRelatedField(queryset=Warehouse.objects.all())
    zone = serializers.CharField(max_length=20)
    aisles = serializers.JSONField()
    shelves = serializers.JSONField()
    bins = serializers.JSONField()


class LocationStockSerializer(api_fields.ModelSerializer):
    location_code = serializers.CharField(source="location.code", read_only=True)
    warehouse = serializers.IntegerField(source="location.warehouse_id", read_only=True)

    class Meta:
        model = LocationStock
        fields = ["id", "location", "location_code", "warehouse", "product", "lot", "on_hand", "missing"]
        extra_kwargs = {
            "missing": {
                "read_only": True,
                "help_text": gettext_lazy("What a picker reported not found here, until the bin is counted."),
            }
        }


class LocationViewSet(viewsets.ModelViewSet):
    serializer_class = LocationSerializer
    allowed_roles = READ
    write_roles = STOCK_WRITE
    filterset_fields = ["warehouse", "zone", "is_active"]
    search_fields = ["code", "barcode"]
    ordering_fields = ["sequence", "code"]

    def get_queryset(self):
        return location_selectors.location_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        made = locations_admin.location_save(warehouse=data.pop("warehouse"), actor=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=made.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("warehouse", None)
        saved = locations_admin.location_save(location=serializer.instance, actor=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=saved.pk)

    def perform_destroy(self, instance):
        locations_admin.location_delete(location=instance, actor=self.request.user)

    @extend_schema(request=ZoneSerializer, responses={201: LocationSerializer(many=True)})
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def zone(self, request):
        """Make a zone's bins at once (codes A-01-02-03, a walk that snakes aisle by aisle)."""
        serializer = ZoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = locations_admin.location_zone_create(actor=request.user, **serializer.validated_data)
        made = location_selectors.location_list().filter(pk__in=[m.pk for m in made])
        return Response(LocationSerializer(made, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "warehouse",
                OpenApiTypes.INT,
                description="The warehouse whose active bins to label (required unless `location` is given).",
            ),
            OpenApiParameter(
                "zone",
                OpenApiTypes.STR,
                description=f"Only this zone's bins (at most {bin_labels.ZONE_LENGTH} characters).",
            ),
            OpenApiParameter("location", OpenApiTypes.INT, description="One bin's label only."),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="A4 sheets of 3 × 8 labels in walk order: each bin's code, a Code 128 "
                "barcode of its barcode, its zone, aisle, shelf and bin and its warehouse.",
            ),
            400: OpenApiResponse(
                description="A bad or unknown warehouse or bin, a zone too long or without active "
                f"bins, a warehouse without bins, or more than {bin_labels.MAX_LABELS} bins; by field."
            ),
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def labels(self, request):
        """Printable labels of a warehouse's active bins, a zone's, or one bin's (PDF)."""
        params = request.query_params
        choice = bin_labels.label_bins(
            warehouse=params.get("warehouse"), zone=params.get("zone"), location=params.get("location")
        )
        response = HttpResponse(bin_labels.bin_labels_pdf(choice), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, choice.file_name)
        return response


class LocationStockViewSet(viewsets.ReadOnlyModelViewSet):
    """What bins hold (nothing empty), by bin in walk order."""

    serializer_class = LocationStockSerializer
    allowed_roles = READ
    filterset_fields = ["location", "product", "lot", "location__warehouse", "location__zone"]

    def get_queryset(self):
        return (
            LocationStock.objects.filter(on_hand__gt=0)
            .select_related("location")
            .order_by("location__warehouse_id", "location__sequence", "location__code", "pk")
        )


class PutAwaySuggestionSerializer(serializers.Serializer):
    location = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    zone = serializers.CharField(allow_null=True)


def _get(model, pk, field):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: _("Not found.")})
    return obj


class PutAwayViewSet(viewsets.GenericViewSet):
    """The bin to put a product away into (``putaway.put_away_suggestion``); null for a
    warehouse without bins."""

    allowed_roles = READ
    pagination_class = None
    filter_backends = []
    queryset = Location.objects.none()
    serializer_class = PutAwaySuggestionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("warehouse", OpenApiTypes.INT, required=True),
            OpenApiParameter("product", OpenApiTypes.INT, required=True),
            OpenApiParameter("lot", OpenApiTypes.INT, required=False),
        ],
        responses=PutAwaySuggestionSerializer,
    )
    def list(self, request):
        params = request.query_params
        warehouse = _get(Warehouse, id_input(params.get("warehouse"), field="warehouse"), "warehouse")
        product = _get(Product, id_input(params.get("product"), field="product"), "product")
        lot_id = id_input(params.get("lot"), field="lot", required=False)
        lot = _get(Lot, lot_id, "lot") if lot_id else None
        if lot is not None and lot.product_id != product.pk:
            raise ValidationError({"lot": _("This lot belongs to another product.")})
        found = putaway.put_away_suggestion(warehouse=warehouse, product=product, lot=lot)
        data = {"location": None, "code": None, "zone": None}
        if found is not None:
            data = {"location": found.pk, "code": found.code, "zone": found.zone}
        return Response(PutAwaySuggestionSerializer(data).data)


class RelocationSerializer(serializers.Serializer):
    product = api_fields.IdRelatedField(queryset=Product.objects.all())
    warehouse = api_fields.IdRelatedField(queryset=Warehouse.objects.all())
    quantity = api_fields.DecimalField(max_digits=18, decimal_places=3)
    to_location = api_fields.IdRelatedField(queryset=Location.objects.all())
    from_location = api_fields.IdRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True, help_text="none: not put away yet"
    )
    lot = api_fields.IdRelatedField(queryset=Lot.objects.all(), required=False, allow_null=True)
    unit = api_fields.IdRelatedField(queryset=ProductUnit.objects.all(), required=False, allow_null=True)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class RelocationResultSerializer(serializers.Serializer):
    moved_out = StockMoveSerializer()
    moved_in = StockMoveSerializer()


class RelocationViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Move stock into a bin (put-away, from the warehouse's stock not in a bin) or from one
    bin to another: two moves that net to zero for the warehouse."""

    allowed_roles = STOCK_WRITE
    write_roles = STOCK_WRITE
    pagination_class = None
    filter_backends = []
    queryset = StockMove.objects.none()
    serializer_class = RelocationSerializer

    @extend_schema(request=RelocationSerializer, responses={201: RelocationResultSerializer})
    def create(self, request):
        serializer = RelocationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        out_move, in_move = locations.stock_relocate(user=request.user, **serializer.validated_data)
        context = {"request": request}
        return Response(
            {
                "moved_out": StockMoveSerializer(out_move, context=context).data,
                "moved_in": StockMoveSerializer(in_move, context=context).data,
            },
            status=status.HTTP_201_CREATED,
        )


def register(router) -> None:
    router.register("inventory/locations", LocationViewSet, basename="inventory-location")
    router.register("inventory/location-stock", LocationStockViewSet, basename="inventory-location-stock")
    router.register("inventory/put-away", PutAwayViewSet, basename="inventory-put-away")
    router.register("inventory/relocations", RelocationViewSet, basename="inventory-relocation")
