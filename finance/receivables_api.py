"""Receivables API, the reports: aging, a customer's balance with its credit exposure, and
statements. Money as strings like the rest of the API. The router is in ``api``; the same
permissions as the pages."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.dates import optional_date_input
from core.sql import as_id, id_input
from crm.customers.models import Customer
from finance import selectors
from finance.api_common import READ

CUSTOMER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="customer id")


def _money(**kwargs):
    """An amount as the rest of the API gives it: a string with two decimals."""
    return serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True, **kwargs)


def _aging_amounts(class_name: str, **fields) -> type[serializers.Serializer]:
    """A serializer of the amount in each of the aging buckets and their total, after ``fields``."""
    buckets = {key: _money() for key, _first, _last in selectors.AGING_BUCKETS}
    return type(class_name, (serializers.Serializer,), {**fields, **buckets, "total": _money()})


AgingCustomerSerializer = _aging_amounts(
    "AgingCustomerSerializer",
    customer_id=serializers.IntegerField(),
    code=serializers.CharField(),
    name=serializers.CharField(),
)
AgingTotalsSerializer = _aging_amounts("AgingTotalsSerializer")


def statement_period(params) -> tuple:
    """A statement's period from the API's ``date_from`` / ``date_to``: by default the month so
    far (customers' and suppliers' statements alike)."""
    date_to = optional_date_input(params.get("date_to"), field="date_to") or timezone.localdate()
    date_from = optional_date_input(params.get("date_from"), field="date_from") or date_to.replace(day=1)
    return date_from, date_to


class AgingSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    buckets = serializers.ListField(child=serializers.CharField())
    customers = AgingCustomerSerializer(many=True)
    totals = AgingTotalsSerializer()


class CreditExposureSerializer(serializers.Serializer):
    limit = _money(allow_null=True, help_text="null: no credit limit set")
    receivables = _money(allow_null=True, help_text="null: no credit limit set (not worked out)")
    open_orders = _money(allow_null=True, help_text="null: no credit limit set (not worked out)")
    adding = _money(help_text="what the order being checked adds (0 here)")
    exposure = _money(allow_null=True, help_text="receivables + open orders; null: no credit limit set")
    available = _money(allow_null=True, help_text="null: no credit limit set")
    over_limit = serializers.BooleanField()


class CustomerBalanceSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    open = _money()
    overdue = _money()
    unapplied_credit = _money()
    balance = _money()
    exposure = CreditExposureSerializer()


class StatementEntrySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField(help_text="invoice, payment or credit_note")
    number = serializers.CharField()
    description = serializers.CharField()
    debit = _money()
    credit = _money()
    balance = _money()


class StatementSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    opening_balance = _money()
    entries = StatementEntrySerializer(many=True)
    total_debit = _money()
    total_credit = _money()
    closing_balance = _money()


class ReceivablesViewSet(viewsets.ViewSet):
    """Reports: aging (``/receivables/aging/``) and per customer balance and statement
    (``/receivables/<customer id>/balance/``, ``/receivables/<customer id>/statement/``)."""

    allowed_roles = READ
    queryset = Customer.objects.none()  # lets the schema type the customer id in the path

    def _customer(self, request, pk):
        customer = selectors.visible_customers(request.user).filter(pk=as_id(pk)).first()
        if customer is None:
            raise Http404
        return customer

    @extend_schema(
        responses=AgingSerializer,
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE),
            OpenApiParameter("customer", OpenApiTypes.INT),
        ],
    )
    @action(detail=False)
    def aging(self, request):
        params = request.query_params
        report = selectors.aging(
            as_of=optional_date_input(params.get("as_of"), field="as_of"),
            customer_id=id_input(params.get("customer"), field="customer", required=False),
            user=request.user,
        )
        return Response(AgingSerializer(report).data)

    @extend_schema(responses=CustomerBalanceSerializer, parameters=[CUSTOMER_ID])
    @action(detail=True)
    def balance(self, request, pk=None):
        customer = self._customer(request, pk)
        balance = {
            "customer": customer.pk,
            **selectors.customer_balance(customer_id=customer.pk),
            "exposure": selectors.credit_exposure(customer=customer),
        }
        return Response(CustomerBalanceSerializer(balance).data)

    @extend_schema(
        responses=StatementSerializer,
        parameters=[
            CUSTOMER_ID,
            OpenApiParameter("date_from", OpenApiTypes.DATE),
            OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
    )
    @action(detail=True)
    def statement(self, request, pk=None):
        customer = self._customer(request, pk)
        date_from, date_to = statement_period(request.query_params)
        statement = selectors.customer_statement(customer.pk, date_from, date_to)
        return Response(StatementSerializer(statement).data)
