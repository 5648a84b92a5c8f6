from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.drf import ByIdRelatedField, PersonNameField
from core.pickers import PickerAnswerSerializer, picker_answer, picker_query
from core.restricted import VisibleRelatedMixin
from core.roles import FINANCE, MANAGER, SALES, SERVICE
from crm.customers import selectors, services
from crm.customers.models import Contact, Customer, CustomerGroup
from crm.customers.pickers import customer_picker_search

READERS = (SALES, SERVICE, FINANCE, MANAGER)
EDITORS = (SALES, MANAGER)


class ContactSerializer(api_fields.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "role", "phone", "email", "is_primary"]


class CustomerSerializer(api_fields.ModelSerializer):
    owner_name = PersonNameField(source="owner")
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "industry",
            "region",
            "address",
            "latitude",
            "longitude",
            "phone",
            "email",
            "tags",
            "source",
            "owner",
            "owner_name",
            "team",
            "group",
            "credit_limit",
            "payment_terms_days",
            "stage",
            "notes",
            "is_active",
            "invoice_title",
            "invoice_tax_id",
            "invoice_address_phone",
            "invoice_bank_account",
            "contacts",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "code": {"required": False, "allow_blank": True, "validators": []},
            "credit_limit": {"help_text": _("0 means no credit limit: orders are never put on credit hold.")},
            "invoice_tax_id": {"help_text": _("The unified social credit code (18 characters), checked.")},
        }

    def validate(self, attrs):
        user = self.context["request"].user
        if not selectors.customer_assignment_allowed(user):
            # Reps own what they create and cannot change credit limits, groups (prices) or owners.
            for field in ("owner", "credit_limit", "group"):
                if field in attrs and (
                    self.instance is None or getattr(self.instance, field) != attrs[field]
                ):
                    if field == "owner" and attrs[field] == user:
                        continue
                    raise PermissionDenied()
            team = attrs.get("team")
            if (
                team is not None
                and not selectors.teams_assignable_by(user, keeping=self.instance).filter(pk=team.pk).exists()
            ):
                raise PermissionDenied()
        return attrs

    def create(self, validated_data):
        user = self.context["request"].user
        if "owner" not in validated_data:
            validated_data["owner"] = user
        return services.customer_create(actor=user, **validated_data)

    def update(self, instance, validated_data):
        return services.customer_update(
            customer=instance, actor=self.context["request"].user, **validated_data
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("q", str, description=_("Search by name, code or pinyin."))]
    )
)
class CustomerViewSet(viewsets.ModelViewSet):
    """Customers under the record rules: a rep reads own and team customers, edits own."""

    serializer_class = CustomerSerializer
    allowed_roles = READERS
    write_roles = EDITORS
    filterset_fields = ["stage", "region", "owner", "team", "kind"]
    ordering_fields = ["name", "code", "created_at", "credit_limit"]
    ordering_columns = {"name": "search_pinyin"}
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    queryset = Customer.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        user = self.request.user
        q = self.request.query_params.get("q", "")
        qs = selectors.customer_list(user=user, q=q).prefetch_related("contacts")
        return qs

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS") and not selectors.customer_can_edit(
            self.request.user, obj
        ):
            raise PermissionDenied()
        return obj

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=_("Code, name, phone, pinyin or initials.")),
            OpenApiParameter("inactive", bool, description=_("Also inactive customers (list filters).")),
        ],
        responses=PickerAnswerSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def picker(self, request):
        """The customers picker: at most 20 customers the user may read, best match first."""
        rows = customer_picker_search(
            user=request.user,
            query=picker_query(request.query_params.get("q", "")),
            include_inactive=request.query_params.get("inactive") in {"1", "true"},
        )
        return Response(picker_answer(rows))


class CustomerGroupSerializer(api_fields.ModelSerializer):
    class Meta:
        model = CustomerGroup
        fields = ["id", "code", "name"]


class CustomerGroupViewSet(viewsets.ModelViewSet):
    """Customer groups (a group price list applies to each member): everyone who reads customers
    reads them; managers keep them."""

    serializer_class = CustomerGroupSerializer
    allowed_roles = READERS
    write_roles = (MANAGER,)
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    queryset = CustomerGroup.objects.all().order_by("code", "pk")

    def perform_create(self, serializer):
        serializer.instance = services.customer_group_save(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.customer_group_save(
            group=serializer.instance, actor=self.request.user, **serializer.validated_data
        )


class CustomerIdField(ByIdRelatedField):
    """A customer id in a body (order intake's cheap read); the writing service checks that the
    user may read the customer and answers "No such customer." for one they may not: the same
    words as for an id that does not exist."""

    default_error_messages = {
        **ByIdRelatedField.default_error_messages,
        "does_not_exist": _("No such customer."),
    }

    def __init__(self, **kwargs):
        super().__init__(model=Customer, **kwargs)


class ContactAPISerializer(VisibleRelatedMixin, ContactSerializer):
    visible_related = {"customer": selectors.customers_visible_to}

    def validate_customer(self, customer):
        if not selectors.customer_can_edit(self.context["request"].user, customer):
            raise PermissionDenied()
        return customer

    def create(self, validated_data):
        return services.contact_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("customer", None)
        return services.contact_update(contact=instance, actor=self.context["request"].user, **validated_data)


class ContactViewSet(viewsets.ModelViewSet):
    serializer_class = ContactAPISerializer
    allowed_roles = READERS
    write_roles = EDITORS
    filterset_fields = ["customer", "is_primary"]
    search_fields = ["name", "phone", "email"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    queryset = Contact.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        return selectors.contacts_visible_to(self.request.user).order_by("customer_id", "-is_primary", "name")

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            customer = get_object_or_404(Customer, pk=obj.customer_id)
            if not selectors.customer_can_edit(self.request.user, customer):
                raise PermissionDenied()
        return obj


router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("contacts", ContactViewSet, basename="contact")
router.register("customer-groups", CustomerGroupViewSet, basename="customer-group")
