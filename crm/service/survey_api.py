"""Satisfaction surveys in the API (read-only: a customer answers at the signed link in the
survey e-mail, never through the API): ``/api/v1/service/surveys/`` lists surveys and answers
with filters for period, kind and score group, and ``…/surveys/nps/`` gives the NPS figures of
the same period and kind. Readers: service, sales (the customers they may see) and managers."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core import api_fields
from core.roles import MANAGER, SALES, SERVICE
from crm.service import nps as nps_selectors
from crm.service.models import Survey

READERS = (SERVICE, SALES, MANAGER)


class SurveySerializer(api_fields.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "kind",
            "customer",
            "customer_name",
            "order",
            "shipment_id",
            "ticket",
            "state",
            "sent_at",
            "expires_at",
            "answered_at",
            "score",
            "comment",
            "follow_up",
            "created_at",
        ]
        read_only_fields = fields


class NpsSerializer(serializers.Serializer):
    surveys = serializers.IntegerField()
    sent = serializers.IntegerField()
    answers = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=0, allow_null=True)


class SurveyFilterSerializer(serializers.Serializer):
    date_from = api_fields.DocumentDateField(required=False)
    date_to = api_fields.DocumentDateField(required=False)
    kind = serializers.ChoiceField(choices=Survey.Kind.choices, required=False)
    score = serializers.ChoiceField(choices=sorted(nps_selectors.SCORE_GROUPS), required=False)


FILTERS = [
    OpenApiParameter("date_from", str, description="Surveys sent on or after this day (YYYY-MM-DD)."),
    OpenApiParameter("date_to", str, description="Surveys sent on or before this day (YYYY-MM-DD)."),
    OpenApiParameter("kind", str, enum=list(Survey.Kind.values)),
    OpenApiParameter("score", str, enum=sorted(nps_selectors.SCORE_GROUPS)),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SurveySerializer
    allowed_roles = READERS
    filter_backends = []

    def _filters(self) -> dict:
        data = SurveyFilterSerializer(data=self.request.query_params)
        if not data.is_valid():
            raise ValidationError(data.errors)
        return {
            k: data.validated_data.get(k) or ("" if k in ("kind", "score") else None) for k in data.fields
        }

    def get_queryset(self):
        filters = self._filters() if self.action == "list" else {}
        return nps_selectors.surveys_visible_to(self.request.user, **filters)

    @extend_schema(parameters=FILTERS[:3], responses={200: NpsSerializer})
    @action(detail=False, methods=["get"])
    def nps(self, request):
        filters = self._filters()
        figures = nps_selectors.nps(
            date_from=filters["date_from"],
            date_to=filters["date_to"],
            kind=filters["kind"],
            user=request.user,
        )
        return Response(
            NpsSerializer(
                {
                    "surveys": figures.surveys,
                    "sent": figures.sent,
                    "answers": figures.answers,
                    "promoters": figures.promoters,
                    "passives": figures.passives,
                    "detractors": figures.detractors,
                    "score": figures.score,
                }
            ).data
        )
