"""Payables API: bills (accept a mismatch, cancel), supplier payments, supplier credit notes,
AP aging and supplier statements. Joined into ``finance.api``'s router; the same roles as the
pages: finance writes, managers read and accept mismatches, purchasing reads bills."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import api_fields
from core.dates import optional_date_input
from core.roles import FINANCE, MANAGER, PURCHASING
from core.sql import as_id, id_input
from finance.payables import bills as services
from finance.payables import payments, selectors
from finance.payables.models import (
    Bill,
    BillLine,
    SupplierCreditNote,
    SupplierPayment,
    SupplierPaymentAllocation,
)
from finance.receivables_api import StatementEntrySerializer, _aging_amounts, _money, statement_period
from scm.purchasing.models import Supplier

BILL_READ = (FINANCE, MANAGER, PURCHASING)
READ = (FINANCE, MANAGER)
WRITE = (FINANCE,)
ACCEPT = (MANAGER,)
SUPPLIER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="supplier id")


def _supplier(pk) -> Supplier:
    supplier = Supplier.objects.filter(pk=as_id(pk)).first()
    if supplier is None:
        raise serializers.ValidationError({"supplier": [_("Unknown supplier.")]})
    return supplier


class BillLineSerializer(api_fields.ModelSerializer):
    match = serializers.CharField(read_only=True, help_text="matched, mismatch or empty (no order line)")

    class Meta:
        model = BillLine
        fields = [
            "id",
            "po_line",
            "description",
            "quantity",
            "unit_price",
            "tax_rate",
            "net_amount",
            "tax_amount",
            "expected_amount",
            "match",
        ]


class BillAllocationSerializer(api_fields.ModelSerializer):
    payment_number = serializers.CharField(source="payment.number", read_only=True)

    class Meta:
        model = SupplierPaymentAllocation
        fields = ["id", "payment", "payment_number", "bill", "amount"]


class BillSerializer(api_fields.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text="matched, on_hold, approved, partly_paid, paid or cancelled"
    )
    open_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)

    class Meta:
        model = Bill
        fields = [
            "id",
            "number",
            "supplier",
            "supplier_name",
            "purchase_order",
            "supplier_invoice_number",
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
            "mismatch_note",
            "cancel_reason",
            "created_at",
        ]


class BillDetailSerializer(BillSerializer):
    lines = BillLineSerializer(many=True, read_only=True)
    allocations = BillAllocationSerializer(many=True, read_only=True)

    class Meta(BillSerializer.Meta):
        fields = [*BillSerializer.Meta.fields, "lines", "allocations"]


class BillLineInputSerializer(serializers.Serializer):
    po_line = api_fields.IdField(required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    quantity = api_fields.DecimalField(max_digits=18, decimal_places=3)
    unit_price = api_fields.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True)
    tax_rate = api_fields.DecimalField(max_digits=5, decimal_places=4, required=False, allow_null=True)


class BillCreateSerializer(serializers.Serializer):
    supplier = api_fields.IdField()
    supplier_invoice_number = serializers.CharField(max_length=60)
    lines = BillLineInputSerializer(many=True, required=False, default=list)
    receipts = serializers.ListField(
        child=api_fields.IdField(),
        required=False,
        default=list,
        help_text="posted receipts: their accepted goods at the order prices (with or instead of lines)",
    )
    issue_date = api_fields.DocumentDateField(required=False)
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class AcceptMismatchSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("overdue", str, enum=["0", "1"], description=_("1: only overdue ones.")),
            OpenApiParameter("due", str, enum=["0", "1"], description=_("1: only those due in 7 days.")),
        ]
    )
)
class BillViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    allowed_roles = BILL_READ
    write_roles = WRITE
    action_roles = {"accept_mismatch": ACCEPT, "cancel": WRITE}
    filterset_fields = ["state", "supplier", "purchase_order"]
    ordering_fields = ["issue_date", "due_date", "total", "number"]
    search_fields = ["number", "supplier__name", "supplier_invoice_number"]
    queryset = Bill.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Bill.objects.none()
        params = self.request.query_params
        qs = selectors.bills_for(overdue=params.get("overdue") == "1", due_soon=params.get("due") == "1")
        if self.action == "retrieve":
            qs = qs.prefetch_related("lines", "allocations__payment")
        return qs

    def get_serializer_class(self):
        return {
            "create": BillCreateSerializer,
            "retrieve": BillDetailSerializer,
            "cancel": ReasonSerializer,
            "accept_mismatch": AcceptMismatchSerializer,
        }.get(self.action, BillSerializer)

    def _detail(self, bill):
        return BillDetailSerializer(selectors.bill_detail(pk=bill.pk)).data

    @extend_schema(request=BillCreateSerializer, responses=BillDetailSerializer)
    def create(self, request, *args, **kwargs):
        data = BillCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        supplier = _supplier(v["supplier"])
        lines = [dict(line) for line in v.get("lines") or []]
        if v.get("receipts"):
            lines += selectors.receipt_bill_lines(supplier_id=supplier.pk, receipt_ids=v["receipts"])
        bill = services.bill_create(
            supplier=supplier,
            supplier_invoice_number=v["supplier_invoice_number"],
            lines=lines,
            issue_date=v.get("issue_date"),
            notes=v.get("notes", ""),
            user=request.user,
        )
        return Response(self._detail(bill), status=201)

    @extend_schema(request=AcceptMismatchSerializer, responses=BillDetailSerializer)
    @action(detail=True, methods=["post"], url_path="accept-mismatch")
    def accept_mismatch(self, request, pk=None):
        bill = self.get_object()
        data = AcceptMismatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bill = services.bill_accept_mismatch(bill=bill, note=data.validated_data["note"], user=request.user)
        return Response(self._detail(bill))

    @extend_schema(request=ReasonSerializer, responses=BillDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        bill = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bill = services.bill_cancel(bill=bill, reason=data.validated_data["reason"], user=request.user)
        return Response(self._detail(bill))


class SupplierPaymentSerializer(api_fields.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    allocations = BillAllocationSerializer(many=True, read_only=True)

    class Meta:
        model = SupplierPayment
        fields = [
            "id",
            "number",
            "supplier",
            "supplier_name",
            "amount",
            "paid_at",
            "method",
            "reference",
            "allocations",
            "created_at",
        ]


class BillAllocationInputSerializer(serializers.Serializer):
    bill = api_fields.IdField()
    amount = api_fields.DecimalField(max_digits=18, decimal_places=2)


class SupplierPaymentCreateSerializer(serializers.Serializer):
    supplier = api_fields.IdField()
    amount = serializers.CharField(max_length=30)
    allocations = BillAllocationInputSerializer(many=True, required=False, allow_null=True, default=None)
    paid_at = api_fields.DocumentDateField(required=False)
    method = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SupplierPaymentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    allowed_roles = READ
    write_roles = WRITE
    filterset_fields = ["supplier"]
    ordering_fields = ["paid_at", "amount"]
    queryset = SupplierPayment.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupplierPayment.objects.none()
        return selectors.supplier_payments_for().prefetch_related("allocations__payment")

    def get_serializer_class(self):
        return SupplierPaymentCreateSerializer if self.action == "create" else SupplierPaymentSerializer

    @extend_schema(request=SupplierPaymentCreateSerializer, responses=SupplierPaymentSerializer)
    def create(self, request, *args, **kwargs):
        data = SupplierPaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        allocations = v.get("allocations")
        payment = payments.supplier_payment_record(
            supplier=_supplier(v["supplier"]),
            amount=v["amount"],
            allocations=[dict(a) for a in allocations] if allocations else None,
            paid_at=v.get("paid_at"),
            method=v.get("method", ""),
            reference=v.get("reference", ""),
            user=request.user,
        )
        return Response(SupplierPaymentSerializer(self.get_queryset().get(pk=payment.pk)).data, status=201)


class SupplierCreditNoteSerializer(api_fields.ModelSerializer):
    bill_number = serializers.CharField(source="bill.number", read_only=True, allow_null=True)

    class Meta:
        model = SupplierCreditNote
        fields = [
            "id",
            "number",
            "supplier",
            "bill",
            "bill_number",
            "supplier_reference",
            "issue_date",
            "reason",
            "total",
            "created_at",
        ]


class SupplierCreditNoteCreateSerializer(serializers.Serializer):
    supplier = api_fields.IdField()
    bill = api_fields.IdField(required=False, allow_null=True, default=None)
    amount = serializers.CharField(max_length=30)
    reason = serializers.CharField(max_length=300)
    supplier_reference = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    issue_date = api_fields.DocumentDateField(required=False)


class SupplierCreditNoteViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    allowed_roles = READ
    write_roles = WRITE
    filterset_fields = ["supplier", "bill"]
    ordering_fields = ["issue_date", "total"]
    queryset = SupplierCreditNote.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupplierCreditNote.objects.none()
        return selectors.supplier_credit_notes_for()

    def get_serializer_class(self):
        return SupplierCreditNoteCreateSerializer if self.action == "create" else SupplierCreditNoteSerializer

    @extend_schema(request=SupplierCreditNoteCreateSerializer, responses=SupplierCreditNoteSerializer)
    def create(self, request, *args, **kwargs):
        data = SupplierCreditNoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        supplier = _supplier(v["supplier"])
        bill = None
        if v.get("bill"):
            bill = Bill.objects.filter(pk=v["bill"]).first()
            if bill is None:
                raise serializers.ValidationError({"bill": [_("Unknown bill.")]})
        note = services.supplier_credit_note_create(
            supplier=supplier,
            bill=bill,
            amount=v["amount"],
            reason=v["reason"],
            supplier_reference=v.get("supplier_reference", ""),
            issue_date=v.get("issue_date"),
            user=request.user,
        )
        return Response(SupplierCreditNoteSerializer(self.get_queryset().get(pk=note.pk)).data, status=201)


APAgingSupplierSerializer = _aging_amounts(
    "APAgingSupplierSerializer",
    supplier_id=serializers.IntegerField(),
    code=serializers.CharField(),
    name=serializers.CharField(),
)
APAgingTotalsSerializer = _aging_amounts("APAgingTotalsSerializer")


class APAgingSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    buckets = serializers.ListField(child=serializers.CharField())
    suppliers = APAgingSupplierSerializer(many=True)
    totals = APAgingTotalsSerializer()


class SupplierStatementSerializer(serializers.Serializer):
    supplier_id = serializers.IntegerField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opening_balance = _money()
    entries = StatementEntrySerializer(many=True)
    total_debit = _money(help_text="billed")
    total_credit = _money(help_text="paid and credited")
    closing_balance = _money()


class PayablesViewSet(viewsets.ViewSet):
    """Reports: AP aging (``/payables/aging/``) and a supplier's statement
    (``/payables/<supplier id>/statement/``)."""

    allowed_roles = READ
    queryset = Supplier.objects.none()

    @extend_schema(
        responses=APAgingSerializer,
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE),
            OpenApiParameter("supplier", OpenApiTypes.INT),
        ],
    )
    @action(detail=False)
    def aging(self, request):
        params = request.query_params
        report = selectors.ap_aging(
            as_of=optional_date_input(params.get("as_of"), field="as_of"),
            supplier_id=id_input(params.get("supplier"), field="supplier", required=False),
        )
        return Response(APAgingSerializer(report).data)

    @extend_schema(
        responses=SupplierStatementSerializer,
        parameters=[
            SUPPLIER_ID,
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
    )
    @action(detail=True)
    def statement(self, request, pk=None):
        supplier = Supplier.objects.filter(pk=as_id(pk)).first()
        if supplier is None:
            raise Http404
        date_from, date_to = statement_period(request.query_params)
        statement = selectors.supplier_statement(supplier.pk, date_from, date_to)
        return Response(SupplierStatementSerializer(statement).data)
