"""The supplier scorecard's figures, from posted receipt rows and order lines."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from scm.purchasing.models import PurchaseOrder, Receipt, ReceiptLine
from scm.purchasing.scorecard import supplier_scorecard, supplier_scorecards
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import PurchaseOrderFactory, PurchaseOrderLineFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def _at(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def _receive(line, *, on: date, quantity, accepted=None, state=Receipt.State.POSTED):
    order = line.order
    receipt = Receipt.objects.create(
        number=f"R-{Receipt.objects.count() + 1}",
        purchase_order=order,
        supplier=order.supplier,
        warehouse=order.warehouse,
        state=state,
        received_by=UserFactory(),
        posted_at=_at(on) if state == Receipt.State.POSTED else None,
    )
    ReceiptLine.objects.create(
        receipt=receipt,
        po_line=line,
        product=line.product,
        quantity=Decimal(quantity),
        accepted_quantity=Decimal(accepted if accepted is not None else quantity),
        rejected_quantity=Decimal(quantity) - Decimal(accepted if accepted is not None else quantity),
    )
    return receipt


@pytest.fixture
def supplier():
    return SupplierFactory()


def _line(supplier, *, ordered: date, expected: date, sent=None, **kwargs):
    order = PurchaseOrderFactory(supplier=supplier, order_date=ordered, sent_at=_at(sent) if sent else None)
    return PurchaseOrderLineFactory(order=order, expected_date=expected, **kwargs)


def test_on_time_rate_counts_lines_posted_by_their_expected_date(supplier):
    line = _line(supplier, ordered=date(2026, 3, 1), expected=date(2026, 3, 10))
    _receive(line, on=date(2026, 3, 10), quantity=4)  # on the day: on time
    _receive(line, on=date(2026, 3, 11), quantity=3)  # a day late
    other = _line(supplier, ordered=date(2026, 3, 1), expected=date(2026, 3, 20))
    _receive(other, on=date(2026, 3, 5), quantity=1)  # early
    card = supplier_scorecard(supplier.pk)
    assert card["receipt_lines"] == 3
    assert card["on_time_rate"] == Decimal("0.6667")


def test_receipts_not_posted_do_not_count(supplier):
    line = _line(supplier, ordered=date(2026, 3, 1), expected=date(2026, 3, 10))
    _receive(line, on=date(2026, 3, 20), quantity=4, state=Receipt.State.CHECKING)
    card = supplier_scorecard(supplier.pk)
    assert card["receipt_lines"] == 0 and card["on_time_rate"] is None and card["quality_rate"] is None


def test_quality_rate_is_accepted_over_received_quantity(supplier):
    line = _line(supplier, ordered=date(2026, 3, 1), expected=date(2026, 3, 10))
    _receive(line, on=date(2026, 3, 5), quantity=10, accepted=8)
    _receive(line, on=date(2026, 3, 6), quantity=10, accepted=10)
    assert supplier_scorecard(supplier.pk)["quality_rate"] == Decimal("0.9000")


def test_actual_lead_time_runs_from_sending_or_else_the_order_date(supplier):
    sent = _line(supplier, ordered=date(2026, 3, 1), sent=date(2026, 3, 3), expected=date(2026, 3, 10))
    _receive(sent, on=date(2026, 3, 9), quantity=1)  # 6 days from sending
    unsent = _line(supplier, ordered=date(2026, 3, 1), expected=date(2026, 3, 5))
    _receive(unsent, on=date(2026, 3, 11), quantity=1)  # 10 days from the order date
    card = supplier_scorecard(supplier.pk)
    assert card["actual_lead_days"] == Decimal("8.0")
    # promised: 9 and 4 days
    assert card["promised_lead_days"] == Decimal("6.5")


def test_since_leaves_out_older_receipts(supplier):
    line = _line(supplier, ordered=date(2026, 1, 1), expected=date(2026, 1, 10))
    _receive(line, on=date(2026, 1, 20), quantity=1)
    _receive(line, on=date(2026, 1, 5), quantity=1)
    card = supplier_scorecard(supplier.pk, since=date(2026, 1, 15))
    assert card["receipt_lines"] == 1 and card["on_time_rate"] == Decimal("0")


def test_price_trend_by_month_with_change_of_latest_against_first(supplier):
    product = ProductFactory()
    today = date(2026, 6, 15)
    for ordered, price in ((date(2026, 1, 10), "10"), (date(2026, 1, 20), "12"), (date(2026, 5, 2), "13.2")):
        order = PurchaseOrderFactory(supplier=supplier, order_date=ordered)
        PurchaseOrderLineFactory(
            order=order, product=product, quantity=Decimal("10"), unit_price=Decimal(price)
        )
    old = PurchaseOrderFactory(supplier=supplier, order_date=date(2025, 5, 1))  # over 12 months ago
    PurchaseOrderLineFactory(order=old, product=product, unit_price=Decimal("1"))
    draft = PurchaseOrderFactory(
        supplier=supplier, order_date=date(2026, 5, 3), state=PurchaseOrder.State.DRAFT
    )
    PurchaseOrderLineFactory(order=draft, product=product, unit_price=Decimal("99"))
    (trend,) = supplier_scorecard(supplier.pk, today=today)["price_trend"]
    assert [m["month"] for m in trend["months"]] == ["2026-01", "2026-05"]
    assert trend["first_price"] == Decimal("11.0000")
    assert trend["latest_price"] == Decimal("13.2000")
    assert trend["change"] == Decimal("2.2000")
    assert trend["change_rate"] == Decimal("0.2000")


def test_scorecards_of_many_suppliers_take_a_fixed_number_of_queries(django_assert_num_queries):
    suppliers = [SupplierFactory() for _ in range(4)]
    for s in suppliers:
        line = _line(s, ordered=date(2026, 3, 1), expected=date(2026, 3, 10))
        _receive(line, on=date(2026, 3, 5), quantity=2)
    with django_assert_num_queries(2):
        cards = supplier_scorecards([s.pk for s in suppliers], today=date(2026, 3, 20))
    assert all(cards[s.pk]["receipt_lines"] == 1 for s in suppliers)
    assert all(len(cards[s.pk]["price_trend"]) == 1 for s in suppliers)


def test_a_supplier_without_receipts_has_empty_figures(supplier):
    card = supplier_scorecard(supplier.pk, today=timezone.localdate() + timedelta(days=1))
    assert card["receipts"] == 0 and card["actual_lead_days"] is None and card["price_trend"] == []


def _receive_lot(line, *, on: date, quantity, lot_number):
    receipt = _receive(line, on=on, quantity=quantity)
    receipt.lines.update(lot_number=lot_number)
    return receipt


def test_a_lot_with_a_confirmed_complaint_counts_as_failed_in_the_quality_rate(supplier):
    from scm.purchasing.services import supplier_complaint_record

    line = _line(supplier, ordered=date(2026, 3, 1), expected=date(2026, 3, 10))
    _receive_lot(line, on=date(2026, 3, 5), quantity=6, lot_number="L-BAD")
    _receive_lot(line, on=date(2026, 3, 6), quantity=4, lot_number="L-GOOD")
    assert supplier_scorecard(supplier.pk)["quality_rate"] == Decimal("1.0000")
    supplier_complaint_record(
        supplier_id=supplier.pk,
        product_id=line.product_id,
        lot_number="L-BAD",
        ticket_reference="TK-1",
        confirmed_at=_at(date(2026, 4, 1)),
    )
    card = supplier_scorecard(supplier.pk)
    assert card["quality_rate"] == Decimal("0.4000")
    assert card["complaints"] == 1 and card["complained_quantity"] == 6


def test_a_complaint_recorded_twice_for_one_ticket_counts_once(supplier):
    from scm.purchasing.models import SupplierComplaint
    from scm.purchasing.services import supplier_complaint_record

    product = ProductFactory()
    for _ in range(2):
        supplier_complaint_record(
            supplier_id=supplier.pk,
            product_id=product.pk,
            lot_number="L1",
            ticket_reference="TK-9",
            confirmed_at=_at(date(2026, 4, 1)),
        )
    assert SupplierComplaint.objects.count() == 1


def test_complaints_still_take_two_queries_for_many_suppliers(django_assert_num_queries):
    from scm.purchasing.services import supplier_complaint_record

    suppliers = [SupplierFactory() for _ in range(4)]
    for n, s in enumerate(suppliers):
        line = _line(s, ordered=date(2026, 3, 1), expected=date(2026, 3, 10))
        _receive_lot(line, on=date(2026, 3, 5), quantity=2, lot_number=f"L{n}")
        supplier_complaint_record(
            supplier_id=s.pk,
            product_id=line.product_id,
            lot_number=f"L{n}",
            ticket_reference=f"TK-{n}",
            confirmed_at=_at(date(2026, 3, 9)),
        )
    with django_assert_num_queries(2):
        cards = supplier_scorecards([s.pk for s in suppliers], today=date(2026, 3, 20))
    assert all(cards[s.pk]["complaints"] == 1 and cards[s.pk]["quality_rate"] == 0 for s in suppliers)
