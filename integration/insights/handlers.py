"""The facts' event handlers: each recomputes, from the documents, the facts the event touches
(``integration.insights.facts``); idempotent by construction, as every refresh is."""

from datetime import date

from core.events import names
from core.events.registry import batch_of, on
from crm.service.models import Survey, Ticket
from finance.models import Invoice, Payment
from finance.payables.models import Bill, SupplierPayment
from integration.fulfilment.models import Shipment
from integration.insights.facts import (
    cash_days_refresh,
    local_day,
    orders_refresh,
    receipt_days_refresh,
    sales_days_refresh,
    shipments_refresh,
    stock_days_refresh,
    survey_days_refresh,
    ticket_days_refresh,
)
from scm.inventory.models import StockMove, Transfer, Warehouse
from scm.purchasing.models import Receipt


def _today_and(event) -> set[date]:
    return {local_day(event.created_at), local_day()}


def _sites(warehouses) -> list[int]:
    """The stock warehouses (a quarantine's site) of the rows of ``warehouses``, a queryset of
    rows with a ``warehouse``."""
    return [site or wid for wid, site in warehouses.values_list("warehouse_id", "warehouse__site_id")]


def _warehouse_sites(event) -> list[int] | None:
    """The site of the event's ``warehouse_id`` (every warehouse when the payload has none)."""
    wid = event.payload.get("warehouse_id")
    if not wid:
        return None
    site = Warehouse.objects.filter(pk=wid).values_list("site_id", flat=True).first()
    return [site or wid]


def _orders(event) -> None:
    sales_days_refresh(orders_refresh([event.payload["order_id"]]))


@on(names.ORDER_CONFIRMED)
def facts_on_order_confirmed(event):
    """An order confirmed: its fact and its day's sales."""
    _orders(event)


@batch_of(facts_on_order_confirmed)
def facts_on_orders_confirmed(events):
    """A batch of confirmations (the worker's, on PostgreSQL): one refresh for them all."""
    sales_days_refresh(orders_refresh([e.payload["order_id"] for e in events]))


@on(names.ORDER_CANCELLED)
def facts_on_order_cancelled(event):
    """An order cancelled leaves the sales of its day."""
    _orders(event)


@on(names.STOCK_SHORTAGE)
def facts_on_shortage(event):
    """A line went on backorder: the order's backordered lines."""
    _orders(event)


@batch_of(facts_on_shortage)
def facts_on_shortages(events):
    sales_days_refresh(orders_refresh([e.payload["order_id"] for e in events]))


@on(names.SHIPMENT_SHIPPED)
def facts_on_shipment_shipped(event):
    """What left: the shipment's fact (sales and cost of the day), the order's progress, and the
    stock's value of the day at its warehouse."""
    days = shipments_refresh([event.payload["shipment_id"]])
    days |= orders_refresh([event.payload["order_id"]])
    sales_days_refresh(days)
    shipment = Shipment.objects.filter(pk=event.payload["shipment_id"])
    stock_days_refresh(_today_and(event), sites=_sites(shipment))


@on(names.SHIPMENT_DELIVERED)
def facts_on_shipment_delivered(event):
    """Arrived: whether the order is on time in full."""
    _orders(event)


@on(names.RETURN_RECORDED)
def facts_on_return(event):
    stock_days_refresh(_today_and(event))


@on(names.STOCK_AVAILABLE)
def facts_on_stock_available(event):
    """Stock came in (a return, a transfer arriving, an adjustment, a count): its value."""
    stock_days_refresh(_today_and(event), sites=_warehouse_sites(event))
    if event.payload.get("reason") == StockMove.Kind.TRANSFER_IN:
        # The goods left the source warehouse when the transfer was shipped.
        transfer = (
            Transfer.objects.filter(number=event.payload.get("reference") or "")
            .values_list("source_id", "source__site_id", "shipped_at")
            .first()
        )
        if transfer is not None and transfer[2] is not None:
            stock_days_refresh({local_day(transfer[2])}, sites=[transfer[1] or transfer[0]])


@on(names.STOCK_RECEIVED)
def facts_on_stock_received(event):
    """A receipt posted: the stock's value and the supplier's receipt lines of its day."""
    posted = (
        Receipt.objects.filter(pk=event.payload["receipt_id"]).values_list("posted_at", flat=True).first()
    )
    days = _today_and(event) | ({local_day(posted)} if posted else set())
    stock_days_refresh(days, sites=_warehouse_sites(event))
    receipt_days_refresh(days)


def _cash(model, pk, field) -> None:
    day = model.objects.filter(pk=pk).values_list(field, flat=True).first()
    if day is not None:
        cash_days_refresh({day})


@on(names.INVOICE_CREATED)
def facts_on_invoice_created(event):
    _cash(Invoice, event.payload["invoice_id"], "issue_date")


@on(names.INVOICE_CANCELLED)
def facts_on_invoice_cancelled(event):
    _cash(Invoice, event.payload["invoice_id"], "issue_date")


@on(names.PAYMENT_RECORDED)
def facts_on_payment(event):
    _cash(Payment, event.payload["payment_id"], "paid_at")


@on(names.SUPPLIER_PAYMENT_RECORDED)
def facts_on_supplier_payment(event):
    _cash(SupplierPayment, event.payload["payment_id"], "paid_at")


@on(names.BILL_CREATED)
def facts_on_bill_created(event):
    _cash(Bill, event.payload["bill_id"], "issue_date")


@on(names.BILL_MISMATCH_ACCEPTED)
def facts_on_bill_accepted(event):
    _cash(Bill, event.payload["bill_id"], "issue_date")


@on(names.BILL_CANCELLED)
def facts_on_bill_cancelled(event):
    _cash(Bill, event.payload["bill_id"], "issue_date")


def _ticket(event, field) -> None:
    moment = Ticket.objects.filter(pk=event.payload["ticket_id"]).values_list(field, flat=True).first()
    ticket_days_refresh({local_day(moment)} if moment else {local_day(event.created_at)})


@on(names.TICKET_OPENED)
def facts_on_ticket_opened(event):
    _ticket(event, "opened_at")


@on(names.TICKET_CLOSED)
def facts_on_ticket_closed(event):
    _ticket(event, "closed_at")


@on(names.TICKET_PARTS_USED)
def facts_on_parts_used(event):
    """Service parts leave stock (the ticket's visit): the stock value of the day, every
    warehouse (the payload names the parts, not where they were taken from)."""
    stock_days_refresh(_today_and(event))


@on(names.SURVEY_ANSWERED)
def facts_on_survey_answered(event):
    """An answer counts on the day its survey was created."""
    created = (
        Survey.objects.filter(pk=event.payload["survey_id"]).values_list("created_at", flat=True).first()
    )
    if created is not None:
        survey_days_refresh({local_day(created)})
