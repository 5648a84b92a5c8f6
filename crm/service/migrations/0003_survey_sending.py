from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0002_ticket_part_short"),
    ]

    operations = [
        migrations.AlterField(
            model_name="survey",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting to be sent"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("answered", "Answered"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
                verbose_name="state",
            ),
        ),
    ]
