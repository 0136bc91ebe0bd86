"""Programmes and their records: every write through a service, checked,
with history; the ledger's own rules for the items they open."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shishi.intake.models import Channel
from shishi.intake.services import appeal_submit, collection_event_create
from shishi.ledger import services as ledger
from shishi.ledger.models import ItemKind, ItemStatus
from shishi.programmes import figures, services
from shishi.programmes.models import (
    EnterpriseVisit,
    HouseholdVisit,
    QuestionnaireResponse,
)

pytestmark = pytest.mark.django_db


def test_an_item_opened_in_a_programme_belongs_to_it(bob, category, programme):
    item = ledger.item_create(
        kind=ItemKind.ENTERPRISE_PROBLEM,
        title="企业用电增容",
        category=category,
        actor=bob,
        programme=programme,
    )
    assert item.programme == programme
    assert list(programme.items.all()) == [item]
    assert item.history.first().programme_id == programme.pk


def test_only_an_administrator_sets_up_a_programme(bob, root):
    with pytest.raises(PermissionDenied):
        services.programme_create(code="x", name="隐患排查", actor=bob)
    services.programme_create(code="x", name="隐患排查", actor=root)
    with pytest.raises(ValidationError):
        services.programme_create(code="y", name="隐患排查", actor=root)


def test_a_visit_finds_a_problem_solved_on_the_spot(
    bob, dave, category, programme, district, yesterday
):
    visit = services.enterprise_visit_record(
        programme=programme,
        enterprise="郑州金泰制罐有限公司",
        visitors="区工信局 张伟、李娜",
        visited_on=yesterday,
        actor=bob,
    )
    problem = services.enterprise_problem_record(
        visit=visit, title="厂区门前道路破损", category=category, actor=bob
    )
    assert problem.item.status == ItemStatus.OPEN
    assert problem.item.programme == programme
    item = services.enterprise_problem_solve_on_spot(
        problem=problem,
        actor=bob,
        owner=dave,
        lead_unit=district["transport"],
        evidence="现场协调城建局修补路面，企业负责人签字确认",
        note="现场解决",
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.SETTLED
    assert item.settled_on_spot
    assert (item.owner, item.verifier, item.lead_unit) == (dave, bob, district["transport"])
    assert item.history.first().history_change_reason == "settle_on_spot: 现场解决"
    values = figures.result_values()
    assert values["enterprises_visited"] == 1
    assert values["enterprise_problems"] == 1
    assert values["enterprise_problems_solved_on_spot"] == 1
    assert values["enterprise_problems_solved_later"] == 0
    assert values["enterprise_problems_open"] == 0


def test_solving_on_the_spot_needs_evidence_a_note_and_someone_else_than_the_owner(
    bob, dave, category, programme, district, yesterday
):
    visit = services.enterprise_visit_record(
        programme=programme, enterprise="某企业", visitors="张伟", visited_on=yesterday, actor=bob
    )
    problem = services.enterprise_problem_record(
        visit=visit, title="用工难", category=category, actor=bob
    )
    common = {"problem": problem, "owner": dave, "lead_unit": district["transport"]}
    with pytest.raises(ValidationError) as error:
        services.enterprise_problem_solve_on_spot(actor=bob, evidence="", note="好", **common)
    assert "evidence" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.enterprise_problem_solve_on_spot(actor=bob, evidence="照片", note="", **common)
    with pytest.raises(ValidationError) as error:
        services.enterprise_problem_solve_on_spot(
            problem=problem, actor=bob, evidence="照片", note="好"
        )
    assert "owner" in error.value.message_dict
    problem.item.refresh_from_db()
    assert problem.item.status == ItemStatus.OPEN  # nothing stored


def test_a_project_cannot_be_settled_on_the_spot(make_item, bob, dave, district):
    item = make_item()
    with pytest.raises(ValidationError):
        ledger.item_settle_on_spot(
            item=item,
            actor=bob,
            owner=dave,
            lead_unit=district["education"],
            evidence="x",
            note="y",
        )


def test_a_reopened_on_the_spot_item_is_no_longer_counted_as_solved_on_the_spot(
    bob, dave, erin, category, programme, district, yesterday, root
):
    visit = services.enterprise_visit_record(
        programme=programme, enterprise="某企业", visitors="张伟", visited_on=yesterday, actor=bob
    )
    problem = services.enterprise_problem_record(
        visit=visit, title="用工难", category=category, actor=bob
    )
    services.enterprise_problem_solve_on_spot(
        problem=problem,
        actor=bob,
        owner=dave,
        lead_unit=district["transport"],
        evidence="照片",
        note="现场解决",
    )
    ledger.item_reopen(item=problem.item, actor=root, reason="企业反映问题复发")
    problem.item.refresh_from_db()
    assert not problem.item.settled_on_spot
    assert figures.result_value("enterprise_problems_solved_on_spot") == 0
    assert figures.result_value("enterprise_problems_open") == 1


def test_a_visit_in_the_future_or_without_visitors_is_refused(bob, programme):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.enterprise_visit_record(
            programme=programme,
            enterprise="某企业",
            visitors="张伟",
            visited_on=tomorrow,
            actor=bob,
        )
    with pytest.raises(ValidationError):
        services.enterprise_visits_bulk_record(
            programme=programme,
            visits=[
                {"enterprise": "甲", "visitors": "张伟", "visited_on": timezone.localdate()},
                {"enterprise": "乙", "visitors": " ", "visited_on": timezone.localdate()},
            ],
            actor=bob,
        )
    assert EnterpriseVisit.objects.count() == 0


def test_a_resident_records_no_visit(alice, programme, yesterday):
    with pytest.raises(PermissionDenied):
        services.enterprise_visit_record(
            programme=programme,
            enterprise="某企业",
            visitors="张",
            visited_on=yesterday,
            actor=alice,
        )


def test_a_claim_paid_within_24_hours_counts_and_a_late_one_does_not(
    bob, dave, erin, carol, category, network, district, time_machine
):
    station, point = network
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    fast = services.claim_apply(
        point=point, applicant="王某", title="家中财物水毁理赔", category=category, actor=bob
    )
    slow = services.claim_apply(
        point=point, applicant="李某", title="车辆水毁理赔", category=category, actor=bob
    )
    assert fast.station == station
    assert fast.item.lead_unit == district["street"]
    assert fast.item.deadline == fast.applied_at + dt.timedelta(hours=24)
    assert fast.item.programme == station.programme

    def pay(application):
        item = ledger.item_claim(item=application.item, actor=dave, lead_unit=district["street"])
        ledger.progress_report_submit(item=item, actor=dave, percent=100)
        ledger.item_submit_for_verification(item=item, actor=dave)
        ledger.item_settle(item=item, actor=erin, evidence="赔款已到账")

    time_machine.move_to(start + dt.timedelta(hours=5), tick=False)
    pay(fast)
    time_machine.move_to(start + dt.timedelta(hours=30), tick=False)
    pay(slow)
    assert figures.result_value("claims") == 2
    assert list(figures.claims_paid_within_24h()) == [fast]
    assert figures.result_value("claims_paid_within_24h_share") == 0.5


def test_no_claims_is_no_share_at_all(db):
    assert figures.result_value("claims_paid_within_24h_share") is None


def test_responses_and_visits_are_counted_and_appeals_know_where_they_came_from(
    bob, district, yesterday
):
    batch = collection_event_create(
        channel=Channel.QUESTIONNAIRE,
        title="需求问卷第一批",
        held_on=yesterday,
        unit=district["street"],
        actor=bob,
        count=3,
    )
    rounds = collection_event_create(
        channel=Channel.VISIT,
        title="入户走访第一轮",
        held_on=yesterday,
        unit=district["street"],
        actor=bob,
        count=2,
    )
    questionnaire = services.questionnaire_create(
        title="我为群众办实事需求问卷", questions=["您最关心什么？", "您的建议"], actor=bob
    )
    responses = services.questionnaire_responses_record(
        questionnaire=questionnaire,
        event=batch,
        responses=[{"answered_on": yesterday, "answers": {1: "停车难"}}] * 3,
        actor=bob,
    )
    visits = services.household_visits_record(
        event=rounds,
        visits=[
            {"household": "建设路1号院3号楼101", "visitor": bob, "visited_on": yesterday},
            {"household": "建设路1号院3号楼102", "visitor": bob, "visited_on": yesterday},
        ],
        actor=bob,
    )
    assert QuestionnaireResponse.objects.count() == 3
    assert responses[0].history.count() == 1
    assert HouseholdVisit.objects.count() == 2
    from shishi.core.stats import campaign_figures

    values = {f.key: f.value for f in campaign_figures()}
    assert values["questionnaires_issued"] == values["questionnaire_responses"] == 3
    assert values["household_visits"] == 2

    appeal = appeal_submit(
        title="小区停车难",
        body="",
        channel=Channel.QUESTIONNAIRE,
        actor=bob,
        event=batch,
    )
    assert services.appeals_link_sources(links=[(appeal, responses[0])], actor=bob) == 1
    appeal.refresh_from_db()
    assert appeal.questionnaire_response == responses[0]
    assert appeal.history.first().history_change_reason == "source recorded"
    assert list(responses[0].appeals.all()) == [appeal]
    # An appeal comes from one record of its own channel.
    with pytest.raises(ValidationError):
        services.appeals_link_sources(links=[(appeal, responses[1])], actor=bob)
    with pytest.raises(ValidationError):
        services.appeals_link_sources(links=[(appeal, visits[0])], actor=bob)


def test_a_response_to_a_question_that_does_not_exist_stores_nothing(bob, yesterday):
    questionnaire = services.questionnaire_create(title="问卷", questions=["一"], actor=bob)
    with pytest.raises(ValidationError) as error:
        services.questionnaire_responses_record(
            questionnaire=questionnaire,
            responses=[{"answered_on": yesterday}, {"answered_on": yesterday, "answers": {7: "x"}}],
            actor=bob,
        )
    assert "Response 2" in str(error.value) or "第" in str(error.value)
    assert QuestionnaireResponse.objects.count() == 0


def test_a_bound_target_takes_its_actual_from_the_rows(root, bob, make_item, programme):
    from shishi.programmes.models import Asset, AssetKind

    item = make_item(
        targets=[{"name": "接入智慧停车", "unit_of_measure": "个", "target_quantity": 2}]
    )
    target = item.targets.get()
    services.assets_store(
        rows=[
            Asset(kind=AssetKind.CAR_PARK, code="P1", name="一号停车场", connected=True),
            Asset(kind=AssetKind.CAR_PARK, code="P2", name="二号停车场", connected=False),
        ],
        actor=root,
    )
    services.target_source_bind(
        target=target, kind="assets", asset_kind=AssetKind.CAR_PARK, actor=root
    )
    target.refresh_from_db()
    assert target.actual_quantity == 1
    Asset.objects.filter(code="P2").update(connected=True)
    assert services.targets_refresh(actor=None) == 1
    target.refresh_from_db()
    assert target.actual_quantity == 2
    assert target.history.first().history_change_reason == "computed: assets"
    with pytest.raises(ValidationError):
        services.target_source_bind(target=target, kind="assets", asset_kind="", actor=root)


def test_stats_json_has_every_named_key(db):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("stats", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    named = {
        "enterprises_visited",
        "enterprise_problems",
        "enterprise_problems_solved_on_spot",
        "hazards_found",
        "hazards_removed",
        "claim_points",
        "claim_stations",
        "claim_staff",
        "claims",
        "claims_paid_within_24h_share",
        "questionnaire_responses",
        "household_visits",
        "online_services",
        "parking_lots_connected",
        "roadside_spaces_connected",
    }
    assert named <= set(printed)
    assert printed["claims_paid_within_24h_share"] is None


def test_hazards_and_quantities_are_counted_from_rows(bob, erin, dave, category, district, root):
    from shishi.programmes.models import Asset, AssetKind

    hazard = ledger.item_create(
        kind=ItemKind.HAZARD, title="人防坑道渗水", category=category, actor=bob
    )
    ledger.item_open(item=hazard, actor=bob)
    draft = ledger.item_create(kind=ItemKind.HAZARD, title="草稿", category=category, actor=bob)
    assert draft.status == ItemStatus.DRAFT  # not a finding yet
    ledger.item_settle_on_spot(
        item=hazard,
        actor=bob,
        owner=dave,
        lead_unit=district["transport"],
        evidence="现场封堵",
        note="已消除",
    )
    services.assets_store(
        rows=[
            Asset(kind=AssetKind.SCHOOL, code="S1", name="小学", connected=True, quantity=1080),
            Asset(kind=AssetKind.SCHOOL, code="S2", name="幼儿园", connected=True, quantity=270),
            Asset(kind=AssetKind.SCHOOL, code="S3", name="在建中学", connected=False, quantity=900),
        ],
        actor=root,
    )
    values = figures.result_values()
    assert (values["hazards_found"], values["hazards_removed"]) == (1, 1)
    assert (values["schools_built"], values["school_places"]) == (2, 1350)


def test_a_target_bound_to_a_programme_counts_its_settled_items(
    root, bob, dave, category, district, make_item
):
    hazards = services.programme_create(code="yh", name="隐患排查", actor=root)
    project = make_item(
        targets=[{"name": "排查消除险情", "unit_of_measure": "处", "target_quantity": 32}]
    )
    target = project.targets.get()
    services.target_source_bind(
        target=target, kind="programme_settled", programme=hazards, actor=root
    )
    target.refresh_from_db()
    assert target.actual_quantity == 0
    hazard = ledger.item_create(
        kind=ItemKind.HAZARD, title="坑道积水", category=category, actor=bob, programme=hazards
    )
    ledger.item_open(item=hazard, actor=bob)
    ledger.item_settle_on_spot(
        item=hazard,
        actor=bob,
        owner=dave,
        lead_unit=district["transport"],
        evidence="抽水",
        note="消除",
    )
    services.targets_refresh()
    target.refresh_from_db()
    assert target.actual_quantity == 1
    with pytest.raises(PermissionDenied):
        services.target_source_bind(target=target, kind="on_spot", actor=bob)


def test_a_forum_s_attendees_are_records_and_only_a_forum_has_them(bob, district, yesterday):
    forum = collection_event_create(
        channel=Channel.FORUM, title="建设路座谈会", held_on=yesterday, unit=district["street"]
    )
    batch = collection_event_create(
        channel=Channel.QUESTIONNAIRE, title="问卷", held_on=yesterday, unit=district["street"]
    )
    services.forum_attendees_record(
        event=forum,
        attendees=[{"name": "张伟", "affiliation": "建设路社区居民代表"}, {"name": "李娜"}],
        actor=bob,
    )
    assert figures.result_value("forum_attendees") == 2
    assert forum.attendees.first().history.get().history_user == bob
    with pytest.raises(ValidationError):
        services.forum_attendees_record(event=batch, attendees=[{"name": "王"}], actor=bob)
    with pytest.raises(ValidationError):
        services.forum_attendees_record(event=forum, attendees=[{"name": ""}], actor=bob)
    assert figures.result_value("forum_attendees") == 2


def test_a_bound_target_follows_the_rows_stored_through_the_services(root, make_item):
    from shishi.programmes.models import Asset, AssetKind

    item = make_item(
        targets=[{"name": "加装充电桩", "unit_of_measure": "个", "target_quantity": 217}]
    )
    target = item.targets.get()
    services.target_source_bind(
        target=target, kind="assets", asset_kind=AssetKind.CHARGING_POINT, actor=root
    )
    services.assets_store(
        rows=[
            Asset(kind=AssetKind.CHARGING_POINT, code=f"C{n}", name=f"充电桩{n}", connected=True)
            for n in range(3)
        ],
        actor=root,
    )
    target.refresh_from_db()
    assert target.actual_quantity == 3  # nobody typed it, nor ran the job
    assert target.history.first().history_user == root
