"""Finance's "today" panels (``core.home``): receivables overdue, bills to pay (overdue or due
in ``DUE_SOON_DAYS`` days) and bills whose three-way match is off (on hold: a manager accepts
the mismatch, so the same panel is among the manager's approvals). Each reads the lists' own
selectors, two queries a panel."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.templatetags.tandem import money
from finance import selectors
from finance.payables import selectors as payables
from finance.payables.models import Bill

ROWS = 6


def _due(day, today) -> tuple[str, str]:
    return _("due %(date)s") % {
        "date": date_format(day, "SHORT_DATE_FORMAT")
    }, "danger" if day < today else ""


def home_overdue_invoices(record, user) -> dict:
    today = timezone.localdate()
    qs = selectors.invoices_for(user, overdue=True, as_of=today).order_by("due_date", "pk")
    rows = []
    for inv in qs[:ROWS]:
        end, colour = _due(inv.due_date, today)
        rows.append(
            {
                "url": reverse("finance:invoice_detail", args=[inv.pk]),
                "title": inv.number,
                "meta": f"{inv.customer.name} · {money(inv.open_amount_db, inv.currency)}",
                "end": end,
                "end_colour": colour,
            }
        )
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": reverse("finance:invoice_list") + "?overdue=1",
        "empty": _("No invoice is overdue. Record payments as they come in."),
        "empty_url": reverse("finance:payment_create"),
        "empty_label": _("Record a payment"),
    }


def home_bills_due(record, user) -> dict:
    today = timezone.localdate()
    qs = payables.bills_for(to_pay=True, as_of=today).order_by("due_date", "pk")
    rows = []
    for bill in qs[:ROWS]:
        end, colour = _due(bill.due_date, today)
        rows.append(
            {
                "url": reverse("finance:bill_detail", args=[bill.pk]),
                "title": bill.number,
                "meta": f"{bill.supplier.name} · {money(bill.open_amount_db, bill.currency)}",
                "badge": bill.get_state_display() if bill.state == Bill.State.ON_HOLD else "",
                "badge_colour": "warning",
                "end": end,
                "end_colour": colour,
            }
        )
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": reverse("finance:bill_list") + "?to_pay=1",
        "empty": _("No bill is due in the next %(days)s days.") % {"days": payables.DUE_SOON_DAYS},
    }


def home_unmatched_bills(record, user) -> dict:
    qs = payables.bills_for(state=Bill.State.ON_HOLD).order_by("issue_date", "pk")
    rows = [
        {
            "url": reverse("finance:bill_detail", args=[bill.pk]),
            "title": bill.number,
            "meta": " · ".join(
                n for n in (bill.supplier.name, getattr(bill.purchase_order, "number", "")) if n
            ),
            "end": money(bill.total, bill.currency),
        }
        for bill in qs[:ROWS]
    ]
    return {
        "rows": rows,
        "count": qs.count(),
        "see_all": reverse("finance:bill_list") + f"?state={Bill.State.ON_HOLD}",
        "empty": _("Every bill matches its order and receipts."),
    }
