"""Receivables API: invoices, payments and credit notes here; aging, customer balance and
statement in ``receivables_api``.

Same permissions as the pages: finance writes; managers read; sales reps read the invoices and
balances of their own and their team's customers.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from finance import payments, selectors, services
from finance.api_common import READ, WRITE
from finance.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment, PaymentAllocation
from finance.payables.api import (
    BillViewSet,
    PayablesViewSet,
    SupplierCreditNoteViewSet,
    SupplierPaymentViewSet,
)
from finance.receivables_api import ReceivablesViewSet


class InvoiceLineSerializer(api_fields.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "description",
            "product",
            "sales_order_line",
            "quantity",
            "unit_price",
            "tax_rate",
            "net_amount",
            "tax_amount",
        ]


class AllocationSerializer(api_fields.ModelSerializer):
    payment_number = serializers.CharField(source="payment.number", read_only=True)
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ["id", "payment", "payment_number", "invoice", "invoice_number", "amount"]


class InvoiceSerializer(api_fields.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    # A plain string in the schema: an enum named "state" would collide with other apps' states.
    state = serializers.CharField(read_only=True, help_text="open, partly_paid, paid or cancelled")
    open_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "sales_order",
            "source_reference",
            "is_opening",
            "issue_date",
            "due_date",
            "state",
            "currency",
            "subtotal",
            "tax_total",
            "total",
            "paid_amount",
            "credited_amount",
            "open_amount",
            "cancel_reason",
            "created_at",
        ]


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "lines", "allocations"]


class InvoiceLineInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    quantity = api_fields.DecimalField(max_digits=18, decimal_places=3)
    unit_price = api_fields.DecimalField(max_digits=18, decimal_places=2)
    tax_rate = api_fields.DecimalField(max_digits=5, decimal_places=4, default=0)


class InvoiceCreateSerializer(serializers.Serializer):
    customer = api_fields.IdField()
    lines = InvoiceLineInputSerializer(many=True)
    source_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    issue_date = api_fields.DocumentDateField(required=False)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


def _visible_customer(user, pk):
    customer = selectors.visible_customers(user).filter(pk=pk).first()
    if customer is None:
        raise serializers.ValidationError({"customer": [_("Unknown customer.")]})
    return customer


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("overdue", str, enum=["0", "1"], description=_("1: only overdue ones."))]
    )
)
class InvoiceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    allowed_roles = READ
    write_roles = WRITE
    filterset_fields = ["state", "customer", "sales_order"]
    ordering_fields = ["issue_date", "due_date", "total", "number"]
    search_fields = ["number", "customer__name", "source_reference"]
    queryset = Invoice.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        qs = selectors.invoices_for(
            self.request.user, overdue=self.request.query_params.get("overdue") == "1"
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("lines", "allocations__payment", "allocations__invoice")
        return qs

    def get_serializer_class(self):
        if self.action == "create":
            return InvoiceCreateSerializer
        if self.action == "retrieve":
            return InvoiceDetailSerializer
        if self.action == "cancel":
            return CancelSerializer
        return InvoiceSerializer

    @extend_schema(request=InvoiceCreateSerializer, responses=InvoiceDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = InvoiceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        invoice = services.invoice_create(
            customer=_visible_customer(request.user, v["customer"]),
            lines=[dict(line) for line in v["lines"]],
            source_reference=v.get("source_reference", ""),
            issue_date=v.get("issue_date"),
            user=request.user,
        )
        return Response(InvoiceDetailSerializer(invoice).data, status=201)

    @extend_schema(request=CancelSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        invoice = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = services.invoice_cancel(
            invoice=invoice, reason=data.validated_data["reason"], user=request.user
        )
        return Response(InvoiceSerializer(invoice).data)


class PaymentSerializer(api_fields.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    unallocated_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "amount",
            "allocated_amount",
            "unallocated_amount",
            "paid_at",
            "method",
            "reference",
            "allocations",
            "created_at",
        ]


class AllocationInputSerializer(serializers.Serializer):
    invoice = api_fields.IdField()
    amount = api_fields.DecimalField(max_digits=18, decimal_places=2)


class PaymentCreateSerializer(serializers.Serializer):
    customer = api_fields.IdField()
    # A string, so the service names the field when it is zero, negative or not a number.
    amount = serializers.CharField(max_length=30)
    allocations = AllocationInputSerializer(many=True, required=False, allow_null=True, default=None)
    paid_at = api_fields.DocumentDateField(required=False)
    method = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PaymentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    allowed_roles = READ
    write_roles = WRITE
    filterset_fields = ["customer"]
    ordering_fields = ["paid_at", "amount"]
    queryset = Payment.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return selectors.payments_for(self.request.user).prefetch_related(
            "allocations__invoice", "allocations__payment"
        )

    def get_serializer_class(self):
        return PaymentCreateSerializer if self.action == "create" else PaymentSerializer

    @extend_schema(request=PaymentCreateSerializer, responses=PaymentSerializer)
    def create(self, request, *args, **kwargs):
        data = PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        allocations = v.get("allocations")
        payment = payments.payment_record(
            customer=_visible_customer(request.user, v["customer"]),
            amount=v["amount"],
            allocations=[dict(a) for a in allocations] if allocations is not None else None,
            paid_at=v.get("paid_at"),
            method=v.get("method", ""),
            reference=v.get("reference", ""),
            user=request.user,
        )
        payment = self.get_queryset().get(pk=payment.pk)
        return Response(PaymentSerializer(payment).data, status=201)


class CreditNoteLineSerializer(api_fields.ModelSerializer):
    class Meta:
        model = CreditNoteLine
        fields = ["id", "description", "quantity", "unit_price", "tax_rate", "net_amount", "tax_amount"]


class CreditNoteSerializer(api_fields.ModelSerializer):
    lines = CreditNoteLineSerializer(many=True, read_only=True)
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice",
            "invoice_number",
            "customer",
            "issue_date",
            "reason",
            "subtotal",
            "tax_total",
            "total",
            "lines",
            "created_at",
        ]


class CreditNoteCreateSerializer(serializers.Serializer):
    invoice = api_fields.IdField()
    reason = serializers.CharField(max_length=300)
    lines = InvoiceLineInputSerializer(many=True)


class CreditNoteViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    allowed_roles = READ
    write_roles = WRITE
    filterset_fields = ["customer", "invoice"]
    ordering_fields = ["issue_date", "total"]
    queryset = CreditNote.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CreditNote.objects.none()
        return selectors.credit_notes_for(self.request.user).prefetch_related("lines")

    def get_serializer_class(self):
        return CreditNoteCreateSerializer if self.action == "create" else CreditNoteSerializer

    @extend_schema(request=CreditNoteCreateSerializer, responses=CreditNoteSerializer)
    def create(self, request, *args, **kwargs):
        data = CreditNoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        invoice = selectors.invoices_for(request.user).filter(pk=v["invoice"]).first()
        if invoice is None:
            raise serializers.ValidationError({"invoice": [_("Unknown invoice.")]})
        note = services.credit_note_create(
            invoice=invoice, lines=[dict(line) for line in v["lines"]], reason=v["reason"], user=request.user
        )
        return Response(CreditNoteSerializer(self.get_queryset().get(pk=note.pk)).data, status=201)


router = DefaultRouter()
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")
router.register("receivables", ReceivablesViewSet, basename="receivables")
router.register("bills", BillViewSet, basename="bill")
router.register("supplier-payments", SupplierPaymentViewSet, basename="supplier-payment")
router.register("supplier-credit-notes", SupplierCreditNoteViewSet, basename="supplier-credit-note")
router.register("payables", PayablesViewSet, basename="payables")
