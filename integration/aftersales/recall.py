"""Recalls: a manager recalls a lot. Every customer the trace finds gets a row (what they got,
when, whom to call, their owner) with a return authorisation number; each owning rep is told
once, with their customers; the lot goes on hold if it is not. One open recall per lot."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.events.services import notify_many
from core.export import export_response
from core.numbers import document_number
from integration.aftersales.models import QualityAlert, Recall, RecallCustomer
from integration.aftersales.trace import lot_trace
from scm.inventory import holds
from scm.inventory.models import Lot


def recall_start(*, lot: Lot | int, reason: str, user, alert: QualityAlert | None = None) -> Recall:
    """Start the recall of ``lot`` for ``reason`` (required). Refused for a lot with an open
    recall or never shipped to anyone."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lot is recalled.")})
    if len(reason) > Recall._meta.get_field("reason").max_length:
        raise ValidationError({"reason": _("The reason is too long.")})
    lot_id = lot.pk if isinstance(lot, Lot) else lot
    with transaction.atomic():
        lot = Lot.objects.select_for_update(of=("self",)).select_related("product").filter(pk=lot_id).first()
        if lot is None:
            raise ValidationError({"lot": _("No such lot.")})
        open_recall = Recall.objects.filter(lot=lot, state=Recall.State.OPEN).first()
        if open_recall is not None:
            raise ValidationError(
                {
                    "lot": _("Lot %(lot)s already has an open recall, %(number)s.")
                    % {"lot": lot.number, "number": open_recall.number}
                }
            )
        if alert is not None and alert.lot_id not in (None, lot.pk):
            raise ValidationError({"alert": _("This alert is about another lot.")})
        if alert is not None and alert.product_id != lot.product_id:
            raise ValidationError({"alert": _("This alert is about another product.")})
        trace = lot_trace(lot=lot)
        if not trace.customers:
            raise ValidationError(
                {
                    "lot": _("Lot %(lot)s was never shipped to a customer: there is nothing to recall.")
                    % {"lot": lot.number}
                }
            )
        try:
            with transaction.atomic():
                recall = Recall.objects.create(
                    number=document_number(prefix="RC"), lot=lot, alert=alert, reason=reason, started_by=user
                )
        except IntegrityError:
            raise ValidationError({"lot": _("Lot %(lot)s already has an open recall.") % {"lot": lot.number}})
        now = timezone.now()
        rows = [
            RecallCustomer(
                recall=recall,
                customer_id=card.customer_id,
                quantity=card.quantity,
                first_shipped_at=card.first_shipped_at,
                last_shipped_at=card.last_shipped_at,
                contact_name=card.contact_name[:200],
                contact_phone=card.contact_phone[:50],
                contact_email=card.contact_email,
                owner_id=card.owner_id,
                authorisation=document_number(prefix="RA"),
                notified_at=now if card.owner_id else None,
            )
            for card in trace.customers
        ]
        RecallCustomer.objects.bulk_create(rows)
        if lot.held_at is None:
            holds.lot_hold(lot=lot, reason=reason, user=user)
        if alert is not None:
            QualityAlert.objects.filter(pk=alert.pk).exclude(state=QualityAlert.State.CLOSED).update(
                state=QualityAlert.State.RECALLED
            )
        _tell_owners(recall, lot, trace.customers)
        audit(
            "aftersales.recall_start",
            actor=user,
            obj=recall,
            data={"lot": lot.number, "customers": len(rows)},
        )
    return recall


def _tell_owners(recall: Recall, lot: Lot, customers) -> int:
    """One notification per owning rep, naming their customers."""
    by_owner: dict[int, list[str]] = {}
    for card in customers:
        if card.owner_id:
            by_owner.setdefault(card.owner_id, []).append(card.customer_name)
    url = reverse("aftersales:recall_detail", args=[recall.pk])
    return notify_many(
        [
            {
                "users": [owner_id],
                "title": gettext_noop("Recall %(number)s: %(product)s lot %(lot)s"),
                "body": gettext_noop("Call your customers about the recall: %(customers)s."),
                "params": {
                    "number": recall.number,
                    "product": lot.product.name,
                    "lot": lot.number,
                    "customers": ", ".join(sorted(names)),
                },
                "url": url,
                "kind": "recall",
                "key": f"recall:{recall.pk}",
            }
            for owner_id, names in sorted(by_owner.items())
        ]
    )


STATE_ORDER = [RecallCustomer.State.OPEN, RecallCustomer.State.CONTACTED, RecallCustomer.State.RETURNED]


def recall_customer_set_state(*, recall_customer: RecallCustomer | int, state: str, user) -> RecallCustomer:
    """Mark a recalled customer contacted or returned (forward only, on an open recall)."""
    if state not in (RecallCustomer.State.CONTACTED, RecallCustomer.State.RETURNED):
        raise ValidationError({"state": _("Choose contacted or returned.")})
    pk = recall_customer.pk if isinstance(recall_customer, RecallCustomer) else recall_customer
    with transaction.atomic():
        row = RecallCustomer.objects.select_for_update(of=("self",)).select_related("recall").get(pk=pk)
        if row.recall.state != Recall.State.OPEN:
            raise ValidationError({"state": _("This recall is closed.")})
        if STATE_ORDER.index(state) <= STATE_ORDER.index(row.state):
            raise ValidationError(
                {"state": _("This customer is already %(state)s.") % {"state": row.get_state_display()}}
            )
        old = row.state
        row.state = state
        row.save(update_fields=["state"])
        audit("aftersales.recall_customer", actor=user, obj=row, data={"from": old, "to": state})
    return row


def recall_close(*, recall: Recall | int, user) -> Recall:
    """Close a recall (the lot stays on hold until a manager releases it)."""
    pk = recall.pk if isinstance(recall, Recall) else recall
    with transaction.atomic():
        recall = Recall.objects.select_for_update().get(pk=pk)
        if recall.state != Recall.State.OPEN:
            raise ValidationError({"state": _("This recall is already closed.")})
        recall.state, recall.closed_at = Recall.State.CLOSED, timezone.now()
        recall.save(update_fields=["state", "closed_at"])
        audit("aftersales.recall_close", actor=user, obj=recall)
    return recall


def recall_export(*, recall: Recall, fmt: str = "xlsx"):
    """The affected customers with their contacts, as a spreadsheet (formula-safe cells)."""
    rows = recall.customers.select_related("customer", "owner").order_by("customer__name", "pk")
    headers = [
        _("Customer"),
        _("Contact"),
        _("Phone"),
        _("E-mail"),
        _("Quantity"),
        _("First shipped"),
        _("Last shipped"),
        _("Owner"),
        _("Return authorisation"),
        _("State"),
    ]
    from core.people import display_name

    data = (
        [
            r.customer.name,
            r.contact_name,
            r.contact_phone,
            r.contact_email,
            r.quantity,
            timezone.localtime(r.first_shipped_at).date() if r.first_shipped_at else None,
            timezone.localtime(r.last_shipped_at).date() if r.last_shipped_at else None,
            display_name(r.owner),
            r.authorisation,
            r.get_state_display(),
        ]
        for r in rows.iterator(chunk_size=1000)
    )
    return export_response(filename=recall.number, headers=[str(h) for h in headers], rows=data, fmt=fmt)
