"""Price lists and promotions. A quote's or order's line records where its price came from
(``PriceSource``, with the price list or promotion), resolved by ``selectors.prices_resolve``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.money import MoneyField, QuantityField


class PriceSource(models.TextChoices):
    """Where a line's unit price came from, in the order it is looked for (a price typed by the
    rep is kept as manual)."""

    CUSTOMER = "customer_list", _("Customer price list")
    GROUP = "group_list", _("Group price list")
    PROMOTION = "promotion", pgettext_lazy("price source", "Promotion")
    LIST = "list", _("List price")
    MANUAL = "manual", pgettext_lazy("price source", "Manual")


class PriceList(models.Model):
    """Prices for one customer, or for every customer of one group, from ``valid_from`` until
    ``valid_until`` (open-ended when empty). Two active lists of the same customer (or group)
    never price the same product on the same day (``services.price_list_save``)."""

    name = models.CharField(_("name"), max_length=100)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
    )
    group = models.ForeignKey(
        "customers.CustomerGroup",
        verbose_name=_("customer group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="price_lists",
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(customer__isnull=False, group__isnull=True)
                    | Q(customer__isnull=True, group__isnull=False)
                ),
                name="price_list_customer_or_group",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="price_list_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "valid_from"], name="price_list_customer_idx"),
            models.Index(fields=["group", "valid_from"], name="price_list_group_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.name}"

    @property
    def source(self) -> str:
        return PriceSource.CUSTOMER if self.customer_id else PriceSource.GROUP


class PriceListLine(models.Model):
    """One price of a product (per ``unit``; the base unit when empty) from ``min_quantity`` up,
    in that unit: a list's lines of one product and unit are its quantity breaks."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="lines")
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
    min_quantity = QuantityField(_("from quantity"), default=0)
    price = MoneyField(_("price"))

    class Meta:
        ordering = ["product_id", "unit_id", "min_quantity", "id"]
        verbose_name = _("price list line")
        verbose_name_plural = _("price list lines")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="price_list_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=0), name="price_list_line_min_quantity_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["product", "price_list"], name="price_list_line_product_idx")]


class Promotion(models.Model):
    """An offer for a period: an order discount once the order's net amount reaches
    ``threshold`` (a percent or an amount off: "满 10,000 享 9 折"), or buy ``buy_quantity`` of
    ``buy_product`` and get ``get_quantity`` of ``get_product`` free or at ``get_discount_percent``
    off. Optionally kept for one customer group, and only while ``stock_product`` has at least
    ``min_available`` (and more than nothing) available to promise."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Order discount")
        BUY_GET = "buy_get", _("Buy X get Y")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ORDER)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    is_active = models.BooleanField(_("active"), default=True)
    group = models.ForeignKey(
        "customers.CustomerGroup",
        verbose_name=_("only for customer group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="promotions",
    )
    threshold = MoneyField(_("order net amount from"), default=0)
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    discount_amount = MoneyField(_("amount off"), null=True, blank=True)
    buy_product = models.ForeignKey(
        "inventory.Product",
        verbose_name=_("buy product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    buy_quantity = QuantityField(_("buy quantity"), null=True, blank=True)
    get_product = models.ForeignKey(
        "inventory.Product",
        verbose_name=_("get product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    get_quantity = QuantityField(_("get quantity"), null=True, blank=True)
    get_discount_percent = models.DecimalField(
        _("discount on the product got %"), max_digits=5, decimal_places=2, default=100
    )
    stock_product = models.ForeignKey(
        "inventory.Product",
        verbose_name=_("only while in stock"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    min_available = QuantityField(_("at least available"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="promotion_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__isnull=True)
                | Q(discount_percent__gt=0, discount_percent__lte=100),
                name="promotion_discount_range",
            ),
            models.CheckConstraint(
                condition=Q(get_discount_percent__gt=0, get_discount_percent__lte=100),
                name="promotion_get_discount_range",
            ),
            models.CheckConstraint(
                condition=Q(discount_amount__isnull=True) | Q(discount_amount__gt=0),
                name="promotion_amount_positive",
            ),
        ]
        indexes = [models.Index(fields=["valid_until", "valid_from"], name="promotion_valid_idx")]

    def __str__(self):
        return f"#{self.pk} {self.name}"
