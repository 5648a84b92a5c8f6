"""What suppliers have billed against purchase order lines (``billed_quantity``), moved only
here, by conditional F() updates: a line is never billed beyond what was accepted into stock,
and a cancelled bill gives its quantities back."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from scm.purchasing.models import PurchaseOrderLine


def billable_quantity(line: PurchaseOrderLine) -> Decimal:
    """Base units accepted into stock and not yet billed."""
    return max(line.accepted_quantity - line.billed_quantity, Decimal(0))


@transaction.atomic
def po_lines_billed_add(quantities: dict[int, Decimal]) -> None:
    """Add ``quantities`` (base units per order line id; negative to give back) to the lines'
    billed quantities. Refuses (``ValidationError`` on ``quantity``, nothing written) a line
    that would be billed beyond its accepted quantity or below zero. Lines in id order."""
    for line_id in sorted(quantities):
        qty = quantities[line_id]
        if not qty:
            continue
        qs = PurchaseOrderLine.objects.filter(pk=line_id)
        if qty > 0:
            qs = qs.filter(billed_quantity__lte=F("accepted_quantity") - qty)
        else:
            qs = qs.filter(billed_quantity__gte=-qty)
        if qs.update(billed_quantity=F("billed_quantity") + qty) != 1:
            raise ValidationError(
                {"quantity": _("More is billed than was received into stock and not yet billed.")}
            )
