"""The service desk's API: tickets with their transitions, comments and photos; visits. Service
and managers write; sales reads the tickets of the customers it may see; record rules in
``crm.service.selectors``. The settings (SLA targets, holidays, calendar, teams, engineers) are
in ``settings_api``."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.restricted import VisibleRelatedMixin
from core.roles import MANAGER, SALES, SERVICE
from crm.customers.models import Contact
from crm.customers.selectors import customers_visible_to
from crm.sales.models import SalesOrder
from crm.service import selectors, services, visits
from crm.service.models import (
    Category,
    Ticket,
    TicketEvent,
    TicketPhoto,
    Visit,
)
from crm.service.parts_api import TicketPartViewSet
from crm.service.settings_api import (
    CalendarViewSet,
    EngineerViewSet,
    HolidayViewSet,
    SlaTargetViewSet,
    TeamViewSet,
)
from crm.service.survey_api import SurveyViewSet
from scm.inventory.models import Lot, Product

READERS = (SERVICE, SALES, MANAGER)
WRITERS = (SERVICE, MANAGER)


class TicketSerializer(api_fields.ModelSerializer):
    allowed_actions = serializers.SerializerMethodField()
    # As given on the public form: may be empty.
    requester_email = serializers.CharField(read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "customer",
            "contact",
            "product",
            "lot",
            "order",
            "shipment_id",
            "shipped_on",
            "category",
            "priority",
            "channel",
            "state",
            "subject",
            "description",
            "team",
            "assignee",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "first_response_due",
            "resolution_due",
            "paused_at",
            "paused_seconds",
            "first_response_breached_at",
            "resolution_breached_at",
            "breach_warned_at",
            "quality_confirmed_at",
            "reopen_count",
            "requester_email",
            "requester_phone",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, ticket) -> list[str]:
        return services.allowed_actions(ticket)


class TicketCreateSerializer(VisibleRelatedMixin, serializers.Serializer):
    visible_related = {"customer": customers_visible_to}

    customer = api_fields.IdRelatedField(queryset=customers_visible_to(None))
    category = serializers.ChoiceField(choices=Category.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    priority = serializers.ChoiceField(choices=Ticket._meta.get_field("priority").choices, default="normal")
    channel = serializers.ChoiceField(choices=Ticket._meta.get_field("channel").choices, default="phone")
    contact = api_fields.IdRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    product = api_fields.IdRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    lot = api_fields.IdRelatedField(
        queryset=Lot.objects.select_related("product"), required=False, allow_null=True
    )
    order = api_fields.IdRelatedField(queryset=SalesOrder.objects.all(), required=False, allow_null=True)
    # The shipment a parcel complaint is about (one that left for this customer).
    shipment_id = api_fields.IdField(required=False, allow_null=True)
    requester_email = serializers.EmailField(required=False, allow_blank=True, default="")
    requester_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)


class TicketUpdateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    priority = serializers.ChoiceField(choices=Ticket._meta.get_field("priority").choices, required=False)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class CommentSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class AssignSerializer(serializers.Serializer):
    assignee = api_fields.IdRelatedField(queryset=selectors.assignable_users())


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketPhoto
        fields = ["id", "ticket", "content_type", "size", "uploaded_at"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "actor", "text", "data", "at"]


class TicketViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = TicketSerializer
    allowed_roles = READERS
    write_roles = WRITERS
    filterset_fields = ["state", "category", "priority", "team", "assignee", "customer", "channel"]
    search_fields = ["number", "customer__name", "subject"]
    ordering_fields = ["opened_at", "resolution_due", "first_response_due"]
    queryset = Ticket.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        qs = selectors.tickets_visible_to(self.request.user).order_by("-opened_at", "-pk")
        if self.request.query_params.get("overdue") == "1":
            qs = selectors.tickets_overdue(qs)
        return qs

    def _writable(self) -> Ticket:
        ticket = self.get_object()
        if not selectors.ticket_can_write(self.request.user, ticket):
            raise PermissionDenied()
        return ticket

    def _answer(self, ticket, status=200):
        return Response(TicketSerializer(ticket).data, status=status)

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketSerializer})
    def create(self, request, *args, **kwargs):
        data = TicketCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        ticket = services.ticket_open(user=request.user, **data.validated_data)
        return self._answer(ticket, 201)

    @extend_schema(request=TicketUpdateSerializer, responses={200: TicketSerializer})
    def partial_update(self, request, *args, **kwargs):
        ticket = self._writable()
        data = TicketUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return self._answer(services.ticket_update(ticket=ticket, user=request.user, **data.validated_data))

    def _move(self, request, action_name):
        ticket = self._writable()
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_transition(
            ticket=ticket, action=action_name, user=request.user, note=data.validated_data["note"]
        )
        return self._answer(ticket)

    @extend_schema(request=NoteSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move(request, "start")

    @extend_schema(request=NoteSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def wait(self, request, pk=None):
        return self._move(request, "wait")

    @extend_schema(request=NoteSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._move(request, "resume")

    @extend_schema(request=NoteSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._move(request, "resolve")

    @extend_schema(request=NoteSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(request, "close")

    @extend_schema(request=NoteSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._move(request, "reopen")

    @extend_schema(request=AssignSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        ticket = self._writable()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_assign(
            ticket=ticket, assignee=data.validated_data["assignee"], user=request.user
        )
        return self._answer(ticket)

    @extend_schema(request=CommentSerializer, responses={201: EventSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        ticket = self._writable()
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.ticket_comment(ticket=ticket, text=data.validated_data["text"], user=request.user)
        return Response(EventSerializer(event).data, status=201)

    @extend_schema(request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def confirm_quality(self, request, pk=None):
        ticket = self._writable()
        return self._answer(services.ticket_confirm_quality(ticket=ticket, user=request.user))

    @extend_schema(request=PhotoUploadSerializer, responses={201: PhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        ticket = self._writable()
        data = PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = services.ticket_photo_add(
            ticket=ticket, image=data.validated_data["image"], user=request.user
        )
        return Response(PhotoSerializer(photo).data, status=201)

    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        ticket = self.get_object()
        return Response(EventSerializer(ticket.events.order_by("at", "pk")[:500], many=True).data)


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "ticket", "engineer", "starts_at", "ends_at", "state", "notes", "done_at"]
        read_only_fields = fields


class VisitBookSerializer(serializers.Serializer):
    ticket = api_fields.IdRelatedField(queryset=Ticket.objects.none())
    engineer = api_fields.IdRelatedField(
        queryset=get_user_model().objects.filter(engineer__is_active=True), required=False, allow_null=True
    )
    starts_at = api_fields.DocumentDateTimeField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["ticket"].queryset = selectors.tickets_writable_by(request.user)
        return fields


class VisitDoneSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class VisitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = VisitSerializer
    allowed_roles = READERS
    write_roles = WRITERS
    filterset_fields = ["ticket", "engineer", "state"]
    ordering_fields = ["starts_at"]
    queryset = Visit.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Visit.objects.none()
        return selectors.visits_visible_to(self.request.user).order_by("starts_at", "pk")

    def _writable(self) -> Visit:
        visit = self.get_object()
        if not selectors.ticket_can_write(self.request.user, visit.ticket):
            raise PermissionDenied()
        return visit

    @extend_schema(request=VisitBookSerializer, responses={201: VisitSerializer})
    def create(self, request, *args, **kwargs):
        data = VisitBookSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        visit = visits.visit_book(user=request.user, **data.validated_data)
        return Response(VisitSerializer(visit).data, status=201)

    @extend_schema(request=VisitDoneSerializer, responses={200: VisitSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        visit = self._writable()
        data = VisitDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = visits.visit_complete(visit=visit, notes=data.validated_data["notes"], user=request.user)
        return Response(VisitSerializer(visit).data)

    @extend_schema(request=VisitDoneSerializer, responses={200: VisitSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        visit = self._writable()
        data = VisitDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = visits.visit_cancel(visit=visit, reason=data.validated_data["notes"], user=request.user)
        return Response(VisitSerializer(visit).data)


TicketViewSet.parser_classes = [JSONParser, FormParser, MultiPartParser]

router = DefaultRouter()
router.register("service/tickets", TicketViewSet, basename="service-ticket")
router.register("service/visits", VisitViewSet, basename="service-visit")
router.register("service/sla-targets", SlaTargetViewSet, basename="service-sla-target")
router.register("service/holidays", HolidayViewSet, basename="service-holiday")
router.register("service/calendar", CalendarViewSet, basename="service-calendar")
router.register("service/teams", TeamViewSet, basename="service-team")
router.register("service/engineers", EngineerViewSet, basename="service-engineer")
router.register("ticket-parts", TicketPartViewSet, basename="ticket-part")
router.register("service/surveys", SurveyViewSet, basename="service-survey")
