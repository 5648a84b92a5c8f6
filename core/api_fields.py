"""API input fields that parse with the project's one parser of each kind: numbers
(``core.money.decimal_input``), ids (``core.sql.as_id``) and dates (``core.dates.date_input``).
``ModelSerializer`` maps model fields onto them, so a model serializer refuses ``NaN``,
``Infinity``, ``1e30``, ``1.5`` as an id and ``2026-02-31`` with a 400 naming the field."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.dates import date_input
from core.money import MAX_AMOUNT, decimal_input
from core.sql import as_id


def _message(exc: DjangoValidationError) -> list[str]:
    return [m for messages in exc.message_dict.values() for m in messages]


class DecimalField(serializers.DecimalField):
    """DRF's ``DecimalField`` reading its input with ``decimal_input``: finite, below ``limit``
    and within the column's digits; text or numbers."""

    def __init__(self, *args, limit: Decimal = MAX_AMOUNT, **kwargs):
        self.limit = limit
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        try:
            number = decimal_input(data, field=self.field_name or "value", limit=self.limit)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_message(exc)) from None
        return super().to_internal_value(str(number))


class IdField(serializers.IntegerField):
    """An id in a JSON body or a query string: ``as_id``'s rule (no ``1.5``, ``²``, ``-1`` or
    20-digit numbers)."""

    default_error_messages = {"invalid": _("Enter a valid id.")}

    def to_internal_value(self, data):
        pk = as_id(data)
        if pk is None:
            self.fail("invalid")
        return pk


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """``PrimaryKeyRelatedField`` whose input is an id by ``as_id``'s rule: ``1.5`` is not read as
    1, ``²`` and 20-digit numbers are "incorrect type", not an error of the database."""

    def to_internal_value(self, data):
        pk = as_id(data)
        if pk is None and self.pk_field is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(pk if self.pk_field is None else data)


class DocumentDateField(serializers.DateField):
    """A date that exists and that a document can have (``date_input``)."""

    def to_internal_value(self, value):
        try:
            return date_input(value, field=self.field_name or "date")
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_message(exc)) from None


class DocumentDateTimeField(serializers.DateTimeField):
    """A date and time whose date a document can have (``date_input``'s years), checked before
    it is moved between time zones (year 1 or 9999 would overflow there)."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None  # not a real date: the parent's message says the format
            if parsed is not None:
                try:
                    date_input(parsed.date(), field=self.field_name or "date")
                except DjangoValidationError as exc:
                    raise serializers.ValidationError(_message(exc)) from None
        return super().to_internal_value(value)


class ModelSerializer(serializers.ModelSerializer):
    """The project's model serializer: model decimals, dates and relations read their input with
    the fields above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: DecimalField,
        models.DateField: DocumentDateField,
    }
    serializer_related_field = IdRelatedField
