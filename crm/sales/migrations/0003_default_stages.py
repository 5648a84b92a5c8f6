from django.db import migrations

# (name, order, probability, won, lost); names are in Chinese, the default language; an admin
# renames them (industry templates will set their own).
DEFAULT_STAGES = [
    ("初步接触", 10, 10, False, False),
    ("需求确认", 20, 30, False, False),
    ("方案报价", 30, 50, False, False),
    ("商务谈判", 40, 75, False, False),
    ("赢单", 90, 100, True, False),
    ("输单", 99, 0, False, True),
]


def add_stages(apps, schema_editor):
    Stage = apps.get_model("sales", "PipelineStage")
    if Stage.objects.exists():
        return
    Stage.objects.bulk_create(
        [Stage(name=n, order=o, probability=p, is_won=w, is_lost=lost) for n, o, p, w, lost in DEFAULT_STAGES]
    )


def remove_stages(apps, schema_editor):
    Stage = apps.get_model("sales", "PipelineStage")
    Stage.objects.filter(name__in=[s[0] for s in DEFAULT_STAGES], opportunities__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_pipeline")]
    operations = [migrations.RunPython(add_stages, remove_stages)]
