"""The dashboard: who may see it, and that every figure it shows is the ledger's."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shishi.categories.services import category_create
from shishi.intake.models import AppealStatus
from shishi.intake.services import appeal_submit
from shishi.ledger.models import LedgerItem
from shishi.ledger.services import item_claim, progress_report_submit

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard:index")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def submit(title="路灯不亮", channel="hotline", days_ago=0, **kwargs):
    received = timezone.now() - dt.timedelta(days=days_ago)
    return appeal_submit(title=title, channel=channel, received_at=received, **kwargs)


def panel(html: str, key: str) -> str:
    """The HTML of one chart card."""
    start = html.index(f'aria-labelledby="{key}-title"')
    return html[start : html.index("</section>", start)]


def table_rows(html: str, key: str) -> dict[str, int]:
    """The chart's table as {label: count}."""
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th><td class="num nums">([\d,]+)</td>', panel(html, key)
    )
    return {label: int(value.replace(",", "")) for label, value in rows if label != "Total"}


def chart(html: str, key: str) -> ET.Element:
    svg = re.search(r"<svg.*?</svg>", panel(html, key), re.S).group(0)
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def chart_values(html: str, key: str) -> dict[str, int]:
    root = chart(html, key)
    return {
        g.find(f"{SVG}title").text.rsplit(": ", 1)[0]: int(
            g.find(f"{SVG}rect[@class='bar']").get("data-value")
        )
        for g in root.iter(f"{SVG}g")
    }


def figure(html: str, label: str) -> str:
    """The value shown under one key figure's label."""
    match = re.search(
        rf"<dt>{re.escape(label)}</dt>\s*<dd class=\"figure-value[^\"]*\">([^<]*)</dd>", html
    )
    return match.group(1)


# ------------------------------------------------------------------- rights


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_resident_may_not_see_the_dashboard(client, alice):
    client.force_login(alice)
    assert client.get(DASHBOARD).status_code == 403


@pytest.mark.parametrize("person", ["bob", "carol", "dave", "erin"])
def test_every_staff_role_that_views_the_ledger_sees_it(client, person, request):
    client.force_login(request.getfixturevalue(person))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "<h1>Dashboard</h1>" in response.text


def test_the_dashboard_is_read_only(client, bob):
    client.force_login(bob)
    assert client.post(DASHBOARD).status_code == 405


# ------------------------------------------------------------------ appeals


def test_appeals_by_channel_count_each_channel(client, bob):
    submit(channel="hotline")
    submit(channel="hotline", title="井盖破损")
    submit(channel="web", title="学位紧张")
    client.force_login(bob)
    html = client.get(DASHBOARD).text
    assert table_rows(html, "appeals-channel") == {"hotline": 2, "web": 1}
    assert chart_values(html, "appeals-channel") == {"hotline": 2, "web": 1}
    assert figure(html, "Appeals received") == "3"


def test_appeals_by_category_roll_up_to_the_top_level(client, bob):
    city = category_create(name="城乡建设", code="city")
    roads = category_create(name="道路", code="roads", parent=city)
    lights = category_create(name="路灯", code="lights", parent=roads)
    school = category_create(name="教育", code="school")
    submit(category=lights)
    submit(category=roads)
    submit(category=city)
    submit(category=school)
    submit()
    client.force_login(bob)
    html = client.get(DASHBOARD).text
    assert table_rows(html, "appeals-category") == {
        "城乡建设": 3,
        "教育": 1,
        "Not categorised yet": 1,
    }


def test_appeals_by_status_list_every_status(client, bob):
    submit()
    client.force_login(bob)
    rows = table_rows(client.get(DASHBOARD).text, "appeals-status")
    assert rows["received"] == 1
    assert rows["triaged"] == 0
    assert len(rows) == len(AppealStatus.choices)  # 7 with "dispatched" (work orders)


def test_a_category_name_is_escaped_in_chart_and_table(client, bob):
    submit(category=category_create(name="<b>x</b>", code="bold"))
    client.force_login(bob)
    html = client.get(DASHBOARD).text
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert chart_values(html, "appeals-category") == {"<b>x</b>": 1}


def test_the_period_filter_counts_only_appeals_received_in_it(client, bob, category):
    submit(days_ago=40, title="旧诉求", category=category)
    submit(days_ago=5, channel="web", category=category)
    submit(days_ago=1, channel="web")
    today = timezone.localdate()
    client.force_login(bob)
    since = (today - dt.timedelta(days=10)).isoformat()
    response = client.get(DASHBOARD, {"received_from": since, "received_to": today.isoformat()})
    assert table_rows(response.text, "appeals-channel") == {"web": 2}
    assert table_rows(response.text, "appeals-category") == {
        category.name: 1,
        "Not categorised yet": 1,
    }
    assert table_rows(response.text, "appeals-status")["received"] == 2
    assert "2 appeals received from" in response.text
    until = (today - dt.timedelta(days=2)).isoformat()
    response = client.get(DASHBOARD, {"received_to": until})
    assert table_rows(response.text, "appeals-channel") == {"hotline": 1, "web": 1}


def test_an_invalid_period_is_pointed_out_and_ignored(client, bob):
    submit(days_ago=40)
    submit(days_ago=1)
    client.force_login(bob)
    response = client.get(DASHBOARD, {"received_from": "not a date"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.text
    assert figure(response.text, "Appeals received") == "2"

    since = timezone.localdate() - dt.timedelta(days=2)
    response = client.get(
        DASHBOARD, {"received_from": since.isoformat(), "received_to": "2000-01-01"}
    )
    assert "The end of the period is before its start." in response.text
    assert figure(response.text, "Appeals received") == "1"  # only the start is kept


def test_no_appeals_shows_a_message_not_an_empty_chart(client, bob):
    client.force_login(bob)
    html = client.get(DASHBOARD).text
    assert "No appeals were received in this period." in panel(html, "appeals-channel")
    assert "The figures as a table" not in panel(html, "appeals-channel")


# -------------------------------------------------------------------- items


def test_reporting_rate_with_no_active_item_is_no_data(client, bob, make_item):
    make_item()  # open, not claimed: no report is due
    client.force_login(bob)
    html = client.get(DASHBOARD).text
    assert re.search(r"Reporting rate, week \d{4}-W\d\d</dt>", html)
    assert "No data" in html
    assert "No item is under way, so no report is due this week." in html
    assert not re.search(r"<dd class=\"figure-value nums\">(0|100)%", html)


def test_reporting_rate_counts_active_items_with_a_report_this_week(
    client, bob, carol, dave, district, make_item
):
    reported = item_claim(item=make_item(), actor=dave, lead_unit=district["education"])
    progress_report_submit(item=reported, actor=carol, percent=30)
    item_claim(item=make_item(title="未报"), actor=dave, lead_unit=district["education"])
    item_claim(item=make_item(title="也未报"), actor=dave, lead_unit=district["education"])
    make_item(title="未领")
    client.force_login(bob)
    html = client.get(DASHBOARD).text
    # One of three: rounded down, never up.
    assert re.search(r"Reporting rate, week [^<]*</dt>\s*<dd[^>]*>33%</dd>", html)
    assert "1 of 3 items under way have reported this week. Not reported yet: 2." in html
    assert figure(html, "Items under way") == "3"


def test_a_report_of_an_earlier_week_does_not_count_for_this_one(client, bob, carol, claimed_item):
    last_week = timezone.localdate() - dt.timedelta(days=7)
    progress_report_submit(item=claimed_item, actor=carol, percent=10, week=last_week)
    client.force_login(bob)
    assert "0 of 1 items under way have reported" in client.get(DASHBOARD).text


def test_progress_distribution_buckets_the_latest_percent(
    client, bob, carol, dave, district, make_item
):
    lead = district["education"]
    percents = {"a": 0, "b": 24, "c": 25, "d": 49, "e": 74, "f": 99, "g": 100}
    for title, percent in percents.items():
        item = item_claim(item=make_item(title=title), actor=dave, lead_unit=lead)
        progress_report_submit(item=item, actor=carol, percent=percent)
    corrected = item_claim(item=make_item(title="corrected"), actor=dave, lead_unit=lead)
    last_week = timezone.localdate() - dt.timedelta(days=7)
    progress_report_submit(item=corrected, actor=carol, percent=80, week=last_week)
    progress_report_submit(item=corrected, actor=carol, percent=10, week=last_week)  # a correction
    item_claim(item=make_item(title="silent"), actor=dave, lead_unit=lead)
    make_item(title="not under way")
    client.force_login(bob)
    html = client.get(DASHBOARD).text
    assert table_rows(html, "items-progress") == {
        "0–24%": 3,
        "25–49%": 2,
        "50–74%": 1,
        "75–99%": 1,
        "100%": 1,
        "No report yet": 1,
    }


def test_items_by_status_and_overdue(client, bob, claimed_item, make_item):
    make_item(open_it=False, title="草稿")
    late = make_item(title="逾期")
    LedgerItem.objects.filter(pk=late.pk).update(deadline=timezone.now() - dt.timedelta(days=1))
    client.force_login(bob)
    html = client.get(DASHBOARD).text
    rows = table_rows(html, "items-status")
    assert (rows["draft"], rows["open"], rows["claimed"], rows["settled"]) == (1, 1, 1, 0)
    assert figure(html, "Overdue items") == "1"
    assert "?overdue=on" in html


def test_every_chart_on_the_page_is_well_formed(client, bob, claimed_item):
    submit()
    client.force_login(bob)
    html = client.get(DASHBOARD).text
    for key in [
        "items-status",
        "items-progress",
        "appeals-channel",
        "appeals-category",
        "appeals-status",
    ]:
        root = chart(html, key)
        assert root.get("role") == "img" and root.get("aria-label")


# ------------------------------------------------------------------ queries


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_data(
    client, bob, carol, dave, district, make_item, django_assert_max_num_queries
):
    client.force_login(bob)
    before = _queries(client)
    parent = category_create(name="城建", code="cj")
    for i in range(40):
        child = category_create(name=f"子类{i}", code=f"cj{i}", parent=parent)
        submit(title=f"诉求{i}", channel=["hotline", "web", "visit"][i % 3], category=child)
    for i in range(35):
        item = item_claim(
            item=make_item(title=f"事项{i}"), actor=dave, lead_unit=district["education"]
        )
        if i % 2:
            progress_report_submit(item=item, actor=carol, percent=i * 2)
    assert _queries(client) == before
    # 15, and 4 for the work orders (by state, per unit: shishi.workorders).
    with django_assert_max_num_queries(19):
        client.get(DASHBOARD)
