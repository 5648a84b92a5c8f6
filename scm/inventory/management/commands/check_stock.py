"""Prove the stock invariants: every level equals the sum of its ledger, and every level's
``reserved`` equals the reservations held on it. Exits non-zero when anything differs."""

from collections import defaultdict
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum

from scm.inventory.models import Reservation, StockLevel, StockMove


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
