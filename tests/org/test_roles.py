"""The role groups the migrations leave behind hold exactly the rights roles.py
lists: a misspelt right, or one of an app migrated later, cannot be lost."""

import pytest
from django.contrib.auth.models import Group, Permission

from shishi.org.roles import ADMINISTRATOR, ROLE_GROUPS, ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [r for r in ROLE_PERMISSIONS if r != ADMINISTRATOR])
def test_each_role_holds_exactly_its_rights(role):
    group = Group.objects.get(name=ROLE_GROUPS[role])
    held = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert held == set(ROLE_PERMISSIONS[role])


def test_administrators_hold_every_right_the_apps_define():
    group = Group.objects.get(name=ROLE_GROUPS[ADMINISTRATOR])
    assert group.permissions.count() == Permission.objects.count()
    assert group.permissions.filter(codename="change_summarytemplate").exists()
    assert group.permissions.filter(codename="import_items").exists()
