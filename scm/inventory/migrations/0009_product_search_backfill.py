"""Pinyin search columns for products that existed before them, and trigram indexes for
"contains" search over products on PostgreSQL (SQLite has no pg_trgm: there only the backfill)."""

from django.db import migrations

INDEXES = [
    ("product_name_trgm", 'UPPER("name"::text) gin_trgm_ops'),
    ("product_sku_trgm", 'UPPER("sku"::text) gin_trgm_ops'),
    ("product_pinyin_trgm", '"search_pinyin" gin_trgm_ops'),
]


def create(apps, schema_editor):
    from core.search import search_columns

    Product = apps.get_model("inventory", "Product")
    for product in Product.objects.filter(search_pinyin="").only("pk", "name").iterator():
        pinyin, initials, _normalized = search_columns(product.name)
        Product.objects.filter(pk=product.pk).update(search_pinyin=pinyin, search_initials=initials)
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expr in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "inventory_product" USING gin ({expr})')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expr in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0008_bins_pickers_promise")]
    operations = [migrations.RunPython(create, drop)]
