"""A ``PersonName`` for every user who existed before them."""

from django.conf import settings
from django.db import migrations


def create(apps, schema_editor):
    from core.search import search_columns

    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    PersonName = apps.get_model("core", "PersonName")
    rows = []
    for user in User.objects.all().iterator():
        first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
        cjk = any("\u4e00" <= ch <= "\u9fff" for ch in first + last)
        name = f"{last}{first}" if first and last and cjk else (f"{first} {last}".strip() or user.username)
        pinyin, initials, _normalized = search_columns(name)
        rows.append(
            PersonName(user_id=user.pk, full_name=name, search_pinyin=pinyin, search_initials=initials)
        )
    PersonName.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_bins_pickers_promise"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
