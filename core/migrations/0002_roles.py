"""The seven role groups. Their names are fixed (core.roles); what each may do is decided by the
permission layer in code, so the groups carry no Django model permissions."""

from django.db import migrations

ROLES = ["sales", "service", "warehouse", "purchasing", "finance", "manager", "admin"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
