"""Purchase cycles and co-purchase statistics, refreshed nightly (``integration.insights.cycles``,
``integration.insights.crosssell``).

A cycle is about one customer and one item: a product, or a category when the customer buys
varying products of it regularly. ``item_key`` ("p<id>" or "c<id>") names the item in one column,
so that a cycle is found again by (customer, kind, item) night after night and a reminder is made
once per cycle and expected date. Quantities are in the product's base unit; confidences and
co-purchase figures are statistics kept as decimals.
"""

from django.db import models
from django.db.models import Q
from django.utils.dates import MONTHS
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.money import QuantityField

__all__ = ["CoPurchase", "CycleReminder", "PurchaseCycle"]


class CycleKind(models.TextChoices):
    # Bought in the same month of the year, year after year ("every March").
    ANNUAL = "annual", pgettext_lazy("purchase cycle", "Annual")
    # Bought at regular intervals ("every 6 weeks").
    INTERVAL = "interval", pgettext_lazy("purchase cycle", "Regular interval")


def _product():
    return models.ForeignKey(
        "inventory.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )


def _category():
    return models.ForeignKey(
        "inventory.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )


class PurchaseCycle(models.Model):
    """A customer's regular buying of a product or a category, as the last nightly run found
    it; cycles no longer found are deleted by the run."""

    Kind = CycleKind

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    product = _product()
    category = _category()
    item_key = models.CharField(max_length=24, editable=False)
    kind = models.CharField(pgettext_lazy("purchase cycle", "kind"), max_length=8, choices=CycleKind.choices)
    # A regular interval's mean number of days between purchases.
    interval_days = models.PositiveIntegerField(_("interval (days)"), null=True, blank=True)
    # An annual cycle's month (1–12).
    month = models.PositiveSmallIntegerField(pgettext_lazy("calendar", "month"), null=True, blank=True)
    # Purchases the cycle rests on: days bought (interval), years bought in the month (annual).
    occurrences = models.PositiveIntegerField(_("occurrences"), default=0)
    expected_date = models.DateField(pgettext_lazy("purchase cycle", "expected date"), db_index=True)
    confidence = models.DecimalField(_("confidence"), max_digits=4, decimal_places=3)
    last_quantity = QuantityField(_("last quantity"))
    last_order_date = models.DateField(_("last order date"))
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        ordering = ["expected_date", "pk"]
        verbose_name = _("purchase cycle")
        verbose_name_plural = _("purchase cycles")
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "item_key"], name="purchase_cycle_unique"),
            models.CheckConstraint(
                condition=Q(product__isnull=False, category__isnull=True)
                | Q(product__isnull=True, category__isnull=False),
                name="purchase_cycle_one_item",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="purchase_cycle_confidence_range"
            ),
        ]

    def __str__(self):
        return f"{self.customer_id}:{self.item_key}:{self.kind}"

    @property
    def item(self):
        """The product or the category."""
        return self.product if self.product_id else self.category

    def rhythm(self) -> str:
        """ "every year in March", "every 42 days" (in the active language)."""
        if self.kind == CycleKind.ANNUAL:
            return gettext("every year in %(month)s") % {"month": MONTHS.get(self.month, "")}
        return ngettext("every %(days)s day", "every %(days)s days", self.interval_days or 0) % {
            "days": self.interval_days
        }


class CycleReminder(models.Model):
    """The follow-up task made for a cycle's expected date: one per customer, item, kind and
    expected date (the unique constraint makes the nightly run idempotent). It outlives its
    cycle (``cycle`` is cleared when a later run no longer finds it)."""

    cycle = models.ForeignKey(
        PurchaseCycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    product = _product()
    category = _category()
    item_key = models.CharField(max_length=24, editable=False)
    kind = models.CharField(pgettext_lazy("purchase cycle", "kind"), max_length=8, choices=CycleKind.choices)
    expected_date = models.DateField(pgettext_lazy("purchase cycle", "expected date"))
    task = models.ForeignKey(
        "sales.Activity",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("purchase cycle reminder")
        verbose_name_plural = _("purchase cycle reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "item_key", "expected_date"], name="cycle_reminder_once"
            ),
        ]


class CoPurchase(models.Model):
    """ "Customers who buy A also buy B": one rule A → B of the last nightly run, among the top
    ones of A (``crosssell``). ``support`` = customers who bought both ÷ customers who bought
    anything; ``confidence`` = customers who bought both ÷ customers who bought A; ``lift`` =
    confidence ÷ the share of customers who bought B."""

    product_a = models.ForeignKey(
        "inventory.Product", verbose_name=_("bought product"), on_delete=models.CASCADE, related_name="+"
    )
    product_b = models.ForeignKey(
        "inventory.Product", verbose_name=_("also bought"), on_delete=models.CASCADE, related_name="+"
    )
    support = models.DecimalField(_("support"), max_digits=9, decimal_places=6)
    confidence = models.DecimalField(_("confidence"), max_digits=7, decimal_places=6)
    lift = models.DecimalField(_("lift"), max_digits=14, decimal_places=4)
    # Customers who bought both (within the window), and who bought A and B.
    customers = models.PositiveIntegerField(_("customers"))
    customers_a = models.PositiveIntegerField(_("customers who bought A"))
    customers_b = models.PositiveIntegerField(_("customers who bought B"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        ordering = ["product_a_id", "rank"]
        verbose_name = _("co-purchase")
        verbose_name_plural = _("co-purchases")
        constraints = [
            models.UniqueConstraint(fields=["product_a", "product_b"], name="copurchase_unique_pair"),
        ]
        indexes = [models.Index(fields=["product_a", "rank"], name="copurchase_a_rank_idx")]
