import datetime as dt

import pytest
from django.urls import reverse

from shishi.inspection.models import Visit
from shishi.inspection.services import group_create, plan_set, round_create
from shishi.ledger.models import ItemKind, LedgerItem

TODAY = dt.date(2021, 5, 10)


@pytest.fixture
def planned(erin, district):
    group = group_create(name="第一巡回指导组", actor=erin)
    round_ = round_create(
        number=1, title="第一轮", starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=13), actor=erin
    )
    plan_set(round=round_, group=group, units=[district["education"]], actor=erin)
    return round_, group


def _post(client, round_, group, unit, **extra):
    data = {
        "round": round_.pk,
        "group": group.pk,
        "unit": unit.pk,
        "visited_on": TODAY.isoformat(),
        "methods": ["documents", "interviews"],
        "summary": "",
        "findings": "",
        **extra,
    }
    return client.post(reverse("inspection:visits"), data)


def test_a_supervisor_records_a_visit_with_findings(client, erin, planned, district, category):
    round_, group = planned
    client.force_login(erin)
    response = _post(
        client,
        round_,
        group,
        district["education"],
        findings="窗口未公示时限\n台账不全",
        category=category.pk,
    )
    assert response.status_code == 302
    assert Visit.objects.count() == 1
    assert LedgerItem.objects.filter(kind=ItemKind.RECTIFICATION).count() == 2


def test_a_visit_outside_the_plan_shows_why_and_stores_nothing(client, erin, planned, district):
    round_, group = planned
    client.force_login(erin)
    response = _post(client, round_, group, district["transport"])
    assert response.status_code == 200
    assert "区城建局" in response.content.decode()
    assert Visit.objects.count() == 0


def test_a_clerk_sees_visits_but_may_not_record_them(client, bob, planned, district):
    round_, group = planned
    client.force_login(bob)
    assert client.get(reverse("inspection:visits")).status_code == 200
    assert _post(client, round_, group, district["education"]).status_code == 403
    assert Visit.objects.count() == 0


def test_a_resident_may_not_see_the_coverage(client, alice):
    client.force_login(alice)
    assert client.get(reverse("inspection:coverage")).status_code == 403


def test_coverage_shows_who_was_missed(client, erin, planned, district):
    client.force_login(erin)
    response = client.get(reverse("inspection:coverage"))
    assert response.status_code == 200
    assert response.context["missed"] >= 1
    [row] = [r for r in response.context["rows"] if r["unit"] == district["education"]]
    assert not row["complete"]


def test_the_visits_export_as_excel(client, erin, planned):
    client.force_login(erin)
    response = client.get(reverse("inspection:visits") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
