"""Prove the stock invariants: every level equals the sum of its ledger, and every level's
``reserved`` equals the reservations held on it; every bin holds the sum of the moves naming it,
and a warehouse's bins never hold more than its level. Exits non-zero when anything differs."""

from collections import defaultdict
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum

from scm.inventory.models import LocationStock, Reservation, StockLevel, StockMove


def stock_differences() -> list[str]:
    ledger = defaultdict(Decimal)
    for row in StockMove.objects.values("product_id", "warehouse_id", "lot_id").annotate(q=Sum("quantity")):
        ledger[(row["product_id"], row["warehouse_id"], row["lot_id"])] = row["q"]
    held = defaultdict(Decimal)
    for row in Reservation.objects.values("product_id", "warehouse_id", "lot_id").annotate(q=Sum("quantity")):
        held[(row["product_id"], row["warehouse_id"], row["lot_id"])] = row["q"]
    problems = []
    seen = set()
    for lv in StockLevel.objects.values(
        "product_id", "warehouse_id", "lot_id", "on_hand", "reserved"
    ).iterator():
        key = (lv["product_id"], lv["warehouse_id"], lv["lot_id"])
        seen.add(key)
        if lv["on_hand"] != ledger.get(key, 0):
            problems.append(f"level {key}: on hand {lv['on_hand']} but ledger sums to {ledger.get(key, 0)}")
        if lv["reserved"] != held.get(key, 0):
            problems.append(
                f"level {key}: reserved {lv['reserved']} but reservations sum to {held.get(key, 0)}"
            )
    for key, qty in ledger.items():
        if key not in seen and qty != 0:
            problems.append(f"ledger {key}: sums to {qty} but there is no level")
    for key, qty in held.items():
        if key not in seen and qty != 0:
            problems.append(f"reservations {key}: hold {qty} but there is no level")
    return problems + bin_differences()


def bin_differences() -> list[str]:
    """Bins against the ledger's moves that name them, and against their warehouse's level."""
    ledger = defaultdict(Decimal)
    for row in (
        StockMove.objects.filter(location__isnull=False)
        .values("location_id", "product_id", "lot_id")
        .annotate(q=Sum("quantity"))
    ):
        ledger[(row["location_id"], row["product_id"], row["lot_id"])] = row["q"]
    levels = {
        (lv["product_id"], lv["warehouse_id"], lv["lot_id"]): lv["on_hand"]
        for lv in StockLevel.objects.values("product_id", "warehouse_id", "lot_id", "on_hand").iterator()
    }
    in_bins = defaultdict(Decimal)
    problems, seen = [], set()
    for row in LocationStock.objects.values(
        "location_id", "location__warehouse_id", "product_id", "lot_id", "on_hand"
    ).iterator():
        key = (row["location_id"], row["product_id"], row["lot_id"])
        seen.add(key)
        if row["on_hand"] != ledger.get(key, 0):
            problems.append(f"bin {key}: holds {row['on_hand']} but its moves sum to {ledger.get(key, 0)}")
        in_bins[(row["product_id"], row["location__warehouse_id"], row["lot_id"])] += row["on_hand"]
    for key, qty in ledger.items():
        if key not in seen and qty != 0:
            problems.append(f"moves naming bin {key}: sum to {qty} but the bin holds nothing")
    for key, qty in in_bins.items():
        if qty > levels.get(key, 0):
            problems.append(f"level {key}: its bins hold {qty}, more than its {levels.get(key, 0)} on hand")
    return problems


class Command(BaseCommand):
    help = "Check that every stock level equals its ledger sum and its reservations."

    def handle(self, *args, **options):
        problems = stock_differences()
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"{len(problems)} stock difference(s)")
        self.stdout.write(
            self.style.SUCCESS(f"stock ok: {StockLevel.objects.count()} levels match the ledger")
        )
