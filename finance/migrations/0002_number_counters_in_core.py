"""Invoice, credit note and payment numbers are drawn from core's counters (``core.numbers``):
the last numbers of ``NumberSequence`` carry over, then the table goes."""

import re

from django.db import migrations

NUMBERED = {"INV": "Invoice", "CN": "CreditNote", "PAY": "Payment"}


def counters_to_core(apps, schema_editor):
    from core.numbers import number_at_least

    for row in apps.get_model("finance", "NumberSequence").objects.all():
        prefix, _sep, year = row.key.rpartition("-")
        number_at_least(prefix=prefix, year=int(year), value=row.last)


def counters_from_numbers(apps, schema_editor):
    """Back to ``NumberSequence``: the highest number given per prefix and year."""
    last: dict[str, int] = {}
    for prefix, model in NUMBERED.items():
        shape = re.compile(rf"^({prefix}-\d{{4}})-(\d+)$")
        for number in apps.get_model("finance", model).objects.values_list("number", flat=True).iterator():
            match = shape.match(number)
            if match:
                last[match[1]] = max(last.get(match[1], 0), int(match[2]))
    apps.get_model("finance", "NumberSequence").objects.bulk_create(
        [apps.get_model("finance", "NumberSequence")(key=key, last=value) for key, value in last.items()]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_number_counters"),
        ("finance", "0001_receivables"),
    ]

    operations = [
        migrations.RunPython(counters_to_core, counters_from_numbers),
        migrations.DeleteModel(name="NumberSequence"),
    ]
