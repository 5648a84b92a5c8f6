"""Industry templates in the API (admins only), under /api/v1/setup/templates/:

- ``GET …/``: the templates (key, names, description, and the file's errors when it fails its
  checks);
- ``GET …/{key}/``: one template's content (null, with its errors, when it fails them);
- ``POST …/{key}/dry-run/``: what applying it would add, writing nothing;
- ``POST …/{key}/apply/``: apply it; what was added (nothing the second time).

A template that fails its checks answers 400 to a dry run or an application, its errors under
``template``, each naming the file and the path."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.roles import ADMIN
from integration.setup import industry
from integration.setup.models import DemoStep


class TemplateSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(help_text="The name in Chinese (商贸, 制造, 零售).")
    name_en = serializers.CharField()
    description = serializers.CharField()
    valid = serializers.BooleanField(help_text="False: the file fails its checks (see errors).")
    errors = serializers.ListField(
        child=serializers.CharField(), help_text="Each names the file and the path in it."
    )


class TemplateDetailSerializer(TemplateSerializer):
    content = serializers.JSONField(
        allow_null=True, help_text="The template as its file says it (null when the file fails its checks)."
    )


class ChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(industry.KIND_LABELS))
    kind_label = serializers.CharField()
    name = serializers.CharField()
    detail = serializers.CharField(allow_blank=True)


class ChangesSerializer(serializers.Serializer):
    template = serializers.CharField()
    dry_run = serializers.BooleanField()
    changes = ChangeSerializer(many=True, help_text="What was (or would be) added; never a deletion.")


KEY = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=industry.template_keys(),
    description="The template's key: its file's name.",
)


def _summary(key: str) -> industry.TemplateSummary:
    for summary in industry.templates_available():
        if summary.key == key:
            return summary
    raise Http404


class TemplateViewSet(viewsets.GenericViewSet):
    """The industry templates and their application (see the module's docstring)."""

    serializer_class = TemplateSerializer
    allowed_roles = (ADMIN,)
    queryset = DemoStep.objects.none()
    filter_backends = []
    # A fixed handful of files, not a growing table: one page.
    pagination_class = None
    # Any key reaches the view (the role check comes first); one without a file is a 404.
    lookup_field = lookup_url_kwarg = "key"

    def list(self, request):
        return Response(TemplateSerializer(industry.templates_available(), many=True).data)

    @extend_schema(parameters=[KEY], responses=TemplateDetailSerializer)
    def retrieve(self, request, key=None):
        summary = _summary(key)
        content = industry.template_load(key) if summary.valid else None
        data = {**TemplateSerializer(summary).data, "content": content}
        return Response(TemplateDetailSerializer(data).data)

    def _run(self, key: str, *, dry_run: bool) -> Response:
        try:
            changes = industry.template_apply(key=key, actor=self.request.user, dry_run=dry_run)
        except industry.TemplateNotFound:
            raise Http404 from None
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"template": exc.messages}) from None
        data = {"template": key, "dry_run": dry_run, "changes": changes}
        return Response(ChangesSerializer(data).data)

    @extend_schema(parameters=[KEY], request=None, responses=ChangesSerializer)
    @action(detail=True, methods=["post"], url_path="dry-run", url_name="dry-run")
    def dry_run(self, request, key=None):
        return self._run(key, dry_run=True)

    @extend_schema(parameters=[KEY], request=None, responses=ChangesSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, key=None):
        return self._run(key, dry_run=False)


router = DefaultRouter()
router.include_format_suffixes = False
router.register("setup/templates", TemplateViewSet, basename="setup-template")
