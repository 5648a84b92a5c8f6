"""Trigram indexes for "contains" search over 100,000 customers on PostgreSQL (name, pinyin,
phone); SQLite has no pg_trgm, so there this migration does nothing."""

from django.db import migrations

INDEXES = [
    ("customer_name_trgm", 'UPPER("name"::text) gin_trgm_ops'),
    ("customer_pinyin_trgm", '"search_pinyin" gin_trgm_ops'),
    ("customer_phone_trgm", '"phone" gin_trgm_ops'),
]


def backfill(apps, schema_editor):
    from core.search import search_columns

    Customer = apps.get_model("customers", "Customer")
    for customer in Customer.objects.filter(search_pinyin="").only("pk", "name").iterator():
        pinyin, initials, normalized = search_columns(customer.name)
        Customer.objects.filter(pk=customer.pk).update(
            search_pinyin=pinyin, search_initials=initials, name_normalized=normalized
        )


def create(apps, schema_editor):
    backfill(apps, schema_editor)
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expr in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON "customers_customer" USING gin ({expr})')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expr in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_customer_fields_search_merge")]
    operations = [migrations.RunPython(create, drop)]
