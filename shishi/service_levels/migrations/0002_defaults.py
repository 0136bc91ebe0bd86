from django.db import migrations


def forwards(apps, schema_editor):
    from shishi.org.roles import sync_role_groups
    from shishi.service_levels import defaults

    defaults.calendars_create(
        apps.get_model("service_levels", "HolidayCalendar"),
        apps.get_model("service_levels", "CalendarDay"),
    )
    Policy = apps.get_model("service_levels", "ServiceLevelPolicy")
    defaults.base_policies_create(Policy)
    defaults.category_policies_attach(Policy, apps.get_model("categories", "Category"))
    # Administrators hold every right, this app's included.
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("service_levels", "0001_initial"),
        ("categories", "0002_initial"),
        ("ledger", "0005_followup_by_appellant"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
