"""Receivables: invoices, payments and their allocations, credit notes.

An invoice keeps its own running figures (``paid_amount``, ``credited_amount``), moved only by
the services in ``finance.services`` under a row lock; the database refuses an invoice that is
paid or credited beyond its total.
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


class InvoiceQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=Invoice.OPEN_STATES)

    def overdue(self, as_of):
        return self.open().filter(due_date__lt=as_of)

    def with_open_amount(self):
        return self.annotate(
            open_amount_db=F("total") - F("paid_amount") - F("credited_amount"),
        )


class Invoice(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("invoice state", "Open")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", pgettext_lazy("invoice state", "Cancelled")

    OPEN_STATES = (State.OPEN, State.PARTLY_PAID)

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="invoices"
    )
    sales_order = models.ForeignKey(
        "sales.SalesOrder",
        verbose_name=_("sales order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    # The caller's key (a shipment, say): one invoice per reference, however often it is asked for.
    source_reference = models.CharField(_("source reference"), max_length=100, blank=True)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    subtotal = MoneyField(_("subtotal"), default=0)
    tax_total = MoneyField(_("tax"), default=0)
    total = MoneyField(_("total"), default=0)
    paid_amount = MoneyField(_("paid"), default=0)
    credited_amount = MoneyField(_("credited"), default=0)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # What the customer owed when the company moved to Tandem, brought over from the old books
    # (``finance.services.opening_invoice_create``): no order, no goods, no tax of its own.
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

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["customer", "state", "due_date"], name="invoice_customer_state_idx"),
            models.Index(fields=["state", "due_date"], name="invoice_state_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_reference"],
                condition=~Q(source_reference=""),
                name="invoice_source_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0, credited_amount__gte=0, total__gte=0),
                name="invoice_amounts_not_negative",
            ),
            # The half-cent tolerance is for SQLite, which compares decimals as floats; on
            # PostgreSQL (exact numerics, two places) it is the same as an exact comparison.
            models.CheckConstraint(
                condition=Q(paid_amount__lte=F("total") - F("credited_amount") + HALF_CENT),
                name="invoice_not_over_settled",
            ),
            models.CheckConstraint(
                condition=Q(
                    total__gte=F("subtotal") + F("tax_total") - HALF_CENT,
                    total__lte=F("subtotal") + F("tax_total") + HALF_CENT,
                ),
                name="invoice_total_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def open_amount(self) -> Decimal:
        if self.state == self.State.CANCELLED:
            return ZERO
        return self.total - self.paid_amount - self.credited_amount

    def days_overdue(self, as_of) -> int:
        return max((as_of - self.due_date).days, 0)


class DocumentLine(models.Model):
    """What an invoice line and a credit note line share: the product, the text, quantity, price,
    tax rate and the amounts computed from them."""

    product = models.ForeignKey(
        "inventory.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = QuantityField(_("quantity"))
    unit_price = MoneyField(_("unit price"))
    tax_rate = models.DecimalField(
        _("tax rate"), max_digits=5, decimal_places=4, default=0, validators=[validate_tax_rate]
    )
    net_amount = MoneyField(_("net amount"))
    tax_amount = MoneyField(_("tax"))

    class Meta:
        abstract = True


class InvoiceLine(DocumentLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    sales_order_line = models.ForeignKey(
        "sales.SalesOrderLine",
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="invoice_line_quantity_positive"),
            models.CheckConstraint(condition=Q(tax_rate__gte=0), name="invoice_line_tax_not_negative"),
        ]

    @property
    def total(self) -> Decimal:
        return self.net_amount + self.tax_amount


class Payment(models.Model):
    """Money received from a customer. What is not allocated to invoices is the customer's credit."""

    # Known methods (the column is free text, so an import or an integration may bring others).
    METHODS = {
        "bank_transfer": _("Bank transfer"),
        "cash": _("Cash"),
        "cheque": _("Cheque"),
        "acceptance": _("Bank acceptance bill"),
        "other": _("Other"),
    }

    number = models.CharField(_("number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = MoneyField(_("amount"))
    allocated_amount = MoneyField(_("allocated"), default=0)
    paid_at = models.DateField(_("payment date"))
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
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(allocated_amount__gte=0, allocated_amount__lte=F("amount") + HALF_CENT),
                name="payment_not_over_allocated",
            ),
            # The bank's reference of a payment is recorded once per customer: the same transfer
            # entered twice (a double submit, a retried import) is refused, not booked twice.
            models.UniqueConstraint(
                fields=["customer", "reference"],
                condition=~Q(reference=""),
                name="payment_customer_reference_uniq",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def method_label(self) -> str:
        return str(self.METHODS.get(self.method, self.method))

    @property
    def unallocated_amount(self) -> Decimal:
        return self.amount - self.allocated_amount


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = MoneyField(_("amount"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]


class CreditNote(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="credit_notes"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    issue_date = models.DateField(_("issue date"))
    reason = models.CharField(_("reason"), max_length=300)
    subtotal = MoneyField(_("subtotal"), default=0)
    tax_total = MoneyField(_("tax"), default=0)
    total = MoneyField(_("total"), default=0)
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
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="credit_note_total_positive"),
            models.CheckConstraint(
                condition=Q(
                    total__gte=F("subtotal") + F("tax_total") - HALF_CENT,
                    total__lte=F("subtotal") + F("tax_total") + HALF_CENT,
                ),
                name="credit_note_total_is_sum",
            ),
        ]

    def __str__(self):
        return self.number


class CreditNoteLine(DocumentLine):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    sales_order_line = models.ForeignKey(
        "sales.SalesOrderLine",
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_note_lines",
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("credit note line")
        verbose_name_plural = _("credit note lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="credit_note_line_quantity_positive"),
        ]


# Payables (their own module; Django finds models through this one).
from finance.payables.models import (  # noqa: E402, F401
    Bill,
    BillLine,
    PayablesSettings,
    SupplierCreditNote,
    SupplierPayment,
    SupplierPaymentAllocation,
)
