"""One item, staff view: its facts, appeals, reports, follow-ups and history,
and the actions the person may take in its present status (建账, 领账, 清账…)."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shishi.intake.services import appeal_accept, appeal_submit
from shishi.ledger.models import (
    Evidence,
    FollowUp,
    ItemStatus,
    LedgerItem,
    ProgressReport,
)
from shishi.ledger.services import (
    item_claim,
    item_settle,
    item_submit_for_verification,
    item_suspend,
    progress_report_submit,
)
from shishi.org.roles import LEADER, ROLE_GROUPS
from shishi.supervision.services import order_issue

from .helpers import make_overdue, pdf, png

pytestmark = pytest.mark.django_db


def _url(item, name="item") -> str:
    return reverse(f"dispatch:{name}", args=[item.number])


def _status(item) -> str:
    return LedgerItem.objects.get(pk=item.pk).status


def _offered(response) -> list[str]:
    return [action.name for action, _form in response.context["actions"]]


def _form(response, name):
    return next(form for action, form in response.context["actions"] if action.name == name)


# ---------------------------------------------------------------- rights


def test_anonymous_visitors_are_sent_to_log_in(client, claimed_item):
    response = client.get(_url(claimed_item))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_residents_may_not_see_the_staff_page(client, alice, claimed_item):
    client.force_login(alice)
    assert client.get(_url(claimed_item)).status_code == 403


@pytest.mark.parametrize("who", ["bob", "carol", "hank", "dave", "erin"])
def test_staff_who_may_view_items_see_it(client, request, who, claimed_item):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(claimed_item)).status_code == 200


def test_an_unknown_number_is_not_found(client, erin):
    client.force_login(erin)
    assert client.get(reverse("dispatch:item", args=["XM-0000-0000"])).status_code == 404


def test_drafts_are_visible_to_staff(client, bob, make_item):
    draft = make_item(title="草稿事项", open_it=False)
    client.force_login(bob)
    response = client.get(_url(draft))
    assert response.status_code == 200
    assert "草稿事项" in response.text and "only staff see it" in response.text


# ------------------------------------------------------------ what it shows


def test_shows_facts_targets_reports_evidence_and_history(
    client, claimed_item, carol, erin, district
):
    claimed_item.cooperating_units.add(district["transport"])
    progress_report_submit(
        item=claimed_item,
        actor=carol,
        percent=40,
        narrative="完成选址",
        actuals={"新增学位": 2500},
        files=[png()],
    )
    progress_report_submit(item=claimed_item, actor=carol, percent=45, narrative="更正数据")
    make_overdue(claimed_item)
    client.force_login(erin)
    html = client.get(_url(claimed_item)).text
    for text in [
        "戴夫",  # the owner
        district["education"].name,  # the lead unit
        district["transport"].name,  # a cooperating unit
        "鲍勃",  # created by
        "Overdue",
        "2500 / 6360 个",
        "完成选址",
        "更正数据",
        "version 2",
        "Superseded",
        "现场照片.png",
        "Claimed",  # history
        "Work started",
    ]:
        assert text in html, text
    evidence = Evidence.objects.get()
    assert reverse("dispatch:evidence", args=[evidence.pk]) in html


def test_appeals_link_to_the_intake_page_for_clerks_only(client, claimed_item, bob, carol):
    appeal = appeal_submit(title="孩子上学远", channel="hotline", submitter_name="张三丰")
    appeal_accept(appeal=appeal, actor=bob, item=claimed_item)
    link = reverse("triage:appeal", args=[appeal.tracking_number])

    client.force_login(bob)
    html = client.get(_url(claimed_item)).text
    assert appeal.tracking_number in html and "孩子上学远" in html and link in html

    client.force_login(carol)
    html = client.get(_url(claimed_item)).text
    assert appeal.tracking_number in html and link not in html
    assert "张三丰" not in html  # never the submitter's name


def test_supervision_orders_show_to_whom_they_concern(client, claimed_item, bob, carol, erin, hank):
    order = order_issue(actor=erin, reason="进度滞后，请说明原因", item=claimed_item)
    link = reverse("supervision:order", args=[order.pk])

    for person in (erin, carol):  # the supervisor; a handler of the lead unit
        client.force_login(person)
        html = client.get(_url(claimed_item)).text
        assert order.number in html and link in html
    for person in (bob, hank):  # a clerk; a handler of another unit
        client.force_login(person)
        assert link not in client.get(_url(claimed_item)).text


def test_the_page_makes_a_bounded_number_of_queries(
    client, claimed_item, carol, erin, bob, django_assert_max_num_queries
):
    for i in range(5):
        progress_report_submit(item=claimed_item, actor=carol, percent=10 * i, files=[png()])
        appeal_accept(
            appeal=appeal_submit(title=f"诉求{i}", channel="hotline"), actor=bob, item=claimed_item
        )
    client.force_login(erin)
    with django_assert_max_num_queries(30):
        client.get(_url(claimed_item))


# ------------------------------------------------------------ what is offered


def test_actions_follow_the_role_and_the_status(
    client, make_item, claimed_item, awaiting_item, bob, carol, dave, erin, lena
):
    open_item = make_item(title="待领账")
    draft = make_item(title="草稿", open_it=False)

    client.force_login(bob)
    assert _offered(client.get(_url(draft))) == ["open"]
    assert _offered(client.get(_url(open_item))) == []

    client.force_login(lena)
    assert "claim" in _offered(client.get(_url(open_item)))
    # Awaiting verification: nothing for the owner but to wait.
    client.force_login(dave)
    response = client.get(_url(awaiting_item))
    assert _offered(response) == [] and not response.context["can_report"]

    client.force_login(erin)
    offered = _offered(client.get(_url(awaiting_item)))
    assert {"settle", "send_back", "cancel"} <= set(offered)
    assert "submit" not in offered and "claim" not in offered


def test_the_lead_unit_may_report_and_submit_an_item_in_progress(client, in_progress_item, carol):
    client.force_login(carol)
    response = client.get(_url(in_progress_item))
    assert response.context["can_report"]
    assert "submit" in _offered(response)
    assert _url(in_progress_item, "report") in response.text


# -------------------------------------------------------------- opening


def test_a_clerk_opens_a_draft(client, bob, make_item):
    draft = make_item(open_it=False)
    client.force_login(bob)
    response = client.post(_url(draft, "open"), follow=True)
    assert _status(draft) == ItemStatus.OPEN
    assert "is open and on the public ledger" in response.text


def test_a_draft_without_targets_is_not_opened(client, bob, make_item):
    draft = make_item(open_it=False, targets=[])
    client.force_login(bob)
    response = client.post(_url(draft, "open"))
    assert response.status_code == 200
    assert "needs at least one measurable target" in response.text
    assert _status(draft) == ItemStatus.DRAFT


def test_a_handler_may_not_open_a_project(client, carol, make_item):
    draft = make_item(open_it=False)
    client.force_login(carol)
    assert client.post(_url(draft, "open")).status_code == 403
    assert _status(draft) == ItemStatus.DRAFT


# ------------------------------------------------------ submit for verification


def test_the_owner_submits_for_verification_with_a_note(client, in_progress_item, dave):
    client.force_login(dave)
    response = client.post(_url(in_progress_item, "submit"), {"note": "已全部完工"})
    assert response.status_code == 302
    item = LedgerItem.objects.get(pk=in_progress_item.pk)
    assert item.status == ItemStatus.AWAITING_VERIFICATION and item.status_note == "已全部完工"


def test_a_handler_of_another_unit_may_not_submit(client, in_progress_item, hank):
    client.force_login(hank)
    assert client.post(_url(in_progress_item, "submit"), {"note": ""}).status_code == 403
    assert _status(in_progress_item) == ItemStatus.IN_PROGRESS


def test_submitting_in_the_wrong_status_is_explained_not_a_crash(client, claimed_item, carol):
    client.force_login(carol)
    response = client.post(_url(claimed_item, "submit"), {"note": ""})
    assert response.status_code == 200
    assert "Cannot submit for verification" in response.text
    assert _status(claimed_item) == ItemStatus.CLAIMED


def test_a_note_too_long_is_refused_next_to_the_field(client, in_progress_item, carol):
    client.force_login(carol)
    response = client.post(_url(in_progress_item, "submit"), {"note": "长" * 10_001})
    assert response.status_code == 200
    assert _form(response, "submit").errors["note"]
    assert _status(in_progress_item) == ItemStatus.IN_PROGRESS


# -------------------------------------------------------------- settling


def test_a_supervisor_settles_on_evidence(client, awaiting_item, erin):
    client.force_login(erin)
    response = client.post(_url(awaiting_item, "settle"), {"evidence": "现场核验通过"}, follow=True)
    item = LedgerItem.objects.get(pk=awaiting_item.pk)
    assert item.status == ItemStatus.SETTLED and item.verifier == erin
    assert item.settlement_evidence == "现场核验通过"
    assert "is settled" in response.text


def test_a_supervisor_settles_on_a_file_alone(client, awaiting_item, erin):
    client.force_login(erin)
    client.post(_url(awaiting_item, "settle"), {"evidence": "", "files": [pdf()]})
    assert _status(awaiting_item) == ItemStatus.SETTLED
    assert Evidence.objects.get().purpose == "settlement"


def test_settling_without_evidence_is_refused_next_to_the_field(client, awaiting_item, erin):
    client.force_login(erin)
    response = client.post(_url(awaiting_item, "settle"), {"evidence": "  "})
    assert response.status_code == 200
    assert "Settling needs evidence" in str(_form(response, "settle").errors["evidence"])
    assert _status(awaiting_item) == ItemStatus.AWAITING_VERIFICATION


def test_a_fake_pdf_is_refused_and_nothing_is_stored(client, awaiting_item, erin):
    client.force_login(erin)
    fake = SimpleUploadedFile("验收.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(_url(awaiting_item, "settle"), {"evidence": "核验", "files": [fake]})
    assert response.status_code == 200
    assert "is not really a PDF file" in response.text
    assert _status(awaiting_item) == ItemStatus.AWAITING_VERIFICATION
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("who", ["carol", "dave", "bob"])
def test_only_supervisors_settle_or_send_back(client, request, who, awaiting_item):
    client.force_login(request.getfixturevalue(who))
    assert client.post(_url(awaiting_item, "settle"), {"evidence": "好"}).status_code == 403
    assert client.post(_url(awaiting_item, "send_back"), {"note": "不行"}).status_code == 403
    assert _status(awaiting_item) == ItemStatus.AWAITING_VERIFICATION


def test_a_supervisor_sends_back_with_a_note(client, awaiting_item, erin):
    client.force_login(erin)
    response = client.post(_url(awaiting_item, "send_back"), {"note": "缺少验收照片"}, follow=True)
    item = LedgerItem.objects.get(pk=awaiting_item.pk)
    assert item.status == ItemStatus.IN_PROGRESS and item.status_note == "缺少验收照片"
    assert "is sent back" in response.text


def test_sending_back_needs_a_note(client, awaiting_item, erin):
    client.force_login(erin)
    response = client.post(_url(awaiting_item, "send_back"), {"note": ""})
    assert response.status_code == 200
    assert _form(response, "send_back").errors["note"] == ["Say why the item is sent back."]
    assert _status(awaiting_item) == ItemStatus.AWAITING_VERIFICATION


def test_a_supervisor_who_owns_the_item_may_not_verify_it(client, make_item, erin, district):
    # Erin is a leader too and owns this item: nobody verifies their own item.
    erin.groups.add(Group.objects.get(name=ROLE_GROUPS[LEADER]))
    erin.memberships.create(unit=district["education"])  # a leader claims for her unit
    erin = type(erin).objects.get(pk=erin.pk)
    item = item_claim(item=make_item(), actor=erin, lead_unit=district["education"])
    progress_report_submit(item=item, actor=erin, percent=100, actuals={"新增学位": 6360})
    item_submit_for_verification(item=item, actor=erin)
    client.force_login(erin)
    assert "settle" not in _offered(client.get(_url(item)))
    response = client.post(_url(item, "settle"), {"evidence": "自己验收"})
    assert response.status_code == 403
    assert _status(item) == ItemStatus.AWAITING_VERIFICATION


# -------------------------------------------------------------- follow-ups


@pytest.fixture
def settled_item(awaiting_item, erin):
    return item_settle(item=awaiting_item, actor=erin, evidence="现场核验")


def test_a_supervisor_records_a_follow_up(client, settled_item, erin):
    client.force_login(erin)
    response = client.post(
        _url(settled_item, "followup"), {"result": "satisfied", "note": "居民满意"}, follow=True
    )
    followup = FollowUp.objects.get()
    assert followup.result == "satisfied" and followup.recorded_by == erin
    assert _status(settled_item) == ItemStatus.SETTLED
    assert "居民满意" in response.text


def test_a_dissatisfied_follow_up_may_reopen_the_item(client, settled_item, erin):
    client.force_login(erin)
    client.post(
        _url(settled_item, "followup"),
        {"result": "dissatisfied", "note": "路面又坏了", "reopen": "on"},
    )
    assert FollowUp.objects.get().result == "dissatisfied"
    item = LedgerItem.objects.get(pk=settled_item.pk)
    assert item.status == ItemStatus.IN_PROGRESS and item.status_note == "路面又坏了"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"result": "", "note": ""}, "result"),
        ({"result": "delighted"}, "result"),
        ({"result": "satisfied", "reopen": "on"}, "reopen"),
    ],
)
def test_a_bad_follow_up_is_refused_next_to_the_field(client, settled_item, erin, data, field):
    client.force_login(erin)
    response = client.post(_url(settled_item, "followup"), data)
    assert response.status_code == 200
    assert _form(response, "followup").errors[field]
    assert not FollowUp.objects.exists()
    assert _status(settled_item) == ItemStatus.SETTLED


def test_a_handler_may_not_record_a_follow_up(client, settled_item, carol):
    client.force_login(carol)
    assert client.post(_url(settled_item, "followup"), {"result": "satisfied"}).status_code == 403
    assert not FollowUp.objects.exists()


# ------------------------------------------- suspend, resume, cancel, reopen


def test_a_supervisor_suspends_resumes_cancels_and_reopens(client, in_progress_item, erin):
    client.force_login(erin)
    client.post(_url(in_progress_item, "suspend"), {"reason": "资金未到位"})
    assert _status(in_progress_item) == ItemStatus.SUSPENDED
    client.post(_url(in_progress_item, "resume"), {"note": "资金已到位"})
    assert _status(in_progress_item) == ItemStatus.IN_PROGRESS
    client.post(_url(in_progress_item, "cancel"), {"reason": "规划调整"})
    assert _status(in_progress_item) == ItemStatus.CANCELLED
    response = client.post(_url(in_progress_item, "reopen"), {"reason": "重新立项"}, follow=True)
    assert _status(in_progress_item) == ItemStatus.IN_PROGRESS
    assert "is reopened" in response.text
    assert "重新立项" in response.text  # in the history


@pytest.mark.parametrize("action", ["suspend", "cancel"])
def test_suspending_or_cancelling_needs_a_reason(client, in_progress_item, erin, action):
    client.force_login(erin)
    response = client.post(_url(in_progress_item, action), {"reason": "   "})
    assert response.status_code == 200
    assert _form(response, action).errors["reason"] == ["Give the reason."]
    assert _status(in_progress_item) == ItemStatus.IN_PROGRESS


def test_resuming_an_item_that_is_not_suspended_is_explained(client, in_progress_item, erin):
    client.force_login(erin)
    response = client.post(_url(in_progress_item, "resume"), {"note": ""})
    assert response.status_code == 200
    assert "Cannot resume" in response.text and response.context["refused_errors"]
    assert _status(in_progress_item) == ItemStatus.IN_PROGRESS


@pytest.mark.parametrize("who", ["carol", "dave", "bob"])
def test_only_supervisors_manage(client, request, who, in_progress_item):
    client.force_login(request.getfixturevalue(who))
    assert client.post(_url(in_progress_item, "suspend"), {"reason": "x"}).status_code == 403
    assert client.post(_url(in_progress_item, "cancel"), {"reason": "x"}).status_code == 403
    assert _status(in_progress_item) == ItemStatus.IN_PROGRESS


def test_a_suspended_item_offers_resume_and_not_suspend(client, in_progress_item, erin):
    item_suspend(item=in_progress_item, actor=erin, reason="暂缓")
    client.force_login(erin)
    offered = _offered(client.get(_url(in_progress_item)))
    assert "resume" in offered and "suspend" not in offered and "cancel" in offered


def test_actions_take_only_posts(client, in_progress_item, erin):
    client.force_login(erin)
    assert client.get(_url(in_progress_item, "suspend")).status_code == 405
    assert not ProgressReport.objects.filter(version=2).exists()


def test_long_lists_are_paged_with_links_back_to_the_item_page(
    client, claimed_item, carol, erin, settings
):
    settings.SHISHI_PAGE_SIZE = 2
    for percent in (10, 20, 30):
        progress_report_submit(item=claimed_item, actor=carol, percent=percent)
    client.force_login(erin)
    # Even on the page a refused action shows, the links lead to the item page.
    response = client.post(_url(claimed_item, "send_back"), {"note": "x"})
    assert f'href="{_url(claimed_item)}?reports_page=2#reports"' in response.text
    second = client.get(_url(claimed_item), {"reports_page": 2})
    assert [r.percent for r in second.context["reports"].object_list] == [10]
