"""台账事项 through the API: reading them as the web's item pages show them,
filters, ordering and pages, and drafting one."""

import datetime as dt

import pytest
from django.utils import timezone

from shishi.intake.models import AppealStatus
from shishi.ledger.models import ItemStatus, LedgerItem

from .conftest import errors_of

pytestmark = pytest.mark.django_db


def test_an_item_reads_with_its_targets_owner_and_units(api, carol, claimed_item, district):
    claimed_item.cooperating_units.add(district["transport"])
    response = api(carol).get(f"/api/items/{claimed_item.number}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "claimed"
    assert body["owner"] == {"username": "dave", "full_name": "戴夫"}
    assert body["lead_unit"]["name"] == "区教育局"
    assert [u["name"] for u in body["cooperating_units"]] == ["区城建局"]
    assert body["targets"][0]["name"] == "新增学位"
    assert body["targets"][0]["target_quantity"] == "6360.00"
    assert body["overdue"] is False


def test_staff_see_drafts_as_on_the_web_s_item_page(api, hank, make_item):
    draft = make_item(open_it=False)
    assert api(hank).get(f"/api/items/{draft.number}/").status_code == 200


def test_a_resident_and_anonymous_callers_see_no_items(api, alice, anon, make_item):
    item = make_item()
    assert anon.get(f"/api/items/{item.number}/").status_code == 401
    assert api(alice).get(f"/api/items/{item.number}/").status_code == 403
    assert api(alice).get("/api/items/").status_code == 403


def test_an_unknown_item_is_404(api, bob):
    assert api(bob).get("/api/items/XX-0000/").status_code == 404


def test_filters_by_status_unit_category_owner_and_deadline(
    api, bob, make_item, claimed_item, district, category
):
    from shishi.categories.services import category_create

    other = category_create(name="交通出行", code="transport")
    draft = make_item(open_it=False, title="草稿", category=other)
    late = make_item(title="远期", deadline=timezone.now() + dt.timedelta(days=400))
    client = api(bob)

    def numbers(query):
        response = client.get(f"/api/items/?{query}")
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}

    assert numbers("status=draft") == {draft.number}
    assert numbers("status=claimed&status=draft") == {draft.number, claimed_item.number}
    assert numbers(f"unit={district['education'].pk}") == {claimed_item.number}
    assert numbers(f"category={other.pk}") == {draft.number}
    assert numbers("owner=dave") == {claimed_item.number}
    after = (timezone.now() + dt.timedelta(days=200)).isoformat().replace("+", "%2B")
    assert numbers(f"deadline_after={after}") == {late.number}
    assert numbers("overdue=true") == set()


def test_ordering_and_pages(api, bob, make_item):
    items = [make_item(deadline=timezone.now() + dt.timedelta(days=30 * (3 - i))) for i in range(3)]
    body = api(bob).get("/api/items/?ordering=deadline&page_size=2").json()
    assert body["count"] == 3
    assert [row["number"] for row in body["results"]] == [items[2].number, items[1].number]
    assert api(bob).get("/api/items/?ordering=-number").json()["results"][0]["number"] == (
        items[2].number
    )


def test_a_bad_filter_is_400(api, bob):
    response = api(bob).get("/api/items/?status=finished&unit=abc")
    assert response.status_code == 400
    assert set(errors_of(response)) == {"status", "unit"}


def test_the_list_s_query_count_does_not_grow_with_its_rows(
    api, bob, make_item, district, django_assert_max_num_queries
):
    client = api(bob)
    for _ in range(12):
        item = make_item()
        item.cooperating_units.add(district["transport"])
    with django_assert_max_num_queries(10):
        response = client.get("/api/items/")
    assert len(response.json()["results"]) == 12


# ------------------------------------------------------------------ drafting


def draft_body(category, **extra):
    return {
        "kind": "project",
        "title": "新增中小学学位",
        "category": category.pk,
        "targets": [{"name": "新增学位", "unit_of_measure": "个", "target_quantity": 6360}],
        **extra,
    }


def test_a_clerk_drafts_an_item_with_its_targets(api, bob, category, district):
    response = api(bob).post(
        "/api/items/",
        draft_body(
            category,
            lead_unit=district["education"].pk,
            cooperating_units=[district["transport"].pk],
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    item = LedgerItem.objects.get(number=response.json()["number"])
    assert item.status == ItemStatus.DRAFT
    assert item.created_by == bob
    assert list(item.targets.values_list("name", flat=True)) == ["新增学位"]
    assert list(item.cooperating_units.all()) == [district["transport"]]


def test_a_draft_from_appeals_accepts_them_all(api, bob, category, make_appeal):
    first, second = make_appeal(), make_appeal()
    response = api(bob).post(
        "/api/items/",
        draft_body(category, appeals=[first.tracking_number, second.tracking_number]),
        format="json",
    )
    assert response.status_code == 201, response.content
    first.refresh_from_db()
    assert first.status == AppealStatus.ACCEPTED
    assert first.item.number == response.json()["number"]


def test_bad_drafts_name_the_fields_and_store_nothing(api, bob, category):
    client = api(bob)
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = client.post("/api/items/", draft_body(category, deadline=past), format="json")
    assert response.status_code == 400
    assert set(errors_of(response)) == {"deadline"}
    twice = draft_body(category)
    twice["targets"] *= 2
    assert set(errors_of(client.post("/api/items/", twice, format="json"))) == {"targets[2]"}
    response = client.post("/api/items/", {"kind": "wish", "targets": [{}]}, format="json")
    assert set(errors_of(response)) == {"kind", "title", "category", "targets"}
    assert not LedgerItem.objects.exists()


def test_who_may_not_open_a_kind_is_403(api, carol, category):
    # Handlers hold ledger.add_ledgeritem for the kinds their policy allows only.
    response = api(carol).post("/api/items/", draft_body(category), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not open ledger items of this kind."
    assert not LedgerItem.objects.exists()


def test_a_draft_from_appeals_needs_the_clerk_s_right(api, erin, category, make_appeal):
    appeal = make_appeal()
    response = api(erin).post(
        "/api/items/", draft_body(category, appeals=[appeal.tracking_number]), format="json"
    )
    assert response.status_code == 403
    assert not LedgerItem.objects.exists()


def test_mine_and_claimable_are_the_web_s_lists(api, carol, hank, dave, claimed_item, make_item):
    waiting = make_item(title="待领")

    def numbers(person, query):
        return {row["number"] for row in api(person).get(f"/api/items/?{query}").json()["results"]}

    assert numbers(carol, "mine=true") == {claimed_item.number}
    assert numbers(hank, "mine=true") == set()
    assert numbers(dave, "mine=true") == {claimed_item.number}
    assert numbers(dave, "claimable=true") == {waiting.number}
    assert numbers(dave, "claimable=false") == {claimed_item.number}


def test_overdue_items_are_those_past_their_deadline(api, bob, make_item):
    import time_machine

    soon = make_item(title="近期", deadline=timezone.now() + dt.timedelta(days=1))
    later = make_item(title="远期", deadline=timezone.now() + dt.timedelta(days=30))
    client = api(bob)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        rows = client.get("/api/items/?overdue=true").json()["results"]
        assert [(r["number"], r["overdue"]) for r in rows] == [(soon.number, True)]
        rows = client.get("/api/items/?overdue=false").json()["results"]
        assert [r["number"] for r in rows] == [later.number]
