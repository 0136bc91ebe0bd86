"""My items (按周调度): the items a handler's units lead or a leader owns, the
ones still missing this week's report first."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shishi.ledger.models import week_start
from shishi.ledger.services import item_claim, progress_report_submit

from .helpers import make_overdue

pytestmark = pytest.mark.django_db

MY_ITEMS = reverse("dispatch:my_items")


def _numbers_in_order(response) -> list[str]:
    return [item.number for item in response.context["page"].object_list]


# ---------------------------------------------------------------- rights


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(MY_ITEMS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["alice", "bob", "erin"])
def test_people_who_neither_report_nor_claim_are_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(MY_ITEMS).status_code == 403


def test_a_handler_sees_the_items_of_her_unit_and_not_another_units(
    client, claimed_item, carol, hank, make_item, claim, district
):
    other = claim(make_item(title="道路改造"), unit=district["transport"])
    client.force_login(carol)
    response = client.get(MY_ITEMS)
    assert response.status_code == 200
    assert claimed_item.title in response.text
    assert other.title not in response.text

    client.force_login(hank)
    response = client.get(MY_ITEMS)
    assert other.title in response.text and claimed_item.title not in response.text


def test_a_leader_sees_the_items_he_owns_only(client, claimed_item, dave, lena, make_item):
    make_item(title="无人领办")
    client.force_login(dave)
    response = client.get(MY_ITEMS)
    assert claimed_item.title in response.text
    assert "无人领办" not in response.text
    client.force_login(lena)
    assert claimed_item.title not in client.get(MY_ITEMS).text


# ------------------------------------------------------------ what it shows


def test_a_row_says_whether_this_week_is_reported_and_links_the_report(client, claimed_item, carol):
    client.force_login(carol)
    response = client.get(MY_ITEMS)
    assert "Report missing" in response.text
    assert reverse("dispatch:report", args=[claimed_item.number]) in response.text
    assert reverse("dispatch:item", args=[claimed_item.number]) in response.text

    progress_report_submit(item=claimed_item, actor=carol, percent=35)
    response = client.get(MY_ITEMS)
    assert "Report missing" not in response.text
    assert "Reported" in response.text and "35%" in response.text


def test_items_missing_this_weeks_report_come_first(client, make_item, claim, carol):
    soon = timezone.now() + dt.timedelta(days=10)
    reported = claim(make_item(title="已报送", deadline=soon))
    missing_late = claim(make_item(title="缺报晚", deadline=soon + dt.timedelta(days=60)))
    missing_early = claim(make_item(title="缺报早", deadline=soon + dt.timedelta(days=30)))
    not_active = make_item(title="未领账", deadline=soon - dt.timedelta(days=5))
    progress_report_submit(item=reported, actor=carol, percent=50)
    # Last week's report does not count for this week.
    last_monday = week_start(timezone.localdate()) - dt.timedelta(days=7)
    progress_report_submit(item=missing_late, actor=carol, percent=20, week=last_monday)
    # Carol's unit proposed for the unclaimed item, so it is hers too.
    not_active.lead_unit = reported.lead_unit
    not_active.save()

    client.force_login(carol)
    order = _numbers_in_order(client.get(MY_ITEMS))
    assert order == [missing_early.number, missing_late.number, reported.number, not_active.number]


def test_filters_missing_only_overdue_only_and_status(client, make_item, claim, carol):
    reported = claim(make_item(title="已报送"))
    missing = claim(make_item(title="缺报"))
    late = make_overdue(claim(make_item(title="逾期")))
    progress_report_submit(item=reported, actor=carol, percent=50)
    client.force_login(carol)

    assert set(_numbers_in_order(client.get(MY_ITEMS, {"missing": "on"}))) == {
        missing.number,
        late.number,
    }
    assert _numbers_in_order(client.get(MY_ITEMS, {"overdue": "on"})) == [late.number]
    assert _numbers_in_order(client.get(MY_ITEMS, {"status": "in_progress"})) == [reported.number]
    # A stale or forged filter is ignored, not an error.
    response = client.get(MY_ITEMS, {"status": "nonsense"})
    assert response.status_code == 200 and len(_numbers_in_order(response)) == 3


def test_the_list_makes_a_bounded_number_of_queries(
    client, make_item, claim, carol, settings, django_assert_max_num_queries
):
    settings.SHISHI_PAGE_SIZE = 40
    items = [claim(make_item(title=f"事项{i}")) for i in range(32)]
    for item in items[::2]:
        progress_report_submit(item=item, actor=carol, percent=10)
    client.force_login(carol)
    with django_assert_max_num_queries(12):
        response = client.get(MY_ITEMS)
    assert len(response.context["page"].object_list) == 32


def test_pagination_keeps_the_filters(client, make_item, claim, carol, settings):
    settings.SHISHI_PAGE_SIZE = 2
    for i in range(3):
        claim(make_item(title=f"事项{i}"))
    client.force_login(carol)
    response = client.get(MY_ITEMS, {"missing": "on"})
    assert "missing=on&amp;page=2" in response.text
    assert len(client.get(MY_ITEMS, {"missing": "on", "page": 2}).context["page"]) == 1


def test_an_owner_with_a_lead_unit_not_his_sees_it(client, make_item, dave, district):
    item = item_claim(item=make_item(title="交通项目"), actor=dave, lead_unit=district["transport"])
    client.force_login(dave)
    assert item.title in client.get(MY_ITEMS).text
