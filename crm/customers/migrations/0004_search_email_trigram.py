"""E-mail search by prefix, case-insensitive, from an index on PostgreSQL (no-op on SQLite)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS customer_email_trgm ON "customers_customer" USING gin (UPPER("email"::text) gin_trgm_ops)'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_email_trgm")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_search_trigram_indexes")]
    operations = [migrations.RunPython(create, drop)]
