"""The closed loop through the API: open, claim (领账), weekly reports
(按周调度), submit, settle or send back (清账), follow-ups (回访) and the
supervisor's suspend, resume, reopen and cancel — each refused for the
people the web refuses, with the services' reasons."""

import pytest

from shishi.intake.models import AppealStatus
from shishi.intake.services import appeal_accept
from shishi.ledger.models import FollowUp, ItemStatus, ProgressReport
from shishi.ledger.services import (
    item_settle,
    item_submit_for_verification,
    progress_report_submit,
)

from .conftest import errors_of

pytestmark = pytest.mark.django_db


def post(client, item, action, data=None):
    return client.post(f"/api/items/{item.number}/{action}/", data or {}, format="json")


@pytest.fixture
def awaiting_item(claimed_item, carol, dave):
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    return item_submit_for_verification(item=claimed_item, actor=dave)


@pytest.fixture
def settled_item(awaiting_item, erin):
    return item_settle(item=awaiting_item, actor=erin, evidence="现场核验")


# --------------------------------------------------------------- open, claim


def test_a_clerk_opens_a_draft(api, bob, make_item):
    draft = make_item(open_it=False)
    response = post(api(bob), draft, "open")
    assert response.status_code == 200
    assert response.json()["status"] == "open"


def test_a_handler_may_not_open_a_project(api, carol, make_item):
    draft = make_item(open_it=False)
    assert post(api(carol), draft, "open").status_code == 403


def test_opening_an_open_item_is_400_saying_why(api, bob, make_item):
    response = post(api(bob), make_item(), "open")
    assert response.status_code == 400
    assert "its status is “open”" in errors_of(response)["non_field_errors"][0]


def test_a_leader_claims_an_item_for_a_unit(api, dave, make_item, district):
    item = make_item()
    response = post(api(dave), item, "claim", {"lead_unit": district["education"].pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "claimed"
    assert body["owner"]["username"] == "dave"
    assert body["lead_unit"]["id"] == district["education"].pk


def test_the_second_claim_is_told_who_was_first(api, lena, claimed_item, district):
    response = post(api(lena), claimed_item, "claim", {"lead_unit": district["education"].pk})
    assert response.status_code == 400
    assert "already claimed by 戴夫" in errors_of(response)["non_field_errors"][0]


def test_claiming_needs_a_lead_unit(api, dave, make_item):
    response = post(api(dave), make_item(), "claim", {"lead_unit": 999999})
    assert response.status_code == 400
    assert set(errors_of(response)) == {"lead_unit"}


@pytest.mark.parametrize("person", ["bob", "carol", "erin", "alice"])
def test_only_leaders_claim(api, person, request, make_item, district):
    item = make_item()
    response = post(
        api(request.getfixturevalue(person)), item, "claim", {"lead_unit": district["education"].pk}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN


def test_an_action_on_an_unknown_item_is_404(api, dave):
    assert api(dave).post("/api/items/XX-1/claim/", {}, format="json").status_code == 404


# ---------------------------------------------------------- weekly reports


def test_the_lead_unit_s_handler_reports_progress(api, carol, claimed_item):
    response = api(carol).post(
        f"/api/items/{claimed_item.number}/reports/",
        {
            "percent": 60,
            "narrative": "已开工",
            "actuals": [{"target": "新增学位", "quantity": 4000}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["percent"] == 60
    assert body["version"] == 1
    assert body["actuals"] == [{"target": "新增学位", "quantity": "4000.00"}]
    assert body["reported_by"]["username"] == "carol"
    claimed_item.refresh_from_db()
    assert claimed_item.status == ItemStatus.IN_PROGRESS


def test_reporting_again_makes_a_new_version_and_the_list_keeps_both(api, carol, claimed_item):
    client = api(carol)
    url = f"/api/items/{claimed_item.number}/reports/"
    client.post(url, {"percent": 50}, format="json")
    client.post(url, {"percent": 55}, format="json")
    rows = client.get(url).json()["results"]
    assert [(r["version"], r["is_current"]) for r in rows] == [(2, True), (1, False)]
    assert [r["version"] for r in client.get(f"{url}?is_current=true").json()["results"]] == [2]


def test_a_handler_of_another_unit_may_not_report(api, hank, claimed_item):
    response = api(hank).post(
        f"/api/items/{claimed_item.number}/reports/", {"percent": 10}, format="json"
    )
    assert response.status_code == 403
    assert "区教育局" in response.json()["detail"]
    assert not ProgressReport.objects.exists()


def test_a_clerk_may_not_report(api, bob, claimed_item):
    url = f"/api/items/{claimed_item.number}/reports/"
    assert api(bob).post(url, {"percent": 10}, format="json").status_code == 403
    assert api(bob).get(url).status_code == 200  # reading is the item page's right


def test_bad_reports_name_the_fields_and_store_nothing(api, carol, claimed_item):
    client = api(carol)
    url = f"/api/items/{claimed_item.number}/reports/"
    assert set(errors_of(client.post(url, {"percent": 101}, format="json"))) == {"percent"}
    assert set(errors_of(client.post(url, {"percent": "many"}, format="json"))) == {"percent"}
    response = client.post(
        url, {"percent": 10, "actuals": [{"target": "新增床位", "quantity": 1}]}, format="json"
    )
    assert set(errors_of(response)) == {"actuals"}
    response = client.post(
        url, {"percent": 10, "actuals": [{"target": "新增学位", "quantity": -1}]}, format="json"
    )
    assert set(errors_of(response)) == {"actuals"}
    response = client.post(url, {"percent": 10, "week": "2999-01-01"}, format="json")
    assert set(errors_of(response)) == {"week"}
    assert not ProgressReport.objects.exists()


def test_reports_of_an_unknown_item_are_404(api, carol):
    assert api(carol).get("/api/items/XX-1/reports/").status_code == 404
    assert (
        api(carol).post("/api/items/XX-1/reports/", {"percent": 1}, format="json").status_code
        == 404
    )


# ---------------------------------------------------------------- 清账


def test_submit_settle_and_the_appeals_close(
    api, carol, dave, erin, claimed_item, bob, make_appeal
):
    appeal = make_appeal()
    appeal_accept(appeal=appeal, actor=bob, item=claimed_item)
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    response = post(api(carol), claimed_item, "submit", {"note": "全部完成"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "awaiting_verification"
    response = post(api(erin), claimed_item, "settle", {"evidence": "现场核验"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "settled"
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED


def test_settling_needs_evidence(api, erin, awaiting_item):
    response = post(api(erin), awaiting_item, "settle", {"evidence": " "})
    assert response.status_code == 400
    assert set(errors_of(response)) == {"evidence"}


def test_the_owner_may_not_verify_their_own_item(api, dave, awaiting_item):
    # Even with the verifier's right the owner would be refused; dave has neither.
    assert post(api(dave), awaiting_item, "settle", {"evidence": "x"}).status_code == 403
    awaiting_item.refresh_from_db()
    assert awaiting_item.status == ItemStatus.AWAITING_VERIFICATION


def test_a_handler_of_another_unit_may_not_submit(api, hank, claimed_item, carol):
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    assert post(api(hank), claimed_item, "submit").status_code == 403


def test_send_back_needs_a_note(api, erin, awaiting_item):
    assert set(errors_of(post(api(erin), awaiting_item, "send-back"))) == {"note"}
    response = post(api(erin), awaiting_item, "send-back", {"note": "缺少照片"})
    assert response.json()["status"] == "in_progress"
    assert response.json()["status_note"] == "缺少照片"


def test_only_a_supervisor_sends_back(api, carol, bob, awaiting_item):
    for person in (carol, bob):
        assert post(api(person), awaiting_item, "send-back", {"note": "x"}).status_code == 403


# -------------------------------------------------------------- 回访


def test_a_supervisor_records_a_follow_up_and_everyone_reads_it(api, erin, carol, settled_item):
    url = f"/api/items/{settled_item.number}/followups/"
    response = api(erin).post(url, {"result": "satisfied", "note": "很满意"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"]["username"] == "erin"
    rows = api(carol).get(url).json()["results"]
    assert [r["result"] for r in rows] == ["satisfied"]


def test_a_dissatisfied_follow_up_may_reopen(api, erin, settled_item):
    response = api(erin).post(
        f"/api/items/{settled_item.number}/followups/",
        {"result": "dissatisfied", "note": "路面又坏了", "reopen": True},
        format="json",
    )
    assert response.status_code == 201
    settled_item.refresh_from_db()
    assert settled_item.status == ItemStatus.IN_PROGRESS


def test_follow_ups_are_refused_before_settlement_and_for_non_supervisors(
    api, erin, carol, make_item, settled_item
):
    unsettled = make_item(title="另一项")
    response = api(erin).post(
        f"/api/items/{unsettled.number}/followups/", {"result": "satisfied"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in errors_of(response)
    response = api(carol).post(
        f"/api/items/{settled_item.number}/followups/", {"result": "satisfied"}, format="json"
    )
    assert response.status_code == 403
    response = api(erin).post(
        f"/api/items/{settled_item.number}/followups/",
        {"result": "happy", "reopen": True, "appeal": "000000-XXXXXX"},
        format="json",
    )
    assert set(errors_of(response)) == {"result", "appeal"}
    assert not FollowUp.objects.exists()


# ------------------------------------------------------- the supervisor's


def test_suspend_resume_cancel_and_reopen(api, erin, claimed_item):
    client = api(erin)
    assert (
        post(client, claimed_item, "suspend", {"reason": "资金未到位"}).json()["status"]
        == "suspended"
    )
    assert post(client, claimed_item, "resume").json()["status"] == "claimed"
    assert (
        post(client, claimed_item, "cancel", {"reason": "重复立项"}).json()["status"] == "cancelled"
    )
    assert (
        post(client, claimed_item, "reopen", {"reason": "误撤销"}).json()["status"] == "in_progress"
    )


@pytest.mark.parametrize("action", ["suspend", "cancel"])
def test_only_a_supervisor_suspends_or_cancels(api, dave, carol, claimed_item, action):
    for person in (dave, carol):
        assert post(api(person), claimed_item, action, {"reason": "x"}).status_code == 403


def test_a_reason_is_required(api, erin, claimed_item):
    assert set(errors_of(post(api(erin), claimed_item, "cancel", {"reason": ""}))) == {"reason"}
    claimed_item.refresh_from_db()
    assert claimed_item.status == ItemStatus.CLAIMED


def test_reports_and_follow_ups_lists_make_few_queries(
    api, erin, settled_item, carol, django_assert_max_num_queries
):
    client = api(erin)
    for _ in range(5):
        client.post(
            f"/api/items/{settled_item.number}/followups/", {"result": "satisfied"}, format="json"
        )
    for path in ("reports", "followups"):
        with django_assert_max_num_queries(10):
            response = client.get(f"/api/items/{settled_item.number}/{path}/")
        assert response.json()["count"] >= 1
