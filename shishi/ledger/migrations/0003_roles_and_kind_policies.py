import datetime as dt

from django.db import migrations

# kind: (number prefix, default deadline, requires targets, roles that may open)
KIND_POLICIES = {
    "project": ("SS", dt.timedelta(days=180), True, ["clerk", "leader", "administrator"]),
    "rectification": ("LG", dt.timedelta(days=30), False, ["clerk", "leader", "supervisor", "administrator"]),
    "enterprise_problem": ("QY", dt.timedelta(days=15), False, ["clerk", "leader", "administrator"]),
    "hazard": ("YH", dt.timedelta(days=7), False, ["clerk", "supervisor", "administrator"]),
    # Insurance claims are paid within 24 hours of application.
    "claim": ("LP", dt.timedelta(hours=24), False, ["clerk", "unit_handler", "administrator"]),
}


def forwards(apps, schema_editor):
    from shishi.org.roles import ROLE_GROUPS, sync_role_groups

    sync_role_groups(apps)
    Group = apps.get_model("auth", "Group")
    KindPolicy = apps.get_model("ledger", "KindPolicy")
    for kind, (prefix, deadline, requires_targets, roles) in KIND_POLICIES.items():
        policy, _created = KindPolicy.objects.get_or_create(
            kind=kind,
            defaults={
                "number_prefix": prefix,
                "default_deadline": deadline,
                "requires_targets": requires_targets,
            },
        )
        policy.openers.set(Group.objects.filter(name__in=[ROLE_GROUPS[r] for r in roles]))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("ledger", "0002_initial"),
        ("intake", "0002_initial"),
        ("org", "0001_initial"),
        ("categories", "0002_initial"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
