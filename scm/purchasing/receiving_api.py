"""Receiving API: receipts (list, detail), a receipt for a purchase order with its lines in one
call (scanners, integrations; ``post`` to post it at once), and the actions check and post.
Reads: ``READ_ROLES``; writes: ``RECEIVE_ROLES``. Every change goes through
``scm.purchasing.receiving``; a ValidationError is a 400 naming the field, and a refused call
leaves nothing half-written (one transaction)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.sql import as_id
from scm.inventory.models import Location, Product
from scm.purchasing import receiving
from scm.purchasing.models import PurchaseOrder, Receipt, ReceiptLine
from scm.purchasing.selectors import (
    READ_ROLES,
    RECEIVE_ROLES,
    purchase_orders_visible_to,
    receipts_visible_to,
)


class GoodsReceiptLineSerializer(api_fields.ModelSerializer):
    class Meta:
        model = ReceiptLine
        fields = [
            "id",
            "po_line",
            "product",
            "lot_number",
            "expiry_date",
            "lot",
            "location",
            "quantity",
            "accepted_quantity",
            "rejected_quantity",
            "reject_reason",
            "reject_action",
        ]
        read_only_fields = fields


class GoodsReceiptSerializer(api_fields.ModelSerializer):
    lines = GoodsReceiptLineSerializer(many=True, read_only=True)

    class Meta:
        model = Receipt
        fields = [
            "id",
            "number",
            "purchase_order",
            "supplier",
            "warehouse",
            "state",
            "delivery_note",
            "received_by",
            "checked_by",
            "created_at",
            "posted_at",
            "lines",
        ]
        read_only_fields = fields


class GoodsReceiptLineInputSerializer(serializers.Serializer):
    po_line = serializers.IntegerField(required=False)
    product = serializers.IntegerField(required=False)
    quantity = serializers.CharField()
    lot_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    expiry_date = api_fields.DocumentDateField(required=False, allow_null=True, default=None)
    location = api_fields.IdRelatedField(
        queryset=Location.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="the bin the accepted goods go into (a warehouse with bins); none: put away later",
    )
    accepted_quantity = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    rejected_quantity = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    reject_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    reject_action = serializers.ChoiceField(
        choices=ReceiptLine.RejectAction.choices, required=False, default=ReceiptLine.RejectAction.QUARANTINE
    )


class GoodsReceiptCreateSerializer(serializers.Serializer):
    purchase_order = serializers.IntegerField()
    delivery_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    lines = GoodsReceiptLineInputSerializer(many=True, required=False)
    post = serializers.BooleanField(required=False, default=False)


class GoodsReceiptCheckLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    accepted_quantity = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    rejected_quantity = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    reject_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    reject_action = serializers.ChoiceField(
        choices=ReceiptLine.RejectAction.choices, required=False, default=ReceiptLine.RejectAction.QUARANTINE
    )


class GoodsReceiptCheckSerializer(serializers.Serializer):
    lines = GoodsReceiptCheckLineSerializer(many=True, required=False)


def _line_product(order: PurchaseOrder, data: dict, index: int):
    """The product and order line of an input line: by ``po_line`` (of this order) or ``product``."""
    po_line_id = as_id(data.get("po_line"))
    if po_line_id is not None:
        po_line = order.lines.select_related("product").filter(pk=po_line_id).first()
        if po_line is None:
            raise ValidationError({"po_line": _("Line %(n)s: not on the purchase order.") % {"n": index + 1}})
        return po_line.product, po_line.pk
    product = Product.objects.filter(pk=as_id(data.get("product")) or 0).first()
    if product is None:
        raise ValidationError({"product": _("Give the order line (po_line) or the product.")})
    return product, None


class ReceiptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = GoodsReceiptSerializer
    allowed_roles = READ_ROLES
    write_roles = RECEIVE_ROLES
    filterset_fields = ["state", "purchase_order", "supplier", "warehouse"]
    ordering_fields = ["created_at", "posted_at"]
    search_fields = ["number"]

    def get_queryset(self):
        return receipts_visible_to(self.request.user).prefetch_related("lines").order_by("-pk")

    def _reply(self, receipt, code=status.HTTP_200_OK):
        return Response(GoodsReceiptSerializer(self.get_queryset().get(pk=receipt.pk)).data, status=code)

    @extend_schema(request=GoodsReceiptCreateSerializer, responses={201: GoodsReceiptSerializer})
    def create(self, request):
        """Start a receipt for a purchase order with its lines, checked (accepted and rejected per
        line; lines without figures pass whole) and, with ``post``, posted: all in one call."""
        payload = GoodsReceiptCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        order = purchase_orders_visible_to(request.user).filter(pk=data["purchase_order"]).first()
        if order is None:
            raise ValidationError({"purchase_order": _("No such purchase order.")})
        with transaction.atomic():
            receipt = receiving.receipt_start(
                purchase_order=order, user=request.user, delivery_note=data.get("delivery_note", "")
            )
            results = []
            for index, line in enumerate(data.get("lines") or []):
                product, po_line_id = _line_product(order, line, index)
                added = receiving.receipt_add_line(
                    receipt=receipt,
                    user=request.user,
                    product=product,
                    po_line_id=po_line_id,
                    quantity=line["quantity"],
                    lot_number=line.get("lot_number", ""),
                    expiry_date=line.get("expiry_date"),
                    location=line.get("location"),
                )
                results.append(
                    {
                        "line": added.pk,
                        "accepted_quantity": line.get("accepted_quantity"),
                        "rejected_quantity": line.get("rejected_quantity"),
                        "reject_reason": line.get("reject_reason", ""),
                        "reject_action": line.get("reject_action"),
                    }
                )
            # Figures given for any line are checked (and kept) even when the receipt is not posted yet.
            figures = any(
                r[k] not in (None, "") for r in results for k in ("accepted_quantity", "rejected_quantity")
            )
            if results and (data.get("post") or figures):
                receiving.receipt_check(receipt=receipt, user=request.user, results=results)
            if data.get("post"):
                receiving.receipt_post(receipt=receipt, user=request.user)
        return self._reply(receipt, status.HTTP_201_CREATED)

    @extend_schema(request=GoodsReceiptCheckSerializer, responses=GoodsReceiptSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Record the quality check (lines not named pass whole)."""
        receipt = self.get_object()
        payload = GoodsReceiptCheckSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        results = [dict(r) for r in payload.validated_data.get("lines") or []]
        receiving.receipt_check(receipt=receipt, user=request.user, results=results)
        return self._reply(receipt)

    @extend_schema(request=None, responses=GoodsReceiptSerializer)
    @action(detail=True, methods=["post"], url_path="post", url_name="post")
    def post_receipt(self, request, pk=None):
        """Post a checked receipt (stock moves; a second post is refused)."""
        receipt = self.get_object()
        receiving.receipt_post(receipt=receipt, user=request.user)
        return self._reply(receipt)


router = DefaultRouter()
router.register("receipts", ReceiptViewSet, basename="receipt")
