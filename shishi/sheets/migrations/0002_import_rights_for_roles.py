from django.db import migrations


def forwards(apps, schema_editor):
    # Clerks import appeals; administrators hold every right, the new ones included.
    from shishi.org.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("sheets", "0001_initial"),
        # The summary template's rights exist by then, for the administrators.
        ("reports", "0001_initial"),
        ("ledger", "0005_followup_by_appellant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
