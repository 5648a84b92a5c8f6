"""REST API for quotes (/api/v1/quotes/) and sales orders (/api/v1/sales-orders/).

The same roles and record rules as the pages (``order_selectors``); writes go through the
services, whose ``ValidationError`` becomes a 400 naming the field (``lines[0].quantity``).
Confirm, cancel and release-hold actions belong to ``integration.fulfilment``.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.drf import serialized
from crm.sales.models import Quote, QuoteLine, SalesOrder
from crm.sales.orders import quote_services
from crm.sales.orders import selectors as order_selectors
from crm.sales.orders import services as order_services
from crm.sales.orders.line_api import LinePreviewViewSet
from crm.sales.orders.selectors import (
    ORDER_READ_ROLES,
    ORDER_WRITE_ROLES,
    QUOTE_READ_ROLES,
    QUOTE_WRITE_ROLES,
)
from crm.sales.orders.serializers import (
    OrderEventSerializer,
    OrderInputSerializer,
    OrderUpdateSerializer,
    QuoteInputSerializer,
    QuoteSerializer,
    QuoteUpdateSerializer,
    SalesOrderSerializer,
    lines_input,
    order_input,
    order_lines_prefetch,
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
                ship_from=v.get("ship_from", order_services.UNSET),
                ship_complete=v.get("ship_complete"),
            )
            if "lines" in v:
                order_services.order_update_lines(
                    order=order, lines=lines_input(v["lines"]), user=request.user
                )
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
            lines=lines_input(v["lines"]),
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
            lines=lines_input(v["lines"]) if "lines" in v else None,
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
router.register("order-line-preview", LinePreviewViewSet, basename="order-line-preview")
