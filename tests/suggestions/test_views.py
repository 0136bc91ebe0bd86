"""The suggestions on the clerk's pages: who sees them, what one click does,
pages without a model, and a bounded number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shishi.combing import DuplicateIndex
from shishi.intake.bulk import appeals_bulk_create
from shishi.intake.models import Appeal, AppealStatus
from shishi.intake.services import appeal_reject, appeal_submit
from shishi.suggestions import selectors
from shishi.suggestions.services import suggestions_train

from .conftest import records

pytestmark = pytest.mark.django_db

HOT = reverse("triage:hot")
QUEUE = reverse("triage:queue")


def page(appeal) -> str:
    return reverse("triage:appeal", args=[appeal.tracking_number])


def new_appeal(title, body="", **kwargs):
    return appeal_submit(
        title=title, body=body, channel="web", received_at=timezone.now(), **kwargs
    )


@pytest.fixture
def trained(history):
    suggestions_train()
    return history


@pytest.mark.parametrize("who", ["alice", "carol", "dave"])
def test_only_staff_who_triage_see_suggestions_and_hot_issues(client, who, request, history):
    client.force_login(request.getfixturevalue(who))
    appeal = Appeal.objects.first()
    for url in (HOT, page(appeal)):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get(HOT).status_code == 302


def test_pages_work_before_any_training(clerk, db):
    appeal = new_appeal("路灯不亮", "建设路路灯不亮")
    response = clerk.get(page(appeal))
    assert response.status_code == 200
    assert "No suggestions yet." in response.text
    assert clerk.get(QUEUE).status_code == 200
    response = clerk.get(HOT)
    assert response.status_code == 200 and "No hot issue" in response.text


@pytest.mark.slow
def test_adopting_the_suggested_category_triages_through_the_service(clerk, trained, tree, bob):
    appeal = new_appeal("秦岭路口红绿灯太短", "秦岭路路口红绿灯时间太短，行人过马路很危险")
    response = clerk.get(page(appeal))
    best = response.context["suggestions"].category
    assert best.category == tree["traffic"]
    assert "Adopt" in response.text and f"{best.percent}% confident" in response.text
    assert f"category={best.category.pk}" in response.context["new_item_url"]
    response = clerk.post(page(appeal), {"action": "triage", "category": best.category.pk})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.TRIAGED and appeal.category == tree["traffic"]
    record = appeal.history.latest("history_date")
    assert record.history_user == bob and record.history_change_reason == "triaged"
    # Once it has that category, nothing is left to adopt.
    assert "Adopt" not in clerk.get(page(appeal)).text


@pytest.mark.slow
def test_low_confidence_is_marked(clerk, trained, monkeypatch):
    appeal = new_appeal("建设路学位紧张", "建设路小学学位紧张，红绿灯时间太短")
    response = clerk.get(page(appeal))
    suggestion = response.context["suggestions"].category
    assert ("Low confidence" in response.text) == suggestion.low_confidence
    # The engine's threshold (LOW_CONFIDENCE, 0.5) decides; above it, every one is low.
    monkeypatch.setattr(selectors, "LOW_CONFIDENCE", 1.01)
    assert "Low confidence: check first" in clerk.get(page(appeal)).text


@pytest.mark.slow
def test_duplicates_related_items_and_lead_unit_are_shown_and_an_item_is_one_click(
    clerk, trained, district
):
    appeal = new_appeal("建设路口红绿灯太短", "建设路路口红绿灯时间太短，行人过马路很危险！")
    response = clerk.get(page(appeal))
    found = response.context["suggestions"]
    assert found.duplicates and found.lead_units[0].unit == district["transport"]
    duplicate = found.duplicates[0].obj
    assert duplicate.tracking_number in response.text and "% in common" in response.text
    item = found.items[0].obj
    assert item == trained["traffic"]
    response = clerk.post(page(appeal), {"action": "accept", "item": item.number})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED and appeal.item == item


@pytest.mark.slow
def test_queue_rows_show_the_suggested_category_in_a_fixed_number_of_queries(
    clerk, trained, bob, settings, django_assert_num_queries, django_assert_max_num_queries
):
    settings.SHISHI_PAGE_SIZE = 100

    def waiting(count, start):
        places = [f"第{start + n}小区" for n in range(count)]
        appeals_bulk_create(records(["{p}学位紧张，孩子上学难"], places=places), actor=bob)

    waiting(2, 0)
    clerk.get(QUEUE)  # loads the model once
    with django_assert_max_num_queries(50) as few:
        response = clerk.get(QUEUE)
    rows = [a for a in response.context["page"].object_list if a.category_id is None]
    assert len(rows) == 2 and all(a.suggested.category.name == "教育优先" for a in rows)
    assert "Suggested: 教育优先" in response.text
    waiting(20, 2)
    with django_assert_num_queries(len(few.captured_queries)):
        response = clerk.get(QUEUE)
    assert sum(1 for a in response.context["page"].object_list if a.suggested) == 22


@pytest.mark.slow
def test_hot_issues_rank_the_waiting_appeals_and_prefill_the_new_item(
    clerk, trained, tree, district
):
    mine = []
    for n, road in enumerate(["建设路", "建设路", "建设路", "桐柏路", "建设路", "桐柏路"]):
        mine.append(
            new_appeal(
                f"{road}红绿灯时间太短",
                f"{road}路口红绿灯时间太短，老人过马路很危险，希望延长",
                submitter_name=f"居民{n}",
            ).pk
        )
    old = new_appeal("幼儿园学位紧张", "建设路幼儿园学位紧张")
    Appeal.objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=200))
    response = clerk.get(HOT)
    issues = response.context["issues"]
    first = [pk for pk, _, _ in issues[0].appeals]
    # One matter each: the lights of 建设路 and those of 桐柏路 are two issues
    # (the same problem at another place is another matter).
    jianshe = [pk for pk, road in zip(mine, "建建建桐建桐", strict=True) if road == "建"]
    tongbai = [pk for pk in mine if pk not in jianshe]
    assert set(first) == set(jianshe) and issues[0].residents == issues[0].count == 4
    assert any({pk for pk, _, _ in issue.appeals} == set(tongbai) for issue in issues[1:])
    assert issues[0].category.category == tree["traffic"]
    assert issues[0].lead_unit.unit == district["transport"]
    assert "建设路" in issues[0].places
    assert all(old.pk not in [pk for pk, _, _ in issue.appeals] for issue in issues)
    form = clerk.get(issues[0].new_item_url).context["form"]
    assert form.initial["category"] == tree["traffic"].pk
    assert form.initial["lead_unit"] == district["transport"].pk
    assert form.initial["title"] == issues[0].title


@pytest.mark.slow
def test_the_item_page_lists_waiting_appeals_that_look_related(client, trained, bob, carol):
    item = trained["school"]
    waiting = new_appeal(
        "伏牛路小学学位紧张", "伏牛路小学学位紧张，希望新建学校。请有关部门尽快解决。"
    )
    url = reverse("dispatch:item", args=[item.number])
    client.force_login(bob)
    response = client.get(url)
    assert waiting in [s.obj for s in response.context["related_appeals"]]
    assert "Take into this item" in response.text
    client.force_login(carol)  # a unit handler does not comb appeals
    assert client.get(url).context["related_appeals"] == []


@pytest.mark.slow
def test_a_busy_hot_list_is_cached_and_drops_the_appeals_combed_since(clerk, bob, monkeypatch):
    monkeypatch.setattr(selectors, "HOT_FRESH_MAX", 0)  # cache whatever the size
    text = "建设路{}号楼下水管道堵塞，污水横流，臭气熏天"
    lights = [new_appeal(f"建设路下水道堵塞{n}", text.format(n)) for n in range(3)]
    new_appeal("幼儿园学位紧张", "秦岭路幼儿园学位紧张")
    (issue,) = clerk.get(HOT).context["issues"]
    assert {pk for pk, _, _ in issue.appeals} == {a.pk for a in lights}
    new_appeal("建设路下水道堵塞9", text.format(9))  # waits for the next clustering
    appeal_reject(appeal=lights[0], actor=bob, reason="重复")
    (issue,) = clerk.get(HOT).context["issues"]
    assert {pk for pk, _, _ in issue.appeals} == {a.pk for a in lights[1:]}
    assert issue.count == 2


@pytest.mark.slow
def test_a_failing_index_costs_the_similar_appeals_not_the_page(clerk, trained, monkeypatch):
    def broken(self, **kwargs):
        raise IndexError("broken index")

    monkeypatch.setattr(DuplicateIndex, "search", broken)
    appeal = new_appeal("嵩山路公交站台破损", "嵩山路公交站台破损，候车很不方便")
    response = clerk.get(page(appeal))
    assert response.status_code == 200
    found = response.context["suggestions"]
    assert found.category is not None and not found.duplicates and not found.items
    item = trained["school"]
    response = clerk.get(reverse("dispatch:item", args=[item.number]))
    assert response.status_code == 200 and response.context["related_appeals"] == []
