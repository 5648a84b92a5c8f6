"""The nightly replenishment run over 10,000 products × 5 warehouses × 2 years of daily demand.

Prints the time of a full nightly run (twice: the first writes every plan and suggestion, the
second finds most of them unchanged) (``integration.planning.engine.planning_run``: history
read, forecast, plans saved, suggestions refreshed; aim < 30 s on a 2-core machine), the peak
memory of the process (resident set, before and after the run), the time of the run a shortage
triggers for one product (median of 20; aim < 200 ms), and the forecast's error against a 28-day
moving average on the same data (``integration.planning.backtest``).

The rows are written directly in SQL (the history by ``generate_series``), consistent with what
the services would have left: products ``BRP-…`` with a preferred supplier each (lead time 5 to
20 days, packs of 6 to 24), 5 warehouses (北京 上海 广州 成都 武汉) with stock levels and the
matching ledger moves, and one demand row per product × warehouse × day for 730 days: a base
demand per series (0.5 to 40 a day), a trend, weekends 1.3×, noise; about 2 % of the days are
stock-outs. Created once and re-used (36.5 million demand rows take a few minutes to write).

``python bench/bench_replenishment.py`` — PostgreSQL only:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench_plan`` by default. Sizes:
BENCH_PRODUCTS=10000 BENCH_WAREHOUSES=5 BENCH_DAYS=730.
"""

import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("TANDEM_ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("TANDEM_MANIFEST_STATIC", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench_plan")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
WAREHOUSES = int(os.environ.get("BENCH_WAREHOUSES", "5"))
DAYS = int(os.environ.get("BENCH_DAYS", "730"))
CITIES = [
    ("BRW-BJ", "北京仓", 39.9042, 116.4074),
    ("BRW-SH", "上海仓", 31.2304, 121.4737),
    ("BRW-GZ", "广州仓", 23.1291, 113.2644),
    ("BRW-CD", "成都仓", 30.5728, 104.0668),
    ("BRW-WH", "武汉仓", 30.5928, 114.3055),
]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup() -> list[int]:
    from decimal import Decimal

    from scm.inventory.models import Product, Warehouse
    from scm.purchasing.models import Supplier

    warehouses = []
    for code, name, lat, lng in CITIES[:WAREHOUSES]:
        wh, _ = Warehouse.objects.get_or_create(
            code=code, defaults={"name": name, "latitude": Decimal(str(lat)), "longitude": Decimal(str(lng))}
        )
        warehouses.append(wh.pk)
    supplier, _ = Supplier.objects.get_or_create(code="BRS-1", defaults={"name": "基准供应商有限公司"})
    have = Product.objects.filter(sku__startswith="BRP-").count()
    if have < PRODUCTS:
        Product.objects.bulk_create(
            [
                Product(
                    sku=f"BRP-{i:06d}", name=f"基准商品 {i}", list_price=Decimal("20"), cost=Decimal("12")
                )
                for i in range(have, PRODUCTS)
            ],
            batch_size=2000,
        )
    ids = list(Product.objects.filter(sku__startswith="BRP-").order_by("pk").values_list("pk", flat=True))[
        :PRODUCTS
    ]
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO purchasing_supplierproduct (supplier_id, product_id, supplier_code, pack_size, "
            "min_order_quantity, lead_time_days, is_preferred, is_active) "
            "SELECT %s, p, '', 6 + (p %% 4) * 6, 0, 5 + (p %% 16), true, true FROM unnest(%s::bigint[]) p "
            "ON CONFLICT DO NOTHING",
            [supplier.pk, ids],
        )
        c.execute("SELECT count(*) FROM planning_demandday")
        rows = c.fetchone()[0]
        if rows < len(ids) * len(warehouses) * DAYS:
            print(f"writing {len(ids) * len(warehouses) * DAYS:,} demand rows …", flush=True)
            started = time.perf_counter()
            c.execute("TRUNCATE planning_demandday")
            today = timezone.localdate()
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                c.execute(
                    "INSERT INTO planning_demandday "
                    "(product_id, warehouse_id, day, shipped, returned, stockout) "
                    "SELECT p, w, d::date, "
                    "CASE WHEN x.r < 0.02 THEN 0 ELSE round(greatest(0, "
                    "(0.5 + ((p * 7 + w * 13) %% 400) / 10.0) * (1 + 0.0005 * (d::date - %s::date)) "
                    "* CASE WHEN extract(isodow FROM d) >= 6 THEN 1.3 ELSE 0.88 END "
                    "* (0.7 + 0.6 * x.n))::numeric, 0) END, 0, x.r < 0.02 "
                    "FROM unnest(%s::bigint[]) p, unnest(%s::bigint[]) w, "
                    "generate_series(%s::date - %s, %s::date - 1, interval '1 day') d, "
                    "LATERAL (SELECT random() + 0 * p AS r, "
                    "random() + 0 * w + 0 * extract(day FROM d) AS n) x",
                    [today, chunk, warehouses, today, DAYS, today],
                )
                print(f"  {start + len(chunk):,} products", flush=True)
            c.execute("ANALYZE planning_demandday")
            print(f"  written in {time.perf_counter() - started:.0f} s", flush=True)
        c.execute("SELECT count(*) FROM inventory_stocklevel WHERE product_id = ANY(%s)", [ids])
        if c.fetchone()[0] == 0:
            # stock: about 20 days of demand, some series far below, some far above
            c.execute(
                "INSERT INTO inventory_stockmove (kind, product_id, warehouse_id, quantity, unit_cost, "
                "reference, reason, created_at) "
                "SELECT 'receipt', p, w, ((p * 7 + w * 13) %% 400) / 10.0 * ((p + w) %% 40), "
                "12, 'BENCH', '', now() FROM unnest(%s::bigint[]) p, unnest(%s::bigint[]) w "
                "WHERE (p + w) %% 40 > 0 AND (p * 7 + w * 13) %% 400 > 0",
                [ids, warehouses],
            )
            c.execute(
                "INSERT INTO inventory_stocklevel (product_id, warehouse_id, on_hand, reserved, serial) "
                "SELECT product_id, warehouse_id, quantity, 0, false FROM inventory_stockmove "
                "WHERE reference = 'BENCH'"
            )
    return ids


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench_replenishment needs PostgreSQL (DATABASE_URL)")
    call_command("migrate", verbosity=0)
    ids = setup()
    from integration.planning import engine
    from integration.planning.backtest import backtest
    from integration.planning.models import Plan, Suggestion

    print(
        f"replenishment: {len(ids):,} products × {WAREHOUSES} warehouses × {DAYS} days "
        f"on PostgreSQL, {os.cpu_count()} cores"
    )
    before = peak_mb()
    for label in ("nightly run", "next night"):
        result = engine.planning_run(trigger=Suggestion.Trigger.NIGHTLY)
        print(
            f"{label}: {result['seconds']:.1f} s (aim < 30 s) — {result['plans']:,} plans, "
            f"{result['suggestions']:,} open suggestions, {result['expired']:,} expired"
        )
    print(f"peak memory: {peak_mb():.0f} MB resident (before the run {before:.0f} MB)")
    product = ids[len(ids) // 2]
    times = []
    for _ in range(20):
        started = time.perf_counter()
        engine.planning_run(product_ids=[product], trigger=Suggestion.Trigger.SHORTAGE)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"shortage run, one product: median {statistics.median(times):.0f} ms, "
        f"max {max(times):.0f} ms (aim < 200 ms)"
    )
    print(f"plans stored: {Plan.objects.count():,}")
    started = time.perf_counter()
    errors = backtest(holdout=28)
    print(f"backtest ({errors['series']:,} series, {time.perf_counter() - started:.1f} s):")
    for name in ("method", "moving_average"):
        e = errors[name]
        print(
            f"  {name:<15} WAPE {e['wape'] * 100:.1f} %  bias {e['bias'] * 100:+.1f} %  "
            f"total {e['total_error'] * 100:.1f} %"
        )


if __name__ == "__main__":
    main()
