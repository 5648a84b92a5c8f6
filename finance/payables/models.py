"""Payables: supplier bills (matched three ways against the purchase order and what was
received), supplier payments with their allocations, supplier credit notes, and the payables
settings (the match tolerance).

A bill keeps its own running figures (``paid_amount``, ``credited_amount``), moved only by the
services in ``finance.payables`` under a row lock; the database refuses a bill paid or credited
beyond its total.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.money import MoneyField, QuantityField, validate_tax_rate

ZERO = Decimal("0.00")
HALF_CENT = Value(Decimal("0.005"))


class PayablesSettings(models.Model):
    """The company's payables rules (one row, ``pk=1``): a bill line whose amount differs from
    the order's price × the quantity by more than the tolerance is put on hold."""

    match_tolerance_percent = models.DecimalField(
        _("match tolerance %"), max_digits=5, decimal_places=2, default=Decimal("2")
    )

    class Meta:
        verbose_name = _("payables settings")
        verbose_name_plural = _("payables settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(match_tolerance_percent__gte=0, match_tolerance_percent__lte=100),
                name="payables_tolerance_range",
            ),
        ]

    @classmethod
    def current(cls) -> "PayablesSettings":
        return cls.objects.get_or_create(pk=1)[0]


class Bill(models.Model):
    """A supplier's bill (应付账单)."""

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("bill state", "Draft")
        MATCHED = "matched", _("Matched")
        ON_HOLD = "on_hold", _("On hold (mismatch)")
        APPROVED = "approved", pgettext_lazy("bill state", "Approved")
        PARTLY_PAID = "partly_paid", pgettext_lazy("bill state", "Partly paid")
        PAID = "paid", pgettext_lazy("bill state", "Paid")
        CANCELLED = "cancelled", pgettext_lazy("bill state", "Cancelled")

    # Bills that are owed (aging, balances, the due list).
    OPEN_STATES = (State.MATCHED, State.ON_HOLD, State.APPROVED, State.PARTLY_PAID)
    # Bills that may be paid: an on-hold bill waits for a manager to accept the mismatch.
    PAYABLE_STATES = (State.MATCHED, State.APPROVED, State.PARTLY_PAID)

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(
        "purchasing.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="bills"
    )
    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder",
        verbose_name=_("purchase order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bills",
    )
    supplier_invoice_number = models.CharField(_("supplier's invoice number"), max_length=60)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    subtotal = MoneyField(_("subtotal"), default=0)
    tax_total = MoneyField(_("tax"), default=0)
    total = MoneyField(_("total"), default=0)
    paid_amount = MoneyField(_("paid"), default=0)
    credited_amount = MoneyField(_("credited"), default=0)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    mismatch_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mismatch accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mismatch_accepted_at = models.DateTimeField(_("mismatch accepted at"), null=True, blank=True)
    mismatch_note = models.CharField(_("reason for accepting"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # What the company owed the supplier when it moved to Tandem, brought over from the old
    # books (``finance.payables.bills.opening_bill_create``): approved, matched to no order.
    is_opening = models.BooleanField(_("opening balance"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        indexes = [
            models.Index(fields=["supplier", "state", "due_date"], name="bill_supplier_state_idx"),
            models.Index(fields=["state", "due_date"], name="bill_state_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "supplier_invoice_number"], name="bill_supplier_invoice_unique"
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0, credited_amount__gte=0, total__gte=0),
                name="bill_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__lte=F("total") - F("credited_amount") + HALF_CENT),
                name="bill_not_over_settled",
            ),
            models.CheckConstraint(
                condition=Q(
                    total__gte=F("subtotal") + F("tax_total") - HALF_CENT,
                    total__lte=F("subtotal") + F("tax_total") + HALF_CENT,
                ),
                name="bill_total_is_sum",
            ),
            models.CheckConstraint(condition=Q(due_date__gte=F("issue_date")), name="bill_due_after_issue"),
        ]

    def __str__(self):
        return self.number

    @property
    def open_amount(self) -> Decimal:
        if self.state == self.State.CANCELLED:
            return ZERO
        return self.total - self.paid_amount - self.credited_amount

    @property
    def is_payable(self) -> bool:
        return self.state in self.PAYABLE_STATES and self.open_amount > 0


class BillLine(models.Model):
    class Match(models.TextChoices):
        NONE = "", _("No order")
        MATCHED = "matched", _("Matched")
        MISMATCH = "mismatch", _("Mismatch")

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(
        "purchasing.PurchaseOrderLine",
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bill_lines",
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = QuantityField(_("quantity"))  # base units when against an order line
    unit_price = MoneyField(_("unit price"), decimal_places=4)
    tax_rate = models.DecimalField(
        _("tax rate"), max_digits=5, decimal_places=4, default=0, validators=[validate_tax_rate]
    )
    net_amount = MoneyField(_("net amount"))
    tax_amount = MoneyField(_("tax"))
    # The three-way match: the order's price × this quantity, and how the billed amount compares.
    expected_amount = MoneyField(_("expected amount"), null=True, blank=True)
    match = models.CharField(_("match"), max_length=10, choices=Match.choices, blank=True, default="")

    class Meta:
        ordering = ["id"]
        verbose_name = _("bill line")
        verbose_name_plural = _("bill lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bill_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="bill_line_price_not_negative"),
        ]

    @property
    def total(self) -> Decimal:
        return self.net_amount + self.tax_amount

    @property
    def difference(self) -> Decimal | None:
        if self.expected_amount is None:
            return None
        return self.net_amount - self.expected_amount


class SupplierPayment(models.Model):
    """Money paid to a supplier, allocated in full over its bills."""

    METHODS = {
        "bank_transfer": _("Bank transfer"),
        "cash": _("Cash"),
        "cheque": _("Cheque"),
        "acceptance": _("Bank acceptance bill"),
        "other": _("Other"),
    }

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(
        "purchasing.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = MoneyField(_("amount"))
    paid_at = models.DateField(pgettext_lazy("payables", "payment date"))
    method = models.CharField(_("method"), max_length=30, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-paid_at", "-id"]
        verbose_name = _("supplier payment")
        verbose_name_plural = _("supplier payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_payment_amount_positive"),
        ]

    def __str__(self):
        return self.number

    @property
    def method_label(self) -> str:
        return str(self.METHODS.get(self.method, self.method))


class SupplierPaymentAllocation(models.Model):
    payment = models.ForeignKey(SupplierPayment, on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="allocations")
    amount = MoneyField(_("amount"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("supplier payment allocation")
        verbose_name_plural = _("supplier payment allocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_allocation_positive"),
        ]


class SupplierCreditNote(models.Model):
    """A supplier's credit (a return, a price correction): against one bill (its open amount
    goes down) or the supplier's account (it lowers what is owed to the supplier)."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    supplier = models.ForeignKey(
        "purchasing.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    bill = models.ForeignKey(
        Bill,
        verbose_name=_("bill"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    supplier_reference = models.CharField(_("supplier's reference"), max_length=60, blank=True)
    issue_date = models.DateField(_("issue date"))
    reason = models.CharField(_("reason"), max_length=300)
    total = MoneyField(_("total"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("supplier credit note")
        verbose_name_plural = _("supplier credit notes")
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="supplier_credit_note_positive"),
        ]

    def __str__(self):
        return self.number
