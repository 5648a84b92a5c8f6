"""The bridge's own records: backorders, reservation runs, shipments (pick lists) and returns.

Sales order lines keep their own progress figures; these tables hold what belongs to neither
sales nor inventory: which lot went out in which parcel, what is still owed, what came back.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.i18n import message_text
from core.money import QuantityField


class Backorder(models.Model):
    """What the reservation rule could not hold for one order line (base units). Kept current:
    a later reservation or a cancellation lowers it; zero means nothing is owed."""

    order = models.ForeignKey(
        "sales.SalesOrder", verbose_name=_("order"), on_delete=models.CASCADE, related_name="backorders"
    )
    line = models.OneToOneField(
        "sales.SalesOrderLine",
        verbose_name=_("order line"),
        on_delete=models.CASCADE,
        related_name="backorder",
    )
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = QuantityField(_("quantity"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("backorder")
        verbose_name_plural = _("backorders")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=0), name="backorder_not_negative")]
        indexes = [
            # Stock arriving asks which lines wait for its products: served backorders (zero)
            # pile up over the years and stay out of this index.
            models.Index(fields=["product"], name="backorder_waiting_idx", condition=Q(quantity__gt=0)),
        ]

    def __str__(self):
        return f"{self.line_id}: {self.quantity}"


class BackorderRun(models.Model):
    """One run of the backorder rule for one ``stock.available`` event: the unique event id
    makes a second run of the same event a no-op. A run that found nothing waiting is not
    recorded (it changed nothing)."""

    event_id = models.BigIntegerField(unique=True)
    orders = models.PositiveIntegerField(default=0)
    reserved = QuantityField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class ReservationRun(models.Model):
    """One run of the reservation rule for one ``order.confirmed`` event: the unique event id
    makes a second run of the same event a no-op."""

    event_id = models.BigIntegerField(unique=True)
    order = models.ForeignKey("sales.SalesOrder", on_delete=models.CASCADE, related_name="+")
    reserved = QuantityField(default=0)
    backordered = QuantityField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class Carrier(models.Model):
    """A carrier the company ships with. Its transit days per customer region give a shipment's
    expected delivery day when nothing else confirms the delivery."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    transit_days = models.PositiveSmallIntegerField(_("transit days (default)"), default=2)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self):
        return self.name


class CarrierTransit(models.Model):
    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="transits")
    region = models.ForeignKey(
        "customers.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("transit days"))

    class Meta:
        verbose_name = _("transit time")
        verbose_name_plural = _("transit times")
        constraints = [models.UniqueConstraint(fields=["carrier", "region"], name="carrier_transit_unique")]


class PickBatch(models.Model):
    """Several orders' pick lists of one warehouse walked at once: each order's goods go into
    its own tote (``Shipment.tote``) and the walk follows the bins' pick sequence."""

    class State(models.TextChoices):
        PICKING = "picking", _("Picking")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PICKING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("batch pick")
        verbose_name_plural = _("batch picks")

    def __str__(self):
        return self.number


class Shipment(models.Model):
    """A pick list for one order from one warehouse, then the parcel that leaves it."""

    class Delivery(models.TextChoices):
        DRIVER = "driver", _("Confirmed by the driver")
        CUSTOMER = "customer", _("Confirmed by the customer")
        ESTIMATE = "estimate", _("By the carrier's transit time")

    class State(models.TextChoices):
        PICKING = "picking", _("Picking")
        SHIPPED = "shipped", _("Shipped")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    order = models.ForeignKey(
        "sales.SalesOrder", verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PICKING)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    carrier_ref = models.ForeignKey(
        Carrier,
        verbose_name=_("carrier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    # The lot the picker scanned last, per product, so the next product scan lands on that lot.
    scanned_lots = models.JSONField(default=dict, blank=True)
    # A lot number scanned and not yet tied to a product: lot numbers are unique per product
    # only, so the next product scan decides which product's lot it is.
    pending_lot = models.CharField(max_length=64, blank=True)
    # The bin the picker scanned last: product scans take from it.
    current_location = models.ForeignKey(
        "inventory.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The product scan the picker made last (line, base units per scanned unit, how many units),
    # so a quantity typed after it ("×24") says how many that scan was.
    last_scan = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(
        PickBatch,
        verbose_name=_("batch pick"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shipments",
    )
    tote = models.CharField(_("tote"), max_length=20, blank=True)
    invoice_id = models.BigIntegerField(_("invoice"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    # Delivery: the day it is expected (ship day + the carrier's transit days to the customer's
    # region), when it arrived and who said so.
    expected_delivery_on = models.DateField(_("expected delivery"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_source = models.CharField(
        _("delivery confirmed"), max_length=10, choices=Delivery.choices, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            # One open pick list per order and warehouse.
            models.UniqueConstraint(
                fields=["order", "warehouse"], condition=Q(state="picking"), name="shipment_one_open_pick"
            )
        ]

    def __str__(self):
        return self.number


class ShipmentNotice(models.Model):
    """The e-mail that tells the customer a shipment has left, and what became of it.

    pending (to send) → sending → sent, or → failed (with the reason; retried by the worker). A
    notice found still ``sending`` was interrupted mid-send: whether it went out is unknown, so
    it is recorded as failed and never sent again on its own (one shipment, one e-mail)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    shipment = models.OneToOneField(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="notice"
    )
    recipient = models.EmailField(_("recipient"), max_length=254)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("reason"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("shipping notice")
        verbose_name_plural = _("shipping notices")

    def __str__(self):
        return f"{self.shipment_id} → {self.recipient} ({self.state})"

    def reason_text(self) -> str:
        """Why it failed, in the active language where the reason is ours (an interruption);
        a mail server's answer as it gave it."""
        return message_text(self.last_error)


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "sales.SalesOrderLine", verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
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
    # The bin to pick from (none: the warehouse's implicit location).
    location = models.ForeignKey(
        "inventory.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # To pick: what the reservation holds in this warehouse and lot when the pick list was made.
    quantity = QuantityField(_("to pick"))
    picked_quantity = QuantityField(_("picked"), default=0)
    returned_quantity = QuantityField(_("returned"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(picked_quantity__gte=0, picked_quantity__lte=F("quantity")),
                name="shipment_line_picked_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0, returned_quantity__lte=F("picked_quantity")),
                name="shipment_line_returned_within_picked",
            ),
        ]


class ShortPick(models.Model):
    """Goods a picker did not find where the pick list sent them: what became of the missing
    quantity (taken from another bin, re-reserved elsewhere, or backordered)."""

    class Resolution(models.TextChoices):
        OTHER_BIN = "other_bin", _("Picked from another location")
        RESERVED = "reserved", _("Reserved in another warehouse")
        BACKORDERED = "backordered", _("Backordered")

    shipment_line = models.ForeignKey(
        ShipmentLine, verbose_name=_("shipment line"), on_delete=models.CASCADE, related_name="short_picks"
    )
    location = models.ForeignKey(
        "inventory.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = QuantityField(_("quantity"))
    resolution = models.CharField(_("resolution"), max_length=12, choices=Resolution.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("short pick")
        verbose_name_plural = _("short picks")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="short_pick_positive")]


class Return(models.Model):
    """Goods sent back against one shipped line and lot: restocked into the same lot or
    scrapped, and credited."""

    class Disposition(models.TextChoices):
        RESTOCK = "restock", _("Back into stock")
        SCRAP = "scrap", _("Scrap")

    number = models.CharField(_("number"), max_length=30, unique=True)
    shipment_line = models.ForeignKey(
        ShipmentLine, verbose_name=_("shipment line"), on_delete=models.PROTECT, related_name="returns"
    )
    quantity = QuantityField(_("quantity"))
    disposition = models.CharField(_("disposition"), max_length=10, choices=Disposition.choices)
    reason = models.CharField(_("reason"), max_length=300)
    credit_note_id = models.BigIntegerField(_("credit note"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="return_quantity_positive")]

    def __str__(self):
        return self.number
