"""After-sales quality records: the trace a complaint ran, quality alerts when complaints about
one lot or product pass the threshold, and recalls with the customers they reach.

The facts themselves stay where they belong (tickets in ``crm.service``, shipments in
``integration.fulfilment``, receipts in ``scm.purchasing``, holds on the lot in
``scm.inventory``); these tables hold what the loop between them decided.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.money import QuantityField


class QualitySettings(models.Model):
    """When complaints make an alert (one row, ``pk=1``): ``threshold`` complaints about one lot,
    or one product, within ``window_days``."""

    threshold = models.PositiveSmallIntegerField(_("complaints that raise an alert"), default=3)
    window_days = models.PositiveSmallIntegerField(_("within (days)"), default=30)
    # A carrier whose damage rate passes this (percent of its shipments) is flagged.
    carrier_damage_rate = models.DecimalField(
        _("carrier damage rate flagged above %"), max_digits=5, decimal_places=2, default=5
    )

    class Meta:
        verbose_name = _("quality settings")
        verbose_name_plural = _("quality settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=1, window_days__gte=1), name="quality_settings_positive"
            )
        ]

    @classmethod
    def current(cls) -> "QualitySettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class TraceRun(models.Model):
    """The batch trace the ``ticket.opened`` rule ran for one complaint (idempotent per event):
    what it found, kept so the ticket shows it without tracing again."""

    event_id = models.BigIntegerField(unique=True)
    ticket_id = models.BigIntegerField(db_index=True)
    lot = models.ForeignKey("inventory.Lot", on_delete=models.CASCADE, related_name="+")
    supplier_id = models.BigIntegerField(null=True, blank=True)
    customers = models.PositiveIntegerField(default=0)
    shipped = QuantityField(default=0)
    in_stock = QuantityField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class QualityAlert(models.Model):
    """Complaints about one lot (or one product across its lots) passed the threshold."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        HELD = "held", _("Lot on hold")
        RECALLED = "recalled", _("Recall started")
        CLOSED = "closed", _("Closed")

    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        "inventory.Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    complaints = models.PositiveIntegerField(_("complaints"))
    window_days = models.PositiveSmallIntegerField(_("within (days)"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    supplier_id = models.BigIntegerField(_("supplier"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quality alert")
        verbose_name_plural = _("quality alerts")
        constraints = [
            # One open alert per lot, and per product for product-wide alerts.
            models.UniqueConstraint(
                fields=["lot"],
                condition=Q(lot__isnull=False) & ~Q(state="closed"),
                name="quality_alert_open_lot",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(lot__isnull=True) & ~Q(state="closed"),
                name="quality_alert_open_product",
            ),
        ]


class Recall(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("number"), max_length=30, unique=True)
    lot = models.ForeignKey(
        "inventory.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, related_name="+"
    )
    alert = models.ForeignKey(
        QualityAlert,
        verbose_name=_("quality alert"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recalls",
    )
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        constraints = [
            models.UniqueConstraint(fields=["lot"], condition=Q(state="open"), name="recall_one_open_per_lot")
        ]

    def __str__(self):
        return self.number


class RecallCustomer(models.Model):
    """One affected customer of a recall: what they got of the lot, who to call, the owner told,
    and the return authorisation issued to them."""

    class State(models.TextChoices):
        OPEN = "open", _("To contact")
        CONTACTED = "contacted", _("Contacted")
        RETURNED = "returned", _("Returned")

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="customers")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = QuantityField(_("quantity shipped"))
    first_shipped_at = models.DateTimeField(_("first shipped"), null=True, blank=True)
    last_shipped_at = models.DateTimeField(_("last shipped"), null=True, blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    authorisation = models.CharField(_("return authorisation"), max_length=30, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    notified_at = models.DateTimeField(_("owner told at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("recalled customer")
        verbose_name_plural = _("recalled customers")
        constraints = [models.UniqueConstraint(fields=["recall", "customer"], name="recall_customer_unique")]
