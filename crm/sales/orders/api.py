"""REST API for quotes (/api/v1/quotes/) and sales orders (/api/v1/sales-orders/).

The same roles and record rules as the pages (``order_selectors``); writes go through the
services, whose ``ValidationError`` becomes a 400 naming the field (``lines[0].quantity``).
Confirm, cancel and release-hold actions belong to ``integration.fulfilment``.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.drf import serialized
from core.people import display_name
from core.restricted import RestrictedFieldsMixin
from crm.customers.api import CustomerIdField
from crm.sales.models import OrderEvent, Quote, QuoteLine, SalesOrder, SalesOrderLine
from crm.sales.orders import quote_services
from crm.sales.orders import selectors as order_selectors
from crm.sales.orders import services as order_services
from crm.sales.orders.models import LINE_LIST
from crm.sales.orders.selectors import (
    ORDER_READ_ROLES,
    ORDER_WRITE_ROLES,
    QUOTE_READ_ROLES,
    QUOTE_WRITE_ROLES,
)

# --- output -----------------------------------------------------------------------------------

LINE_FIELDS = [
    "id",
    "product",
    "product_sku",
    "product_name",
    "unit",
    "unit_name",
    "quantity",
    "base_quantity",
    "unit_price",
    "discount_percent",
    "tax_rate",
    "net_amount",
    "tax_amount",
    # Where the unit price came from (customer or group price list, promotion, list price, typed)
    # and the line's share of the document's order-level promotion (taken off its net amount).
    "price_source",
    "price_list",
    "price_promotion",
    "promotion_discount",
]
# The document's order-level promotion and what it took off (already in the lines' net amounts).
PROMOTION_FIELDS = ["promotion", "promotion_discount"]


class QuoteLineSerializer(api_fields.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    unit_name = serializers.SerializerMethodField()

    class Meta:
        model = QuoteLine
        fields = LINE_FIELDS

    def get_unit_name(self, line) -> str:
        return line.unit.name if line.unit_id else line.product.base_unit


class OrderPricesMixin(RestrictedFieldsMixin):
    """An order's prices and amounts read as null for a role that may not read them (the
    warehouse: ``order_selectors.can_see_order_prices``). The answers written for the user who
    just created or placed an order (no request in hand) show them: only those who may write
    orders get those."""

    may_read_restricted = staticmethod(order_selectors.can_see_order_prices)
    shown_without_request = True


class OrderLineSerializer(OrderPricesMixin, QuoteLineSerializer):
    restricted_fields = (
        "unit_price",
        "discount_percent",
        "net_amount",
        "tax_amount",
        "price_source",
        "price_list",
        "price_promotion",
        "promotion_discount",
    )
    backordered_quantity = serializers.DecimalField(
        max_digits=18, decimal_places=3, read_only=True, help_text="Base units still waiting for stock."
    )

    class Meta:
        model = SalesOrderLine
        fields = [
            *LINE_FIELDS,
            "reserved_quantity",
            "shipped_quantity",
            "invoiced_quantity",
            "returned_quantity",
            "backordered_quantity",
        ]


class QuoteSerializer(api_fields.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    lines = QuoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "owner",
            "owner_username",
            "state",
            "valid_until",
            "notes",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            *PROMOTION_FIELDS,
            "created_at",
            "lines",
        ]
        read_only_fields = PROMOTION_FIELDS


class SalesOrderSerializer(OrderPricesMixin, api_fields.ModelSerializer):
    restricted_fields = ("subtotal", "tax_total", "total", *PROMOTION_FIELDS)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True, source=LINE_LIST)
    backordered_quantity = serializers.DecimalField(
        max_digits=18,
        decimal_places=3,
        read_only=True,
        help_text="Base units of every line still waiting for stock.",
    )

    class Meta:
        model = SalesOrder
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "owner",
            "owner_username",
            "quote",
            "state",
            "priority",
            "order_date",
            "requested_date",
            "shipping_address",
            "notes",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            *PROMOTION_FIELDS,
            "confirmed_at",
            "created_at",
            "updated_at",
            "backordered_quantity",
            "lines",
        ]
        read_only_fields = PROMOTION_FIELDS


class OrderEventSerializer(api_fields.ModelSerializer):
    """A timeline entry: ``text`` in the reader's language (the request's), whoever wrote it;
    ``message`` and ``params`` are what is stored, for clients that translate themselves."""

    text = serializers.SerializerMethodField()
    message = serializers.CharField(source="text", read_only=True)
    params = serializers.SerializerMethodField()
    user_name = serializers.SerializerMethodField()

    class Meta:
        model = OrderEvent
        fields = ["id", "kind", "text", "message", "params", "user", "user_name", "created_at"]
        read_only_fields = fields

    def get_text(self, event) -> str:
        return order_services.order_event_text(event)

    def get_params(self, event) -> dict:
        return (event.data or {}).get("params") or {}

    def get_user_name(self, event) -> str:
        return display_name(event.user) if event.user_id else ""


# --- input ------------------------------------------------------------------------------------


class LineInputSerializer(serializers.Serializer):
    # Numbers as text: the service checks them and names the field (lines[i].quantity).
    product = api_fields.IdField()
    unit = api_fields.IdField(required=False, allow_null=True)
    quantity = serializers.CharField()
    unit_price = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    discount_percent = serializers.CharField(required=False, allow_blank=True, default="0")


class OrderInputSerializer(serializers.Serializer):
    customer = CustomerIdField()
    requested_date = api_fields.DocumentDateField(required=False, allow_null=True)
    priority = serializers.ChoiceField(
        choices=SalesOrder.Priority.choices, required=False, default=SalesOrder.Priority.NORMAL
    )
    # One length, the model's: the form reads the same.
    shipping_address = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=SalesOrder._meta.get_field("shipping_address").max_length,
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    lines = LineInputSerializer(many=True)


class OrderUpdateSerializer(OrderInputSerializer):
    customer = CustomerIdField(required=False)
    priority = serializers.ChoiceField(choices=SalesOrder.Priority.choices, required=False)
    lines = LineInputSerializer(many=True, required=False)


class QuoteInputSerializer(serializers.Serializer):
    customer = CustomerIdField()
    valid_until = api_fields.DocumentDateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    lines = LineInputSerializer(many=True)


class QuoteUpdateSerializer(QuoteInputSerializer):
    customer = CustomerIdField(required=False)
    lines = LineInputSerializer(many=True, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


def _lines(data) -> list[dict]:
    return [dict(line) for line in data]


def order_input(validated: dict) -> dict:
    """``OrderInputSerializer``'s validated data as the keyword arguments of ``order_create``
    (without the owner)."""
    return {
        "customer": validated["customer"],
        "lines": _lines(validated["lines"]),
        "requested_date": validated.get("requested_date"),
        "priority": validated.get("priority", SalesOrder.Priority.NORMAL),
        "shipping_address": validated.get("shipping_address", ""),
        "notes": validated.get("notes", ""),
    }


def order_lines_prefetch() -> Prefetch:
    """An order's lines where ``SalesOrderSerializer`` reads them (``LINE_LIST``,
    where ``order_create`` leaves them too), with their products and units."""
    return Prefetch(
        "lines",
        queryset=SalesOrderLine.objects.select_related("product", "unit"),
        to_attr=LINE_LIST,
    )


def _check_change(user, record):
    if not order_selectors.can_change(user, record):
        raise PermissionDenied


# --- views ------------------------------------------------------------------------------------


class SalesOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Sales orders: list, read, create with nested lines, change a draft."""

    serializer_class = SalesOrderSerializer
    allowed_roles = ORDER_READ_ROLES
    write_roles = ORDER_WRITE_ROLES
    filterset_fields = ["state", "customer", "owner"]
    search_fields = ["number", "customer__name", "customer__code"]
    queryset = SalesOrder.objects.none()

    @property
    def ordering_fields(self):
        # Sorting by the total would tell a role that may not read prices how orders compare.
        fields = ["order_date", "created_at", "number", "state"]
        request = getattr(self, "request", None)
        if request is None or order_selectors.can_see_order_prices(request.user):
            fields.append("total")
        return fields

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SalesOrder.objects.none()
        return (
            order_selectors.orders_visible_to(self.request.user)
            .select_related("customer", "owner")
            .prefetch_related(order_lines_prefetch())
            .order_by("-created_at", "-id")
        )

    @extend_schema(request=OrderInputSerializer, responses={201: SalesOrderSerializer})
    def create(self, request, *args, **kwargs):
        data = OrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_services.order_create(owner=request.user, **order_input(data.validated_data))
        # Shown as written: customer and owner are in hand, the lines come with the order.
        order.customer, order.owner = data.validated_data["customer"], request.user
        return Response(serialized(SalesOrderSerializer, order), status=status.HTTP_201_CREATED)

    @extend_schema(request=OrderUpdateSerializer, responses=SalesOrderSerializer)
    def update(self, request, *args, **kwargs):
        from django.db import transaction

        order = self.get_object()
        _check_change(request.user, order)
        data = OrderUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with transaction.atomic():
            order_services.order_update(
                order=order,
                user=request.user,
                customer=v.get("customer"),
                requested_date=v.get("requested_date", order_services.UNSET),
                priority=v.get("priority"),
                shipping_address=v.get("shipping_address"),
                notes=v.get("notes"),
            )
            if "lines" in v:
                order_services.order_update_lines(order=order, lines=_lines(v["lines"]), user=request.user)
        return Response(serialized(SalesOrderSerializer, self.get_queryset().get(pk=order.pk)))

    @extend_schema(request=OrderUpdateSerializer, responses=SalesOrderSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(responses=OrderEventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request, pk=None):
        """The order's timeline, oldest first, in the reader's language."""
        order = self.get_object()
        entries = self.paginate_queryset(order_selectors.order_timeline(order=order))
        return self.get_paginated_response(OrderEventSerializer(entries, many=True).data)


class QuoteViewSet(viewsets.ModelViewSet):
    """Quotes: CRUD while draft; ``send`` e-mails the PDF; ``accept`` turns it into an order."""

    serializer_class = QuoteSerializer
    allowed_roles = QUOTE_READ_ROLES
    write_roles = QUOTE_WRITE_ROLES
    filterset_fields = ["state", "customer", "owner"]
    search_fields = ["number", "customer__name", "customer__code"]
    ordering_fields = ["valid_until", "created_at", "total", "number", "state"]
    queryset = Quote.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Quote.objects.none()
        return (
            order_selectors.quotes_visible_to(self.request.user)
            .select_related("customer", "owner")
            .prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("product", "unit")))
            .order_by("-created_at", "-id")
        )

    def _out(self, quote, code=status.HTTP_200_OK):
        return Response(serialized(QuoteSerializer, self.get_queryset().get(pk=quote.pk)), status=code)

    @extend_schema(request=QuoteInputSerializer, responses={201: QuoteSerializer})
    def create(self, request, *args, **kwargs):
        data = QuoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        quote = quote_services.quote_create(
            customer=v["customer"],
            owner=request.user,
            lines=_lines(v["lines"]),
            valid_until=v.get("valid_until"),
            notes=v.get("notes", ""),
        )
        return self._out(quote, status.HTTP_201_CREATED)

    @extend_schema(request=QuoteUpdateSerializer, responses=QuoteSerializer)
    def update(self, request, *args, **kwargs):
        quote = self.get_object()
        _check_change(request.user, quote)
        data = QuoteUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        v = data.validated_data
        quote_services.quote_update(
            quote=quote,
            user=request.user,
            customer=v.get("customer"),
            lines=_lines(v["lines"]) if "lines" in v else None,
            valid_until=v.get("valid_until"),
            notes=v.get("notes"),
        )
        return self._out(quote)

    @extend_schema(request=QuoteUpdateSerializer, responses=QuoteSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        quote = self.get_object()
        _check_change(request.user, quote)
        quote_services.quote_delete(quote=quote)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        quote = self.get_object()
        _check_change(request.user, quote)
        quote_services.quote_send(quote=quote, user=request.user)
        return self._out(quote)

    @extend_schema(request=None, responses={201: SalesOrderSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        quote = self.get_object()
        _check_change(request.user, quote)
        order = quote_services.quote_accept(quote=quote, user=request.user)
        order = (
            SalesOrder.objects.select_related("customer", "owner")
            .prefetch_related(order_lines_prefetch())
            .get(pk=order.pk)
        )
        return Response(serialized(SalesOrderSerializer, order), status=status.HTTP_201_CREATED)


router = DefaultRouter()
router.register("quotes", QuoteViewSet, basename="quote")
router.register("sales-orders", SalesOrderViewSet, basename="sales-order")
