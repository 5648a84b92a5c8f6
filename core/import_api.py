"""The import API under /api/v1/imports/: the same flow as the import pages (``core.imports``).

- ``GET imports/kinds/``: the kinds the user may import, their columns and template file;
- ``POST imports/`` (multipart: ``kind``, ``file``): read the file (within ``core.tabular``'s
  bounds) and check every row; a file without errors is kept as a preview whose ``id`` confirms
  it, a file with errors lists them by row and column and keeps nothing;
- ``POST imports/{id}/confirm/``: start writing it (a task; 202), once;
- ``GET imports/{id}/``: its state and progress.

Only the user's own previews exist for them, and only of kinds their roles may import
(``ImportSpec.roles``); an id that is not one reads as missing (404).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import imports, tabular
from core.models import ImportPreview
from core.permissions import check_roles
from core.roles import ALL_ROLES

# The import's id (the preview's UUID); anything else reads as a missing import.
IMPORT_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The import's id.")


class ImportColumnSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The column's name (also accepted as a header).")
    label = serializers.CharField(help_text="The header the template writes (Chinese).")
    required = serializers.BooleanField()
    note = serializers.CharField(help_text="What the column takes.")


class ImportKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    columns = ImportColumnSerializer(many=True)
    template_url = serializers.CharField(help_text="The template file (xlsx) of the kind.")


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40, help_text="One of the kinds of `GET /api/v1/imports/kinds/`.")
    file = serializers.FileField(help_text="An .xlsx or .csv file with a header row.")


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="The row in the file (1 is the header).")
    column = serializers.CharField(allow_blank=True)
    label = serializers.CharField(allow_blank=True, help_text="The column's header in the template.")
    message = serializers.CharField()


class ImportCheckedSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        allow_null=True, help_text="The preview to confirm; null when the file has errors (nothing is kept)."
    )
    kind = serializers.CharField()
    rows = serializers.IntegerField(help_text="Data rows read from the file.")
    errors = ImportRowErrorSerializer(many=True)


class ImportStatusSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    state = serializers.ChoiceField(choices=ImportPreview.State.choices)
    file_name = serializers.CharField()
    row_count = serializers.IntegerField()
    imported = serializers.IntegerField(help_text="Rows written (once done).")
    progress = serializers.IntegerField(
        allow_null=True, help_text="Rows written so far while importing (null when not known)."
    )
    errors = ImportRowErrorSerializer(many=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


def _kind_data(spec) -> dict:
    return {
        "kind": spec.kind,
        "label": spec.title,
        "columns": [
            {
                "name": column,
                "label": spec.header_of(column),
                "required": column in spec.required,
                "note": str(spec.notes.get(column, "")),
            }
            for column in spec.columns
        ],
        "template_url": reverse("import-template", args=[spec.kind]),
    }


def _errors_data(spec, errors) -> list[dict]:
    labels = spec.labels if spec is not None else {}
    return [
        {
            "row": e.get("row") if isinstance(e.get("row"), int) else None,
            "column": e.get("column") or "",
            "label": labels.get(e.get("column") or "", ""),
            "message": str(e.get("message", "")),
        }
        for e in errors
    ]


def _status_data(preview: ImportPreview) -> dict:
    running = preview.state == ImportPreview.State.IMPORTING
    return {
        "id": preview.pk,
        "kind": preview.kind,
        "state": preview.state,
        "file_name": preview.file_name,
        "row_count": preview.row_count,
        "imported": preview.imported,
        "progress": imports.progress_get(preview) if running else None,
        "errors": _errors_data(imports.SPECS.get(preview.kind), preview.errors or []),
        "created_at": preview.created_at,
        "expires_at": preview.expires_at,
        "finished_at": preview.finished_at,
    }


class ImportViewSet(viewsets.ViewSet):
    """Imports: upload and check a file, confirm it, follow it. Any role reaches the API; each
    kind is open to its own roles (403 otherwise)."""

    allowed_roles = ALL_ROLES
    serializer_class = ImportStatusSerializer
    # Files come as multipart forms; the other operations read no body.
    parser_classes = [MultiPartParser, FormParser]

    def _spec_for(self, kind: str):
        spec = imports.SPECS.get(kind)
        if spec is None:
            return None
        if not check_roles(self.request, spec.roles):
            raise PermissionDenied(_("You may not import this kind of file."))
        return spec

    def _own(self, pk) -> ImportPreview:
        preview = imports.import_preview_get(user=self.request.user, preview_id=pk)
        if preview is None:
            raise Http404
        spec = self._spec_for(preview.kind)
        if spec is None:  # a kind no longer offered
            raise Http404
        return preview

    @extend_schema(request=None, responses={200: ImportKindSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def kinds(self, request):
        """The kinds the user may import, with their columns and template file."""
        return Response([_kind_data(spec) for spec in imports.kinds_for(request.user)])

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: OpenApiResponse(
                ImportCheckedSerializer, description="Every row is valid: `id` confirms it."
            ),
            200: OpenApiResponse(
                ImportCheckedSerializer, description="Rows with errors, by row and column: nothing is kept."
            ),
        },
    )
    def create(self, request):
        """Upload a file and check every row (a dry run). A file that cannot be read (too large,
        not xlsx or csv, an unreadable or over-dense workbook, another encoding) is a 400 naming
        ``file``."""
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        spec = self._spec_for(kind)
        if spec is None:
            raise ValidationError({"kind": _("“%(value)s” is not a kind of import.") % {"value": kind}})
        upload = data.validated_data["file"]
        header, rows = tabular.read_rows(upload)
        result = tabular.import_run(spec, header, rows, actor=request.user, dry_run=True)
        answer = {
            "id": None,
            "kind": spec.kind,
            "rows": len(rows),
            "errors": _errors_data(spec, result.errors),
        }
        if not result.ok:
            return Response(answer, status=status.HTTP_200_OK)
        preview = imports.import_preview_create(
            user=request.user, kind=spec.kind, header=header, rows=rows, file_name=upload.name
        )
        return Response({**answer, "id": preview.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[IMPORT_ID], responses={200: ImportStatusSerializer})
    def retrieve(self, request, pk=None):
        """One of the user's imports: its state, rows written so far and errors."""
        return Response(ImportStatusSerializer(_status_data(self._own(pk))).data)

    @extend_schema(
        request=None,
        parameters=[IMPORT_ID],
        responses={
            202: OpenApiResponse(ImportStatusSerializer, description="The import has started."),
            400: OpenApiResponse(description="The preview has expired: upload the file again."),
            409: OpenApiResponse(description="This file is being imported, or was imported, already."),
        },
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Start writing a checked file (every row or none, by a task); a second confirmation is
        refused."""
        preview = self._own(pk)
        try:
            preview = imports.import_preview_confirm(user=request.user, preview_id=preview.pk)
        except ValidationError as exc:
            message = exc.messages[0]
            preview.refresh_from_db()
            code = status.HTTP_400_BAD_REQUEST if preview.state == ImportPreview.State.READY else 409
            body = {"non_field_errors": [message]} if code == 400 else {"detail": message}
            return Response(body, status=code)
        return Response(ImportStatusSerializer(_status_data(preview)).data, status=status.HTTP_202_ACCEPTED)


router = DefaultRouter()
router.register("imports", ImportViewSet, basename="import")
