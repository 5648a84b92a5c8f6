"""The outbox moved from ``integration/events`` to ``core/events``: deliveries name their handler
by module path, so the platform's own handlers get their new names (pending ones run as before)."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr

OLD, NEW = "integration.events.", "core.events."


def rename(apps, old, new):
    Delivery = apps.get_model("events", "Delivery")
    Delivery.objects.filter(handler__startswith=old).update(
        handler=Concat(Value(new), Substr("handler", len(old) + 1))
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0002_delivery_fresh_index")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: rename(apps, OLD, NEW),
            lambda apps, schema_editor: rename(apps, NEW, OLD),
        )
    ]
