"""Who owns a quote or an order: moving a rep's open quotes and orders to colleagues when the
rep's book is reassigned (``crm.sales.reassignment``).

Each record changes owner with a compare-and-set on the owner seen (``filter(pk=…,
owner=old).update(owner=new)``): a record someone else moved meanwhile is left as it is. Each move
writes an audit row, and the record's history says so (an order's timeline; a quote's history on
its page, read from the audit log). Joins the caller's transaction.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.models import AuditLog
from core.people import display_name
from crm.sales.models import Quote, SalesOrder
from crm.sales.orders.services import order_add_event
from crm.sales.orders.states import OPEN_STATES

S = SalesOrder.State
# A rep's open work that moves with the rep's book: drafts and orders not yet invoiced, paid or
# cancelled; quotes not yet accepted, expired or cancelled.
REASSIGNED_ORDER_STATES = frozenset({S.DRAFT, *OPEN_STATES})
REASSIGNED_QUOTE_STATES = frozenset({Quote.State.DRAFT, Quote.State.SENT})

REASSIGNED_TEXT = gettext_noop("Reassigned from %(old)s to %(new)s")


def open_orders_of(owner):
    return SalesOrder.objects.filter(owner=owner, state__in=REASSIGNED_ORDER_STATES)


def open_quotes_of(owner):
    return Quote.objects.filter(owner=owner, state__in=REASSIGNED_QUOTE_STATES)


def _names(old, new) -> dict:
    return {"old": display_name(old), "new": display_name(new)}


def orders_reassign(*, from_user, assignments: dict[int, object], actor=None) -> int:
    """Give ``from_user``'s orders new owners (``{order id: user}``); returns how many moved.
    Each moved order gets an audit row (``sales.order.reassigned``) and a timeline entry."""
    moved = 0
    for pk, user in sorted(assignments.items()):
        if not SalesOrder.objects.filter(pk=pk, owner=from_user).update(owner=user):
            continue
        moved += 1
        params = _names(from_user, user)
        order_add_event(
            order=pk, kind="reassigned", text=REASSIGNED_TEXT, user=actor, data={"params": params}
        )
        audit(
            "sales.order.reassigned",
            actor=actor,
            obj=SalesOrder(pk=pk),
            data={"from": from_user.pk, "to": user.pk, "params": params},
        )
    return moved


def quotes_reassign(*, from_user, assignments: dict[int, object], actor=None) -> int:
    """Give ``from_user``'s quotes new owners (``{quote id: user}``); returns how many moved.
    Each moved quote gets an audit row (``sales.quote.reassigned``), shown as its history."""
    moved = 0
    for pk, user in sorted(assignments.items()):
        if not Quote.objects.filter(pk=pk, owner=from_user).update(owner=user):
            continue
        moved += 1
        audit(
            "sales.quote.reassigned",
            actor=actor,
            obj=Quote(pk=pk),
            data={"from": from_user.pk, "to": user.pk, "params": _names(from_user, user)},
        )
    return moved


def quote_history(quote) -> list[dict]:
    """What happened to the quote's ownership, oldest first, in the reader's language."""
    rows = AuditLog.objects.filter(
        object_type=Quote._meta.label_lower, object_id=str(quote.pk), action="sales.quote.reassigned"
    ).select_related("actor")
    return [
        {
            "time": row.created_at,
            "who": display_name(row.actor),
            "text": _(REASSIGNED_TEXT) % row.data["params"],
        }
        for row in rows.order_by("created_at", "pk")
    ]
