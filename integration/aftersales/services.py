"""The complaint → batch trace rule and quality alerts.

When a complaint (``crm.service.models.COMPLAINTS``) naming a lot is opened (``ticket.opened``),
the lot is traced (``trace.lot_trace``), the run is kept (``TraceRun``, once per event) and the
ticket's timeline says what was found. Quality complaints are then counted: ``threshold`` of them
about the lot (or about the product across its lots) within ``window_days`` raise a
``QualityAlert`` (one open alert per lot, and per product), told to purchasing and the managers
and to the owners of the other customers who got the lot. A manager may then put the lot on hold
(``alert_hold``) and start a recall (``recall.recall_start``).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit
from core.events.services import notify_many
from core.roles import MANAGER, PURCHASING
from crm.service.models import COMPLAINTS, Category, Ticket
from crm.service.timeline import ticket_event_add
from integration.aftersales.models import QualityAlert, QualitySettings, TraceRun
from integration.aftersales.trace import Trace, lot_trace
from scm.inventory import holds
from scm.inventory.models import Lot
from scm.purchasing.services import supplier_complaint_record

# The complaints that count towards a quality alert: a damage in transport, wrong or missing
# goods say nothing of the lot's quality (they are traced all the same).
ALERT_CATEGORIES = (Category.QUALITY,)

TRACE_TEXT = gettext_noop(
    "Traced: supplier %(supplier)s, receipt %(receipt)s, %(others)s other customers, %(stock)s in stock"
)


def _plain(value) -> str:
    return f"{value.normalize():f}" if value is not None else "0"


def complaint_trace(*, event_id: int, ticket_id: int) -> TraceRun | None:
    """The ``ticket.opened`` rule for one ticket: a complaint that names a lot is traced, the
    result kept and written on its timeline, a confirmed quality complaint recorded against the
    supplier, and the complaints counted for an alert. Once per event (None the second time, or
    for a ticket that is no complaint about a lot). Joins the caller's transaction."""
    if TraceRun.objects.filter(event_id=event_id).exists():
        return None
    ticket = Ticket.objects.select_related("lot__product", "customer").filter(pk=ticket_id).first()
    if ticket is None or ticket.lot_id is None or ticket.category not in COMPLAINTS:
        return None
    trace = lot_trace(lot=ticket.lot)
    try:
        with transaction.atomic():
            run = TraceRun.objects.create(
                event_id=event_id,
                ticket_id=ticket.pk,
                lot_id=ticket.lot_id,
                supplier_id=trace.supplier_id,
                customers=len(trace.customers),
                shipped=trace.shipped_quantity,
                in_stock=trace.stock_quantity,
            )
    except IntegrityError:
        return None  # another run of the same event got there first
    others = [c for c in trace.customers if c.customer_id != ticket.customer_id]
    params = {
        "supplier": trace.supplier_name or "—",
        "receipt": ", ".join(trace.receipt_numbers) or "—",
        "others": len(others),
        "stock": _plain(trace.stock_quantity),
    }
    ticket_event_add(
        ticket=ticket,
        kind="trace",
        text=TRACE_TEXT,
        data={
            "params": params,
            "trace_run": run.pk,
            "summary": trace.summary(),
            "url": reverse("aftersales:lot_trace", args=[ticket.lot_id]),
        },
    )
    if ticket.category == Category.QUALITY and ticket.quality_confirmed_at is not None:
        quality_confirmed(ticket=ticket, trace=trace)
    if ticket.category in ALERT_CATEGORIES:
        complaints_check(ticket=ticket, trace=trace)
    return run


def quality_confirmed(*, ticket: Ticket | int, trace: Trace | None = None) -> None:
    """A quality complaint about a lot was confirmed (``ticket.quality_confirmed``): it counts
    against the supplier the lot came from (the purchasing scorecard). Nothing for a ticket
    without a lot, or a lot not traced to a supplier. Idempotent (one record per ticket)."""
    if not isinstance(ticket, Ticket):
        ticket = Ticket.objects.select_related("lot").filter(pk=ticket).first()
    if ticket is None or ticket.lot_id is None or ticket.quality_confirmed_at is None:
        return
    if ticket.category != Category.QUALITY:
        return
    trace = trace or lot_trace(lot=ticket.lot_id)
    if trace.supplier_id is None:
        return
    supplier_complaint_record(
        supplier_id=trace.supplier_id,
        product_id=trace.lot.product_id,
        lot_number=trace.lot.number,
        ticket_reference=ticket.number,
        confirmed_at=ticket.quality_confirmed_at,
    )


def _quality_users() -> set[int]:
    return set(
        get_user_model()
        .objects.filter(groups__name__in=[PURCHASING, MANAGER], is_active=True)
        .values_list("pk", flat=True)
    )


def complaints_check(*, ticket: Ticket, trace: Trace | None = None, now=None) -> QualityAlert | None:
    """Count the quality complaints about the ticket's lot, and its product across lots, within
    the window; at the threshold, with no open alert for the lot (or product), raise one and
    tell who must know. Returns the alert raised, or None."""
    if ticket.lot_id is None:
        return None
    settings = QualitySettings.current()
    now = now or timezone.now()
    since = now - timedelta(days=settings.window_days)
    lot = ticket.lot if ticket.lot is not None else Lot.objects.get(pk=ticket.lot_id)
    recent = Ticket.objects.filter(category__in=ALERT_CATEGORIES, opened_at__gte=since, opened_at__lte=now)
    about_lot = recent.filter(lot_id=lot.pk).count()
    if about_lot >= settings.threshold:
        if QualityAlert.objects.filter(lot_id=lot.pk).exclude(state=QualityAlert.State.CLOSED).exists():
            return None
        return _raise(lot=lot, product_id=lot.product_id, count=about_lot, settings=settings, trace=trace)
    about_product = recent.filter(Q(product_id=lot.product_id) | Q(lot__product_id=lot.product_id)).count()
    if about_product >= settings.threshold:
        if (
            QualityAlert.objects.filter(product_id=lot.product_id, lot__isnull=True)
            .exclude(state=QualityAlert.State.CLOSED)
            .exists()
        ):
            return None
        return _raise(
            lot=None, product_id=lot.product_id, count=about_product, settings=settings, trace=trace
        )
    return None


def _raise(*, lot, product_id, count, settings, trace) -> QualityAlert | None:
    try:
        with transaction.atomic():
            alert = QualityAlert.objects.create(
                product_id=product_id,
                lot=lot,
                complaints=count,
                window_days=settings.window_days,
                supplier_id=trace.supplier_id if trace is not None and lot is not None else None,
            )
    except IntegrityError:
        return None  # raised meanwhile by another complaint
    alert_notify(alert=alert, trace=trace if lot is not None else None)
    return alert


def alert_notify(*, alert: QualityAlert, trace: Trace | None = None) -> int:
    """Tell purchasing and the managers of a new alert, and (for a lot) the owners of the other
    customers who got the lot, each once (keyed by the alert)."""
    alert = QualityAlert.objects.select_related("product", "lot").get(pk=alert.pk)
    url = reverse("aftersales:alert_detail", args=[alert.pk])
    params = {
        "product": alert.product.name,
        "lot": alert.lot.number if alert.lot else "",
        "count": alert.complaints,
        "days": alert.window_days,
        "supplier": trace.supplier_name if trace is not None and trace.supplier_name else "—",
    }
    if alert.lot is not None:
        title = gettext_noop("Quality alert: %(product)s lot %(lot)s")
        body = gettext_noop("%(count)s quality complaints within %(days)s days; supplier %(supplier)s.")
    else:
        title = gettext_noop("Quality alert: %(product)s")
        body = gettext_noop("%(count)s quality complaints about this product within %(days)s days.")
    notes = [
        {
            "users": _quality_users(),
            "title": title,
            "body": body,
            "params": params,
            "url": url,
            "kind": "quality_alert",
            "key": f"quality-alert:{alert.pk}",
        }
    ]
    if trace is not None and alert.lot is not None:
        complained = set(
            Ticket.objects.filter(lot_id=alert.lot_id, category__in=ALERT_CATEGORIES).values_list(
                "customer_id", flat=True
            )
        )
        by_owner: dict[int, list[str]] = {}
        for card in trace.customers:
            if card.customer_id not in complained and card.owner_id:
                by_owner.setdefault(card.owner_id, []).append(card.customer_name)
        for owner_id, names in sorted(by_owner.items()):
            notes.append(
                {
                    "users": [owner_id],
                    "title": gettext_noop("Your customers got lot %(lot)s under a quality alert"),
                    "body": gettext_noop("%(product)s lot %(lot)s went to %(customers)s."),
                    "params": {**params, "customers": ", ".join(sorted(names))},
                    "url": url,
                    "kind": "quality_alert",
                    "key": f"quality-alert:{alert.pk}:owner",
                }
            )
    return notify_many(notes)


def _locked_alert(alert: QualityAlert | int) -> QualityAlert:
    pk = alert.pk if isinstance(alert, QualityAlert) else alert
    return QualityAlert.objects.select_for_update().get(pk=pk)


def alert_hold(*, alert: QualityAlert | int, reason: str, user) -> QualityAlert:
    """A manager puts the alert's lot on hold (``scm.inventory.holds.lot_hold``)."""
    with transaction.atomic():
        alert = _locked_alert(alert)
        if alert.lot_id is None:
            raise ValidationError(
                {"lot": _("This alert is about a product, not one lot: hold its lots one by one.")}
            )
        if alert.state == QualityAlert.State.CLOSED:
            raise ValidationError({"state": _("This alert is closed.")})
        holds.lot_hold(lot=alert.lot_id, reason=reason, user=user)
        if alert.state == QualityAlert.State.OPEN:
            alert.state = QualityAlert.State.HELD
            alert.save(update_fields=["state"])
        audit("aftersales.alert_hold", actor=user, obj=alert, data={"reason": reason})
    return alert


def alert_close(*, alert: QualityAlert | int, user) -> QualityAlert:
    """Close an alert (the cause is dealt with): a new one may be raised for the lot later."""
    with transaction.atomic():
        alert = _locked_alert(alert)
        if alert.state == QualityAlert.State.CLOSED:
            raise ValidationError({"state": _("This alert is already closed.")})
        alert.state, alert.closed_at = QualityAlert.State.CLOSED, timezone.now()
        alert.save(update_fields=["state", "closed_at"])
        audit("aftersales.alert_close", actor=user, obj=alert)
    return alert
