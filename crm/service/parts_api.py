"""Service API. Parts on tickets (``/api/v1/ticket-parts/``): list (``?ticket=<id>``,
``?state=``), read, add (reserved from the nearest warehouse that has them) and remove
(``DELETE``: the reservation is released, the part kept as released). Service and managers
write; the warehouse reads. Writes go through ``crm.service.parts``; a ValidationError is a
400 naming the field."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from core import api_fields
from core.sql import as_id
from crm.service import parts, selectors
from crm.service.models import TicketPart
from crm.service.parts_views import READ, WRITE
from scm.inventory.models import Product, ProductUnit


class TicketPartSerializer(api_fields.ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = TicketPart
        fields = [
            "id",
            "ticket",
            "product",
            "product_sku",
            "product_name",
            "quantity",
            "state",
            "under_warranty",
            "unit_price",
            "invoice_id",
            "added_by",
            "created_at",
            "consumed_at",
        ]
        read_only_fields = fields


class TicketPartInput(serializers.Serializer):
    ticket = api_fields.IdField()
    product = api_fields.IdField()
    # Text: the service parses it and names the field.
    quantity = serializers.CharField(max_length=40, help_text="In the product's base unit, or in ``unit``.")
    unit = api_fields.IdField(required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("ticket", int, description="Only this ticket's parts."),
            OpenApiParameter("state", str, enum=[s for s, _l in TicketPart.State.choices]),
        ]
    ),
    create=extend_schema(request=TicketPartInput, responses={201: TicketPartSerializer}),
)
class TicketPartViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TicketPartSerializer
    allowed_roles = READ
    write_roles = WRITE
    filter_backends = []

    def get_queryset(self):
        visible = selectors.tickets_for_parts(
            self.request.user, write=self.request.method not in SAFE_METHODS
        )
        qs = (
            TicketPart.objects.filter(ticket__in=visible.values("pk"))
            .select_related("product")
            .order_by("-id")
        )
        params = self.request.query_params
        if params.get("ticket"):
            ticket_id = as_id(params["ticket"])
            if ticket_id is None:
                raise ValidationError({"ticket": _("Enter a valid id.")})
            qs = qs.filter(ticket_id=ticket_id)
        state = params.get("state")
        if state:
            if state not in TicketPart.State.values:
                raise ValidationError({"state": _("Unknown state.")})
            qs = qs.filter(state=state)
        return qs

    def create(self, request, *args, **kwargs):
        data = TicketPartInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ticket = get_object_or_404(selectors.tickets_for_parts(request.user, write=True), pk=values["ticket"])
        product = Product.objects.filter(pk=values["product"]).first()
        if product is None:
            raise ValidationError({"product": _("No such product.")})
        unit = None
        if values.get("unit"):
            unit = ProductUnit.objects.filter(pk=values["unit"], product=product).first()
            if unit is None:
                raise ValidationError({"unit": _("This unit does not belong to the product.")})
        part = parts.ticket_part_add(
            ticket=ticket, product=product, quantity=values["quantity"], unit=unit, user=request.user
        )
        return Response(TicketPartSerializer(part).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        part = self.get_object()
        parts.ticket_part_remove(part=part, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
