from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.money import MoneyField, QuantityField, validate_tax_rate


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_unique_in_parent")
        ]

    def __str__(self):
        return self.name


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self):
        return self.name


class Product(models.Model):
    """A stocked SKU, or a template whose variants (``template`` set) are the stocked SKUs.

    Stock is kept in ``base_unit``; ``ProductUnit`` rows convert other units (box of 24).
    """

    class Tracking(models.TextChoices):
        NONE = "none", _("None")
        LOT = "lot", _("Lot with expiry")
        SERIAL = "serial", _("Serial number")

    sku = models.CharField(_("SKU"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    brand = models.ForeignKey(
        Brand,
        verbose_name=_("brand"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    barcode = models.CharField(_("barcode"), max_length=64, blank=True, db_index=True)
    tracking = models.CharField(_("tracking"), max_length=10, choices=Tracking.choices, default=Tracking.NONE)
    base_unit = models.CharField(_("base unit"), max_length=20, default="pcs")
    # Whether the base unit may hold fractions (kilograms yes, pieces no).
    base_unit_divisible = models.BooleanField(_("base unit can be split"), default=False)
    list_price = MoneyField(_("list price"), default=0)
    cost = models.DecimalField(_("average cost"), max_digits=18, decimal_places=4, default=0)
    tax_rate = models.DecimalField(
        _("tax rate"), max_digits=5, decimal_places=4, default="0.13", validators=[validate_tax_rate]
    )
    is_active = models.BooleanField(_("active"), default=True)
    template = models.ForeignKey(
        "self",
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="variants",
    )
    is_template = models.BooleanField(_("is a template"), default=False)
    # Variant attributes, e.g. {"colour": "red", "size": "L"}.
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # Reorder fields, set by purchasing.
    reorder_point = QuantityField(_("reorder point"), default=0)
    reorder_quantity = QuantityField(_("reorder quantity"), default=0)
    # Months of warranty from the day a unit was shipped (0: none); service reads it by serial.
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_not_negative"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="product_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"


class ProductUnit(models.Model):
    """Another unit of a product: ``factor`` base units make one of it (box = 24 pcs)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField(_("unit"), max_length=20)
    factor = models.DecimalField(_("base units per unit"), max_digits=18, decimal_places=3)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True, db_index=True)
    divisible = models.BooleanField(_("can be split"), default=False)

    class Meta:
        ordering = ["product", "factor"]
        verbose_name = _("product unit")
        verbose_name_plural = _("product units")
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="product_unit_name_unique"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="product_unit_factor_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.factor})"


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
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="lots"
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

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_levels")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="stock_levels")
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

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="moves")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="moves")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
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
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="reservations")
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
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="incoming")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="incoming")
    quantity = QuantityField(_("quantity"))
    expected_date = models.DateField(_("expected date"))

    class Meta:
        ordering = ["expected_date"]
        verbose_name = _("incoming supply")
        verbose_name_plural = _("incoming supplies")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=0), name="incoming_not_negative")]

    def __str__(self):
        return f"{self.reference}: {self.quantity} on {self.expected_date}"


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
        Warehouse, verbose_name=_("from"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    destination = models.ForeignKey(
        Warehouse, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
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
        Transfer, verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_lines",
    )
    quantity = QuantityField(_("quantity"))  # base units
    unit = models.ForeignKey(
        ProductUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="counts"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
        CountSession, verbose_name=_("count"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
            models.UniqueConstraint(
                fields=["session", "product", "lot"],
                name="count_line_unique_lot",
                condition=Q(lot__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["session", "product"], name="count_line_unique_no_lot", condition=Q(lot__isnull=True)
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
