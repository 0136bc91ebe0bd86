"""The dispatch catalogue: the most specific rule wins, the model comes after,
and an import checks every row before storing anything."""

import pytest
from django.core.exceptions import PermissionDenied

from shishi.categories.services import category_create
from shishi.org.services import unit_create, user_create
from shishi.workorders.catalogue import (
    catalogue_import,
    catalogue_rule_for,
    dispatch_suggestions,
)
from shishi.workorders.models import CatalogueRule


@pytest.fixture
def admin_user(db):
    return user_create(username="root", full_name="管理员", roles=["administrator"])


def test_the_most_specific_rule_wins(make_appeal, category, district):
    child = category_create(name="路灯", code="lights", parent=category)
    other_street = unit_create(name="秦岭路街道", kind="street", parent=district["district"])
    CatalogueRule.objects.create(category=category, place=None, unit=district["education"])
    appeal = make_appeal(category=child, community=district["community"])
    assert catalogue_rule_for(appeal).unit == district["education"]
    CatalogueRule.objects.create(
        category=category, place=district["street"], unit=district["transport"]
    )
    CatalogueRule.objects.create(category=category, place=other_street, unit=district["education"])
    assert catalogue_rule_for(appeal).unit == district["transport"]
    # A rule for the subcategory anywhere beats the parent category's street rule.
    CatalogueRule.objects.create(category=child, place=None, unit=district["street"])
    assert catalogue_rule_for(appeal).unit == district["street"]
    suggestions = dispatch_suggestions(appeal)
    assert suggestions[0].source == "catalogue" and suggestions[0].unit == district["street"]


def test_no_rule_no_catalogue_suggestion(make_appeal):
    appeal = make_appeal()
    assert catalogue_rule_for(appeal) is None
    assert [s for s in dispatch_suggestions(appeal) if s.source == "catalogue"] == []


def _csv(tmp_path, text):
    path = tmp_path / "catalogue.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_import_stores_rules_once(tmp_path, admin_user, category, district):
    path = _csv(
        tmp_path,
        "类别,街道/社区,主办单位\n教育优先,,区教育局\neducation,林山寨街道,区城建局\n",
    )
    report = catalogue_import(path, name="catalogue.csv", actor=admin_user)
    assert report.ok and report.created == 2
    assert CatalogueRule.objects.get(place=district["street"]).unit == district["transport"]
    again = catalogue_import(path, name="catalogue.csv", actor=admin_user)
    assert again.created == 0 and again.skipped == 2
    assert CatalogueRule.objects.count() == 2
    assert CatalogueRule.history.count() == 2


def test_import_with_a_bad_row_stores_nothing_and_names_the_row(
    tmp_path, admin_user, category, district
):
    path = _csv(
        tmp_path,
        "类别,街道/社区,主办单位\n教育优先,,区教育局\n教育优先,建设路社区,区水利局\n无此类别,,区教育局\n",
    )
    report = catalogue_import(path, name="catalogue.csv", actor=admin_user)
    assert not report.ok
    assert [(e.row, e.column, e.value) for e in report.errors] == [
        (3, "主办单位", "区水利局"),
        (4, "类别", "无此类别"),
    ]
    assert "第 3 行" in str(report.errors[0])
    assert not CatalogueRule.objects.exists()


def test_import_refuses_two_units_for_one_rule(tmp_path, admin_user, category, district):
    path = _csv(tmp_path, "类别,主办单位\n教育优先,区教育局\n教育优先,区城建局\n")
    report = catalogue_import(path, name="catalogue.csv", actor=admin_user)
    assert report.error_count == 1 and "Row 2" in report.errors[0].message
    assert not CatalogueRule.objects.exists()


def test_import_needs_the_right(tmp_path, bob, category, district):
    path = _csv(tmp_path, "类别,主办单位\n教育优先,区教育局\n")
    with pytest.raises(PermissionDenied):
        catalogue_import(path, name="catalogue.csv", actor=bob)
