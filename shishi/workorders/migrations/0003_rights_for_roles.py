from django.db import migrations


def forwards(apps, schema_editor):
    # Unit handlers handle their unit's work orders; staff see them.
    from shishi.org.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0002_followups"),
        ("supervision", "0002_rights_for_roles"),
        ("api", "0001_token_rights_for_roles"),
        ("sheets", "0002_import_rights_for_roles"),
        ("open311", "0002_rights_for_roles"),
        ("service_levels", "0002_defaults"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
