"""The ledger invariant under any sequence of stock operations: every level equals the sum of
its moves, every level's reserved equals its reservations, and 0 ≤ reserved ≤ on hand."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from scm.inventory import reservations, services, transfers
from scm.inventory.management.commands.check_stock import stock_differences
from scm.inventory.models import Lot, Reservation, StockLevel, StockMove, Transfer, TransferLine
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory, lot_product

quantities = st.integers(min_value=1, max_value=8)


@pytest.mark.django_db
def test_ledger_invariant_holds_for_random_operations():
    world = {
        "products": [ProductFactory(), lot_product()],
        "warehouses": [WarehouseFactory(code="H1"), WarehouseFactory(code="H2")],
    }

    class Ledger(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            for model in (Reservation, StockMove, StockLevel, TransferLine, Transfer, Lot):
                model.objects.all().delete()
            self.demands = []
            self.in_transit = []

        def _expect_ok_or_field_error(self, call):
            try:
                return call()
            except ValidationError as exc:
                assert exc.message_dict  # a refusal always names a field
                return None

        @rule(p=st.integers(0, 1), w=st.integers(0, 1), q=quantities, lot=st.sampled_from(["A", "B"]))
        def receive(self, p, w, q, lot):
            product = world["products"][p]
            extra = {}
            if product.tracking == "lot":
                days = 10 if lot == "A" else 40
                extra = {"lot_number": lot, "expiry_date": timezone.localdate() + timedelta(days=days)}
            services.stock_receive(product=product, warehouse=world["warehouses"][w], quantity=q, **extra)

        @rule(p=st.integers(0, 1), q=quantities, n=st.integers(0, 1000))
        def reserve(self, p, q, n):
            demand = f"d:{n}"
            reservations.stock_reserve(product=world["products"][p], quantity=q, demand=demand)
            self.demands.append(demand)

        @rule(i=st.integers(0, 50), q=quantities)
        def ship(self, i, q):
            res = Reservation.objects.order_by("pk")[i : i + 1].select_related("lot").first()
            if res is None:
                return
            self._expect_ok_or_field_error(
                lambda: reservations.stock_consume(
                    demand=res.demand, warehouse=res.warehouse, lot=res.lot, quantity=min(q, res.quantity)
                )
            )

        @rule(i=st.integers(0, 50))
        def release(self, i):
            res = Reservation.objects.order_by("pk")[i : i + 1].first()
            if res is not None:
                reservations.stock_release(demand=res.demand)

        @rule(i=st.integers(0, 50), q=st.integers(-8, 8))
        def adjust(self, i, q):
            level = (
                StockLevel.objects.order_by("pk")[i : i + 1]
                .select_related("product", "warehouse", "lot")
                .first()
            )
            if level is None or q == 0:
                return
            self._expect_ok_or_field_error(
                lambda: services.stock_adjust(
                    product=level.product, warehouse=level.warehouse, lot=level.lot, quantity=q, reason="test"
                )
            )

        @rule(i=st.integers(0, 50), q=quantities)
        def transfer(self, i, q):
            level = (
                StockLevel.objects.order_by("pk")[i : i + 1]
                .select_related("product", "warehouse", "lot")
                .first()
            )
            if level is None:
                return
            other = next(w for w in world["warehouses"] if w.pk != level.warehouse_id)
            t = self._expect_ok_or_field_error(
                lambda: transfers.stock_transfer(
                    product=level.product,
                    source=level.warehouse,
                    destination=other,
                    lot=level.lot,
                    quantity=q,
                )
            )
            if t is not None:
                self.in_transit.append(t)

        @rule()
        def arrive(self):
            if self.in_transit:
                transfers.transfer_receive(transfer=self.in_transit.pop(0))

        @invariant()
        def levels_equal_ledger_and_reservations(self):
            assert stock_differences() == []

        @invariant()
        def reserved_within_on_hand(self):
            assert not StockLevel.objects.filter(reserved__lt=0).exists()
            for on_hand, reserved in StockLevel.objects.values_list("on_hand", "reserved"):
                assert Decimal(0) <= reserved <= on_hand

    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
