"""The sales documents' serializers: quotes and orders as the API answers them (lines with
their prices and promise dates) and the input the services take (``order_input``)."""

from django.db.models import Prefetch
from rest_framework import serializers

from core import api_fields
from core.drf import PersonNameField
from core.people import display_name
from core.restricted import RestrictedFieldsMixin
from crm.customers.api import CustomerIdField
from crm.sales.models import OrderEvent, Quote, QuoteLine, SalesOrder, SalesOrderLine
from crm.sales.orders import selectors as order_selectors
from crm.sales.orders import services as order_services
from crm.sales.orders.models import LINE_LIST
from scm.inventory.models import Warehouse

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
    # The day promised for the line when it was written (``scm.inventory.promise``).
    "promise_date",
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
        read_only_fields = ["promise_date"]

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
        read_only_fields = ["promise_date"]


class QuoteSerializer(api_fields.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = PersonNameField(source="owner")
    lines = QuoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "owner",
            "owner_name",
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
    owner_name = PersonNameField(source="owner")
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
            "owner_name",
            "quote",
            "state",
            "priority",
            "order_date",
            "requested_date",
            "shipping_address",
            "ship_from",
            "ship_complete",
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


class ShipFromField(api_fields.IdRelatedField):
    """A ship-from warehouse by id: an active stock warehouse (never a quarantine)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Warehouse.objects.for_stock(), **kwargs)


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
    # The warehouse that serves the order (null: the nearest with stock), and whether it waits
    # to ship complete rather than ship what is there.
    ship_from = ShipFromField(required=False, allow_null=True, default=None)
    ship_complete = serializers.BooleanField(required=False, default=False)
    lines = LineInputSerializer(many=True)


class OrderUpdateSerializer(OrderInputSerializer):
    customer = CustomerIdField(required=False)
    priority = serializers.ChoiceField(choices=SalesOrder.Priority.choices, required=False)
    ship_from = ShipFromField(required=False, allow_null=True)
    ship_complete = serializers.BooleanField(required=False)
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


def lines_input(data) -> list[dict]:
    """Validated lines as the services take them (plain dicts)."""
    return [dict(line) for line in data]


def order_input(validated: dict) -> dict:
    """``OrderInputSerializer``'s validated data as the keyword arguments of ``order_create``
    (without the owner)."""
    return {
        "customer": validated["customer"],
        "lines": lines_input(validated["lines"]),
        "requested_date": validated.get("requested_date"),
        "priority": validated.get("priority", SalesOrder.Priority.NORMAL),
        "shipping_address": validated.get("shipping_address", ""),
        "notes": validated.get("notes", ""),
        "ship_from": validated.get("ship_from"),
        "ship_complete": validated.get("ship_complete", False),
    }


def order_lines_prefetch() -> Prefetch:
    """An order's lines where ``SalesOrderSerializer`` reads them (``LINE_LIST``,
    where ``order_create`` leaves them too), with their products and units."""
    return Prefetch(
        "lines",
        queryset=SalesOrderLine.objects.select_related("product", "unit"),
        to_attr=LINE_LIST,
    )
