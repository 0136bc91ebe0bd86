"""The public pages: the ledger (公示), one item, appeal tracking."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shishi.categories.services import category_create
from shishi.intake.services import appeal_accept, appeal_answer, appeal_reject, appeal_submit
from shishi.ledger.models import ItemStatus, LedgerItem
from shishi.ledger.services import (
    TargetSpec,
    followup_record,
    item_cancel,
    item_settle,
    item_submit_for_verification,
    item_suspend,
    progress_report_submit,
)

pytestmark = pytest.mark.django_db

LEDGER = reverse("public:ledger")


@pytest.fixture(autouse=True)
def english(settings):
    # The assertions read the English msgids; the default language is Chinese,
    # whose catalogue translators fill in.
    settings.LANGUAGE_CODE = "en"


def _make_overdue(item: LedgerItem) -> LedgerItem:
    # Deadlines in the past cannot be set through the services (rightly);
    # time passing is what makes an item overdue.
    LedgerItem.objects.filter(pk=item.pk).update(deadline=timezone.now() - dt.timedelta(days=1))
    item.refresh_from_db()
    return item


# ---------------------------------------------------------------- the ledger


def test_ledger_lists_open_items_and_not_drafts(client, make_item):
    make_item(title="新增中小学学位")
    make_item(title="草稿不公开", open_it=False)
    response = client.get(LEDGER)
    assert response.status_code == 200
    assert "新增中小学学位" in response.text
    assert "草稿不公开" not in response.text


def test_ledger_shows_owner_lead_unit_targets_vs_actuals_and_percent(
    client, claimed_item, carol, district
):
    progress_report_submit(item=claimed_item, actor=carol, percent=45, actuals={"新增学位": 3100})
    response = client.get(LEDGER)
    html = response.text
    assert "戴夫" in html  # the owner
    assert district["education"].name in html
    assert "新增学位" in html
    assert "3100/6360 个" in html
    assert "45%" in html
    assert claimed_item.number in html


def test_ledger_flags_overdue_items_only(client, make_item):
    late = _make_overdue(make_item(title="逾期的事项"))
    make_item(title="按期的事项")
    response = client.get(LEDGER)
    rows = response.text.split("<tr")
    late_row = next(r for r in rows if late.title in r)
    timely_row = next(r for r in rows if "按期的事项" in r)
    assert "is-overdue" in late_row and "flag-overdue" in late_row
    assert "is-overdue" not in timely_row and "flag-overdue" not in timely_row
    assert response.context["summary"]["overdue"] == 1


def test_ledger_filters_by_category_unit_status_kind_overdue_and_title(
    client, make_item, claimed_item, district, dave
):
    roads = category_create(name="城市建设", code="roads")
    other = make_item(title="改造老旧道路", category=roads)
    late = _make_overdue(make_item(title="消除积水点", kind="hazard", targets=[]))

    def titles(**params):
        response = client.get(LEDGER, params)
        assert response.status_code == 200
        return {item.title for item in response.context["page"].object_list}

    assert titles(category=roads.pk) == {other.title}
    assert titles(lead_unit=district["education"].pk) == {claimed_item.title}
    assert titles(status=ItemStatus.CLAIMED) == {claimed_item.title}
    assert titles(kind="hazard") == {late.title}
    assert titles(overdue="on") == {late.title}
    assert titles(q="道路") == {other.title}
    assert titles(q=other.number) == {other.title}
    # A stale or forged filter value is ignored, not an error.
    assert len(titles(category="not-a-number", status="draft")) == 3


def test_ledger_filter_form_offers_only_units_that_lead_public_items(
    client, claimed_item, district
):
    response = client.get(LEDGER)
    units = list(response.context["form"].fields["lead_unit"].queryset)
    assert units == [district["education"]]


def test_ledger_is_paginated(client, make_item, settings):
    settings.SHISHI_PAGE_SIZE = 2
    for n in range(5):
        make_item(title=f"事项{n}")
    first = client.get(LEDGER)
    assert len(first.context["page"].object_list) == 2
    assert first.context["page"].paginator.num_pages == 3
    assert 'rel="next"' in first.text
    last = client.get(LEDGER, {"page": 3, "kind": "project"})
    assert [i.title for i in last.context["page"].object_list] == ["事项4"]
    # The page links keep the filters.
    assert "kind=project" in last.text and 'rel="prev"' in last.text
    assert client.get(LEDGER, {"page": "999"}).status_code == 200


def test_ledger_query_count_does_not_grow_with_items(
    client, make_item, dave, district, carol, django_assert_max_num_queries, settings
):
    from shishi.ledger.services import item_claim

    def add_items(n):
        for i in range(n):
            item = make_item(
                title=f"事项{LedgerItem.objects.count()}-{i}",
                targets=[TargetSpec("甲", "个", 10), TargetSpec("乙", "米", 20)],
            )
            item = item_claim(item=item, actor=dave, lead_unit=district["education"])
            progress_report_submit(item=item, actor=carol, percent=10, actuals={"甲": 1})

    settings.SHISHI_PAGE_SIZE = 100
    add_items(2)
    with django_assert_max_num_queries(6) as few:
        assert client.get(LEDGER).status_code == 200
    add_items(10)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(LEDGER)
    assert len(response.context["page"].object_list) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


# ------------------------------------------------------------ one item's page


def test_item_page_shows_targets_owner_units_and_reports(client, claimed_item, carol, district):
    claimed_item.cooperating_units.add(district["street"])
    progress_report_submit(item=claimed_item, actor=carol, percent=30, actuals={"新增学位": 1000})
    progress_report_submit(
        item=claimed_item, actor=carol, percent=35, actuals={"新增学位": 1200}, narrative="更正数字"
    )
    response = client.get(reverse("public:item", args=[claimed_item.number]))
    html = response.text
    assert response.status_code == 200
    assert "1200 / 6360 个" in html
    assert "19%" in html  # 1200 / 6360
    assert "戴夫" in html
    assert district["education"].name in html and district["street"].name in html
    # Only the current version of the week's report, marked as a correction.
    assert len(response.context["reports"]) == 1
    assert "badge-corrected" in html
    assert "更正数字" in html


def test_item_page_timeline_tells_claim_settle_and_reasons(
    client, claimed_item, carol, dave, erin, bob, make_item
):
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item_submit_for_verification(item=claimed_item, actor=dave, note="已全部完成")
    item_settle(item=claimed_item, actor=erin, evidence="现场核验 6360 个学位")
    response = client.get(reverse("public:item", args=[claimed_item.number]))
    events = [e.event for e in response.context["timeline"]]
    assert events == ["created", "opened", "claimed", "report", "status", "status", "settled"]
    claim = response.context["timeline"][2]
    assert claim.owner == dave and claim.actor == dave
    html = response.text
    assert "Claimed: 戴夫 is the responsible leader and 区教育局 the lead unit." in html
    assert "Settled after verification by 艾琳." in html
    assert "已全部完成" in html

    suspended = make_item(title="暂缓的事项")
    long_reason = "资金未到位，" * 30  # longer than the 100 characters the history keeps
    item_suspend(item=suspended, actor=erin, reason=long_reason)
    item_cancel(item=suspended, actor=erin, reason="规划调整")
    response = client.get(reverse("public:item", args=[suspended.number]))
    reasons = [e.reason for e in response.context["timeline"] if e.event == "status"]
    assert reasons == [long_reason.strip(), "规划调整"]
    assert "Reason:" in response.text


def test_item_page_shows_appeal_count_and_followups_but_no_submitter_data(
    client, claimed_item, bob, carol, dave, erin
):
    appeal = appeal_submit(
        title="孩子上学远",
        body="我家住在建设路 8 号，孩子每天要走很远",
        channel="hotline",
        submitter_name="张三丰",
        submitter_phone="13800138000",
        submitter_email="zhang@example.com",
    )
    appeal = appeal_accept(appeal=appeal, actor=bob, item=claimed_item)
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item_submit_for_verification(item=claimed_item, actor=dave)
    item_settle(item=claimed_item, actor=erin, evidence="现场核验")
    followup_record(
        item=claimed_item, actor=erin, appeal=appeal, result="satisfied", note="张三丰很满意"
    )
    followup_record(item=claimed_item, actor=erin, result="dissatisfied")
    response = client.get(reverse("public:item", args=[claimed_item.number]))
    html = response.text
    assert response.context["appeal_count"] == 1
    assert "answers 1 appeal" in html
    assert response.context["followups"].satisfied_percent == 50
    for secret in [
        "张三丰",
        "13800138000",
        "zhang@example.com",
        "建设路 8 号",
        appeal.tracking_number,
    ]:
        assert secret not in html


def test_draft_item_is_404(client, make_item):
    draft = make_item(open_it=False)
    response = client.get(reverse("public:item", args=[draft.number]))
    assert response.status_code == 404
    assert draft.title not in response.text
    assert "404.html" in [t.name for t in response.templates]  # the site's friendly page


def test_unknown_item_is_404(client, db):
    assert client.get(reverse("public:item", args=["SS-1999-0001"])).status_code == 404


# ------------------------------------------------------------ appeal tracking


@pytest.fixture
def appeal(db):
    return appeal_submit(
        title="路灯不亮",
        body="我家门口建设路 12 号的路灯坏了三个月",
        channel="web",
        submitter_name="李四光",
        submitter_phone="13912345678",
        submitter_email="lisi@example.com",
    )


def test_track_form_finds_a_number_case_insensitively(client, appeal):
    typed = f"  {appeal.tracking_number.lower()} "
    response = client.get(reverse("public:track"), {"number": typed}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(
        "public:track_detail", args=[appeal.tracking_number]
    )
    assert "路灯不亮" in response.text
    lower = client.get(reverse("public:track_detail", args=[appeal.tracking_number.lower()]))
    assert lower.status_code == 302


def test_track_page_never_shows_contact_data_or_text(client, appeal):
    response = client.get(reverse("public:track_detail", args=[appeal.tracking_number]))
    html = response.text
    assert response.status_code == 200
    for secret in ["李四光", "13912345678", "lisi@example.com", "建设路 12 号", appeal.body]:
        assert secret not in html


def test_track_page_shows_answer(client, appeal, bob):
    appeal_answer(appeal=appeal, actor=bob, answer="已安排维修，三日内修复")
    response = client.get(reverse("public:track_detail", args=[appeal.tracking_number]))
    assert "已安排维修，三日内修复" in response.text
    assert "Answer" in response.text and not response.context["note_is_reason"]


def test_track_page_shows_rejection_reason(client, appeal, bob):
    appeal_reject(appeal=appeal, actor=bob, reason="不属于本区管辖")
    response = client.get(reverse("public:track_detail", args=[appeal.tracking_number]))
    assert "不属于本区管辖" in response.text
    assert response.context["note_is_reason"]


def test_track_page_links_the_item_and_its_progress(client, appeal, bob, claimed_item, carol):
    appeal_accept(appeal=appeal, actor=bob, item=claimed_item)
    progress_report_submit(item=claimed_item, actor=carol, percent=60)
    response = client.get(reverse("public:track_detail", args=[appeal.tracking_number]))
    assert reverse("public:item", args=[claimed_item.number]) in response.text
    assert "60%" in response.text


def test_track_page_does_not_link_a_draft_item(client, appeal, bob, make_item):
    draft = make_item(open_it=False, title="尚在起草")
    appeal_accept(appeal=appeal, actor=bob, item=draft)
    response = client.get(reverse("public:track_detail", args=[appeal.tracking_number]))
    assert response.status_code == 200
    assert draft.number not in response.text and "尚在起草" not in response.text


def test_unknown_tracking_number_is_a_friendly_404(client, db):
    response = client.get(reverse("public:track_detail", args=["210101-ZZZZZZ"]))
    assert response.status_code == 404
    assert "210101-ZZZZZZ" in response.text
    assert 'name="number"' in response.text


def test_empty_tracking_number_shows_the_form_again(client, db):
    response = client.get(reverse("public:track"), {"number": "   "})
    assert response.status_code == 400
    assert response.context["form"].errors


# ---------------------------------------------------------------- the layout


def test_pages_have_language_switch_and_no_external_assets(client, db):
    html = client.get(LEDGER).text
    assert reverse("set_language") in html
    assert 'name="language" value="en"' in html
    assert "http://" not in html and "https://" not in html
    # The only script is our own copy of htmx; the pages work without it.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all('src="/static/shishi/vendor/' in tag for tag in scripts)


def test_admin_link_only_for_staff(client, bob, alice):
    assert reverse("admin:index") not in client.get(LEDGER).text
    client.force_login(alice)
    assert reverse("admin:index") not in client.get(LEDGER).text
    client.force_login(bob)
    assert reverse("admin:index") in client.get(LEDGER).text


def test_chinese_by_default_and_english_on_request(client, make_item, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    make_item()
    assert '<html lang="zh-hans">' in client.get(LEDGER).text
    # The browser's language does not switch it; the language switch does.
    response = client.get(LEDGER, headers={"accept-language": "en"})
    assert '<html lang="zh-hans">' in response.text
    response = client.post(reverse("set_language"), {"language": "en", "next": LEDGER})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(LEDGER).text


@pytest.mark.parametrize("typed", ["A/B", "A?B", "A%B", "../x", "号码"])
def test_track_form_refuses_signs_a_tracking_number_cannot_hold(client, typed):
    # Issue 18: /track/?number=A/B was a 500 (the redirect's URL did not route).
    response = client.get(reverse("public:track"), {"number": typed})
    assert response.status_code == 400
    assert "letters, digits and hyphens" in response.text or "字母、数字" in response.text
