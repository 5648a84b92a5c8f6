"""Receiving a 50-line purchase order: the warehouse tablet's scan flow, and the one-call API.

Tablet (``scm/purchasing/receiving_views.py``), through Django's test client as a logged-in
warehouse user, full middleware stack: start (scan the order's number), 50 scans with their
quantities (every fifth product lot-tracked: lot number and expiry date with the scan), the
quality check page, the check (three lines with part of their goods rejected into quarantine),
and the post. Then the same order received in one call: ``POST /api/v1/receipts/`` with the 50
lines and ``post=true``. Each round receives a fresh purchase order (rows written directly, sent,
its lines registered as incoming supply).

Printed: per kind of request the time per call (p50, p95) and the queries per call (least and
most seen: a scan costs the same whatever the receipt already holds), and the total for the
order. The ``stock.received`` rule runs in the worker, not in the request: its dispatch is
left out (as in ``bench_order_intake.py``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench .venv/bin/python bench/bench_receiving.py
    BENCH_ROUNDS=5 BENCH_LINES=50 (defaults)

SQLite file var/bench_receiving.sqlite3 unless DATABASE_URL is set.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_receiving.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
LINES = int(os.environ.get("BENCH_LINES", "50"))
LOT_EVERY = 5  # every fifth product is lot-tracked
REJECT_LINES = (3, 17, 31)  # lines with part of their goods rejected at the check


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


class Meter:
    """Time and queries of each request, by kind."""

    def __init__(self):
        self.times: dict[str, list[float]] = {}
        self.queries: dict[str, list[int]] = {}
        self._count = 0

    def _counter(self, execute, sql, params, many, context):
        self._count += 1
        return execute(sql, params, many, context)

    def call(self, kind, send, *args, expect=(200, 302), **kwargs):
        # Counted with an execute wrapper: the request signals reset Django's own query log.
        self._count = 0
        with connection.execute_wrapper(self._counter):
            start = time.perf_counter()
            response = send(*args, **kwargs)
            elapsed = time.perf_counter() - start
        assert response.status_code in expect, (kind, response.status_code, response.content[:500])
        self.times.setdefault(kind, []).append(elapsed * 1000)
        self.queries.setdefault(kind, []).append(self._count)
        return response


def ensure_data():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from scm.inventory.models import Product, Warehouse
    from scm.purchasing.models import Supplier

    user, _ = get_user_model().objects.get_or_create(username="bench-warehouse")
    user.groups.add(Group.objects.get_or_create(name="warehouse")[0])
    buyer, _ = get_user_model().objects.get_or_create(username="bench-buyer")
    buyer.groups.add(Group.objects.get_or_create(name="purchasing")[0])
    warehouse, _ = Warehouse.objects.get_or_create(code="BRCV", defaults={"name": "收货基准仓"})
    supplier = Supplier.objects.filter(code="BENCH-RCV").first() or Supplier.objects.create(
        code="BENCH-RCV", name="基准供应商有限公司", default_warehouse=warehouse
    )
    products = []
    for i in range(LINES):
        tracked = i % LOT_EVERY == 0
        product, _ = Product.objects.get_or_create(
            sku=f"BRCV-{i:03d}",
            defaults={
                "name": f"收货商品 {i}",
                "barcode": f"6990{i:09d}",
                "list_price": Decimal("25.00"),
                "tracking": Product.Tracking.LOT if tracked else Product.Tracking.NONE,
            },
        )
        products.append(product)
    return user, buyer, warehouse, supplier, products


def new_order(buyer, warehouse, supplier, products, n):
    """A sent purchase order of one line per product (rows written directly)."""
    from scm.purchasing.incoming import order_incoming_sync
    from scm.purchasing.models import PurchaseOrder, PurchaseOrderLine

    today = timezone.localdate()
    order = PurchaseOrder.objects.create(
        number=f"BPO-{int(time.time() * 1000) % 10**10}-{n}",
        supplier=supplier,
        owner=buyer,
        warehouse=warehouse,
        state=PurchaseOrder.State.SENT,
        order_date=today,
    )
    lines = []
    for i, product in enumerate(products):
        qty = Decimal(10 + i % 7 * 5)
        price = Decimal("12.5000") + i
        net = (qty * price).quantize(Decimal("0.01"))
        lines.append(
            PurchaseOrderLine(
                order=order,
                product=product,
                quantity=qty,
                base_quantity=qty,
                unit_price=price,
                tax_rate=Decimal("0.13"),
                net_amount=net,
                tax_amount=(net * Decimal("0.13")).quantize(Decimal("0.01")),
                expected_date=today + timedelta(days=3),
            )
        )
    PurchaseOrderLine.objects.bulk_create(lines)
    lines = list(order.lines.order_by("pk"))
    order.subtotal = sum((line.net_amount for line in lines), Decimal(0))
    order.tax_total = sum((line.tax_amount for line in lines), Decimal(0))
    order.total = order.subtotal + order.tax_total
    order.save(update_fields=["subtotal", "tax_total", "total"])
    order_incoming_sync(order)
    return order, lines


def lot_of(product, n):
    expiry = timezone.localdate() + timedelta(days=180 + n)
    return f"L{n:03d}-{product.pk}", expiry.isoformat()


def receive_on_tablet(client, meter, order, lines, n):
    from scm.purchasing.models import Receipt

    response = meter.call(
        "start", client.post, reverse("purchasing:receiving_tablet"), {"code": order.number}
    )
    receipt = Receipt.objects.get(purchase_order=order)
    assert response["Location"] == reverse("purchasing:receiving_tablet_count", args=[receipt.pk])
    meter.call("count page", client.get, response["Location"], expect=(200,))
    scan_url = reverse("purchasing:receiving_tablet_scan", args=[receipt.pk])
    for line in lines:
        data = {"code": line.product.barcode, "quantity": str(line.quantity)}
        if line.product.tracking == "lot":
            data["lot_number"], data["expiry_date"] = lot_of(line.product, n)
        response = meter.call("scan", client.post, scan_url, data, expect=(200,))
        assert b'data-ok="1"' in response.content, response.content[:2000]
    check_url = reverse("purchasing:receiving_tablet_check", args=[receipt.pk])
    meter.call("check page", client.get, check_url, expect=(200,))
    results = {}
    for i, receipt_line in enumerate(receipt.lines.order_by("po_line_id")):
        rejected = Decimal(2) if i in REJECT_LINES else Decimal(0)
        results[f"accepted_{receipt_line.pk}"] = str(receipt_line.quantity - rejected)
        results[f"rejected_{receipt_line.pk}"] = str(rejected)
        if rejected:
            results[f"reason_{receipt_line.pk}"] = "包装破损"
            results[f"action_{receipt_line.pk}"] = "quarantine"
    meter.call("check", client.post, check_url, results, expect=(302,))
    meter.call(
        "post", client.post, reverse("purchasing:receiving_tablet_post", args=[receipt.pk]), expect=(302,)
    )
    receipt.refresh_from_db()
    assert receipt.state == Receipt.State.POSTED, receipt.state


def receive_by_api(client, meter, order, lines, n):
    body = {"purchase_order": order.pk, "post": True, "lines": []}
    for i, line in enumerate(lines):
        entry = {"po_line": line.pk, "quantity": str(line.quantity)}
        if line.product.tracking == "lot":
            entry["lot_number"], entry["expiry_date"] = lot_of(line.product, n)
        if i in REJECT_LINES:
            entry.update(rejected_quantity="2", reject_reason="包装破损", reject_action="quarantine")
        body["lines"].append(entry)
    response = meter.call(
        "API receipt", client.post, "/api/v1/receipts/", body, "application/json", expect=(201,)
    )
    assert response.json()["state"] == "posted", response.json()


def main():
    call_command("migrate", verbosity=0)
    from core.events import queue

    queue.enqueue_event = lambda event_id: None  # the worker's part, not the request's
    user, buyer, warehouse, supplier, products = ensure_data()
    client = Client()
    client.force_login(user)
    tablet, api = Meter(), Meter()
    # One round first, unmeasured (caches, the year's number counters, the first lots).
    order, lines = new_order(buyer, warehouse, supplier, products, 0)
    receive_on_tablet(client, Meter(), order, lines, 0)
    order, lines = new_order(buyer, warehouse, supplier, products, 1)
    receive_by_api(client, Meter(), order, lines, 1)
    for r in range(ROUNDS):
        order, lines = new_order(buyer, warehouse, supplier, products, 2 + 2 * r)
        receive_on_tablet(client, tablet, order, lines, 2 + 2 * r)
        order, lines = new_order(buyer, warehouse, supplier, products, 3 + 2 * r)
        receive_by_api(client, api, order, lines, 3 + 2 * r)

    lots = sum(1 for p in products if p.tracking == "lot")
    print(
        f"receiving a {LINES}-line purchase order ({lots} lot-tracked lines, {len(REJECT_LINES)} with "
        f"rejects) on {connection.vendor}; {ROUNDS} orders each way"
    )
    print(
        f"{'request':<16} {'calls/PO':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries/call':>13} {'queries/PO':>11}"
    )
    order_ms, order_q = 0.0, 0
    for meter in (tablet, api):
        for kind, times in meter.times.items():
            per_po = len(times) // ROUNDS
            queries = meter.queries[kind]
            q_text = f"{min(queries)}" if min(queries) == max(queries) else f"{min(queries)}-{max(queries)}"
            q_po = sum(queries) / ROUNDS
            print(
                f"{kind:<16} {per_po:>8} {statistics.median(times):>8.1f} {percentile(times, 95):>8.1f} "
                f"{q_text:>13} {q_po:>11.0f}"
            )
            if meter is tablet:
                order_ms += sum(times) / ROUNDS
                order_q += q_po
        if meter is tablet:
            print(
                f"{'tablet, the PO':<16} {'':>8} {order_ms:>8.0f} {'':>8} {'':>13} {order_q:>11.0f}"
                "  (server time)"
            )
    scans = tablet.queries["scan"]
    first, last = scans[:LINES], scans[LINES - 5 : LINES]
    print(f"scan queries: first scan of a receipt {first[0]}, last scans {last}")


if __name__ == "__main__":
    main()
