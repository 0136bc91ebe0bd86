"""The intake desk (梳理): the queue, one appeal and its actions, bulk actions,
and a new item drafted from appeals."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shishi.categories.services import category_create
from shishi.intake.models import Appeal, AppealStatus
from shishi.intake.services import appeal_accept, appeal_reject, appeal_triage
from shishi.ledger.models import ItemStatus, LedgerItem
from shishi.ledger.services import item_cancel
from shishi.org.services import unit_create, user_create

pytestmark = pytest.mark.django_db

QUEUE = reverse("triage:queue")
BULK = reverse("triage:bulk")
ITEM_NEW = reverse("triage:item_new")
SUGGESTIONS = reverse("triage:item_suggestions")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def appeal_url(appeal) -> str:
    return reverse("triage:appeal", args=[appeal.tracking_number])


def numbers(response) -> list[str]:
    return [a.tracking_number for a in response.context["page"].object_list]


def reload(appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if "messages" in response.context else []


# ------------------------------------------------------------------- rights


@pytest.fixture
def urls(make_appeal):
    appeal = make_appeal("路灯不亮")
    return [
        ("get", QUEUE),
        ("get", appeal_url(appeal)),
        ("post", appeal_url(appeal)),
        ("get", f"{ITEM_NEW}?appeals={appeal.pk}"),
        ("post", BULK),
        ("get", f"{SUGGESTIONS}?item=学位"),
    ]


@pytest.mark.parametrize("name", ["alice", "carol", "dave", "erin"])
def test_other_roles_get_403(client, urls, name, request):
    client.force_login(request.getfixturevalue(name))
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, url


def test_anonymous_visitors_go_to_the_login_page(client, urls):
    login = reverse("accounts:login")
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(login), url


def test_clerk_opens_every_page(clerk, urls):
    for method, url in urls:
        if method == "get":
            assert clerk.get(url).status_code == 200, url


def test_bulk_is_post_only(clerk):
    assert clerk.get(BULK).status_code == 405


# ------------------------------------------------------------------- queue


def test_queue_lists_what_is_to_do_oldest_first(clerk, make_appeal, bob, category):
    new = make_appeal("新诉求", days_ago=1)
    old = make_appeal("旧诉求", days_ago=5)
    triaged = appeal_triage(appeal=make_appeal("已分类", days_ago=3), actor=bob, category=category)
    appeal_reject(appeal=make_appeal("已驳回", days_ago=2), actor=bob, reason="重复")
    response = clerk.get(QUEUE)
    assert response.status_code == 200
    assert numbers(response) == [old.tracking_number, triaged.tracking_number, new.tracking_number]
    assert "已驳回" not in response.text
    assert "5 days" in response.text  # the age of the oldest


def test_queue_all_and_single_status_are_newest_first(clerk, make_appeal, bob):
    new = make_appeal(days_ago=1)
    old = make_appeal(days_ago=5)
    rejected = appeal_reject(appeal=make_appeal(days_ago=3), actor=bob, reason="重复")
    assert numbers(clerk.get(QUEUE, {"status": "all"})) == [
        new.tracking_number,
        rejected.tracking_number,
        old.tracking_number,
    ]
    assert numbers(clerk.get(QUEUE, {"status": "rejected"})) == [rejected.tracking_number]


def test_queue_filters_by_channel_category_community_and_dates(
    clerk, make_appeal, bob, category, district
):
    roads = category_create(name="城市建设", code="roads")
    village = unit_create(name="绿东村", kind="village", parent=district["street"])
    web = make_appeal("网上诉求", channel="web", days_ago=10)
    road = appeal_triage(appeal=make_appeal("道路", days_ago=6), actor=bob, category=roads)
    here = make_appeal("社区诉求", community=village, days_ago=2)

    def found(**params):
        return set(numbers(clerk.get(QUEUE, params)))

    assert found(channel="web") == {web.tracking_number}
    assert found(category=roads.pk) == {road.tracking_number}
    assert found(community=village.pk) == {here.tracking_number}
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    assert found(received_from=week_ago.isoformat()) == {road.tracking_number, here.tracking_number}
    assert found(received_to=week_ago.isoformat()) == {web.tracking_number}
    # A stale or forged filter is ignored, not an error.
    assert len(found(category="x", channel="pigeon", received_from="yesterday")) == 3


def test_queue_searches_chinese_substrings_of_title_text_and_number(clerk, make_appeal):
    lamp = make_appeal("建设路路灯不亮", body="晚上八点以后整条路一片漆黑")
    water = make_appeal("小区门口积水", body="每逢下雨门口积水严重")

    def found(q):
        return set(numbers(clerk.get(QUEUE, {"q": q})))

    assert found("路灯") == {lamp.tracking_number}  # title
    assert found("漆黑") == {lamp.tracking_number}  # text
    assert found("积水") == {water.tracking_number}
    assert found(water.tracking_number[-6:].lower()) == {water.tracking_number}
    assert found("停车") == set()


def test_queue_single_character_search_skips_the_text(clerk, make_appeal):
    lamp = make_appeal("路灯不亮", body="漆黑")
    assert set(numbers(clerk.get(QUEUE, {"q": "灯"}))) == {lamp.tracking_number}
    assert numbers(clerk.get(QUEUE, {"q": "黑"})) == []


def test_queue_whole_tracking_number_finds_the_appeal_whatever_its_status(clerk, make_appeal, bob):
    rejected = appeal_reject(appeal=make_appeal(), actor=bob, reason="重复")
    assert numbers(clerk.get(QUEUE, {"q": rejected.tracking_number})) == [rejected.tracking_number]


def test_queue_query_count_does_not_grow_with_rows(
    clerk, make_appeal, bob, category, district, django_assert_max_num_queries, settings
):
    settings.SHISHI_PAGE_SIZE = 40

    def add(count):
        for n in range(count):
            appeal = make_appeal(community=district["community"], address=f"建设路{n}号")
            if n % 2:
                appeal_triage(appeal=appeal, actor=bob, category=category)

    cases = [{}, {"q": "诉求"}, {"status": "all", "category": category.pk}]
    add(2)
    baseline = []
    for params in cases:
        with django_assert_max_num_queries(12) as few:
            clerk.get(QUEUE, params)
        baseline.append(len(few.captured_queries))
    add(33)
    for params, queries in zip(cases, baseline, strict=True):
        with django_assert_max_num_queries(queries):
            response = clerk.get(QUEUE, params)
        assert len(response.context["page"].object_list) >= 17
    response = clerk.get(QUEUE)
    assert len(response.context["page"].object_list) == 35
    assert response.text.count('name="appeals"') == 35


def test_a_search_with_very_many_matches_says_it_shows_only_the_first(
    clerk, make_appeal, monkeypatch
):
    monkeypatch.setattr("shishi.triage.selectors.SEARCH_MAX_RESULTS", 3)
    for _n in range(5):
        make_appeal("路灯不亮")
    response = clerk.get(QUEUE, {"q": "路灯"})
    assert response.context["page"].paginator.count == 3
    assert "More than 3 appeals match" in response.text


def test_queue_is_paginated_and_the_bulk_form_keeps_the_filters(clerk, make_appeal, settings):
    settings.SHISHI_PAGE_SIZE = 2
    for n in range(5):
        make_appeal(f"诉求{n}")
    response = clerk.get(QUEUE, {"channel": "hotline", "page": 2})
    assert response.context["page"].number == 2
    assert 'rel="next"' in response.text
    assert 'name="next" value="/intake/?channel=hotline&amp;page=2"' in response.text


def test_queue_escapes_user_text(clerk, make_appeal):
    make_appeal("<script>alert(1)</script>")
    response = clerk.get(QUEUE)
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


# ---------------------------------------------------------------- one appeal


def test_appeal_page_shows_the_whole_appeal_to_the_clerk(clerk, make_appeal, district):
    appeal = make_appeal(
        "小区门口积水",
        body="每逢下雨，门口积水严重",
        community=district["community"],
        address="建设路1号",
        lat="34.7466",
        lng="113.6253",
        submitter_name="王五",
        submitter_phone="13800001234",
        submitter_email="wang@example.com",
    )
    html = clerk.get(appeal_url(appeal)).text
    for text in [
        "小区门口积水",
        "每逢下雨，门口积水严重",
        "建设路社区",
        "建设路1号",
        "34.746600, 113.625300",
        "hotline",
        "王五",
        "13800001234",
        "wang@example.com",
    ]:
        assert text in html, text
    assert "Received" in html  # the history's first entry


def test_contact_data_needs_its_own_permission(client, make_appeal):
    appeal = make_appeal(submitter_name="王五", submitter_phone="13800001234")
    sorter = user_create(username="sorter", full_name="分拣员")
    sorter.user_permissions.add(
        Permission.objects.get(codename="triage_appeal", content_type__app_label="intake")
    )
    client.force_login(sorter)
    response = client.get(appeal_url(appeal))
    assert response.status_code == 200
    assert "13800001234" not in response.text and "王五" not in response.text
    assert "Submitter" not in response.text


def test_appeal_page_shows_photos_as_thumbnails(clerk, make_appeal, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    appeal = make_appeal(photos=[SimpleUploadedFile("张三身份证.png", PNG)])
    photo = appeal.photos.get()
    html = clerk.get(appeal_url(appeal)).text
    src = reverse("public:appeal_photo", args=[photo.pk])
    assert f'<img src="{src}"' in html
    assert f'alt="Photo 1 of appeal {appeal.tracking_number}"' in html


def test_appeal_page_links_its_item_and_tells_its_history(clerk, make_appeal, make_item, bob):
    item = make_item(title="整治积水点")
    appeal = appeal_accept(appeal=make_appeal(), actor=bob, item=item)
    html = clerk.get(appeal_url(appeal)).text
    assert reverse("dispatch:item", args=[item.number]) in html
    assert f"Item: {item.number}" in html
    assert "Accepted into an item" in html
    assert "鲍勃" in html  # who did it


def test_unknown_tracking_number_is_404_and_lower_case_redirects(clerk, make_appeal):
    assert clerk.get(reverse("triage:appeal", args=["210101-ZZZZZZ"])).status_code == 404
    appeal = make_appeal()
    response = clerk.get(reverse("triage:appeal", args=[appeal.tracking_number.lower()]))
    assert response.status_code == 302 and response.url == appeal_url(appeal)


def test_appeal_page_escapes_user_text(clerk, make_appeal):
    appeal = make_appeal("<script>alert(1)</script>", body="<img src=x onerror=alert(2)>")
    html = clerk.get(appeal_url(appeal)).text
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_the_actions_the_status_allows_are_shown(clerk, make_appeal, bob):
    fresh = clerk.get(appeal_url(make_appeal())).text
    for action in ["triage", "accept", "answer", "reject"]:
        assert f'id="action-{action}"' in fresh
    rejected = appeal_reject(appeal=make_appeal(), actor=bob, reason="重复")
    html = clerk.get(appeal_url(rejected)).text
    assert 'name="action"' not in html
    assert "重复" in html  # the reason


def test_the_category_form_starts_from_the_current_category(clerk, make_appeal, bob, category):
    appeal = appeal_triage(appeal=make_appeal(), actor=bob, category=category)
    form = clerk.get(appeal_url(appeal)).context["forms"]["triage"]
    assert form["category"].value() == category.pk


def test_set_the_category(clerk, make_appeal, category):
    appeal = make_appeal()
    response = clerk.post(appeal_url(appeal), {"action": "triage", "category": category.pk})
    assert response.status_code == 302
    appeal = reload(appeal)
    assert appeal.status == AppealStatus.TRIAGED and appeal.category == category
    assert "is now in the category" in texts(clerk.get(response.url))[0]


def test_set_a_category_no_longer_in_use_is_refused(clerk, make_appeal):
    old = category_create(name="旧分类", code="old")
    old.is_active = False
    old.save()
    appeal = make_appeal()
    response = clerk.post(appeal_url(appeal), {"action": "triage", "category": old.pk})
    assert response.status_code == 200
    assert response.context["forms"]["triage"].errors["category"]
    assert reload(appeal).status == AppealStatus.RECEIVED


def test_merge_into_an_item_by_its_number(clerk, make_appeal, make_item):
    item = make_item()
    appeal = make_appeal()
    response = clerk.post(appeal_url(appeal), {"action": "accept", "item": item.number.lower()})
    assert response.status_code == 302
    appeal = reload(appeal)
    assert appeal.status == AppealStatus.ACCEPTED and appeal.item == item


def test_merge_by_title_lists_the_matches_to_choose_from(clerk, make_appeal, make_item):
    first = make_item(title="改造老旧小区道路")
    second = make_item(title="改造背街小巷")
    make_item(title="新增学位")
    appeal = make_appeal()
    response = clerk.post(appeal_url(appeal), {"action": "accept", "item": "改造"})
    assert response.status_code == 200
    form = response.context["forms"]["accept"]
    assert {i.number for i in form.matches} == {first.number, second.number}
    assert "choose one of the matches" in form.errors["item"][0]
    assert f'name="item" value="{first.number}"' in response.text
    assert reload(appeal).status == AppealStatus.RECEIVED


def test_merge_into_a_finished_item_is_not_offered(clerk, make_appeal, make_item, erin):
    item = item_cancel(item=make_item(), actor=erin, reason="重复立项")
    appeal = make_appeal()
    response = clerk.post(appeal_url(appeal), {"action": "accept", "item": item.number})
    assert response.status_code == 200
    assert "No open item" in response.context["forms"]["accept"].errors["item"][0]
    assert reload(appeal).item is None


def test_answer_directly(clerk, make_appeal):
    appeal = make_appeal()
    response = clerk.post(appeal_url(appeal), {"action": "answer", "answer": "已转交供电公司处理"})
    assert response.status_code == 302
    appeal = reload(appeal)
    assert appeal.status == AppealStatus.ANSWERED and appeal.status_note == "已转交供电公司处理"
    assert appeal.notices.count() == 1


def test_answer_needs_text(clerk, make_appeal):
    appeal = make_appeal()
    response = clerk.post(appeal_url(appeal), {"action": "answer", "answer": "  "})
    assert response.context["forms"]["answer"].errors["answer"]
    assert reload(appeal).status == AppealStatus.RECEIVED


def test_reject_with_a_reason(clerk, make_appeal):
    appeal = make_appeal()
    response = clerk.post(appeal_url(appeal), {"action": "reject", "reason": "不属于本区"})
    assert response.status_code == 302
    appeal = reload(appeal)
    assert appeal.status == AppealStatus.REJECTED and appeal.status_note == "不属于本区"


def test_reject_without_a_reason_says_so_next_to_the_field(clerk, make_appeal):
    appeal = make_appeal()
    response = clerk.post(appeal_url(appeal), {"action": "reject", "reason": ""})
    assert response.status_code == 200
    html = response.text
    # The message sits in the field's error element, which the field points to.
    error = re.search(r'id="id_reason_error"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)<', html)
    assert error and "required" in error.group(1)
    after = reload(appeal)
    assert after.status == AppealStatus.RECEIVED and after.status_note == ""
    assert after.history.count() == 1


def test_an_action_the_status_no_longer_allows_is_refused_with_the_reason(clerk, make_appeal, bob):
    appeal = appeal_reject(appeal=make_appeal(), actor=bob, reason="重复")
    response = clerk.post(appeal_url(appeal), {"action": "answer", "answer": "已处理"}, follow=True)
    assert "Cannot answer" in texts(response)[0]
    assert reload(appeal).status == AppealStatus.REJECTED


def test_item_suggestions_list_open_items(clerk, make_item, erin):
    wanted = make_item(title="改造老旧小区道路")
    gone = item_cancel(item=make_item(title="改造背街小巷"), actor=erin, reason="重复立项")
    html = clerk.get(SUGGESTIONS, {"item": "改造"}).text
    assert f'<option value="{wanted.number}">' in html
    assert gone.number not in html


# ------------------------------------------------------------------- bulk


def test_bulk_set_category_reports_each_refusal_and_does_the_rest(
    clerk, make_appeal, bob, category
):
    first, second = make_appeal(), make_appeal()
    rejected = appeal_reject(appeal=make_appeal(), actor=bob, reason="重复")
    response = clerk.post(
        BULK,
        {
            "appeals": [first.pk, second.pk, rejected.pk],
            "action": "triage",
            "category": category.pk,
            "next": f"{QUEUE}?channel=hotline",
        },
    )
    assert response.status_code == 302 and response.url == f"{QUEUE}?channel=hotline"
    assert reload(first).category == category and reload(second).category == category
    assert reload(rejected).status == AppealStatus.REJECTED
    shown = texts(clerk.get(response.url))
    assert shown[0] == "2 appeals done."
    assert "1 appeal refused" in shown[1]
    assert shown[2].startswith(f"{rejected.tracking_number}: Cannot triage")


def test_bulk_merge_into_an_item(clerk, make_appeal, make_item):
    item = make_item()
    appeals = [make_appeal(), make_appeal()]
    clerk.post(BULK, {"appeals": [a.pk for a in appeals], "action": "accept", "item": item.number})
    assert set(item.appeals.all()) == set(appeals)


def test_bulk_reject_needs_a_reason_and_changes_nothing_without_one(clerk, make_appeal):
    appeals = [make_appeal(), make_appeal()]
    response = clerk.post(BULK, {"appeals": [a.pk for a in appeals], "action": "reject"})
    assert "Give the reason for rejecting." in texts(clerk.get(response.url))[0]
    assert not Appeal.objects.exclude(status=AppealStatus.RECEIVED).exists()
    clerk.post(
        BULK, {"appeals": [a.pk for a in appeals], "action": "reject", "reason": "不属于本区"}
    )
    assert set(Appeal.objects.values_list("status", flat=True)) == {AppealStatus.REJECTED}


def test_bulk_without_a_selection_or_an_action_changes_nothing(clerk, make_appeal, category):
    appeal = make_appeal()
    response = clerk.post(BULK, {"action": "triage", "category": category.pk}, follow=True)
    assert "Select at least one appeal." in " ".join(texts(response))
    response = clerk.post(BULK, {"appeals": [appeal.pk]}, follow=True)
    assert "Choose an action." in " ".join(texts(response))
    assert reload(appeal).status == AppealStatus.RECEIVED


def test_bulk_merge_into_an_unknown_item_changes_nothing(clerk, make_appeal):
    appeal = make_appeal()
    response = clerk.post(
        BULK, {"appeals": [appeal.pk], "action": "accept", "item": "SS-1999-9999"}, follow=True
    )
    assert "No open item has the number" in " ".join(texts(response))
    assert reload(appeal).status == AppealStatus.RECEIVED


def test_bulk_never_redirects_off_site(clerk, make_appeal, category):
    appeal = make_appeal()
    for next_url in ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]:
        response = clerk.post(
            BULK,
            {"appeals": [appeal.pk], "action": "triage", "category": category.pk, "next": next_url},
        )
        assert response.url == QUEUE


def test_bulk_new_item_goes_to_the_draft_form(clerk, make_appeal):
    appeals = [make_appeal(days_ago=3), make_appeal(days_ago=2)]
    response = clerk.post(BULK, {"appeals": [a.pk for a in appeals], "action": "new_item"})
    assert response.status_code == 302
    assert response.url == f"{ITEM_NEW}?appeals={appeals[0].pk}%2C{appeals[1].pk}"


# ------------------------------------------------------- new item from appeals


def item_data(category, **overrides):
    data = {
        "kind": "project",
        "title": "整治建设路积水点",
        "category": category.pk,
        "description": "三处积水点",
        "deadline": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "lead_unit": "",
        "targets-TOTAL_FORMS": "5",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "5",
        "targets-0-name": "整治积水点",
        "targets-0-unit_of_measure": "处",
        "targets-0-target_quantity": "3",
    }
    data.update(overrides)
    return data


@pytest.fixture
def three_appeals(make_appeal, bob, category):
    first = make_appeal("建设路积水", days_ago=3)
    second = appeal_triage(
        appeal=make_appeal("桐柏路积水", days_ago=2), actor=bob, category=category
    )
    third = make_appeal("秦岭路积水", days_ago=1)
    return [first, second, third]


def new_item_url(appeals) -> str:
    return f"{ITEM_NEW}?appeals={','.join(str(a.pk) for a in appeals)}"


def test_new_item_form_is_prefilled_from_the_appeals(clerk, three_appeals, category):
    response = clerk.get(new_item_url(three_appeals))
    form = response.context["form"]
    assert form.initial["title"] == "建设路积水"
    assert form.initial["category"] == category.pk
    for appeal in three_appeals:
        assert appeal.title in form.initial["description"]
        assert appeal.tracking_number in response.text
    assert [k for k, _label in form.fields["kind"].choices] == [
        "project",
        "rectification",
        "enterprise_problem",
        "hazard",
        "claim",
    ]


def test_new_item_from_three_appeals(clerk, three_appeals, category, district, bob):
    response = clerk.post(
        new_item_url(three_appeals),
        item_data(
            category,
            lead_unit=district["transport"].pk,
            **{
                "targets-1-name": "新增排水管",
                "targets-1-unit_of_measure": "米",
                "targets-1-target_quantity": "120.5",
            },
        ),
    )
    item = LedgerItem.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("dispatch:item", args=[item.number])
    assert item.status == ItemStatus.DRAFT and item.created_by == bob
    assert item.title == "整治建设路积水点" and item.lead_unit == district["transport"]
    assert timezone.localtime(item.deadline).date() == timezone.localdate() + dt.timedelta(days=60)
    assert [(t.name, str(t.target_quantity)) for t in item.targets.all()] == [
        ("整治积水点", "3.00"),
        ("新增排水管", "120.50"),
    ]
    for appeal in three_appeals:
        appeal = reload(appeal)
        assert appeal.status == AppealStatus.ACCEPTED and appeal.item == item
        assert appeal.category == category
    assert "started from 3 appeals" in texts(clerk.get(QUEUE))[0]


def test_new_item_without_a_deadline_gets_the_kinds_default(clerk, three_appeals, category):
    clerk.post(new_item_url(three_appeals), item_data(category, kind="hazard", deadline=""))
    item = LedgerItem.objects.get()
    assert item.kind == "hazard"
    assert dt.timedelta(days=6) < item.deadline - timezone.now() <= dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat()}, "deadline"),
        ({"title": "  "}, "title"),
        ({"kind": "unknown"}, "kind"),
        ({"targets-0-target_quantity": "-3"}, None),
    ],
)
def test_new_item_bad_input_stores_nothing(clerk, three_appeals, category, overrides, field):
    response = clerk.post(new_item_url(three_appeals), item_data(category, **overrides))
    assert response.status_code == 200
    if field:
        assert response.context["form"].errors[field]
    else:
        assert response.context["formset"].errors[0]["target_quantity"]
    assert not LedgerItem.objects.exists()
    assert all(reload(a).status != AppealStatus.ACCEPTED for a in three_appeals)


def test_a_project_needs_a_target(clerk, three_appeals, category):
    response = clerk.post(
        new_item_url(three_appeals),
        item_data(category, **{f"targets-0-{f}": "" for f in ["name", "unit_of_measure"]}),
    )
    # The quantity alone makes the row half filled: its other fields are required.
    assert response.context["formset"].errors[0]["name"]
    response = clerk.post(
        new_item_url(three_appeals),
        item_data(
            category,
            **{f"targets-0-{f}": "" for f in ["name", "unit_of_measure", "target_quantity"]},
        ),
    )
    assert "needs at least one measurable target" in response.context["targets_errors"][0]
    assert "needs at least one measurable target" in response.text
    assert not LedgerItem.objects.exists()


def test_duplicate_target_names_are_shown_on_the_row(clerk, three_appeals, category):
    response = clerk.post(
        new_item_url(three_appeals),
        item_data(
            category,
            **{
                "targets-1-name": "整治积水点",
                "targets-1-unit_of_measure": "处",
                "targets-1-target_quantity": "1",
            },
        ),
    )
    assert "listed twice" in response.context["formset"].forms[1].non_field_errors()[0]
    assert not LedgerItem.objects.exists()


def test_an_appeal_accepted_elsewhere_meanwhile_stops_the_whole_item(
    clerk, three_appeals, category, make_item, bob
):
    other = make_item(title="别的事项")
    appeal_accept(appeal=three_appeals[1], actor=bob, item=other)
    page = clerk.get(new_item_url(three_appeals))
    assert page.context["unavailable"] == [three_appeals[1]]
    response = clerk.post(new_item_url(three_appeals), item_data(category))
    assert response.status_code == 200
    error = response.context["form"].non_field_errors()[0]
    assert three_appeals[1].tracking_number in error
    assert list(LedgerItem.objects.all()) == [other]
    assert reload(three_appeals[0]).status == AppealStatus.RECEIVED
    assert reload(three_appeals[1]).item == other


def test_new_item_without_appeals_goes_back_to_the_queue(clerk, db):
    for url in [ITEM_NEW, f"{ITEM_NEW}?appeals=x,,999"]:
        response = clerk.get(url)
        assert response.status_code == 302 and response.url == QUEUE


def test_pages_render_in_chinese_by_default(clerk, make_appeal, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    appeal = make_appeal("路灯不亮")
    for url in [QUEUE, appeal_url(appeal), f"{ITEM_NEW}?appeals={appeal.pk}"]:
        response = clerk.get(url)
        assert response.status_code == 200
        assert '<html lang="zh-hans">' in response.text
