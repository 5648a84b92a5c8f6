"""Event handlers of the order-to-cash loop. Each runs inside its delivery's transaction and is
idempotent: a second run for the same event changes nothing. E-mail goes out after commit."""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.events import names
from core.events.registry import batch_of, on
from crm.sales.models import SalesOrder
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from integration.fulfilment.backorders import backorders_serve
from integration.fulfilment.models import Shipment
from integration.fulfilment.reservations import order_reserve, orders_reserve
from integration.fulfilment.services import _lock_order
from integration.fulfilment.shipping import shipment_invoice

logger = logging.getLogger(__name__)


@on(names.ORDER_CONFIRMED)
def reserve_confirmed_order(event):
    order_reserve(order_id=event.payload["order_id"], event_id=event.pk)


@batch_of(reserve_confirmed_order)
def reserve_confirmed_orders(events):
    """The rule for a batch of confirmed orders in one go (the worker took several at once)."""
    orders_reserve(runs=[(event.payload["order_id"], event.pk) for event in events])


@on(names.STOCK_AVAILABLE)
def serve_backorders(event):
    """Stock became free: the lines waiting for its products are reserved (once per event)."""
    backorders_serve(product_ids=event.payload["product_ids"], event_id=event.pk)


@on(names.SHIPMENT_SHIPPED)
def invoice_and_tell_customer(event):
    """Raise the AR invoice for a shipment (once: finance is idempotent on the shipment number,
    and the shipment remembers its invoice), record it on the order and e-mail the customer."""

    order = _lock_order(event.payload["order_id"])
    shipment = (
        Shipment.objects.select_for_update().select_related("warehouse").get(pk=event.payload["shipment_id"])
    )
    if shipment.invoice_id is not None:
        return
    shipment_invoice(order=order, shipment=shipment)
    recipient = shipped_email_recipient(order)
    if recipient:
        order_services.order_add_event(
            order=order,
            kind="customer_notified",
            text=_("Shipping notice sent to %(email)s") % {"email": recipient},
        )
        transaction.on_commit(partial(send_shipped_email, shipment.pk, recipient))


@on(names.INVOICE_PAID)
def order_paid_when_all_invoices_paid(event):
    from finance.models import Invoice

    order_id = event.payload.get("sales_order_id")
    if not order_id:
        return
    order = _lock_order(order_id)
    if order.state != SalesOrder.State.INVOICED:
        return
    invoices = Invoice.objects.filter(sales_order_id=order.pk)
    if invoices.exists() and not invoices.exclude(state__in=_paid_states(Invoice)).exists():
        order_states.order_transition(
            order=order, to_state=SalesOrder.State.PAID, text=_("All invoices paid")
        )


def _paid_states(Invoice) -> list[str]:
    states = getattr(Invoice, "State", None)
    paid = [
        getattr(states, name) for name in ("PAID", "CANCELLED", "VOID") if states and hasattr(states, name)
    ]
    return paid or ["paid"]


def shipped_email_recipient(order) -> str:
    contacts = order.customer.contacts.exclude(email="").order_by("-is_primary", "pk")
    contact = contacts.first()
    return contact.email if contact else order.customer.email


def send_shipped_email(shipment_id: int, recipient: str) -> None:
    """After commit: tell the customer's contact the order has shipped, with tracking."""
    shipment = Shipment.objects.select_related("order__customer").get(pk=shipment_id)
    order = shipment.order
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your order %(number)s has shipped") % {"number": order.number}
        body = _(
            "Dear %(customer)s,\n\nyour order %(number)s has shipped with %(carrier)s.\n"
            "Tracking number: %(tracking)s\n\nThank you for your order."
        ) % {
            "customer": order.customer.name,
            "number": order.number,
            "carrier": shipment.carrier,
            "tracking": shipment.tracking_number,
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except Exception:  # noqa: BLE001 - a mail server outage must not undo a shipment
        logger.warning("Could not send the shipping notice for %s", shipment.number, exc_info=True)
