"""Fill ``Product.lead_time_days`` for the products purchasing already knows the suppliers of,
by the rule of ``scm.purchasing.lead_times``: the preferred active supplier's lead time, else
the shortest among the active suppliers'; none: left unknown."""

from django.db import migrations


def fill(apps, schema_editor):
    SupplierProduct = apps.get_model("purchasing", "SupplierProduct")
    Product = apps.get_model("inventory", "Product")
    first: dict[int, int] = {}
    rows = (
        SupplierProduct.objects.filter(is_active=True, supplier__is_active=True)
        .order_by("product_id", "-is_preferred", "lead_time_days", "pk")
        .values_list("product_id", "lead_time_days")
    )
    for product_id, days in rows.iterator(chunk_size=2000):
        first.setdefault(product_id, days)
    by_days: dict[int, list[int]] = {}
    for product_id, days in first.items():
        by_days.setdefault(days, []).append(product_id)
    for days, ids in by_days.items():
        for start in range(0, len(ids), 500):
            Product.objects.filter(pk__in=ids[start : start + 500]).update(lead_time_days=days)


class Migration(migrations.Migration):
    dependencies = [
        ("purchasing", "0003_supplier_complaints"),
        ("inventory", "0008_bins_pickers_promise"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
