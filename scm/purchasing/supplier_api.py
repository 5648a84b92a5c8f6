"""The suppliers' API: suppliers (search, filters, the scorecard), their contacts, products and
prices. Readers and writers as on the pages (``scm.purchasing.selectors``); every write goes
through ``scm.purchasing.services``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import api_fields
from core.dates import optional_date_input
from core.drf import PersonNameField
from core.pickers import PickerAnswerSerializer, picker_answer, picker_query
from scm.purchasing import services, supplier_selectors
from scm.purchasing.models import Supplier, SupplierContact, SupplierPrice, SupplierProduct
from scm.purchasing.pickers import supplier_picker_search
from scm.purchasing.scorecard import supplier_scorecard
from scm.purchasing.selectors import READ_ROLES, SUPPLIER_EDIT_ROLES, suppliers_visible_to


class SupplierContactSerializer(api_fields.ModelSerializer):
    class Meta:
        model = SupplierContact
        fields = ["id", "supplier", "name", "title", "phone", "email", "is_primary"]

    def create(self, validated_data):
        return services.supplier_contact_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("supplier", None)
        return services.supplier_contact_update(
            contact=instance, actor=self.context["request"].user, **validated_data
        )


class SupplierSerializer(api_fields.ModelSerializer):
    buyer_name = PersonNameField(source="buyer")
    contacts = SupplierContactSerializer(many=True, read_only=True)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "code",
            "name",
            "tax_id",
            "address",
            "phone",
            "email",
            "bank_name",
            "bank_account",
            "payment_terms_days",
            "payment_terms_month_end",
            "currency",
            "default_warehouse",
            "buyer",
            "buyer_name",
            "notes",
            "is_active",
            "contacts",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "code": {
                "required": False,
                "allow_blank": True,
                "validators": [],
                "help_text": _("Empty: numbered automatically."),
            }
        }

    def create(self, validated_data):
        return services.supplier_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.supplier_update(
            supplier=instance, actor=self.context["request"].user, **validated_data
        )


class SupplierPriceSerializer(api_fields.ModelSerializer):
    class Meta:
        model = SupplierPrice
        fields = ["id", "supplier_product", "min_quantity", "unit_price", "valid_from", "valid_to"]
        validators = []

    def create(self, validated_data):
        return services.supplier_price_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("supplier_product", None)
        return services.supplier_price_update(
            price=instance, actor=self.context["request"].user, **validated_data
        )


class SupplierProductSerializer(api_fields.ModelSerializer):
    prices = SupplierPriceSerializer(many=True, read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = SupplierProduct
        fields = [
            "id",
            "supplier",
            "product",
            "sku",
            "supplier_code",
            "unit",
            "pack_size",
            "min_order_quantity",
            "lead_time_days",
            "is_preferred",
            "is_active",
            "prices",
        ]
        validators = []

    def create(self, validated_data):
        return services.supplier_product_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("supplier", None)
        validated_data.pop("product", None)
        return services.supplier_product_update(
            item=instance, actor=self.context["request"].user, **validated_data
        )


class _Rules:
    allowed_roles = READ_ROLES
    write_roles = SUPPLIER_EDIT_ROLES


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=_("Search by name, code or pinyin.")),
            OpenApiParameter("is_active", bool),
            OpenApiParameter("buyer", int),
        ]
    )
)
class SupplierViewSet(_Rules, viewsets.ModelViewSet):
    """Suppliers (purchasing, managers, finance and the warehouse read; purchasing and managers
    write). Deactivate one with ``is_active: false``."""

    serializer_class = SupplierSerializer
    ordering_fields = ["name", "code", "created_at", "payment_terms_days"]
    ordering_columns = {"name": "search_pinyin"}
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    queryset = Supplier.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Supplier.objects.none()
        params = self.request.query_params
        active = {"true": "1", "1": "1", "false": "0", "0": "0"}.get(
            str(params.get("is_active", "")).lower(), ""
        )
        return supplier_selectors.supplier_list(
            user=self.request.user, q=params.get("q", ""), active=active, buyer=params.get("buyer", "")
        ).prefetch_related("contacts")

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE, description=_("Receipts posted from this day."))
        ],
    )
    @action(detail=True, methods=["get"])
    def scorecard(self, request, pk=None):
        """On-time and quality rates, actual against promised lead time, and the price trend per
        product (see ``scm.purchasing.scorecard``), over posted receipts."""
        supplier = self.get_object()
        since = optional_date_input(request.query_params.get("since"), field="since")
        card = supplier_scorecard(supplier.pk, since=since)
        return Response(_jsonable(card))

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=_("Code, name, phone, pinyin or initials.")),
            OpenApiParameter("inactive", bool, description=_("Also inactive suppliers (list filters).")),
        ],
        responses=PickerAnswerSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def picker(self, request):
        """The suppliers picker: at most 20 suppliers, best match first."""
        rows = supplier_picker_search(
            user=request.user,
            query=picker_query(request.query_params.get("q", "")),
            include_inactive=request.query_params.get("inactive") in {"1", "true"},
        )
        return Response(picker_answer(rows))


def _jsonable(value):
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


class SupplierContactViewSet(_Rules, viewsets.ModelViewSet):
    serializer_class = SupplierContactSerializer
    filterset_fields = ["supplier", "is_primary"]
    queryset = SupplierContact.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupplierContact.objects.none()
        return SupplierContact.objects.filter(supplier__in=suppliers_visible_to(self.request.user)).order_by(
            "supplier_id", "-is_primary", "name", "pk"
        )

    def perform_destroy(self, instance):
        services.supplier_contact_delete(contact=instance, actor=self.request.user)


class SupplierProductViewSet(_Rules, viewsets.ModelViewSet):
    serializer_class = SupplierProductSerializer
    filterset_fields = ["supplier", "product", "is_preferred", "is_active"]
    queryset = SupplierProduct.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupplierProduct.objects.none()
        return (
            SupplierProduct.objects.filter(supplier__in=suppliers_visible_to(self.request.user))
            .select_related("product")
            .prefetch_related("prices")
            .order_by("supplier_id", "product_id", "pk")
        )

    def perform_destroy(self, instance):
        services.supplier_product_delete(item=instance, actor=self.request.user)


class SupplierPriceViewSet(_Rules, viewsets.ModelViewSet):
    serializer_class = SupplierPriceSerializer
    filterset_fields = ["supplier_product"]
    queryset = SupplierPrice.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupplierPrice.objects.none()
        return SupplierPrice.objects.filter(
            supplier_product__supplier__in=suppliers_visible_to(self.request.user)
        ).order_by("supplier_product_id", "min_quantity", "valid_from", "pk")

    def perform_destroy(self, instance):
        services.supplier_price_delete(price=instance, actor=self.request.user)


router = DefaultRouter()
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("supplier-contacts", SupplierContactViewSet, basename="supplier-contact")
router.register("supplier-products", SupplierProductViewSet, basename="supplier-product")
router.register("supplier-prices", SupplierPriceViewSet, basename="supplier-price")
