"""REST API of prices: price lists with their lines (/api/v1/price-lists/), promotions
(/api/v1/promotions/), a price as an order line would get it (/api/v1/prices/resolve/) and the
bulk change of list prices (/api/v1/bulk-prices/preview/ and /apply/).

The same roles and record rules as the pages (``selectors``); writes go through the services,
whose ``ValidationError`` becomes a 400 naming the field (``valid_until``, ``lines[0].price``).
Numbers and dates are read by the services (one parser each), so a client gets their messages.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.dates import optional_date_input
from core.money import MAX_QUANTITY, decimal_input
from core.sql import id_input
from crm.customers.api import CustomerIdField
from crm.customers.selectors import customers_visible_to
from crm.sales.orders.prices import bulk, selectors, services
from crm.sales.orders.prices.models import PriceList, PriceListLine, PriceSource, Promotion
from crm.sales.orders.prices.selectors import BULK_PRICE_ROLES, PRICE_READ_ROLES, PRICE_WRITE_ROLES
from scm.inventory.models import Product, ProductUnit

# --- price lists ------------------------------------------------------------------------------


class PriceListLineSerializer(api_fields.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = PriceListLine
        fields = ["id", "product", "product_sku", "unit", "unit_name", "min_quantity", "price"]
        read_only_fields = fields

    def get_unit_name(self, line) -> str:
        return line.unit.name if line.unit_id else line.product.base_unit


class PriceListSerializer(api_fields.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True, default="")
    group_name = serializers.CharField(source="group.name", read_only=True, default="")
    state = serializers.SerializerMethodField(help_text="current, future, expired or inactive")
    lines = PriceListLineSerializer(many=True, read_only=True)

    class Meta:
        model = PriceList
        fields = [
            "id",
            "name",
            "customer",
            "customer_name",
            "group",
            "group_name",
            "valid_from",
            "valid_until",
            "is_active",
            "state",
            "notes",
            "created_at",
            "lines",
        ]
        read_only_fields = fields

    def get_state(self, price_list) -> str:
        return selectors.period_state(price_list)


class PriceLineInputSerializer(serializers.Serializer):
    product = api_fields.IdField()
    unit = api_fields.IdField(required=False, allow_null=True)
    # Numbers as text: the service checks them and names the field (lines[i].price).
    min_quantity = serializers.CharField(required=False, allow_blank=True, default="0")
    price = serializers.CharField()


class PriceListInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    customer = CustomerIdField(required=False, allow_null=True)
    group = api_fields.IdField(required=False, allow_null=True)
    valid_from = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    valid_until = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    lines = PriceLineInputSerializer(many=True)


class PriceListViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Price lists of a customer or a customer group, with their prices (quantity breaks):
    sales, finance and managers read those of the customers they may read; managers write.
    A write replaces the list's lines."""

    serializer_class = PriceListSerializer
    allowed_roles = PRICE_READ_ROLES
    write_roles = PRICE_WRITE_ROLES
    filterset_fields = ["customer", "group", "is_active"]
    search_fields = ["name", "customer__name", "group__name"]
    ordering_fields = ["valid_from", "valid_until", "name", "created_at"]
    queryset = PriceList.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PriceList.objects.none()
        return (
            selectors.price_lists_visible_to(self.request.user)
            .select_related("customer", "group")
            .prefetch_related(
                Prefetch(
                    "lines", queryset=PriceListLine.objects.select_related("product", "unit").order_by("pk")
                )
            )
            .order_by("-valid_from", "-id")
        )

    def _save(self, request, price_list=None, partial=False):
        data = PriceListInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if price_list is not None:
            current = {
                "name": price_list.name,
                "customer": price_list.customer,
                "group": price_list.group_id,
                "valid_from": price_list.valid_from,
                "valid_until": price_list.valid_until,
                "is_active": price_list.is_active,
                "notes": price_list.notes,
                "lines": [
                    {
                        "product": ln.product_id,
                        "unit": ln.unit_id,
                        "min_quantity": ln.min_quantity,
                        "price": ln.price,
                    }
                    for ln in price_list.lines.all()
                ],
            }
            v = {**current, **v} if partial else {**current, "customer": None, "group": None, **v}
        saved = services.price_list_save(user=request.user, price_list=price_list, **v)
        return self.get_queryset().get(pk=saved.pk)

    @extend_schema(request=PriceListInputSerializer, responses={201: PriceListSerializer})
    def create(self, request, *args, **kwargs):
        saved = self._save(request)
        return Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PriceListInputSerializer, responses=PriceListSerializer)
    def update(self, request, *args, **kwargs):
        saved = self._save(request, self.get_object(), partial=kwargs.get("partial", False))
        return Response(self.get_serializer(saved).data)

    @extend_schema(request=PriceListInputSerializer, responses=PriceListSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)


# --- promotions -------------------------------------------------------------------------------

PROMOTION_FIELDS = [
    "id",
    "name",
    "kind",
    "valid_from",
    "valid_until",
    "is_active",
    "group",
    "threshold",
    "discount_percent",
    "discount_amount",
    "buy_product",
    "buy_quantity",
    "get_product",
    "get_quantity",
    "get_discount_percent",
    "stock_product",
    "min_available",
    "state",
    "created_at",
]
INPUT_FIELDS = [f for f in PROMOTION_FIELDS if f not in {"id", "state", "created_at"}]


class PromotionSerializer(api_fields.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="current, future, expired or inactive")

    class Meta:
        model = Promotion
        fields = PROMOTION_FIELDS
        read_only_fields = fields

    def get_state(self, promotion) -> str:
        return selectors.period_state(promotion)


class PromotionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(
        choices=Promotion.Kind.choices, required=False, default=Promotion.Kind.ORDER
    )
    # Dates and numbers as text: the service checks them and names the field.
    valid_from = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    valid_until = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)
    group = api_fields.IdField(required=False, allow_null=True)
    threshold = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    discount_percent = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    discount_amount = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    buy_product = api_fields.IdField(required=False, allow_null=True)
    buy_quantity = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    get_product = api_fields.IdField(required=False, allow_null=True)
    get_quantity = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    get_discount_percent = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    stock_product = api_fields.IdField(required=False, allow_null=True)
    min_available = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class PromotionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Promotions: an order discount over a threshold ("满 10,000 享 9 折") or buy X get Y, for a
    period (an end is required), optionally for one customer group and while a product is in
    stock. Sales, finance and managers read them; managers write."""

    serializer_class = PromotionSerializer
    allowed_roles = PRICE_READ_ROLES
    write_roles = PRICE_WRITE_ROLES
    filterset_fields = ["kind", "group", "is_active"]
    search_fields = ["name"]
    ordering_fields = ["valid_from", "valid_until", "name", "created_at"]
    queryset = Promotion.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Promotion.objects.none()
        return selectors.promotion_list()

    def _save(self, request, promotion=None, partial=False):
        data = PromotionInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if promotion is not None and partial:
            current = {
                name: getattr(promotion, f"{name}_id", None) or getattr(promotion, name)
                for name in INPUT_FIELDS
            }
            v = {**current, **v}
        saved = services.promotion_save(user=request.user, promotion=promotion, **v)
        return self.get_queryset().get(pk=saved.pk)

    @extend_schema(request=PromotionInputSerializer, responses={201: PromotionSerializer})
    def create(self, request, *args, **kwargs):
        return Response(self.get_serializer(self._save(request)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PromotionInputSerializer, responses=PromotionSerializer)
    def update(self, request, *args, **kwargs):
        saved = self._save(request, self.get_object(), partial=kwargs.get("partial", False))
        return Response(self.get_serializer(saved).data)

    @extend_schema(request=PromotionInputSerializer, responses=PromotionSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)


# --- resolve ----------------------------------------------------------------------------------


class ResolvedPriceSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product.pk")
    unit = serializers.IntegerField(source="unit.pk", allow_null=True, default=None)
    quantity = serializers.DecimalField(max_digits=18, decimal_places=3)
    date = serializers.DateField()
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=2)
    list_price = serializers.DecimalField(max_digits=18, decimal_places=2)
    source = serializers.ChoiceField(choices=PriceSource.choices)
    source_label = serializers.CharField()
    price_list = serializers.IntegerField(source="price_list_id", allow_null=True)
    promotion = serializers.IntegerField(source="promotion_id", allow_null=True)
    promotion_quantity = serializers.DecimalField(
        max_digits=18,
        decimal_places=3,
        help_text="Units a buy-X-get-Y promotion prices (at promotion_unit_price).",
    )
    promotion_unit_price = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


RESOLVE_PARAMETERS = [
    OpenApiParameter("customer", int, description="Customer (optional: without, no price list applies)."),
    OpenApiParameter("product", int, required=True),
    OpenApiParameter("unit", int, description="A unit of the product; empty: its base unit."),
    OpenApiParameter("quantity", str, description="In the unit; 1 by default."),
    OpenApiParameter("date", str, description="YYYY-MM-DD; today by default."),
]


def _resolve_input(user, params) -> dict:
    """The resolve endpoint's query string, checked; a ``ValidationError`` names the field."""
    customer = None
    customer_id = id_input(params.get("customer"), field="customer", required=False)
    if customer_id is not None:
        customer = customers_visible_to(user).filter(pk=customer_id).first()
        if customer is None:
            raise ValidationError({"customer": _("No such customer.")})
    product_id = id_input(params.get("product"), field="product")
    product = Product.objects.filter(pk=product_id, is_active=True, is_template=False).first()
    if product is None:
        raise ValidationError({"product": _("No such product.")})
    unit = None
    unit_id = id_input(params.get("unit"), field="unit", required=False)
    if unit_id is not None:
        unit = ProductUnit.objects.filter(pk=unit_id, product=product).first()
        if unit is None:
            raise ValidationError({"unit": _("Choose one of the product's units.")})
    quantity = decimal_input(params.get("quantity"), field="quantity", blank=1, limit=MAX_QUANTITY)
    if quantity <= 0:
        raise ValidationError({"quantity": _("Enter a quantity above 0.")})
    return {
        "customer": customer,
        "product": product,
        "unit": unit,
        "quantity": quantity,
        "on": optional_date_input(params.get("date"), field="date"),
    }


class PriceResolveViewSet(viewsets.GenericViewSet):
    """The price an order or quote line would get (``selectors.price_resolve``: customer price
    list → group price list → buy X get Y → list price) and where it came from."""

    allowed_roles = PRICE_READ_ROLES
    serializer_class = ResolvedPriceSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(parameters=RESOLVE_PARAMETERS, responses=ResolvedPriceSerializer)
    def list(self, request, *args, **kwargs):
        from django.utils import timezone

        args = _resolve_input(request.user, request.query_params)
        found = selectors.price_resolve(**args)
        found.date = args["on"] or timezone.localdate()
        found.source_label = selectors.source_text(found.source, found.price_list_id, found.promotion_id)
        return Response(ResolvedPriceSerializer(found).data)


# --- bulk price change ------------------------------------------------------------------------


class BulkChangeSerializer(serializers.Serializer):
    category = api_fields.IdField(required=False, allow_null=True)
    brand = api_fields.IdField(required=False, allow_null=True)
    method = serializers.ChoiceField(choices=list(bulk.METHODS))
    direction = serializers.ChoiceField(choices=list(bulk.DIRECTIONS))
    value = serializers.CharField()


class BulkApplySerializer(BulkChangeSerializer):
    token = serializers.CharField(help_text="The preview's token: what is applied is exactly that preview.")


class PreviewRowSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField()
    name = serializers.CharField()
    old_price = serializers.DecimalField(max_digits=18, decimal_places=2)
    new_price = serializers.DecimalField(max_digits=18, decimal_places=2)


BULK_PARAMETERS = [
    OpenApiParameter("category", int, description="With its subcategories."),
    OpenApiParameter("brand", int),
    OpenApiParameter("method", str, enum=list(bulk.METHODS), required=True),
    OpenApiParameter("direction", str, enum=list(bulk.DIRECTIONS), required=True),
    OpenApiParameter("value", str, required=True),
]


class BulkPriceViewSet(viewsets.GenericViewSet):
    """Bulk change of list prices: ``preview`` lists every product with its old and new price
    (paginated) and the token of that preview; ``apply`` with the same change and the token
    writes exactly the preview (409-like 400 on ``token`` when prices changed meanwhile)."""

    allowed_roles = BULK_PRICE_ROLES
    write_roles = BULK_PRICE_ROLES
    serializer_class = BulkChangeSerializer
    filter_backends = []

    def _change(self, data):
        given = BulkChangeSerializer(data=data)
        given.is_valid(raise_exception=True)
        return bulk.bulk_change_input(**{k: v for k, v in given.validated_data.items() if k != "token"})

    @extend_schema(parameters=BULK_PARAMETERS, responses=PreviewRowSerializer(many=True))
    @action(detail=False, methods=["get"])
    def preview(self, request):
        preview = bulk.bulk_price_preview(self._change(request.query_params))
        page = self.paginate_queryset(preview.rows)
        response = self.get_paginated_response(PreviewRowSerializer(page, many=True).data)
        response.data["token"] = preview.token
        return response

    @extend_schema(request=BulkApplySerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def apply(self, request):
        given = BulkApplySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        change = self._change(request.data)
        changed = bulk.bulk_price_apply(change=change, token=given.validated_data["token"], user=request.user)
        return Response({"changed": changed})


router = DefaultRouter()
router.register("price-lists", PriceListViewSet, basename="price-list")
router.register("promotions", PromotionViewSet, basename="promotion")
router.register("prices/resolve", PriceResolveViewSet, basename="price-resolve")
router.register("bulk-prices", BulkPriceViewSet, basename="bulk-price")
