"""诉求 through the API: reading them (contact data only with the right),
recording one, and the intake desk's actions, each refused as the web refuses."""

import pytest

from shishi.intake.models import Appeal, AppealStatus

from .conftest import errors_of

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ reading


def test_a_clerk_reads_appeals_with_contact_data(api, bob, make_appeal):
    appeal = make_appeal("路灯不亮")
    response = api(bob).get("/api/appeals/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["tracking_number"] == appeal.tracking_number
    assert row["contact"] == {"name": "王女士", "phone": "13800000000", "email": ""}


def test_who_triages_without_the_contact_right_reads_appeals_without_it(api, make_appeal):
    from django.contrib.auth.models import Permission

    from shishi.org.services import user_create

    sorter = user_create(username="sorter", full_name="分拣员", is_staff=True)
    sorter.user_permissions.set(Permission.objects.filter(codename="triage_appeal"))
    appeal = make_appeal("路灯不亮")
    rows = api(sorter).get("/api/appeals/").json()["results"]
    assert rows[0]["contact"] is None
    one = api(sorter).get(f"/api/appeals/{appeal.tracking_number}/").json()
    assert one["contact"] is None
    assert "13800000000" not in str(one)


def test_supervisors_and_handlers_read_no_appeals_as_on_the_web(api, carol, erin, make_appeal):
    appeal = make_appeal()
    for person in (carol, erin):
        assert api(person).get(f"/api/appeals/{appeal.tracking_number}/").status_code == 403


def test_one_appeal_by_its_tracking_number_in_any_case(api, bob, make_appeal):
    appeal = make_appeal("路灯不亮")
    response = api(bob).get(f"/api/appeals/{appeal.tracking_number.lower()}/")
    assert response.status_code == 200
    assert response.json()["title"] == "路灯不亮"


def test_an_unknown_appeal_is_404(api, bob):
    assert api(bob).get("/api/appeals/991231-ZZZZZZ/").status_code == 404


def test_a_resident_and_anonymous_callers_cannot_read_appeals(api, alice, anon, make_appeal):
    appeal = make_appeal()
    assert anon.get("/api/appeals/").status_code == 401
    assert api(alice).get("/api/appeals/").status_code == 403
    assert api(alice).get(f"/api/appeals/{appeal.tracking_number}/").status_code == 403


def test_filters_by_status_channel_and_received_dates(api, bob, make_appeal, category):
    old = make_appeal("旧", days_ago=30, channel="forum")
    new = make_appeal("新", days_ago=1, channel="hotline")
    client = api(bob)
    client.post(
        f"/api/appeals/{new.tracking_number}/triage/", {"category": category.pk}, format="json"
    )

    def numbers(query):
        response = client.get(f"/api/appeals/?{query}")
        assert response.status_code == 200, response.content
        return [row["tracking_number"] for row in response.json()["results"]]

    assert numbers("status=triaged") == [new.tracking_number]
    assert numbers("status=received&status=triaged") == [new.tracking_number, old.tracking_number]
    assert numbers("channel=forum") == [old.tracking_number]
    assert numbers(f"category={category.pk}") == [new.tracking_number]
    assert numbers("received_before=" + old.received_at.isoformat().replace("+", "%2B")) == []
    since = (old.received_at.replace(microsecond=0)).isoformat().replace("+", "%2B")
    assert numbers(f"received_after={since}&ordering=received_at") == [
        old.tracking_number,
        new.tracking_number,
    ]


def test_a_bad_filter_value_is_400_naming_it(api, bob):
    response = api(bob).get("/api/appeals/?status=lost&received_after=yesterday")
    assert response.status_code == 400
    assert set(errors_of(response)) == {"status", "received_after"}


def test_pages_have_a_largest_size(api, bob, make_appeal, settings):
    settings.SHISHI_API_MAX_PAGE_SIZE = 2
    for _ in range(3):
        make_appeal()
    body = api(bob).get("/api/appeals/?page_size=50").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]
    assert api(bob).get("/api/appeals/?page=9").status_code == 404


def test_the_list_s_query_count_does_not_grow_with_its_rows(
    api, bob, make_appeal, category, district, django_assert_max_num_queries
):
    client = api(bob)
    for _ in range(15):
        make_appeal(category=category, community=district["community"])
    with django_assert_max_num_queries(8):
        response = client.get("/api/appeals/")
    assert len(response.json()["results"]) == 15


# ---------------------------------------------------------------- recording


def test_a_clerk_records_an_appeal_from_the_hotline(api, bob, category, district):
    response = api(bob).post(
        "/api/appeals/",
        {
            "title": "路灯不亮",
            "body": "建设路 3 号门口",
            "channel": "hotline",
            "category": category.pk,
            "community": district["community"].pk,
            "lat": "34.75",
            "lng": "113.62",
            "submitter_name": "王女士",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    appeal = Appeal.objects.get(tracking_number=body["tracking_number"])
    assert appeal.channel == "hotline"
    assert appeal.submitter_name == "王女士"
    assert body["lat"] == "34.750000"
    assert appeal.history.first().history_user == bob


def test_the_channel_defaults_to_api(api, bob):
    response = api(bob).post("/api/appeals/", {"title": "路灯不亮"}, format="json")
    assert response.json()["channel"] == "api"


def test_bad_input_names_the_fields_and_stores_nothing(api, bob, district):
    client = api(bob)
    response = client.post(
        "/api/appeals/",
        {"title": "   ", "community": district["education"].pk, "lat": "91", "lng": "0"},
        format="json",
    )
    assert response.status_code == 400
    assert "community" in errors_of(response)  # the service's rule: not a community
    response = client.post("/api/appeals/", {"title": "x", "lat": "91", "lng": "0"}, format="json")
    assert response.status_code == 400
    assert "lat" in errors_of(response)
    response = client.post("/api/appeals/", {"title": "  "}, format="json")
    assert errors_of(response) == {"title": ["Title must not be empty."]}
    response = client.post("/api/appeals/", {"channel": "pigeon"}, format="json")
    assert set(errors_of(response)) == {"title", "channel"}
    assert not Appeal.objects.exists()


def test_only_those_who_triage_read_appeals_as_on_the_intake_pages(api, bob, carol, dave):
    assert api(bob).get("/api/appeals/").status_code == 200
    for person in (carol, dave):
        assert api(person).get("/api/appeals/").status_code == 403


def test_handlers_and_leaders_record_no_appeals(api, carol, dave):
    for person in (carol, dave):
        assert api(person).post("/api/appeals/", {"title": "x"}, format="json").status_code == 403


def test_who_may_not_see_contact_data_may_not_record_it(api, db):
    from django.contrib.auth.models import Permission

    from shishi.org.services import user_create

    typist = user_create(username="typist", full_name="录入员", is_staff=True)
    typist.user_permissions.set(
        Permission.objects.filter(codename__in=["add_appeal", "view_appeal"])
    )
    client = api(typist)
    response = client.post(
        "/api/appeals/", {"title": "x", "submitter_phone": "13800000000"}, format="json"
    )
    assert response.status_code == 400
    assert set(errors_of(response)) == {"submitter_phone"}
    assert not Appeal.objects.exists()
    assert client.post("/api/appeals/", {"title": "x"}, format="json").status_code == 201


def test_a_resident_cannot_record_through_the_api(api, alice):
    response = api(alice).post("/api/appeals/", {"title": "路灯不亮"}, format="json")
    assert response.status_code == 403
    assert not Appeal.objects.exists()


# ------------------------------------------------------------------ actions


def test_a_clerk_triages_accepts_and_the_item_shows_it(api, bob, make_appeal, make_item, category):
    appeal, item = make_appeal(), make_item()
    client = api(bob)
    response = client.post(
        f"/api/appeals/{appeal.tracking_number}/triage/", {"category": category.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "triaged"
    response = client.post(
        f"/api/appeals/{appeal.tracking_number}/accept/", {"item": item.number}, format="json"
    )
    assert response.json()["status"] == "accepted"
    assert response.json()["item"] == item.number
    rows = client.get(f"/api/appeals/?item={item.number}").json()["results"]
    assert [row["tracking_number"] for row in rows] == [appeal.tracking_number]


def test_answer_reject_and_close(api, bob, make_appeal):
    client = api(bob)
    answered, rejected = make_appeal(), make_appeal()
    url = f"/api/appeals/{answered.tracking_number}"
    assert (
        client.post(f"{url}/answer/", {"answer": "已修复"}, format="json").json()["status"]
        == "answered"
    )
    assert client.post(f"{url}/close/", {}, format="json").json()["status"] == "closed"
    response = client.post(
        f"/api/appeals/{rejected.tracking_number}/reject/", {"reason": "不属于本区"}, format="json"
    )
    assert response.json()["status_note"] == "不属于本区"
    assert answered.notices.count() == 1


def test_an_action_the_status_does_not_allow_is_400_saying_why(api, bob, make_appeal):
    appeal = make_appeal()
    response = api(bob).post(f"/api/appeals/{appeal.tracking_number}/close/", {}, format="json")
    assert response.status_code == 400
    assert "its status is “received”" in errors_of(response)["non_field_errors"][0]
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RECEIVED


def test_actions_need_their_input(api, bob, make_appeal):
    appeal = make_appeal()
    client = api(bob)
    url = f"/api/appeals/{appeal.tracking_number}"
    assert "category" in errors_of(client.post(f"{url}/triage/", {}, format="json"))
    assert "item" in errors_of(client.post(f"{url}/accept/", {"item": "NOPE-1"}, format="json"))
    response = client.post(f"{url}/answer/", {"answer": " "}, format="json")
    assert errors_of(response) == {"answer": ["Answer must not be empty."]}
    assert "reason" in errors_of(client.post(f"{url}/reject/", {}, format="json"))


def test_only_clerks_take_intake_actions(api, carol, dave, erin, alice, make_appeal, category):
    appeal = make_appeal()
    for person in (carol, dave, erin, alice):
        response = api(person).post(
            f"/api/appeals/{appeal.tracking_number}/triage/",
            {"category": category.pk},
            format="json",
        )
        assert response.status_code == 403, person
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RECEIVED


def test_an_action_on_an_unknown_appeal_is_404(api, bob):
    assert api(bob).post("/api/appeals/991231-ZZZZZZ/close/", {}, format="json").status_code == 404
