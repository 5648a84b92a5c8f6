"""Order and quote numbers are drawn from core's counters (``core.numbers``) instead of being
made from the primary key: each counter starts above the numbers already given that year."""

import re

from django.db import migrations

NUMBERED = {"SO": "SalesOrder", "QT": "Quote"}


def counters_from_numbers(apps, schema_editor):
    from core.numbers import number_at_least

    for prefix, model in NUMBERED.items():
        shape = re.compile(rf"^{prefix}-(\d{{4}})-(\d+)$")
        last: dict[int, int] = {}
        for number in apps.get_model("sales", model).objects.values_list("number", flat=True).iterator():
            match = shape.match(number)
            if match:
                year = int(match[1])
                last[year] = max(last.get(year, 0), int(match[2]))
        for year, value in last.items():
            number_at_least(prefix=prefix, year=year, value=value)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_number_counters"),
        ("sales", "0004_salesorder_priority"),
    ]

    # Backwards there is nothing to undo: a counter ahead of the numbers given does no harm.
    operations = [migrations.RunPython(counters_from_numbers, migrations.RunPython.noop)]
