"""The supervisors' lists: items awaiting verification (清账) and overdue items (督办)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shishi.ledger.models import iso_week_label, week_start
from shishi.ledger.services import item_submit_for_verification, progress_report_submit

from .helpers import make_overdue, png

pytestmark = pytest.mark.django_db

VERIFICATION = reverse("dispatch:verification")
OVERDUE = reverse("dispatch:overdue")


def _numbers(response) -> list[str]:
    return [item.number for item in response.context["page"].object_list]


# ---------------------------------------------------------------- rights


@pytest.mark.parametrize("url", [VERIFICATION, OVERDUE])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [VERIFICATION, OVERDUE])
@pytest.mark.parametrize("who", ["alice", "bob", "carol", "dave"])
def test_only_supervisors_see_them(client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [VERIFICATION, OVERDUE])
def test_a_supervisor_sees_them(client, erin, url):
    client.force_login(erin)
    assert client.get(url).status_code == 200


# ------------------------------------------------------------ verification


def test_lists_items_awaiting_verification_longest_waiting_first(
    client, make_item, claim, carol, dave, erin
):
    first, second, working = (claim(make_item(title=t)) for t in ["先提交", "后提交", "进行中"])
    for item in (first, second, working):
        progress_report_submit(
            item=item, actor=carol, percent=100, actuals={"新增学位": 6360}, narrative="全部完工"
        )
    progress_report_submit(item=first, actor=carol, percent=100, files=[png()])
    # The later number is submitted first: waiting time, not number, sets the order.
    item_submit_for_verification(item=second, actor=dave)
    item_submit_for_verification(item=first, actor=dave)

    client.force_login(erin)
    response = client.get(VERIFICATION)
    assert _numbers(response) == [second.number, first.number]
    rows = {item.number: item for item in response.context["page"].object_list}
    assert rows[first.number].evidence_count == 1 and not rows[second.number].evidence_count
    assert rows[second.number].latest_percent == 100
    assert rows[second.number].submitted_at <= rows[first.number].submitted_at
    html = response.text
    assert "全部完工" in html and "6360/6360 个" in html and "进行中" not in html
    assert reverse("dispatch:item", args=[first.number]) in html


def test_verification_makes_a_bounded_number_of_queries(
    client, make_item, claim, carol, dave, erin, settings, django_assert_max_num_queries
):
    settings.SHISHI_PAGE_SIZE = 40
    for i in range(31):
        item = claim(make_item(title=f"事项{i}"))
        progress_report_submit(item=item, actor=carol, percent=100, actuals={"新增学位": 6360})
        item_submit_for_verification(item=item, actor=dave)
    client.force_login(erin)
    with django_assert_max_num_queries(12):
        response = client.get(VERIFICATION)
    assert len(_numbers(response)) == 31


# ------------------------------------------------------------ overdue


def test_lists_overdue_items_most_overdue_first(client, make_item, claim, carol, erin):
    a_little = make_overdue(claim(make_item(title="逾期两天")), days=2)
    very = make_overdue(make_item(title="逾期十天"), days=10)  # open, never claimed
    make_item(title="按期事项")
    draft_late = make_overdue(make_item(title="草稿逾期", open_it=False), days=30)
    progress_report_submit(item=a_little, actor=carol, percent=30)

    client.force_login(erin)
    response = client.get(OVERDUE)
    assert _numbers(response) == [very.number, a_little.number]
    rows = {item.number: item for item in response.context["page"].object_list}
    assert rows[very.number].days_overdue == 10 and rows[a_little.number].days_overdue == 2
    html = response.text
    assert "按期事项" not in html and draft_late.title not in html
    assert "戴夫" in html and "30%" in html
    assert iso_week_label(week_start(timezone.localdate())) in html
    assert "Not claimed yet" in html


def test_overdue_makes_a_bounded_number_of_queries(
    client, make_item, claim, carol, erin, settings, django_assert_max_num_queries
):
    settings.SHISHI_PAGE_SIZE = 40
    for i in range(31):
        item = make_overdue(claim(make_item(title=f"事项{i}")), days=i + 1)
        if i % 2:
            progress_report_submit(item=item, actor=carol, percent=i)
    client.force_login(erin)
    with django_assert_max_num_queries(12):
        response = client.get(OVERDUE)
    assert len(_numbers(response)) == 31
