"""Inventory API: the catalogue and the warehouses here, stock and the warehouse's actions in
``stock_api``; the router for both. The same roles as the pages. Writes go through the services;
a service's ValidationError is a 400 naming the field (``core.drf.exception_handler``)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.drf import DefaultDecimalField
from core.money import MAX_QUANTITY, decimal_input
from core.pickers import PickerAnswerSerializer, picker_answer, picker_query
from core.roles import MANAGER
from scm.inventory import catalogue, location_api, selectors
from scm.inventory.models import (
    Brand,
    Category,
    Product,
    ProductUnit,
    Warehouse,
)
from scm.inventory.pickers import product_picker_search
from scm.inventory.promise import promise_dates
from scm.inventory.stock_api import (
    AdjustmentViewSet,
    CostHiddenMixin,
    CountViewSet,
    LotViewSet,
    ReceiptViewSet,
    StockLevelViewSet,
    StockMoveViewSet,
    TransferViewSet,
)
from scm.inventory.views import CATALOGUE_WRITE, READ

# --- catalogue ------------------------------------------------------------------------------


class CategorySerializer(api_fields.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent"]


class BrandSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "name"]


class ProductUnitSerializer(api_fields.ModelSerializer):
    """A unit's ``name`` is one of the company's units and, without a ``factor``, it holds the
    company's usual conversion (``catalogue.product_unit_save``)."""

    class Meta:
        model = ProductUnit
        fields = ["id", "product", "name", "factor", "barcode", "divisible"]
        extra_kwargs = {"factor": {"required": False}}


class ProductSerializer(CostHiddenMixin, api_fields.ModelSerializer):
    # Null for roles that do not read costs (``selectors.can_see_cost``).
    restricted_fields = ("cost",)

    on_hand = DefaultDecimalField(
        source="on_hand_total",
        max_digits=18,
        decimal_places=3,
        read_only=True,
        default=None,
        allow_null=True,
    )
    available = DefaultDecimalField(
        source="available_total",
        max_digits=18,
        decimal_places=3,
        read_only=True,
        default=None,
        allow_null=True,
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "category",
            "brand",
            "barcode",
            "tracking",
            "base_unit",
            "base_unit_divisible",
            "list_price",
            "cost",
            "tax_rate",
            "is_active",
            "template",
            "is_template",
            "attributes",
            "reorder_point",
            "reorder_quantity",
            "on_hand",
            "available",
        ]
        read_only_fields = ["cost"]


class VariantsSerializer(serializers.Serializer):
    attributes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class CatalogueViewSet(viewsets.ModelViewSet):
    allowed_roles = READ
    write_roles = CATALOGUE_WRITE


class CategoryViewSet(CatalogueViewSet):
    serializer_class = CategorySerializer
    queryset = Category.objects.all()
    search_fields = ["name"]
    filterset_fields = ["parent"]


class BrandViewSet(CatalogueViewSet):
    serializer_class = BrandSerializer
    queryset = Brand.objects.all()
    search_fields = ["name"]


class ProductUnitViewSet(CatalogueViewSet):
    serializer_class = ProductUnitSerializer
    queryset = ProductUnit.objects.all()
    filterset_fields = ["product", "barcode"]
    # The service checks barcodes across products and units; the model's constraints back it up.
    validators = []

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = catalogue.product_unit_save(
            product=data.pop("product"), user=self.request.user, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        product = data.pop("product", serializer.instance.product)
        serializer.instance = catalogue.product_unit_save(
            product=product, unit=serializer.instance, user=self.request.user, **data
        )

    def perform_destroy(self, instance):
        catalogue.product_unit_delete(unit=instance, user=self.request.user)


class IncomingSupplySerializer(serializers.Serializer):
    quantity = serializers.DecimalField(max_digits=18, decimal_places=3)
    expected_date = serializers.DateField()


class AvailabilitySerializer(serializers.Serializer):
    """One warehouse's available-to-promise (``selectors.available_to_promise``), base units."""

    warehouse = serializers.IntegerField(source="warehouse.pk")
    warehouse_code = serializers.CharField(source="warehouse.code")
    on_hand = DefaultDecimalField(max_digits=18, decimal_places=3)
    reserved = serializers.DecimalField(max_digits=18, decimal_places=3)
    available = serializers.DecimalField(max_digits=18, decimal_places=3)
    incoming = IncomingSupplySerializer(many=True)
    promise_date = serializers.DateField(
        allow_null=True,
        help_text="When this warehouse alone could ship the quantity asked (default 1): today from "
        "stock, else the receipt that covers it (plus transfer time from another warehouse), else "
        "the lead time; null: unknown, ask purchasing.",
    )
    promise_source = serializers.ChoiceField(choices=["stock", "incoming", "lead_time", "unknown"])


class ProductViewSet(CatalogueViewSet):
    serializer_class = ProductSerializer
    filterset_fields = ["category", "brand", "tracking", "is_active", "barcode", "template"]
    search_fields = ["sku", "name", "barcode"]
    ordering_fields = ["sku", "name", "list_price", "on_hand_total", "available_total"]
    ordering_columns = {"name": "search_pinyin"}

    def get_queryset(self):
        return selectors.product_list(include_templates=True)

    def perform_create(self, serializer):
        serializer.instance = catalogue.product_create(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = catalogue.product_update(
            product=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=VariantsSerializer, responses={201: ProductSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def variants(self, request, pk=None):
        """Create the variants of a template: every combination of the attribute values."""
        serializer = VariantsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = catalogue.product_variants_create(
            template=self.get_object(), attributes=serializer.validated_data["attributes"], user=request.user
        )
        return Response(ProductSerializer(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "quantity", str, description="Base units to promise (default 1).", required=False
            )
        ],
        responses=AvailabilitySerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def availability(self, request, pk=None):
        """Available-to-promise per warehouse, with incoming supply and dates, and the day each
        warehouse could ship ``quantity`` base units (``promise.promise_dates``)."""
        product = self.get_object()
        quantity = decimal_input(request.query_params.get("quantity"), field="quantity", blank=1)
        if quantity <= 0 or quantity >= MAX_QUANTITY:
            raise ValidationError({"quantity": _("Enter a quantity greater than zero.")})
        rows = promise_dates(product_id=product.pk, base_quantity=quantity).warehouses
        return Response(AvailabilitySerializer(rows, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description=gettext_lazy("SKU, name, pinyin or initials; or a product, unit or box barcode."),
            )
        ],
        responses=PickerAnswerSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def picker(self, request):
        """The products picker: at most 20 active products; a barcode or SKU given in full first
        (``exact``, with the ``unit`` of a unit barcode)."""
        rows = product_picker_search(query=picker_query(request.query_params.get("q", "")))
        return Response(picker_answer(rows))


class WarehouseSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "region", "latitude", "longitude", "is_active"]


class WarehouseViewSet(viewsets.ModelViewSet):
    serializer_class = WarehouseSerializer
    queryset = Warehouse.objects.all()
    allowed_roles = READ
    write_roles = (MANAGER,)
    search_fields = ["code", "name", "region"]


router = DefaultRouter()
router.register("inventory/products", ProductViewSet, basename="inventory-product")
router.register("inventory/categories", CategoryViewSet, basename="inventory-category")
router.register("inventory/brands", BrandViewSet, basename="inventory-brand")
router.register("inventory/units", ProductUnitViewSet, basename="inventory-unit")
router.register("inventory/warehouses", WarehouseViewSet, basename="inventory-warehouse")
router.register("inventory/lots", LotViewSet, basename="inventory-lot")
router.register("inventory/stock-levels", StockLevelViewSet, basename="inventory-stock-level")
router.register("inventory/stock-moves", StockMoveViewSet, basename="inventory-stock-move")
router.register("inventory/receipts", ReceiptViewSet, basename="inventory-receipt")
router.register("inventory/adjustments", AdjustmentViewSet, basename="inventory-adjustment")
router.register("inventory/transfers", TransferViewSet, basename="inventory-transfer")
router.register("inventory/counts", CountViewSet, basename="inventory-count")
location_api.register(router)
