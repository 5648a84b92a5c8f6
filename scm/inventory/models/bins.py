"""Bins: a warehouse's locations and what each holds, kept in step with the ledger's moves
that name them (``scm.inventory.bins``)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.money import QuantityField


class Location(models.Model):
    """A bin of a warehouse: zone / aisle / shelf / bin, walked in ``sequence`` order when
    picking and scanned by its ``barcode``. A warehouse without locations keeps all its stock in
    its implicit location (no bin), as every warehouse did before bins existed; in a warehouse
    with locations, stock not yet put away is in the implicit location too."""

    warehouse = models.ForeignKey(
        "Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="locations"
    )
    code = models.CharField(_("code"), max_length=40)
    zone = models.CharField(_("zone"), max_length=20)
    aisle = models.CharField(_("aisle"), max_length=20, blank=True)
    shelf = models.CharField(_("shelf"), max_length=20, blank=True)
    bin = models.CharField(_("bin"), max_length=20, blank=True)
    sequence = models.PositiveIntegerField(_("pick sequence"), default=0)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["warehouse", "sequence", "code"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "code"], name="location_code_unique_in_warehouse"),
            # A bin's barcode names one bin of one warehouse, so a scan in the wrong warehouse is
            # recognised as such rather than as unknown.
            models.UniqueConstraint(
                fields=["barcode"], condition=~Q(barcode=""), name="location_barcode_unique"
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "sequence"], name="location_walk_idx")]

    def __str__(self):
        return self.code


class LocationStock(models.Model):
    """What one bin holds of a product (and lot), in base units: the sum of the ledger's moves
    that name the location. The warehouse's level (``StockLevel``) holds the whole warehouse and
    its reservations; what its bins do not hold is in the implicit location (not put away)."""

    location = models.ForeignKey(
        "Location", verbose_name=_("location"), on_delete=models.PROTECT, related_name="stock"
    )
    product = models.ForeignKey(
        "Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        "Lot", verbose_name=_("lot"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_hand = QuantityField(_("on hand"), default=0)
    # What a picker reported not found here (``bins.bin_missing``), until the bin is counted: pick
    # lists no longer send pickers for it, though the books still hold it. Never above on_hand.
    missing = QuantityField(_("not found"), default=0)

    class Meta:
        ordering = ["location", "product", "lot"]
        verbose_name = _("stock in a location")
        verbose_name_plural = _("stock in locations")
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="location_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(missing__gte=0, missing__lte=F("on_hand")), name="location_stock_missing_held"
            ),
            models.UniqueConstraint(
                fields=["location", "product", "lot"],
                name="location_stock_unique_lot",
                condition=Q(lot__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["location", "product"],
                name="location_stock_unique_no_lot",
                condition=Q(lot__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["product", "location"], name="location_stock_product_idx")]

    def __str__(self):
        return f"{self.product_id}@{self.location_id}/{self.lot_id}: {self.on_hand}"

    @property
    def pickable(self):
        """What pickers may be sent for: on hand, less what was not found there."""
        return self.on_hand - self.missing
