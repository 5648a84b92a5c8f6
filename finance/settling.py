"""How a locked invoice or bill takes money paid or credited: one implementation for
receivables and payables."""

from decimal import Decimal

from django.db.models import F

ZERO = Decimal(0)


def settle(
    document, *, paid: Decimal, credited: Decimal, paid_state: str, partly_state: str, unpaid_state: str
) -> bool:
    """Move a locked ``document``'s ``paid_amount`` / ``credited_amount`` by ``paid`` /
    ``credited`` (F() updates) and set its state: ``paid_state`` once nothing is left open,
    ``partly_state`` when something was paid, else ``unpaid_state``. Returns True when this move
    settled it (so its "paid" event goes out once)."""
    was_settled = document.state == paid_state
    new_paid = document.paid_amount + paid
    new_credited = document.credited_amount + credited
    if document.total - new_paid - new_credited <= 0:
        state = paid_state
    elif new_paid > 0:
        state = partly_state
    else:
        state = unpaid_state
    type(document).objects.filter(pk=document.pk).update(
        paid_amount=F("paid_amount") + paid, credited_amount=F("credited_amount") + credited, state=state
    )
    document.paid_amount, document.credited_amount, document.state = new_paid, new_credited, state
    return state == paid_state and not was_settled
