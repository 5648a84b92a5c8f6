import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class AuditLog(models.Model):
    """One row per thing that must be accountable: logins, denials, stock, credit and money.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses them
    in the database as well (migration 0003).
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        # Users are deactivated, not deleted; a deleted user's rows keep the id (append-only).
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class NumberCounter(models.Model):
    """The last number drawn per prefix and year (``INV-2026``), where the database has no
    sequences (SQLite): ``core.numbers`` advances it by one atomic upsert. On PostgreSQL each
    counter is a sequence instead."""

    key = models.CharField(_("key"), max_length=20, primary_key=True)
    last = models.PositiveBigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")

    def __str__(self):
        return f"{self.key}: {self.last}"


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox's model): stored as a hash, found by its first characters
    (``token_key``), named for the device it was issued to, valid until ``expiry``. A token of a
    tablet (``idle_seconds`` set) lapses when unused that long: each use moves ``expiry`` on, at
    most once a minute and never past ``created`` + the lifetime. Created and revoked by
    ``core.tokens``."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(_("device"), max_length=100, blank=True)
    idle_seconds = models.PositiveIntegerField(_("idle timeout (seconds)"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.token_key}… {self.name}".strip()


class IdempotencyKey(models.Model):
    """A submission a client may repeat: an API call's ``Idempotency-Key`` or a page form's
    one-time token (``core.idempotency``). The row is inserted before the work starts (the unique
    constraint lets one request in), and the answer is kept so that a repeat gets it back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    created_at = models.DateTimeField(_("created"), db_index=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_headers = models.JSONField(_("response headers"), default=dict, blank=True)
    response_body = models.BinaryField(_("response body"), default=b"", blank=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key_uniq")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class ImportPreview(models.Model):
    """A checked import file waiting for its confirmation, then being written by a task
    (``core.imports``). Its rows are kept compressed (zlib over JSON), for
    ``IMPORT_PREVIEW_SECONDS``; the confirmation moves it from *ready* to *importing* in one
    conditional UPDATE, so two confirmations start one import."""

    class State(models.TextChoices):
        READY = "ready", _("ready to import")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.READY)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    data = models.BinaryField(_("rows (compressed)"))
    imported = models.PositiveIntegerField(_("rows imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.kind} {self.file_name} ({self.get_state_display()})"


class CompanyProfile(models.Model):
    """The company that uses Tandem: one row (pk 1), read by every document (``core.company``).

    Its name, tax id, address and bank head every PDF; the logo and the seal (公章) are drawn on
    them when given. ``tax_id`` is the unified social credit code (统一社会信用代码), checked by
    ``core.taxid``. ``fiscal_year_start`` is the month the fiscal year starts in."""

    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    tax_id = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=64, blank=True)
    logo = models.ImageField(_("logo"), upload_to="company/", blank=True)
    seal = models.ImageField(_("seal"), upload_to="company/", blank=True)
    fiscal_year_start = models.PositiveSmallIntegerField(_("fiscal year starts in month"), default=1)
    base_currency = models.CharField(_("base currency"), max_length=3, default="CNY")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start__gte=1, fiscal_year_start__lte=12),
                name="company_fiscal_month",
            )
        ]

    def __str__(self):
        return self.legal_name or self.short_name or "Tandem"


class Preference(models.Model):
    """A company-wide choice that an industry template sets and an admin may change: lists
    offered in forms (lead sources, customer tags, units, payment terms) and settings (number
    formats, credit policy, dashboard order, navigation). One row per key; ``core.preferences``
    names the keys and reads and merges them."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    value = models.JSONField(_("value"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return self.key


class PersonName(models.Model):
    """A user's name as shown (``core.people.display_name``) with its pinyin, kept in step with
    the user row, so people are found by "zw" or "zhangwei" and sorted by pinyin in SQL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="person_name"
    )
    full_name = models.CharField(max_length=300, blank=True)
    search_pinyin = models.CharField(max_length=600, blank=True, db_index=True)
    search_initials = models.CharField(max_length=200, blank=True, db_index=True)

    class Meta:
        ordering = ["search_pinyin"]

    def __str__(self):
        return self.full_name
