import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0009_product_search_backfill"),
        ("purchasing", "0004_product_lead_times"),
    ]

    operations = [
        migrations.AddField(
            model_name="receiptline",
            name="location",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="inventory.location",
                verbose_name="location",
            ),
        ),
    ]
