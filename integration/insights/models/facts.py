"""Daily facts kept by events (see ``integration.insights.facts``): what the dashboards read
instead of the documents.

Two levels. A *document fact* is one row per confirmed order or shipped shipment, recomputed
from its document whenever an event touches it; a *day fact* is one row per local day and the
dimensions a figure filters on (the order's owner, the warehouse, the supplier …), recomputed
from the document facts or the documents of that day. A year of day facts is a few thousand
rows whatever the number of order lines. Ids are plain columns (no foreign keys): the facts
follow the documents, never hold them, and a benchmark can write them directly.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField, QuantityField

__all__ = [
    "CashDay",
    "OrderFact",
    "ReceiptDay",
    "SalesDay",
    "ShipmentFact",
    "SlowMoversDay",
    "StockDay",
    "SurveyDay",
    "TicketDay",
]


class OrderFact(models.Model):
    """One confirmed sales order: its confirmation day, the day it is due (the requested
    delivery date, else ``facts.DEFAULT_DUE_DAYS`` after the confirmation), its net value and
    lines, how many lines went on backorder, and whether it arrived on time in full."""

    order_id = models.BigIntegerField(unique=True)
    day = models.DateField(_("confirmed on"))
    due_day = models.DateField(_("due on"))
    owner_id = models.BigIntegerField()
    customer_id = models.BigIntegerField()
    net = MoneyField(_("net amount"), default=0)
    lines = models.PositiveIntegerField(default=0)
    backordered_lines = models.PositiveIntegerField(default=0)
    shipped_in_full = models.BooleanField(default=False)
    # The day the last of it was delivered, once every line has shipped in full and arrived.
    delivered_day = models.DateField(null=True, blank=True)
    on_time_in_full = models.BooleanField(default=False)
    cancelled = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # Covers the repurchase rate's read (customers by period, team, cancelled): no row
            # of the table itself is visited.
            models.Index(
                fields=["day", "customer_id", "owner_id", "cancelled"], name="insights_order_day_idx"
            ),
            models.Index(fields=["due_day"], name="insights_order_due_idx"),
        ]


class ShipmentFact(models.Model):
    """One shipped shipment: the day it left (local), its warehouse (a quarantine counts as its
    site), the order's owner and customer, what left (base units), its net value at the order's
    prices and its cost (the ledger's shipment moves)."""

    shipment_id = models.BigIntegerField(unique=True)
    day = models.DateField(_("shipped on"))
    warehouse_id = models.BigIntegerField()
    order_id = models.BigIntegerField(db_index=True)
    owner_id = models.BigIntegerField()
    customer_id = models.BigIntegerField()
    quantity = QuantityField(default=0)
    net = MoneyField(default=0)
    cost = MoneyField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="insights_shipment_day_idx")]


class SalesDay(models.Model):
    """Per local day and order owner: orders confirmed that day (count, lines, net value, lines
    that went on backorder), goods shipped that day (net value = sales, and their cost), orders
    due that day and how many of them arrived on time in full. Cancelled orders count nowhere."""

    day = models.DateField()
    owner_id = models.BigIntegerField()
    orders = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    net = MoneyField(default=0)
    backordered_lines = models.PositiveIntegerField(default=0)
    revenue = MoneyField(default=0)
    cost = MoneyField(default=0)
    due_orders = models.PositiveIntegerField(default=0)
    otif_orders = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "owner_id"], name="insights_sales_day_unique")]


class StockDay(models.Model):
    """Per local day and warehouse (a quarantine counts as its site): the change of the stock's
    value at cost (every ledger move's quantity × its unit cost) and quantity, and what left as
    shipments (cost of goods and base units). The value on a day is the sum of the changes up
    to it."""

    day = models.DateField()
    warehouse_id = models.BigIntegerField()
    value_change = MoneyField(default=0)
    quantity_change = QuantityField(default=0)
    cogs = MoneyField(default=0)
    issued_quantity = QuantityField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "warehouse_id"], name="insights_stock_day_unique")
        ]


class CashDay(models.Model):
    """Per local day: receivables invoiced (invoices issued that day, not cancelled), cash
    received from customers, payables billed (bills issued that day, not a draft nor
    cancelled) and cash paid out to suppliers."""

    day = models.DateField(unique=True)
    invoiced = MoneyField(default=0)
    received = MoneyField(default=0)
    billed = MoneyField(default=0)
    paid_out = MoneyField(default=0)


class ReceiptDay(models.Model):
    """Per local day and supplier: posted receipt lines, those posted on or before their order
    line's expected date (the supplier scorecard's rule), and their value at the order's price."""

    day = models.DateField()
    supplier_id = models.BigIntegerField()
    lines = models.PositiveIntegerField(default=0)
    on_time_lines = models.PositiveIntegerField(default=0)
    amount = MoneyField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "supplier_id"], name="insights_receipt_day_unique")
        ]


class TicketDay(models.Model):
    """Per local day and ticket category: tickets opened, closed, and whose resolution target
    was breached that day."""

    day = models.DateField()
    category = models.CharField(max_length=20)
    opened = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "category"], name="insights_ticket_day_unique")]


class SurveyDay(models.Model):
    """Per local day a survey was created (the NPS report's rule: a survey belongs to the period
    of its delivery or ticket) and survey kind: answers, promoters (9–10), passives (7–8) and
    detractors (0–6)."""

    day = models.DateField()
    kind = models.CharField(max_length=10)
    answers = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind"], name="insights_survey_day_unique")]


class SlowMoversDay(models.Model):
    """The slow movers (``integration.planning.slow_movers``) as they were on a day, taken by the
    nightly refresh (after the nightly planning run) and by a full rebuild: how many products,
    their stock value at average cost, and the biggest by value (``top``: [sku, name, on hand,
    value] as text). Reading the list itself costs a query over every product; the dashboard
    reads this row."""

    day = models.DateField(unique=True)
    products = models.PositiveIntegerField(default=0)
    value = MoneyField(default=0)
    top = models.JSONField(default=list)
