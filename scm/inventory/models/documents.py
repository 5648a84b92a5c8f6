"""Stock documents: transfers between warehouses and stock counts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.money import QuantityField


class Transfer(models.Model):
    """Stock moving between two warehouses in two steps: shipped from the source (stock leaves
    it and is in transit on the transfer's lines), then received at the destination."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_TRANSIT = "in_transit", _("In transit")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    source = models.ForeignKey(
        "Warehouse", verbose_name=_("from"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    destination = models.ForeignKey(
        "Warehouse", verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=F("destination")), name="transfer_between_two_warehouses"
            )
        ]

    def __str__(self):
        return self.number


class TransferLine(models.Model):
    transfer = models.ForeignKey(
        "Transfer", verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        "Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        "Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_lines",
    )
    quantity = QuantityField(_("quantity"))  # base units
    unit = models.ForeignKey(
        "ProductUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="transfer_line_positive")]

    def __str__(self):
        return f"{self.transfer_id}: {self.quantity} × {self.product_id}"


class CountSession(models.Model):
    """A cycle count of one warehouse (optionally one category) while the warehouse keeps working.

    ``start_move_id`` is the last ledger move when the count started. A line counted at ledger
    position ``counted_move_id`` is compared with the ledger sum up to that position, so moves
    that happen while people count are accounted for, not mistaken for variances.
    """

    class State(models.TextChoices):
        COUNTING = "counting", _("Counting")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    warehouse = models.ForeignKey(
        "Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="counts"
    )
    category = models.ForeignKey(
        "Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A count of some bins only: their zone (empty: the whole warehouse).
    zone = models.CharField(_("zone"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.COUNTING)
    start_move_id = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")

    def __str__(self):
        return self.number


class CountLine(models.Model):
    session = models.ForeignKey(
        "CountSession", verbose_name=_("count"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        "Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        "Lot", verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The bin counted (none: the implicit location, or a warehouse without bins).
    location = models.ForeignKey(
        "Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    snapshot_on_hand = QuantityField(_("on hand at start"), default=0)
    counted = QuantityField(_("counted"), null=True, blank=True)
    counted_move_id = models.BigIntegerField(null=True, blank=True)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    expected = QuantityField(_("expected"), null=True, blank=True)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=18, decimal_places=4, default=0)

    class Meta:
        ordering = ["product__sku", "lot__number", "id"]
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        constraints = [
            # One line per product, lot and location of a count (four partial constraints rather
            # than NULLS NOT DISTINCT, which SQLite lacks).
            models.UniqueConstraint(
                fields=["session", "product", "lot"],
                name="count_line_unique_lot",
                condition=Q(lot__isnull=False, location__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["session", "product"],
                name="count_line_unique_no_lot",
                condition=Q(lot__isnull=True, location__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["session", "location", "product", "lot"],
                name="count_line_unique_bin_lot",
                condition=Q(lot__isnull=False, location__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["session", "location", "product"],
                name="count_line_unique_bin_no_lot",
                condition=Q(lot__isnull=True, location__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(counted__gte=0) | Q(counted__isnull=True), name="count_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.session_id}: {self.product_id}/{self.lot_id}"

    @property
    def variance(self):
        if self.counted is None or self.expected is None:
            return None
        return self.counted - self.expected
