"""REST API of the manager's figures (/api/v1/insights/figures/…): the same cards as the
dashboard, computed by ``figures.dashboard`` with the same definitions, for managers and admins.

``?period=month|quarter|year|custom&at=…&start=…&end=…&team=…`` as the dashboard's query
string (``periods.period_from_params``); a bad period or team is a 400 naming the field.
Amounts, rates and chart values are decimal strings; the table's cells are text."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.schema import AutoSchema
from integration.insights import figures
from integration.insights.models import SalesDay
from integration.insights.periods import PERIOD_KINDS, period_from_params, team_from_params

UNITS = ("money", "percent", "number", "days")
CHART_KINDS = ("line", "bar", "funnel", "pie", "bar_stacked")
BETTER = ("up", "down")


def _number(**kwargs):
    return serializers.DecimalField(max_digits=24, decimal_places=2, allow_null=True, **kwargs)


class SeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    values = serializers.ListField(child=_number())


class ChartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CHART_KINDS)
    categories = serializers.ListField(child=serializers.CharField())
    series = SeriesSerializer(many=True)
    links = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The list behind each category, where the categories have one (warehouses, stages).",
    )


class TableSerializer(serializers.Serializer):
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField(allow_null=True)))


class FigureSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(figures.FIGURES))
    title = serializers.CharField()
    definition = serializers.CharField(help_text="What the figure is, as the dashboard's tooltip says it.")
    unit = serializers.ChoiceField(choices=UNITS)
    better = serializers.ChoiceField(
        choices=BETTER,
        allow_null=True,
        help_text="Which way is good news: up, down, or neither (null).",
    )
    value = _number()
    previous = _number(help_text="The same figure over the comparison period.")
    change = _number(help_text="Change of value against previous, in percent.")
    chart = ChartSerializer()
    drilldown = serializers.CharField(help_text="The list behind the figure.")
    table = TableSerializer(help_text="What the figure's spreadsheet export writes.")


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous = PeriodSerializer()
    team = serializers.IntegerField(allow_null=True)
    figures = FigureSerializer(many=True)


PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=list(PERIOD_KINDS), description="month by default"),
    OpenApiParameter("at", OpenApiTypes.STR, description="2026-11 (month), 2026-Q3 (quarter), 2026 (year)"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="first day of a custom period"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="last day of a custom period"),
    OpenApiParameter("team", OpenApiTypes.INT, description="a sales team's id: what its members own"),
]


def _period(p) -> dict:
    return {"start": p.start, "end": p.end, "label": p.label}


def _cells(card: dict) -> dict:
    table = card["table"]
    rows = [[None if cell is None else str(cell) for cell in row] for row in table["rows"]]
    return {**card, "table": {"columns": [str(c) for c in table["columns"]], "rows": rows}}


class _DashboardSchema(AutoSchema):
    """The list of figures answers one object (the period, its comparison and the cards), not
    an array of them: the schema says so, under the list's usual operation id."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)

    def get_operation_id(self) -> str:
        if getattr(self.view, "action", None) == "list":
            return "insights_figures_list"
        return super().get_operation_id()


class FigureViewSet(viewsets.GenericViewSet):
    """The dashboard's figures: every card (list: one per figure, a fixed number, so not paged),
    or one by its key."""

    serializer_class = FigureSerializer
    schema = _DashboardSchema()
    allowed_roles = figures.VIEW_ROLES
    queryset = SalesDay.objects.none()
    filter_backends = []
    pagination_class = None
    lookup_field = lookup_url_kwarg = "key"

    def _args(self, request):
        period, previous = period_from_params(request.query_params, today=timezone.localdate())
        team = team_from_params(request.query_params, user=request.user)
        return {"user": request.user, "period": period, "previous": previous, "team": team}

    @extend_schema(parameters=PARAMETERS, responses=DashboardSerializer)
    def list(self, request):
        args = self._args(request)
        cards = figures.dashboard(**args)
        data = {
            "period": _period(args["period"]),
            "previous": _period(args["previous"]),
            "team": args["team"].pk if args["team"] else None,
            "figures": [_cells(c) for c in cards],
        }
        return Response(DashboardSerializer(data).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("key", OpenApiTypes.STR, OpenApiParameter.PATH, enum=[*figures.FIGURES]),
            *PARAMETERS,
        ],
        responses=FigureSerializer,
    )
    def retrieve(self, request, key=None):
        if key not in figures.FIGURES:
            raise Http404
        card = figures.figure_card(key, **self._args(request))
        if card is None:
            raise Http404
        return Response(FigureSerializer(_cells(card)).data)


router = DefaultRouter()
router.register("insights/figures", FigureViewSet, basename="insights-figure")
