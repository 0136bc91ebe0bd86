from django.db import migrations


def forwards(apps, schema_editor):
    # The rights to the campaign's organisation and activities (issue 16).
    from shishi.org.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("selection", "0001_initial"),
        ("organisation", "0001_initial"),
        ("inspection", "0001_initial"),
        ("activities", "0001_initial"),
        ("liaison", "0001_initial"),
        ("ledger", "0005_followup_by_appellant"),
        ("supervision", "0002_rights_for_roles"),
        # Administrators hold every right: the apps migrated without a sync of
        # their own come first (sessions would otherwise come after).
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
