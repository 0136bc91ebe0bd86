"""The roles are Django groups with permissions. This module names them and says
which permissions each holds; a data migration (and `roles_sync`) applies it."""

RESIDENT = "resident"
CLERK = "clerk"
UNIT_HANDLER = "unit_handler"
LEADER = "leader"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"

# Group names are data that staff see in the admin, so they are Chinese. Code
# refers to roles by the constants above and checks permissions, not names.
ROLE_GROUPS = {
    RESIDENT: "居民",
    CLERK: "受理员",
    UNIT_HANDLER: "单位经办人",
    LEADER: "领办领导",
    SUPERVISOR: "督办员",
    ADMINISTRATOR: "管理员",
}

# app_label.codename for each role.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    RESIDENT: [
        "intake.add_appeal",
    ],
    CLERK: [
        "intake.add_appeal",
        "intake.view_appeal",
        "intake.triage_appeal",
        "intake.view_submitter_contact",
        "intake.add_collectionevent",
        "intake.change_collectionevent",
        "intake.view_collectionevent",
        "ledger.view_ledgeritem",
        "ledger.view_progressreport",
        "ledger.view_followup",
        "ledger.add_ledgeritem",
        "sheets.import_appeals",
        "workorders.view_workorder",
    ],
    UNIT_HANDLER: [
        "intake.view_appeal",
        "ledger.view_ledgeritem",
        "ledger.view_progressreport",
        "ledger.view_followup",
        "ledger.add_ledgeritem",  # only kinds whose policy lets handlers open (claims)
        "ledger.report_progress",
        "supervision.view_supervisionorder",
        "supervision.answer_supervisionorder",
        "workorders.handle_workorder",
    ],
    LEADER: [
        "intake.view_appeal",
        "ledger.view_ledgeritem",
        "ledger.view_progressreport",
        "ledger.view_followup",
        "ledger.add_ledgeritem",
        "ledger.claim_ledgeritem",
        "ledger.report_progress",
        "supervision.view_supervisionorder",
        "supervision.answer_supervisionorder",
    ],
    SUPERVISOR: [
        "intake.view_appeal",
        "intake.view_submitter_contact",
        "ledger.view_ledgeritem",
        "ledger.view_progressreport",
        "ledger.view_followup",
        "ledger.add_ledgeritem",  # hazards and rectifications found on inspection
        "ledger.verify_ledgeritem",
        "ledger.record_followup",
        "ledger.manage_ledgeritem",
        "supervision.view_supervisionorder",
        "supervision.manage_supervisionorder",
        "workorders.view_workorder",
    ],
    ADMINISTRATOR: [],  # administrators are superusers or staff with all permissions
}

# The campaign's organisation and activities (issue 16): supervisors run the
# inspection rounds; clerks keep the meetings, study records, liaison lists and
# selections; unit handlers keep their communities' liaison lists; leaders and
# supervisors review nominations; everyone on staff reads the lists.
_CAMPAIGN_VIEW = [
    "organisation.view_body",
    "organisation.view_document",
    "organisation.view_documenttask",
    "organisation.view_contactunit",
    "inspection.view_visit",
    "activities.view_meeting",
    "activities.view_lecture",
    "liaison.view_household",
    "selection.view_nomination",
]
ROLE_PERMISSIONS[CLERK] += [
    *_CAMPAIGN_VIEW,
    "activities.add_meeting",
    "activities.add_lecture",
    "liaison.add_household",
    "selection.change_call",
]
ROLE_PERMISSIONS[UNIT_HANDLER] += [*_CAMPAIGN_VIEW, "liaison.add_household"]
ROLE_PERMISSIONS[LEADER] += [*_CAMPAIGN_VIEW, "selection.review_nomination"]
ROLE_PERMISSIONS[SUPERVISOR] += [
    *_CAMPAIGN_VIEW,
    "inspection.add_visit",
    "selection.review_nomination",
]


def sync_role_groups(apps=None) -> None:
    """Create the role groups and give them exactly their permissions. Safe to run
    again; used by the data migration (with historical `apps`) and by tests."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrations; make sure they exist now.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=apps)
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=ROLE_GROUPS[role])
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            # A right of an app whose tables come in a later migration: that
            # app's migration syncs the roles again (see sheets 0002).
            if permission is not None:
                wanted.append(permission)
        if role == ADMINISTRATOR:
            wanted = list(Permission.objects.all())
        group.permissions.set(wanted)
