"""Stock reads."""

import math
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from scm.inventory.models import IncomingSupply, StockLevel, Warehouse


def available_to_promise(*, product_id: int) -> list[dict]:
    """Per active warehouse: on hand, reserved, available (on hand − reserved, expired lots
    excluded from available) and incoming supplies with their dates. Two queries."""
    today = timezone.localdate()
    levels = StockLevel.objects.filter(product_id=product_id).values(
        "warehouse_id", "lot__expiry_date", "on_hand", "reserved"
    )
    rows = {
        w.pk: {
            "warehouse": w,
            "on_hand": Decimal(0),
            "reserved": Decimal(0),
            "available": Decimal(0),
            "incoming": [],
        }
        for w in Warehouse.objects.filter(is_active=True).order_by("code")
    }
    for lv in levels:
        row = rows.get(lv["warehouse_id"])
        if row is None:
            continue
        row["on_hand"] += lv["on_hand"]
        row["reserved"] += lv["reserved"]
        expired = lv["lot__expiry_date"] is not None and lv["lot__expiry_date"] < today
        if not expired:
            row["available"] += lv["on_hand"] - lv["reserved"]
    for inc in IncomingSupply.objects.filter(product_id=product_id, quantity__gt=0).values(
        "warehouse_id", "quantity", "expected_date"
    ):
        if inc["warehouse_id"] in rows:
            rows[inc["warehouse_id"]]["incoming"].append(
                {"quantity": inc["quantity"], "expected_date": inc["expected_date"]}
            )
    return list(rows.values())


def available_total(*, product_id: int) -> Decimal:
    total = StockLevel.objects.filter(product_id=product_id).aggregate(a=Sum(F("on_hand") - F("reserved")))[
        "a"
    ]
    return total or Decimal(0)


def _distance_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def warehouses_by_distance(*, latitude=None, longitude=None) -> list[int]:
    """Active warehouse ids, nearest first (great-circle distance); by code when the location is
    unknown."""
    warehouses = list(
        Warehouse.objects.filter(is_active=True).order_by("code").values("pk", "latitude", "longitude")
    )
    if latitude is None or longitude is None:
        return [w["pk"] for w in warehouses]

    def key(w):
        if w["latitude"] is None or w["longitude"] is None:
            return float("inf")
        return _distance_km(latitude, longitude, w["latitude"], w["longitude"])

    return [w["pk"] for w in sorted(warehouses, key=key)]
