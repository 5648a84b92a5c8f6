"""Warehouses, lots and the stock ledger: levels (product × warehouse × lot), moves,
reservations and incoming supply. See DESIGN.md, "Stock: the invariants"."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.money import QuantityField


class WarehouseQuerySet(models.QuerySet):
    def for_stock(self):
        """Active warehouses that hold stock free to sell: not a quarantine area."""
        return self.filter(is_active=True, kind=Warehouse.Kind.STOCK)


class Warehouse(models.Model):
    """A place stock is kept. A quarantine (``kind`` quarantine, ``site`` its warehouse) holds
    goods that have not passed, or have failed, the quality check: they are counted on hand but
    never reserved, promised or offered as available, until released into the site."""

    class Kind(models.TextChoices):
        STOCK = "stock", _("Stock")
        QUARANTINE = "quarantine", _("Quarantine")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=50, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Days stock takes to come here from another warehouse (a promise date from incoming stock
    # elsewhere adds them).
    transfer_days = models.PositiveSmallIntegerField(_("transfer time (days)"), default=2)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.STOCK, db_index=True)
    site = models.ForeignKey(
        "self",
        verbose_name=_("quarantine of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quarantines",
    )

    objects = WarehouseQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.UniqueConstraint(
                fields=["site"], condition=Q(kind="quarantine"), name="warehouse_one_quarantine_per_site"
            ),
            models.CheckConstraint(
                condition=Q(kind="stock", site__isnull=True) | Q(kind="quarantine", site__isnull=False),
                name="warehouse_quarantine_has_site",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_quarantine(self) -> bool:
        return self.kind == self.Kind.QUARANTINE


class Lot(models.Model):
    """A batch (lot-tracked products) or one unit (serial-tracked: the number is the serial)."""

    product = models.ForeignKey(
        "Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="lots"
    )
    number = models.CharField(_("lot / serial number"), max_length=64)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    # Where it came from: the receipt reference (purchase receipt, transfer, return).
    source_reference = models.CharField(_("received with"), max_length=100, blank=True)
    supplier_reference = models.CharField(_("supplier"), max_length=100, blank=True)
    # A lot on hold (a quality problem) is never reserved or shipped until it is released.
    held_at = models.DateTimeField(_("on hold since"), null=True, blank=True)
    held_reason = models.CharField(_("hold reason"), max_length=300, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["product", "expiry_date", "number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="lot_number_unique_per_product")
        ]

    def __str__(self):
        return self.number


class StockLevel(models.Model):
    """Cache of the ledger per product × warehouse × lot. ``on_hand`` always equals the sum of
    the ledger's moves for the same key; ``0 ≤ reserved ≤ on_hand`` is a database CHECK."""

    product = models.ForeignKey("Product", on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey("Warehouse", on_delete=models.PROTECT, related_name="stock_levels")
    lot = models.ForeignKey(
        "Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="stock_levels"
    )
    on_hand = QuantityField(_("on hand"), default=0)
    reserved = QuantityField(_("reserved"), default=0)
    # Set on levels of serial-numbered units, so the database itself keeps a serial in one place.
    serial = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"
            ),
            # Two partial constraints rather than NULLS NOT DISTINCT, which SQLite lacks.
            models.UniqueConstraint(
                fields=["product", "warehouse", "lot"],
                name="stock_level_unique_lot",
                condition=Q(lot__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["product", "warehouse"],
                name="stock_level_unique_no_lot",
                condition=Q(lot__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(serial=False) | Q(on_hand__lte=1), name="stock_serial_at_most_one"
            ),
            models.UniqueConstraint(
                fields=["lot"], name="stock_serial_in_one_place", condition=Q(serial=True, on_hand__gt=0)
            ),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id}/{self.lot_id}: {self.on_hand} ({self.reserved})"


class StockMove(models.Model):
    """The append-only stock ledger. Corrections are new moves, never edits."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        SHIPMENT = "shipment", pgettext_lazy("stock movement", "Shipment")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        ADJUSTMENT = "adjustment", _("Adjustment")
        RETURN = "return", _("Return")
        SCRAP = "scrap", _("Scrap")
        # Stock a company had before it started with Tandem (the opening-stock import).
        OPENING = "opening", _("Opening balance")
        # Between bins of one warehouse, or from the implicit location into a bin (put-away):
        # always a pair of moves that nets to zero for the warehouse.
        RELOCATION = "relocation", _("Move between locations")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    product = models.ForeignKey("Product", on_delete=models.PROTECT, related_name="moves")
    warehouse = models.ForeignKey("Warehouse", on_delete=models.PROTECT, related_name="moves")
    lot = models.ForeignKey("Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    # The bin the stock went into or came out of; none: the warehouse's implicit location.
    location = models.ForeignKey(
        "Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moves",
    )
    quantity = QuantityField(_("quantity"))  # signed, base units
    unit_cost = models.DecimalField(_("unit cost"), max_digits=18, decimal_places=4, default=0)
    reference = models.CharField(_("source document"), max_length=100, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [models.Index(fields=["product", "warehouse", "lot"], name="stock_move_key_idx")]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="stock_move_not_zero")]

    def __str__(self):
        return f"{self.kind} {self.quantity} {self.product_id}@{self.warehouse_id}"


class Reservation(models.Model):
    """Stock held for one demand (``demand`` names it, e.g. ``sales.orderline:42``).

    The quantity here and ``StockLevel.reserved`` move together in one transaction.
    """

    demand = models.CharField(_("demand"), max_length=100, db_index=True)
    product = models.ForeignKey("Product", on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey("Warehouse", on_delete=models.PROTECT, related_name="reservations")
    lot = models.ForeignKey(
        "Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="reservations"
    )
    quantity = QuantityField(_("quantity"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="reservation_not_negative"),
            models.UniqueConstraint(
                fields=["demand", "warehouse", "lot"],
                name="reservation_unique_lot",
                condition=Q(lot__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["demand", "warehouse"],
                name="reservation_unique_no_lot",
                condition=Q(lot__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.demand}: {self.quantity}"


class IncomingSupply(models.Model):
    """Expected receipts registered by purchasing (confirmed purchase orders), so that
    available-to-promise can show incoming quantities with dates without importing purchasing."""

    reference = models.CharField(_("reference"), max_length=100, unique=True)
    product = models.ForeignKey("Product", on_delete=models.CASCADE, related_name="incoming")
    warehouse = models.ForeignKey("Warehouse", on_delete=models.CASCADE, related_name="incoming")
    quantity = QuantityField(_("quantity"))
    expected_date = models.DateField(_("expected date"))

    class Meta:
        ordering = ["expected_date"]
        verbose_name = _("incoming supply")
        verbose_name_plural = _("incoming supplies")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=0), name="incoming_not_negative")]

    def __str__(self):
        return f"{self.reference}: {self.quantity} on {self.expected_date}"
