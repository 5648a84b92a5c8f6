"""Quotes and sales orders. Lines keep their own progress figures (reserved, shipped, invoiced),
which the fulfilment bridge updates through this app's services."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.i18n import message_text
from core.money import MoneyField, QuantityField
from crm.sales.orders.prices.models import PriceSource


class DocumentPromotionFields(models.Model):
    """What a quote and an order keep of the order-level promotion they got
    (``prices.selectors``): the promotion and the amount it took off, already spread over the
    lines' net amounts (each line's ``promotion_discount``), so that the subtotal, the tax, the
    total, the invoices and the credit check all count it alike."""

    promotion = models.ForeignKey(
        "sales.Promotion",
        verbose_name=_("promotion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    promotion_discount = MoneyField(_("promotion discount"), default=0)

    class Meta:
        abstract = True


class LinePriceFields(models.Model):
    """Where a quote's or order's line got its unit price (a price list, a promotion, the list
    price, or typed: manual) and its share of the document's order-level promotion (taken off
    its net amount)."""

    price_source = models.CharField(_("price source"), max_length=16, choices=PriceSource.choices, blank=True)
    price_list = models.ForeignKey(
        "sales.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    price_promotion = models.ForeignKey(
        "sales.Promotion",
        verbose_name=_("price promotion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    promotion_discount = MoneyField(_("promotion discount"), default=0)

    class Meta:
        abstract = True


class Quote(DocumentPromotionFields):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="quotes"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="quotes"
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    valid_until = models.DateField(_("valid until"))
    notes = models.TextField(_("notes"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    subtotal = MoneyField(_("subtotal"), default=0)
    tax_total = MoneyField(_("tax"), default=0)
    total = MoneyField(_("total"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self):
        return self.number


class QuoteEmail(models.Model):
    """One sending of a quote's e-mail (one ``quote.email_due`` event): what the quote page shows,
    and what keeps a retried delivery from sending it twice (``quote_services.quote_email_send``)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="emails")
    event_id = models.BigIntegerField(_("event"), unique=True)
    recipient = models.CharField(_("recipient"), max_length=254)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quote e-mail")
        verbose_name_plural = _("quote e-mails")

    def error_text(self) -> str:
        """Why it failed, in the active language where the reason is ours (an interruption); a
        mail server's answer as it gave it."""
        return message_text(self.error)


class QuoteLine(LinePriceFields):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "inventory.ProductUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = QuantityField(_("quantity"))  # in ``unit`` (base unit when empty)
    base_quantity = QuantityField(_("quantity in base unit"))
    unit_price = MoneyField(_("unit price"))  # per ``unit``
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    net_amount = MoneyField(_("net amount"), default=0)
    tax_amount = MoneyField(_("tax"), default=0)
    # The day the rep could promise when the line was written (``inventory.selectors``).
    promise_date = models.DateField(_("promise date"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quote_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="quote_line_discount_range",
            ),
        ]


# Where an order's lines are kept once read with it (a ``to_attr`` Prefetch; ``order_create``
# leaves the lines it wrote there too).
LINE_LIST = "line_list"


class SalesOrder(DocumentPromotionFields):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CREDIT_HOLD = "credit_hold", _("Credit hold")
        CONFIRMED = "confirmed", _("Confirmed")
        PARTLY_RESERVED = "partly_reserved", _("Partly reserved")
        RESERVED = "reserved", _("Reserved")
        PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
        SHIPPED = "shipped", _("Shipped")
        INVOICED = "invoiced", _("Invoiced")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    class Priority(models.TextChoices):
        # Decides, with the requested date and the confirmation time, which waiting order gets
        # stock that arrives (integration.fulfilment.backorders).
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="sales_orders",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="sales_orders",
    )
    quote = models.ForeignKey(
        Quote,
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    order_date = models.DateField(_("order date"))
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    shipping_address = models.CharField(_("shipping address"), max_length=300, blank=True)
    # The warehouse the customer is served from (empty: the reservation rule chooses the nearest
    # with stock).
    ship_from = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("ship from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Wait and ship complete: no pick list until every line holds all it asks for. Otherwise
    # (the default) what is reserved ships and the rest follows as a backorder.
    ship_complete = models.BooleanField(_("ship complete"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    subtotal = MoneyField(_("subtotal"), default=0)
    tax_total = MoneyField(_("tax"), default=0)
    total = MoneyField(_("total"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")

    def __str__(self):
        return self.number

    @property
    def backordered_quantity(self):
        """Base units of every line still waiting for stock (the lines as prefetched into
        ``LINE_LIST``, or read)."""
        lines = getattr(self, LINE_LIST, None)
        if lines is None:
            lines = self.lines.all()
        return sum((line.backordered_quantity for line in lines), Decimal(0))


# While an order is in one of these states, what a line lacks (ordered − reserved − shipped) is
# owed to the customer and waits for stock: it is on backorder.
_S = SalesOrder.State
BACKORDER_STATES = frozenset({_S.CONFIRMED, _S.PARTLY_RESERVED, _S.RESERVED, _S.PARTLY_SHIPPED})


class SalesOrderLine(LinePriceFields):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
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
    unit_price = MoneyField(_("unit price"))
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    net_amount = MoneyField(_("net amount"), default=0)
    tax_amount = MoneyField(_("tax"), default=0)
    # Progress, in base units; moved only by services with F() expressions.
    reserved_quantity = QuantityField(_("reserved"), default=0)
    shipped_quantity = QuantityField(_("shipped"), default=0)
    invoiced_quantity = QuantityField(_("invoiced"), default=0)
    returned_quantity = QuantityField(_("returned"), default=0)
    # The day promised to the customer for this line when it was written (``inventory.selectors``).
    promise_date = models.DateField(_("promise date"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="order_line_discount_range",
            ),
            models.CheckConstraint(
                condition=Q(reserved_quantity__gte=0, shipped_quantity__gte=0, invoiced_quantity__gte=0),
                name="order_line_progress_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(shipped_quantity__lte=F("base_quantity")), name="order_line_not_over_shipped"
            ),
        ]

    @property
    def demand(self) -> str:
        """The key under which inventory holds stock for this line."""
        return f"sales.orderline:{self.pk}"

    @property
    def backorder_quantity(self):
        return max(self.base_quantity - self.reserved_quantity - self.shipped_quantity, 0)

    @property
    def backordered_quantity(self):
        """``backorder_quantity`` while the order waits for stock (``BACKORDER_STATES``); zero
        for a draft, an order on credit hold, a cancelled or finished one."""
        return self.backorder_quantity if self.order.state in BACKORDER_STATES else Decimal(0)


class OrderEvent(models.Model):
    """The order's timeline: who did what, when."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=300)
    data = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
