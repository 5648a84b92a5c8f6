"""Reassignment of a rep's book: when a rep leaves or changes territory, a manager moves the
rep's customers and open work to one colleague or spreads it over a team."""

from itertools import cycle

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit
from crm.customers import services as customer_services
from crm.customers.models import Customer, Team
from crm.sales.models import Activity, Lead, Opportunity
from crm.sales.orders import ownership


def _new_owners(from_user, to_user, team) -> list:
    if (to_user is None) == (team is None):
        raise ValidationError({"to_user": _("Choose one person or one team.")})
    if to_user is not None:
        if to_user.pk == from_user.pk:
            raise ValidationError({"to_user": _("Choose someone else.")})
        return [to_user]
    members = list(
        get_user_model()
        .objects.filter(sales_teams=team, is_active=True)
        .exclude(pk=from_user.pk)
        .order_by("pk")
    )
    if not members:
        raise ValidationError({"team": _("The team has no other active member.")})
    return members


def records_owned(user) -> dict:
    """What of ``user``'s moves with their book, by kind (the keys of ``records_reassign``'s
    counts): their customers, leads not yet converted, open opportunities, open tasks, quotes
    not yet accepted and orders not yet finished. The one definition both the move and the
    counts shown before it (deactivating a user) read."""
    return {
        "customers": Customer.objects.filter(owner=user),
        "leads": Lead.objects.filter(owner=user).exclude(status=Lead.Status.CONVERTED),
        "opportunities": Opportunity.objects.filter(owner=user, state=Opportunity.State.OPEN),
        "tasks": Activity.objects.filter(owner=user, kind=Activity.Kind.TASK, done_at__isnull=True),
        "quotes": ownership.open_quotes_of(user),
        "orders": ownership.open_orders_of(user),
    }


def records_owned_count(user) -> dict[str, int]:
    """How many records of each kind ``records_reassign`` would move from ``user`` (a query
    per kind)."""
    return {kind: qs.count() for kind, qs in records_owned(user).items()}


@transaction.atomic
def records_reassign(*, from_user, to_user=None, team: Team | None = None, actor=None) -> dict[str, int]:
    """Move a rep's whole book to one colleague, or spread it over a team's members in turn:
    customers, leads not yet converted, open opportunities, open tasks, quotes not yet accepted
    (draft, sent) and orders not yet finished (a draft, or on the way from credit hold to
    shipped; not invoiced, paid or cancelled ones). Whatever belongs to a moved customer goes
    with it; what has no customer, or another rep's customer, is spread on its own.

    One transaction. Audited as a whole (``crm.reassigned``) and per customer, quote and order;
    each of those says so in its history (the customer's and the order's timeline, the quote's
    page)."""
    members = _new_owners(from_user, to_user, team)
    owned = records_owned(from_user)
    turn = cycle(members)
    customer_ids = list(owned["customers"].order_by("pk").values_list("pk", flat=True))
    customer_owner = {pk: next(turn) for pk in customer_ids}
    customer_services.customers_owner_set(assignments=customer_owner, actor=actor, reason="reassignment")

    def share(qs) -> dict:
        """Each record's new owner: its customer's, else the next in turn."""
        return {
            pk: customer_owner.get(customer_id) or next(turn)
            for pk, customer_id in qs.order_by("pk").values_list("pk", "customer_id")
        }

    def spread(qs) -> int:
        moved = 0
        for pk, new in share(qs).items():
            moved += qs.model.objects.filter(pk=pk).update(owner=new)
        return moved

    counts = {
        "customers": len(customer_ids),
        "leads": spread(owned["leads"]),
        "opportunities": spread(owned["opportunities"]),
        "tasks": spread(owned["tasks"]),
        "quotes": ownership.quotes_reassign(
            from_user=from_user, assignments=share(owned["quotes"]), actor=actor
        ),
        "orders": ownership.orders_reassign(
            from_user=from_user, assignments=share(owned["orders"]), actor=actor
        ),
    }
    audit(
        "crm.reassigned",
        actor=actor,
        obj=from_user,
        data={
            "from": from_user.pk,
            "to": [m.pk for m in members],
            "team": team.pk if team else None,
            "counts": counts,
        },
    )
    return counts
