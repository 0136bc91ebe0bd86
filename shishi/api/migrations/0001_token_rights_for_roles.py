from django.db import migrations


def forwards(apps, schema_editor):
    # Administrators hold every right, those over API tokens included.
    from shishi.org.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("sheets", "0002_import_rights_for_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
