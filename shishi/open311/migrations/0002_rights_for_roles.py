from django.db import migrations


def forwards(apps, schema_editor):
    # Administrators hold every right, the new ones of API keys and Open311 included.
    from shishi.org.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("open311", "0001_initial"),
        ("apikeys", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
