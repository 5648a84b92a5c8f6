"""API of the carrier figures: ``GET /api/v1/carriers/figures/?from=&to=`` (the carriers
themselves are fulfilment's ``/api/v1/carriers/``)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api_fields import DocumentDateField
from integration.aftersales import carriers
from integration.aftersales.carrier_views import READERS


class CarrierFiguresSerializer(serializers.Serializer):
    carrier_id = serializers.IntegerField()
    name = serializers.CharField()
    is_active = serializers.BooleanField()
    shipments = serializers.IntegerField()
    delivered = serializers.IntegerField()
    on_time = serializers.IntegerField()
    damage_complaints = serializers.IntegerField(
        help_text="Shipments of the period with a damage complaint (damaged parcels)."
    )
    damage_rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    on_time_rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    flagged = serializers.BooleanField()


class PeriodInput(serializers.Serializer):
    date_from = DocumentDateField(required=False)
    date_to = DocumentDateField(required=False)


class CarrierFiguresViewSet(viewsets.ViewSet):
    """Per carrier for the period (shipments that left between ``from`` and ``to``, local days,
    inclusive): shipments, damage complaints, damage rate %, on-time rate %, flagged."""

    allowed_roles = READERS

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="First day (YYYY-MM-DD)."),
            OpenApiParameter("to", str, description="Last day (YYYY-MM-DD)."),
        ],
        responses=CarrierFiguresSerializer(many=True),
    )
    def list(self, request):
        data = PeriodInput(
            data={
                k: v
                for k, v in {
                    "date_from": request.query_params.get("from"),
                    "date_to": request.query_params.get("to"),
                }.items()
                if v
            }
        )
        data.is_valid(raise_exception=True)
        rows = carriers.carrier_figures(
            date_from=data.validated_data.get("date_from"), date_to=data.validated_data.get("date_to")
        )
        return Response(CarrierFiguresSerializer(rows, many=True).data)


router = DefaultRouter()
router.register("carriers/figures", CarrierFiguresViewSet, basename="carrier-figures")
