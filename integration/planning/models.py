"""Replenishment planning's records: the demand history (per product × warehouse × day, kept by
the events that ship and return stock), the settings and service levels, each product ×
warehouse's plan (forecast, safety stock, reorder point, order-up-to level, and the numbers that
made them), the hand-set overrides and the suggestions a buyer accepts or dismisses.

Quantities are in the product's base unit. Forecast figures (level, trend, spread) are demand per
day; they are statistics, kept as decimals with four places.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.money import QuantityField

# A service level is a probability of not running out during a lead time: more than a coin toss,
# at most 99.9 % (beyond it the safety stock grows without bound).
SERVICE_LEVEL_MIN = Decimal("50")
SERVICE_LEVEL_MAX = Decimal("99.9")


def _figure(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=4, default=0, **kwargs)


class PlanningSettings(models.Model):
    """The company's planning rules (one row, ``pk=1``)."""

    history_weeks = models.PositiveSmallIntegerField(_("weeks of history read"), default=26)
    review_days = models.PositiveSmallIntegerField(_("review period (days)"), default=7)
    service_level = models.DecimalField(
        _("default service level %"), max_digits=5, decimal_places=2, default=Decimal("95")
    )
    default_lead_time_days = models.PositiveSmallIntegerField(
        _("lead time when a supplier states none (days)"), default=14
    )
    slow_mover_days = models.PositiveSmallIntegerField(_("slow mover: days without demand"), default=90)
    slow_mover_cover_months = models.DecimalField(
        _("slow mover: months of cover above"), max_digits=6, decimal_places=1, default=Decimal("6")
    )

    class Meta:
        verbose_name = _("planning settings")
        verbose_name_plural = _("planning settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(service_level__gt=SERVICE_LEVEL_MIN, service_level__lte=SERVICE_LEVEL_MAX),
                name="planning_settings_service_level_range",
            ),
            models.CheckConstraint(
                condition=Q(history_weeks__gte=4, history_weeks__lte=104), name="planning_history_weeks_range"
            ),
        ]

    @classmethod
    def current(cls) -> "PlanningSettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class CategoryServiceLevel(models.Model):
    """The service level of a product category (and of its subcategories without their own)."""

    category = models.OneToOneField(
        "inventory.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    service_level = models.DecimalField(_("service level %"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("category service level")
        verbose_name_plural = _("category service levels")
        constraints = [
            models.CheckConstraint(
                condition=Q(service_level__gt=SERVICE_LEVEL_MIN, service_level__lte=SERVICE_LEVEL_MAX),
                name="category_service_level_range",
            )
        ]


class DemandDay(models.Model):
    """What customers took of a product from a warehouse on one day: shipped and returned
    (base units), and whether the day was a stock-out (orders waited on backorder), so the
    forecast does not read lost sales as low demand."""

    product = models.ForeignKey("inventory.Product", on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    shipped = QuantityField(_("shipped"), default=0)
    returned = QuantityField(_("returned"), default=0)
    stockout = models.BooleanField(_("stock-out"), default=False)

    class Meta:
        ordering = ["day"]
        verbose_name = _("demand day")
        verbose_name_plural = _("demand days")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse", "day"], name="demand_day_unique"),
            models.CheckConstraint(
                condition=Q(shipped__gte=0, returned__gte=0), name="demand_day_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="demand_day_day_idx")]


class DemandSource(models.Model):
    """A document already counted into the demand history (``shipment:12``, ``return:5``): a
    second delivery of its event adds nothing."""

    reference = models.CharField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Plan(models.Model):
    """A product × warehouse's replenishment plan as the last planning run left it, with the
    numbers that made it (shown on the product's planning page)."""

    class Source(models.TextChoices):
        FORECAST = "forecast", _("Forecast from sales history")
        HAND_SET = "hand_set", _("Hand-set on the product (no sales history)")
        OVERRIDE = "override", _("Overridden for this warehouse")

    class LeadTimeSource(models.TextChoices):
        ACTUAL = "actual", _("Actual, from receipts")
        STATED = "stated", _("Stated by the supplier")
        DEFAULT = "default", _("Default (the supplier states none)")

    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.FORECAST)
    computed_at = models.DateTimeField(_("computed at"))
    history_days = models.PositiveIntegerField(_("days of history"), default=0)
    stockout_days = models.PositiveIntegerField(_("stock-out days"), default=0)
    demand_total = QuantityField(_("demand in the history"), default=0)
    last_demand_day = models.DateField(_("last demand"), null=True, blank=True)
    level = _figure(_("level (per day)"))
    trend = _figure(_("trend (per day, per day)"))
    weekday_factors = models.JSONField(_("weekday factors"), default=list, blank=True)
    sigma = _figure(_("demand spread (per day)"))
    supplier = models.ForeignKey(
        "purchasing.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_time_days = models.DecimalField(_("lead time (days)"), max_digits=6, decimal_places=1, default=0)
    lead_time_sigma = models.DecimalField(
        _("lead time spread (days)"), max_digits=6, decimal_places=1, default=0
    )
    lead_time_source = models.CharField(
        _("lead time from"), max_length=10, choices=LeadTimeSource.choices, default=LeadTimeSource.STATED
    )
    service_level = models.DecimalField(_("service level %"), max_digits=5, decimal_places=2, default=95)
    z = models.DecimalField(_("safety factor z"), max_digits=6, decimal_places=4, default=0)
    review_days = models.PositiveSmallIntegerField(_("review period (days)"), default=7)
    lead_time_demand = QuantityField(_("demand over the lead time"), default=0)
    review_demand = QuantityField(_("demand over lead time and review period"), default=0)
    safety_stock = QuantityField(_("safety stock"), default=0)
    reorder_point = QuantityField(_("reorder point"), default=0)
    order_up_to = QuantityField(_("order-up-to level"), default=0)
    # Message keys (``planning.warnings.WARNINGS``) with their parameters, shown with the plan.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        ordering = ["product", "warehouse"]
        verbose_name = _("replenishment plan")
        verbose_name_plural = _("replenishment plans")
        constraints = [models.UniqueConstraint(fields=["product", "warehouse"], name="plan_unique")]


class PlanOverride(models.Model):
    """A planner's own reorder point and order-up-to level for a product × warehouse, used
    instead of the computed ones (and shown as such)."""

    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="+"
    )
    reorder_point = QuantityField(_("reorder point"))
    order_up_to = QuantityField(_("order-up-to level"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["product", "warehouse"]
        verbose_name = _("plan override")
        verbose_name_plural = _("plan overrides")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="plan_override_unique"),
            models.CheckConstraint(
                condition=Q(reorder_point__gte=0, order_up_to__gte=F("reorder_point")),
                name="plan_override_quantities",
            ),
        ]


class Suggestion(models.Model):
    """What the planner proposes for a product × warehouse below its reorder point: a transfer
    from a warehouse with more than it needs, or a purchase from the best supplier. Kept once
    decided (accepted, dismissed with a reason, or expired) for the record."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", pgettext_lazy("suggestion kind", "Purchase")
        TRANSFER = "transfer", pgettext_lazy("suggestion kind", "Transfer")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("suggestion state", "Open")
        ACCEPTED = "accepted", pgettext_lazy("suggestion state", "Accepted")
        DISMISSED = "dismissed", pgettext_lazy("suggestion state", "Dismissed")
        EXPIRED = "expired", pgettext_lazy("suggestion state", "Expired")

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("Nightly run")
        SHORTAGE = "shortage", _("Shortage")
        LOW_STOCK = "low_stock", _("Below reorder point")
        MANUAL = "manual", _("Run by hand")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.NIGHTLY)
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("for warehouse"), on_delete=models.CASCADE, related_name="+"
    )
    # Base units the warehouse gets (a purchase: what the order quantity comes to).
    quantity = QuantityField(_("quantity"))
    source_warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("from warehouse"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    supplier = models.ForeignKey(
        "purchasing.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    supplier_product = models.ForeignKey(
        "purchasing.SupplierProduct", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # In the supplier's unit, rounded to its packs and minimum order.
    order_quantity = QuantityField(_("order quantity"), null=True, blank=True)
    # The numbers behind it: position, reorder point, order-up-to, net need, short orders.
    reasons = models.JSONField(_("why"), default=dict, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismiss_reason = models.CharField(_("reason"), max_length=200, blank=True)
    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder",
        verbose_name=_("purchase order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    transfer = models.ForeignKey(
        "inventory.Transfer",
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("replenishment suggestion")
        verbose_name_plural = _("replenishment suggestions")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="suggestion_quantity_positive"),
            # One open purchase per product × warehouse, one open transfer per route and product.
            models.UniqueConstraint(
                fields=["product", "warehouse"],
                condition=Q(state="open", kind="purchase"),
                name="suggestion_one_open_purchase",
            ),
            models.UniqueConstraint(
                fields=["product", "warehouse", "source_warehouse"],
                condition=Q(state="open", kind="transfer"),
                name="suggestion_one_open_transfer",
            ),
            models.CheckConstraint(
                condition=Q(kind="purchase") | Q(source_warehouse__isnull=False),
                name="suggestion_transfer_has_source",
            ),
        ]
        indexes = [models.Index(fields=["state", "kind"], name="suggestion_state_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.product_id}@{self.warehouse_id}: {self.quantity}"
