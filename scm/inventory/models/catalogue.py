"""The catalogue: categories, brands, products and their units."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        "Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    brand = models.ForeignKey(
        "Brand",
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
    # Days from ordering to receiving at the usual supplier; purchasing keeps it current
    # (``product_lead_time_set``) so that a promise date is an inventory selector.
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Search columns derived from the name (``core.search``): "zs" or "zhangsan" finds 张三.
    search_pinyin = models.CharField(max_length=600, blank=True, db_index=True, editable=False)
    search_initials = models.CharField(max_length=200, blank=True, db_index=True, editable=False)

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

    def save(self, *args, **kwargs):
        # Derived columns only (no business rule): they must never drift from the name.
        from core.search import search_columns

        self.search_pinyin, self.search_initials, _normalized = search_columns(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_pinyin", "search_initials"}
        super().save(*args, **kwargs)


class ProductUnit(models.Model):
    """Another unit of a product: ``factor`` base units make one of it (box = 24 pcs)."""

    product = models.ForeignKey(
        "Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="units"
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
