import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shishi.inspection.models import Finding, PlanEntry, Visit
from shishi.inspection.services import (
    finding_record,
    group_create,
    plan_set,
    round_create,
    visit_record,
)
from shishi.ledger.models import ItemKind, ItemStatus

TODAY = dt.date(2021, 5, 10)


@pytest.fixture
def round_one(db, erin, district):
    group = group_create(name="第一巡回指导组", actor=erin)
    other = group_create(name="第二巡回指导组", actor=erin)
    round_ = round_create(
        number=1,
        title="第一轮巡回指导",
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=14),
        actor=erin,
    )
    plan_set(round=round_, group=group, units=[district["education"]], actor=erin)
    plan_set(round=round_, group=other, units=[district["transport"]], actor=erin)
    return round_, group, other


def test_a_visit_under_the_plan_is_recorded(round_one, district, erin):
    round_, group, _other = round_one
    visit = visit_record(
        round=round_,
        group=group,
        unit=district["education"],
        visited_on=TODAY + dt.timedelta(days=1),
        methods=["documents", "interviews"],
        actor=erin,
    )
    assert visit.plan.unit == district["education"]
    assert visit.methods == ["documents", "interviews"]
    assert visit.history.first().history_user == erin


def test_a_visit_to_a_unit_outside_the_plan_is_refused_and_nothing_stored(
    round_one, district, erin
):
    round_, group, _other = round_one
    with pytest.raises(ValidationError) as error:
        visit_record(
            round=round_,
            group=group,
            unit=district["street"],
            visited_on=TODAY,
            methods=["documents"],
            actor=erin,
        )
    assert "林山寨街道" in str(error.value)
    assert "unit" in error.value.message_dict
    assert Visit.objects.count() == 0


def test_a_visit_by_a_group_the_unit_is_not_planned_for_is_refused(round_one, district, erin):
    round_, group, other = round_one
    with pytest.raises(ValidationError) as error:
        visit_record(
            round=round_,
            group=other,
            unit=district["education"],
            visited_on=TODAY,
            methods=["documents"],
            actor=erin,
        )
    assert "group" in error.value.message_dict
    assert Visit.objects.count() == 0


def test_a_visit_outside_the_round_dates_or_without_method_is_refused(round_one, district, erin):
    round_, group, _other = round_one
    for day, methods, field in [
        (TODAY - dt.timedelta(days=1), ["documents"], "visited_on"),
        (TODAY, [], "methods"),
        (TODAY, ["dancing"], "methods"),
    ]:
        with pytest.raises(ValidationError) as error:
            visit_record(
                round=round_,
                group=group,
                unit=district["education"],
                visited_on=day,
                methods=methods,
                actor=erin,
            )
        assert field in error.value.message_dict
    assert Visit.objects.count() == 0


def test_a_unit_is_planned_once_per_round(round_one, district, erin):
    round_, _group, other = round_one
    with pytest.raises(ValidationError) as error:
        plan_set(round=round_, group=other, units=[district["education"]], actor=erin)
    assert "区教育局" in str(error.value)
    assert PlanEntry.objects.count() == 2


def test_a_finding_opens_a_rectification_item_led_by_the_unit(
    round_one, district, bob, erin, category
):
    round_, group, _other = round_one
    visit = visit_record(
        round=round_,
        group=group,
        unit=district["education"],
        visited_on=TODAY,
        methods=["spot_checks"],
        actor=erin,
    )
    deadline = timezone.now() + dt.timedelta(days=10)
    finding = finding_record(
        visit=visit, text="办事窗口未公示办理时限", category=category, actor=bob, deadline=deadline
    )
    item = finding.item
    assert item.kind == ItemKind.RECTIFICATION
    assert item.status == ItemStatus.OPEN
    assert item.lead_unit == district["education"]
    assert item.deadline == deadline
    assert item.inspection_finding == finding


def test_a_finding_by_someone_who_may_not_open_items_stores_nothing(
    round_one, district, erin, alice, category
):
    round_, group, _other = round_one
    visit = visit_record(
        round=round_,
        group=group,
        unit=district["education"],
        visited_on=TODAY,
        methods=["spot_checks"],
        actor=erin,
    )
    with pytest.raises(PermissionDenied):
        finding_record(visit=visit, text="问题", category=category, actor=alice)
    assert Finding.objects.count() == 0


def test_a_clerk_may_not_record_a_visit(round_one, district, bob):
    round_, group, _other = round_one
    with pytest.raises(PermissionDenied):
        visit_record(
            round=round_,
            group=group,
            unit=district["education"],
            visited_on=TODAY,
            methods=["documents"],
            actor=bob,
        )
    assert Visit.objects.count() == 0
