"""Suppliers, their products and prices, purchase orders, receipts against them (with the
quality check) and returns to suppliers.

Purchase order lines keep their own progress figures (received, accepted, billed) in base
units, moved only by services with F() expressions; open lines register their expected
receipts with inventory (``IncomingSupply``), so available-to-promise shows incoming dates
without importing purchasing.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField, QuantityField

ZERO = Decimal(0)


class PurchasingSettings(models.Model):
    """The company's purchasing rules (one row, ``pk=1``): orders above the approval threshold
    wait for a manager; a receipt may exceed the ordered quantity by the tolerance at most."""

    approval_threshold = MoneyField(_("approval above (order total)"), default=Decimal("50000"))
    receipt_tolerance_percent = models.DecimalField(
        _("over-receipt tolerance %"), max_digits=5, decimal_places=2, default=Decimal("5")
    )

    class Meta:
        verbose_name = _("purchasing settings")
        verbose_name_plural = _("purchasing settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(approval_threshold__gte=0), name="purchasing_threshold_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(receipt_tolerance_percent__gte=0, receipt_tolerance_percent__lte=100),
                name="purchasing_tolerance_range",
            ),
        ]

    @classmethod
    def current(cls) -> "PurchasingSettings":
        return cls.objects.get_or_create(pk=1)[0]


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(_("tax id"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=50, blank=True)
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=30)
    # 月结: the bill falls due at the end of the month in which the days run out.
    payment_terms_month_end = models.BooleanField(_("due at month end"), default=False)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    default_warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("deliver to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The buyer who looks after this supplier (new orders default to them).
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buyer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suppliers",
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Search columns derived from the name (``core.search``): pinyin, initials, normalised name.
    search_pinyin = models.CharField(max_length=600, blank=True, db_index=True, editable=False)
    search_initials = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    name_normalized = models.CharField(max_length=200, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        indexes = [models.Index(fields=["name"], name="supplier_name_idx")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        # Derived columns only (no business rule): they must never drift from the name.
        from core.search import search_columns

        self.search_pinyin, self.search_initials, self.name_normalized = search_columns(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "search_pinyin",
                "search_initials",
                "name_normalized",
            }
        super().save(*args, **kwargs)


class SupplierContact(models.Model):
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # Purchase orders are e-mailed to the primary contact.
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "name", "id"]
        verbose_name = _("supplier contact")
        verbose_name_plural = _("supplier contacts")

    def __str__(self):
        return self.name


class SupplierProduct(models.Model):
    """A product as one supplier sells it: their code, their unit, pack size, minimum order
    and lead time. A product may have several suppliers, at most one preferred."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="products"
    )
    product = models.ForeignKey(
        "inventory.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="supplier_products",
    )
    supplier_code = models.CharField(_("supplier's code"), max_length=64, blank=True)
    # The supplier's unit (a box of 12); none = the product's base unit.
    unit = models.ForeignKey(
        "inventory.ProductUnit",
        verbose_name=_("purchase unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Quantities below are in the purchase unit: orders are whole packs of ``pack_size``.
    pack_size = QuantityField(_("pack size"), default=1)
    min_order_quantity = QuantityField(_("minimum order quantity"), default=0)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=7)
    is_preferred = models.BooleanField(_("preferred"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["product", "-is_preferred", "supplier__name"]
        verbose_name = _("supplier product")
        verbose_name_plural = _("supplier products")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "product"], name="supplier_product_unique"),
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_preferred=True), name="supplier_product_one_preferred"
            ),
            models.CheckConstraint(
                condition=Q(pack_size__gt=0, min_order_quantity__gte=0), name="supplier_product_quantities"
            ),
        ]

    def __str__(self):
        return f"{self.supplier.name}: {self.product}"


class SupplierPrice(models.Model):
    """A purchase price per purchase unit from ``min_quantity`` up (quantity breaks), valid
    between two dates (either open)."""

    supplier_product = models.ForeignKey(
        SupplierProduct, verbose_name=_("supplier product"), on_delete=models.CASCADE, related_name="prices"
    )
    min_quantity = QuantityField(_("from quantity"), default=0)
    unit_price = MoneyField(_("unit price"), decimal_places=4)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["supplier_product", "min_quantity", "valid_from"]
        verbose_name = _("supplier price")
        verbose_name_plural = _("supplier prices")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gt=0, min_quantity__gte=0), name="supplier_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="supplier_price_dates_ordered",
            ),
        ]


class PurchaseOrder(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        TO_APPROVE = "to_approve", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        SENT = "sent", _("Sent")
        PARTLY_RECEIVED = "partly_received", _("Partly received")
        RECEIVED = "received", _("Received")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="purchase_orders",
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("deliver to"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    order_date = models.DateField(_("order date"))
    supplier_reference = models.CharField(_("supplier's reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    subtotal = MoneyField(_("subtotal"), default=0)
    tax_total = MoneyField(_("tax"), default=0)
    total = MoneyField(_("total"), default=0)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [models.Index(fields=["supplier", "state"], name="po_supplier_state_idx")]

    def __str__(self):
        return self.number


# States in which a purchase order's lines are still expected from the supplier.
_P = PurchaseOrder.State
OPEN_STATES = frozenset({_P.APPROVED, _P.SENT, _P.PARTLY_RECEIVED})
# States in which the order may still be edited.
EDITABLE_STATES = frozenset({_P.DRAFT, _P.TO_APPROVE})


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    supplier_product = models.ForeignKey(
        SupplierProduct, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(
        "inventory.ProductUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = QuantityField(_("quantity"))  # in ``unit``
    base_quantity = QuantityField(_("quantity in base unit"))
    unit_price = MoneyField(_("unit price"), decimal_places=4)  # per ``unit``
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4, default=Decimal("0.13"))
    net_amount = MoneyField(_("net amount"), default=0)
    tax_amount = MoneyField(_("tax"), default=0)
    expected_date = models.DateField(_("expected date"))
    # Progress in base units, moved only by services with F() expressions: everything that
    # arrived, what passed the quality check, and what the supplier has billed.
    received_quantity = QuantityField(_("received"), default=0)
    accepted_quantity = QuantityField(_("accepted"), default=0)
    billed_quantity = QuantityField(_("billed"), default=0)
    # Purchase to order: the demand this line was bought for ("sales.orderline:42"); its
    # receipt serves that demand first.
    demand = models.CharField(_("bought for"), max_length=100, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0, base_quantity__gt=0), name="po_line_quantity_positive"
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="po_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0, accepted_quantity__gte=0, billed_quantity__gte=0),
                name="po_line_progress_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(accepted_quantity__lte=F("received_quantity")),
                name="po_line_accepted_le_received",
            ),
        ]

    @property
    def open_quantity(self) -> Decimal:
        """Base units still expected: ordered − accepted (rejected goods are owed again)."""
        return max(self.base_quantity - self.accepted_quantity, ZERO)

    @property
    def base_unit_price(self) -> Decimal:
        """The price per base unit (the line's price is per its unit): what a receipt costs the
        goods at and what a bill is matched against."""
        if self.base_quantity and self.base_quantity != self.quantity:
            return self.unit_price * self.quantity / self.base_quantity
        return self.unit_price

    @property
    def incoming_reference(self) -> str:
        """The key of this line's expected receipt in inventory (``IncomingSupply.reference``)."""
        return f"purchasing.poline:{self.pk}"


class PurchaseOrderEvent(models.Model):
    """The purchase order's timeline: who did what, when."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=300)
    data = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("purchase order event")
        verbose_name_plural = _("purchase order events")


class Receipt(models.Model):
    """Goods received against a purchase order (收货单): counted on the tablet, then checked
    (accepted / rejected per line), then posted. Stock moves only when it is posted: accepted
    goods into the order's warehouse, rejected ones into quarantine or back to the supplier."""

    class State(models.TextChoices):
        COUNTING = "counting", _("Counting")
        CHECKING = "checking", _("Quality check")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    purchase_order = models.ForeignKey(
        PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.PROTECT, related_name="receipts"
    )
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="receipts"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.COUNTING, db_index=True
    )
    delivery_note = models.CharField(_("supplier's delivery note"), max_length=100, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self):
        return self.number


class ReceiptLine(models.Model):
    class RejectAction(models.TextChoices):
        QUARANTINE = "quarantine", _("Keep in quarantine")
        RETURN = "return", _("Return to supplier")

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(
        PurchaseOrderLine,
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="receipt_lines",
    )
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    # A lot number (lot-tracked) or a serial number (serial-tracked, quantity 1).
    lot_number = models.CharField(_("lot / serial number"), max_length=64, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    lot = models.ForeignKey(
        "inventory.Lot",
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The bin the accepted goods are put away into (scanned while receiving); none: the
    # warehouse's stock not in a bin (a warehouse without bins, or put away later).
    location = models.ForeignKey(
        "inventory.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = QuantityField(_("received"))  # base units
    accepted_quantity = QuantityField(_("accepted"), null=True, blank=True)  # set by the check
    rejected_quantity = QuantityField(_("rejected"), default=0)
    reject_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    reject_action = models.CharField(
        _("rejected goods"), max_length=10, choices=RejectAction.choices, default=RejectAction.QUARANTINE
    )
    unit_cost = MoneyField(_("unit cost"), decimal_places=4, default=0)  # per base unit, the PO price

    class Meta:
        ordering = ["id"]
        verbose_name = _("receipt line")
        verbose_name_plural = _("receipt lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(accepted_quantity__isnull=True)
                | Q(accepted_quantity__gte=0, accepted_quantity__lte=F("quantity")),
                name="receipt_line_accepted_range",
            ),
            models.CheckConstraint(
                condition=Q(rejected_quantity__gte=0), name="receipt_line_rejected_not_negative"
            ),
        ]


class SupplierReturn(models.Model):
    """Goods sent back to the supplier (退货单): rejected at receipt, or later from stock."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="returns"
    )
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        verbose_name=_("purchase order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
    )
    receipt = models.ForeignKey(
        Receipt,
        verbose_name=_("receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return to supplier")
        verbose_name_plural = _("returns to suppliers")

    def __str__(self):
        return self.number


class SupplierReturnLine(models.Model):
    supplier_return = models.ForeignKey(SupplierReturn, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(
        PurchaseOrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
    quantity = QuantityField(_("quantity"))
    unit_cost = MoneyField(_("unit cost"), decimal_places=4, default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplier_return_quantity_positive")
        ]


class PurchaseOrderEmail(models.Model):
    """One sending of a purchase order's e-mail to the supplier (one ``purchase_order.email_due``
    event): what the order page shows, and what keeps a retried delivery from sending it twice."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="emails")
    event_id = models.BigIntegerField(_("event"), unique=True)
    recipient = models.CharField(_("recipient"), max_length=254)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("purchase order e-mail")
        verbose_name_plural = _("purchase order e-mails")


class SupplierComplaint(models.Model):
    """A customer's quality complaint, confirmed by service, about goods of a lot this supplier
    delivered: the scorecard's quality rate counts it (``scorecard``). Written by the after-sales
    loop (``services.supplier_complaint_record``); one per ticket."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="complaints"
    )
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot_number = models.CharField(_("lot / serial number"), max_length=64, blank=True)
    ticket_reference = models.CharField(_("ticket"), max_length=30, unique=True)
    confirmed_at = models.DateTimeField(_("confirmed at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        verbose_name = _("supplier complaint")
        verbose_name_plural = _("supplier complaints")
        indexes = [
            models.Index(fields=["supplier", "product", "lot_number"], name="supplier_complaint_lot_idx")
        ]
