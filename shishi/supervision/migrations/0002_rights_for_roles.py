from django.db import migrations


def forwards(apps, schema_editor):
    # Handlers and leaders answer orders, supervisors issue and close them;
    # administrators hold every right, the reminders' and jobs' included.
    from shishi.org.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("reminders", "0001_initial"),
        ("jobs", "0001_initial"),
        ("ledger", "0005_followup_by_appellant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
