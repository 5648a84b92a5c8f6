"""Every event's name, in one place: publishers and handlers refer to these constants, never to
string literals, so a misspelt name is an import error instead of an event nobody handles.
docs/architecture.md lists each event with its publisher, payload and handlers."""

# Orders (integration.fulfilment)
ORDER_CONFIRMED = "order.confirmed"
# A confirmed order (or one on credit hold) was cancelled: {"order_id", "customer_id"}
ORDER_CANCELLED = "order.cancelled"
# Stock (scm.inventory; the reservation rule)
STOCK_SHORTAGE = "stock.shortage"
STOCK_BELOW_REORDER_POINT = "stock.below_reorder_point"
# Stock became free to reserve in a warehouse (a receipt or return, a transfer arriving, a
# positive adjustment or count, a released reservation): {"product_ids", "warehouse_id",
# "reason", "reference"}. The backorder rule serves the lines waiting for those products.
STOCK_AVAILABLE = "stock.available"
# Goods received against a purchase order and posted (scm.purchasing):
# {"receipt_id", "purchase_order_id", "supplier_id", "warehouse_id", "product_ids", "demands"}
STOCK_RECEIVED = "stock.received"
# Shipments (integration.fulfilment)
SHIPMENT_SHIPPED = "shipment.shipped"
# The customer's shipping notice is due (sent by the worker outside any transaction, retried)
SHIPMENT_NOTICE_DUE = "shipment.notice_due"
# Delivery confirmed (by the driver, the customer's link or the carrier's transit time)
# (integration.fulfilment): {"shipment_id", "order_id", "customer_id", "source"}
SHIPMENT_DELIVERED = "shipment.delivered"
# Goods came back against a shipped line, restocked or scrapped (integration.fulfilment):
# {"return_id", "order_id", "product_id", "disposition"}
RETURN_RECORDED = "return.recorded"
# A quote's e-mail to the customer is due (sent by the worker outside any transaction, retried;
# the quote is marked sent once it has left): {"quote_id", "recipient", "language"}
QUOTE_EMAIL_DUE = "quote.email_due"
# A purchase order's e-mail to the supplier is due (sent by the worker outside any transaction,
# retried): {"order_id", "recipient", "language"}
PURCHASE_ORDER_EMAIL_DUE = "purchase_order.email_due"
# Service (crm.service). A ticket was opened: {"ticket_id", "customer_id", "category",
# "product_id", "lot_id"}; the batch trace runs for complaints that name a lot.
TICKET_OPENED = "ticket.opened"
# A ticket was closed: {"ticket_id", "customer_id"} (the satisfaction survey follows).
TICKET_CLOSED = "ticket.closed"
# Service confirmed a quality complaint (``quality_confirmed_at`` set): {"ticket_id"}; it counts
# against the supplier of the ticket's lot (integration.aftersales, the purchasing scorecard).
TICKET_QUALITY_CONFIRMED = "ticket.quality_confirmed"
# A visit was done and its parts used: {"ticket_id", "visit_id", "part_ids"}; parts not under
# warranty are invoiced (integration.aftersales).
TICKET_PARTS_USED = "ticket.parts_used"
# A survey's e-mail is due (sent by the worker outside any transaction): {"survey_id"}
SURVEY_EMAIL_DUE = "survey.email_due"
# A customer answered a survey: {"survey_id", "customer_id", "score"}
SURVEY_ANSWERED = "survey.answered"
# A lot was put on hold (scm.inventory): {"lot_id", "product_id"}; what was reserved of it is
# released and the orders reserved again elsewhere.
LOT_HELD = "lot.held"
# Receivables (finance). ``invoice.created`` (and ``bill.created``) carry ``"opening"``: true
# for a balance brought over from the old books, which no one is to be told of as a new invoice.
INVOICE_CREATED = "invoice.created"
INVOICE_CANCELLED = "invoice.cancelled"
INVOICE_PAID = "invoice.paid"
CREDIT_NOTE_CREATED = "credit_note.created"
PAYMENT_RECORDED = "payment.recorded"
# Payables (finance.payables)
BILL_CREATED = "bill.created"
BILL_MISMATCH_ACCEPTED = "bill.mismatch_accepted"
BILL_CANCELLED = "bill.cancelled"
BILL_PAID = "bill.paid"
SUPPLIER_PAYMENT_RECORDED = "supplier_payment.recorded"
SUPPLIER_CREDIT_NOTE_CREATED = "supplier_credit_note.created"
# The platform's own round trip (``manage.py events_ping``)
TANDEM_PING = "tandem.ping"
