"""The line preview for API clients (POST /api/v1/order-line-preview/): what the order form shows
next to a line before saving — its price (price lists, promotions, list price per unit), amount
and tax, availability per warehouse with incoming receipts, the promise date and any shortage —
from ``document_lines.document_lines``, the function the services save with."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core import api_fields
from crm.customers.selectors import customers_visible_to
from crm.sales.orders.document_lines import LINE_ERROR, document_lines
from crm.sales.orders.selectors import ORDER_WRITE_ROLES, QUOTE_WRITE_ROLES
from scm.inventory.models import Warehouse

WRITE_ROLES = tuple(sorted(set(ORDER_WRITE_ROLES) | set(QUOTE_WRITE_ROLES)))
QTY = {"max_digits": 18, "decimal_places": 3}
AMOUNT = {"max_digits": 18, "decimal_places": 2}


class LinePreviewInputSerializer(serializers.Serializer):
    # Numbers as text: the pricing checks them and names the field.
    customer = api_fields.IdField(required=False, allow_null=True, help_text="Prices for this customer.")
    product = api_fields.IdField()
    unit = api_fields.IdField(required=False, allow_null=True)
    quantity = serializers.CharField()
    unit_price = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    discount_percent = serializers.CharField(required=False, allow_blank=True, default="0")
    ship_from = api_fields.IdField(
        required=False, allow_null=True, help_text="Promise from this warehouse only (the order's ship-from)."
    )


class IncomingSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(**QTY)
    expected_date = serializers.DateField()


class WarehouseAvailabilitySerializer(serializers.Serializer):
    warehouse = serializers.IntegerField(source="warehouse.pk")
    warehouse_code = serializers.CharField(source="warehouse.code")
    warehouse_name = serializers.CharField(source="warehouse.name")
    on_hand = serializers.DecimalField(**QTY)
    reserved = serializers.DecimalField(**QTY)
    available = serializers.DecimalField(**QTY)
    incoming = IncomingSerializer(many=True)
    promise_date = serializers.DateField(
        allow_null=True, help_text="When this warehouse alone could ship it."
    )
    promise_source = serializers.CharField()


class PricedPartSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(**QTY)
    base_quantity = serializers.DecimalField(**QTY)
    unit_price = serializers.DecimalField(**AMOUNT)
    price_source = serializers.CharField()
    price_list = serializers.IntegerField(source="price_list_id", allow_null=True)
    price_promotion = serializers.IntegerField(source="price_promotion_id", allow_null=True)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    promotion_discount = serializers.DecimalField(**AMOUNT)
    net_amount = serializers.DecimalField(**AMOUNT)
    tax_amount = serializers.DecimalField(**AMOUNT)
    promise_date = serializers.DateField(allow_null=True)


class LinePreviewSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    base_quantity = serializers.DecimalField(**QTY)
    parts = PricedPartSerializer(
        many=True, help_text="The priced line; two parts when a promotion gives some of its units."
    )
    net_amount = serializers.DecimalField(**AMOUNT)
    tax_amount = serializers.DecimalField(**AMOUNT)
    subtotal = serializers.DecimalField(**AMOUNT)
    tax_total = serializers.DecimalField(**AMOUNT)
    total = serializers.DecimalField(**AMOUNT)
    promise_date = serializers.DateField(allow_null=True, help_text="Null: unknown, ask purchasing.")
    promise_source = serializers.ChoiceField(choices=["stock", "incoming", "lead_time", "unknown"])
    available = serializers.DecimalField(**QTY, help_text="Free to promise where it ships from.")
    shortage = serializers.DecimalField(**QTY)
    ship_from = serializers.IntegerField(allow_null=True)
    availability = WarehouseAvailabilitySerializer(many=True)


def _field_errors(exc: ValidationError) -> ValidationError:
    """The pricing's ``lines[0].quantity`` names, as this one line's fields (``quantity``)."""
    if not hasattr(exc, "error_dict"):
        return exc
    named = {}
    for name, messages in exc.message_dict.items():
        match = LINE_ERROR.match(name)
        named[match.group(2) if match else name] = messages
    return ValidationError(named)


class LinePreviewViewSet(viewsets.GenericViewSet):
    """Price and promise one order or quote line before saving it."""

    allowed_roles = WRITE_ROLES
    write_roles = WRITE_ROLES
    serializer_class = LinePreviewInputSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(request=LinePreviewInputSerializer, responses=LinePreviewSerializer)
    def create(self, request):
        data = LinePreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        customer = None
        if v.get("customer") is not None:
            customer = customers_visible_to(request.user).filter(pk=v["customer"], is_active=True).first()
            if customer is None:
                raise ValidationError({"customer": _("No such customer.")})
        ship_from = None
        if v.get("ship_from") is not None:
            ship_from = Warehouse.objects.for_stock().filter(pk=v["ship_from"]).first()
            if ship_from is None:
                raise ValidationError(
                    {"ship_from": _("Choose an active warehouse that holds stock to sell.")}
                )
        line = {
            name: v.get(name) for name in ("product", "unit", "quantity", "unit_price", "discount_percent")
        }
        try:
            found = document_lines([line], customer=customer, ship_from=ship_from, rows=True)
        except ValidationError as exc:
            raise _field_errors(exc) from None
        found.keys = [0] * len(found.priced)
        [entry] = found.entries()
        promise = entry.promise
        answer = {
            "product": entry.product.pk,
            "base_quantity": entry.base_quantity,
            "parts": entry.parts,
            "net_amount": entry.net_amount,
            "tax_amount": entry.tax_amount,
            **{key: found.totals[key] for key in ("subtotal", "tax_total", "total")},
            "promise_date": promise.promise_date,
            "promise_source": promise.source,
            "available": entry.available,
            "shortage": entry.shortage,
            "ship_from": ship_from.pk if ship_from else None,
            "availability": entry.warehouses,
        }
        return Response(LinePreviewSerializer(answer).data)
