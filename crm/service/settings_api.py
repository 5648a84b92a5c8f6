"""The service desk's settings API: SLA targets, holidays and the working calendar; teams and
engineers, and the engineers picker (a ticket's assignee). Service and managers read; managers
write."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import api_fields
from core.people import name_order
from core.pickers import PickerAnswerSerializer, picker_answer, picker_query
from core.roles import MANAGER, SERVICE
from crm.service import sla_settings
from crm.service.models import Category, Engineer, Holiday, ServiceCalendar, ServiceTeam, SlaTarget
from crm.service.pickers import engineer_picker_search

STAFF = (SERVICE, MANAGER)


class SlaTargetSerializer(api_fields.ModelSerializer):
    class Meta:
        model = SlaTarget
        fields = ["id", "category", "priority", "first_response_hours", "resolution_hours"]
        validators = []  # the service updates the (category, priority) row in place

    def create(self, validated_data):
        return sla_settings.sla_target_set(user=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        data = {
            "category": instance.category,
            "priority": instance.priority,
            "first_response_hours": instance.first_response_hours,
            "resolution_hours": instance.resolution_hours,
            **validated_data,
        }
        return sla_settings.sla_target_set(user=self.context["request"].user, **data)


class SlaTargetViewSet(viewsets.ModelViewSet):
    serializer_class = SlaTargetSerializer
    allowed_roles = STAFF
    write_roles = (MANAGER,)
    queryset = SlaTarget.objects.order_by("category", "priority")
    filterset_fields = ["category", "priority"]


class HolidaySerializer(api_fields.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["id", "date", "name", "is_working_day"]


class HolidayViewSet(viewsets.ModelViewSet):
    serializer_class = HolidaySerializer
    allowed_roles = STAFF
    write_roles = (MANAGER,)
    queryset = Holiday.objects.order_by("date")
    filterset_fields = ["is_working_day"]


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "09:00"})
class HourMinuteField(serializers.TimeField):
    """A time of day as ``HH:MM`` (seconds and offsets given are dropped)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)

    def to_internal_value(self, value):
        return super().to_internal_value(value).replace(second=0, microsecond=0, tzinfo=None)


@extend_schema_serializer(many=False)
class CalendarSerializer(serializers.ModelSerializer):
    day_start = HourMinuteField()
    day_end = HourMinuteField()
    working_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), max_length=7
    )

    class Meta:
        model = ServiceCalendar
        fields = ["working_days", "day_start", "day_end"]


class CalendarViewSet(viewsets.GenericViewSet):
    """The company calendar (one record): GET it, POST to change it."""

    serializer_class = CalendarSerializer
    allowed_roles = STAFF
    write_roles = (MANAGER,)
    pagination_class = None
    filter_backends = []
    queryset = ServiceCalendar.objects.none()

    @extend_schema(responses={200: CalendarSerializer})
    def list(self, request):
        return Response(CalendarSerializer(ServiceCalendar.current()).data)

    @extend_schema(request=CalendarSerializer, responses={200: CalendarSerializer})
    def create(self, request):
        data = CalendarSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        calendar = sla_settings.calendar_set(user=request.user, **data.validated_data)
        return Response(CalendarSerializer(calendar).data)


class TeamSerializer(api_fields.ModelSerializer):
    class Meta:
        model = ServiceTeam
        fields = [
            "id",
            "name",
            "base",
            "latitude",
            "longitude",
            "regions",
            "manager",
            "on_site_hours",
            "is_active",
        ]

    def validate(self, attrs):
        for field, bound in (("latitude", 90), ("longitude", 180)):
            value = attrs.get(field)
            if value is not None and abs(value) > bound:
                raise serializers.ValidationError({field: _("Out of range.")})
        return attrs


class TeamViewSet(viewsets.ModelViewSet):
    serializer_class = TeamSerializer
    allowed_roles = STAFF
    write_roles = (MANAGER,)
    queryset = ServiceTeam.objects.prefetch_related("regions").order_by("name")
    http_method_names = ["get", "post", "patch", "put", "head", "options"]


class EngineerSerializer(api_fields.ModelSerializer):
    skills = serializers.ListField(child=serializers.ChoiceField(choices=Category.choices), required=False)

    class Meta:
        model = Engineer
        fields = ["id", "user", "team", "skills", "is_active"]


class EngineerViewSet(viewsets.ModelViewSet):
    serializer_class = EngineerSerializer
    allowed_roles = STAFF
    write_roles = (MANAGER,)
    queryset = Engineer.objects.select_related("user", "team").order_by(
        "team__name", name_order("user"), "pk"
    )
    filterset_fields = ["team", "is_active"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description=gettext_lazy("Name, pinyin or initials."))],
        responses=PickerAnswerSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def picker(self, request):
        """The engineers picker: at most 20 people a ticket may be assigned to, by pinyin, each
        with its team; ``id`` is the user (a ticket's ``assignee``)."""
        rows = engineer_picker_search(query=picker_query(request.query_params.get("q", "")))
        return Response(picker_answer(rows))
