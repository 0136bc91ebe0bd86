"""`shishi demo` builds 中原区's campaign through the services, with the source's
figures, on a clock that ends today; twice the same seed, twice the same demo."""

import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from shishi.core.stats import campaign_figures
from shishi.demo import corpus
from shishi.demo.builder import (
    DEFAULT_PASSWORD,
    DEFAULT_SEED,
    FATE_COUNTS,
    _Builder,
    build_demo,
    demo_state,
)
from shishi.demo.clock import SimClock, simulated_time
from shishi.intake.models import Appeal, AppealNotice, AppealStatus, Channel, CollectionEvent
from shishi.ledger.models import (
    FollowUp,
    ItemKind,
    ItemStatus,
    LedgerItem,
    ProgressReport,
    Satisfaction,
    week_start,
)
from shishi.org.models import Unit, UnitKind, User
from shishi.org.services import user_create
from shishi.reports.summary import summary_render

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The determinism check replays the first week of a campaign that ends this
# much earlier: everything but the dates must come out the same.
SHIFT = dt.timedelta(days=3, hours=5, minutes=17)


def shishi(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def appeal_rows(query) -> list[tuple]:
    return [
        (
            a.tracking_number.split("-")[1],  # the part after the date
            a.channel,
            a.title,
            a.body,
            a.submitter_name,
            a.submitter_phone,
            a.address,
            a.community.name,
            a.event.title if a.event else "",
        )
        for a in query.select_related("community", "event").order_by("received_at", "pk")
    ]


@dataclass
class Built:
    output: str
    seconds: float
    again: str
    refused: str
    skipped: str
    first_week: list[tuple]
    first_week_events: list[tuple]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build the demo once for the module, inside a transaction rolled back at
    the end, after checking what the command does with a database that holds
    other data and replaying the first week of a shifted campaign."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        savepoint = transaction.savepoint()
        user_create(username="someone", full_name="某人")
        with pytest.raises(CommandError) as refused:
            shishi("demo")
        skipped = shishi("demo", "--skip-if-not-empty")
        assert Unit.objects.count() == 0
        transaction.savepoint_rollback(savepoint)

        savepoint = transaction.savepoint()
        build_demo(now=timezone.now() - SHIFT, stop_before_week=1)
        assert demo_state() == "other"  # a partial build is not taken for the demo
        first_week = appeal_rows(Appeal.objects.all())
        first_week_events = sorted(
            (e.channel, e.title, e.count, e.unit.name) for e in CollectionEvent.objects.all()
        )
        transaction.savepoint_rollback(savepoint)

        assert demo_state() == "empty"
        began = time.monotonic()
        output = shishi("demo")
        seconds = time.monotonic() - began
        again = shishi("demo")
        yield Built(
            output, seconds, again, str(refused.value), skipped, first_week, first_week_events
        )
        transaction.set_rollback(True)


def figures() -> dict[str, int]:
    return {f.key: f.value for f in campaign_figures()}


EXPECTED = {
    "participating_units": 70,
    "leaders": 40,
    "forums": 149,
    "questionnaires_issued": 17_643,
    "household_visits": 6_224,
    "appeals": 3_231,
    "project_categories": 8,
    "projects": 94,
    # The programmes' results (shishi.programmes.demo), counted from their rows.
    "enterprises_visited": 656,
    "enterprise_problems": 225,  # 215 solved on the spot, 6 through the ledger, 4 open
    "enterprise_problems_solved_on_spot": 215,
    "hazards_found": 32,
    "hazards_removed": 32,
    "claim_points": 152,
    "claim_stations": 14,
    "claim_staff": 28,
    "claims": 48,
    "claims_paid_within_24h_share": 0.9583,  # two of 48 paid late
    "questionnaire_responses": 17_643,
    "online_services": 1_343,
    "parking_lots_connected": 115,
    "roadside_spaces_connected": 1_049,
}


# --- without a database


def test_the_corpus_has_94_projects_in_8_categories_and_answers_for_every_topic():
    assert len(corpus.PROJECTS) == 94
    assert {p.category for p in corpus.PROJECTS} == {c.code for c in corpus.CATEGORIES}
    assert len(corpus.CATEGORIES) == 8
    assert all(re.fullmatch(r"[a-z-]+", c.code) for c in corpus.CATEGORIES)
    assert len(corpus.STREETS) == 14
    participating = len(corpus.DEPARTMENTS) + len(corpus.STREETS) + len(corpus.SCHOOLS)
    assert participating == 70
    topics = {t.key for t in corpus.TOPICS}
    for project in corpus.PROJECTS:
        assert set(project.topics) <= topics
        assert project.targets
    for topic in corpus.TOPICS:
        assert topic.reject_reason or corpus.ANSWERS[topic.key]


def test_the_simulated_clock_moves_forward_only_and_never_past_the_end():
    start = dt.datetime(2021, 3, 1, 1, tzinfo=dt.UTC)  # 09:00 in Zhengzhou
    clock = SimClock(start=start, end=start + dt.timedelta(days=10))
    assert clock.at(start + dt.timedelta(days=1)) == start + dt.timedelta(days=1)
    earlier = clock.at(start)
    assert earlier > start + dt.timedelta(days=1)  # a tick later, not back
    end = clock.at(start + dt.timedelta(days=99))
    assert end == start + dt.timedelta(days=10)
    assert clock.at(start + dt.timedelta(days=99)) > end  # order kept after the end


def test_the_simulated_clock_reaches_model_defaults_and_is_restored():
    real_now = timezone.now
    start = dt.datetime(2021, 3, 1, 1, tzinfo=dt.UTC)  # 09:00 in Zhengzhou
    clock = SimClock(start=start, end=start + dt.timedelta(days=1))
    with simulated_time(clock):
        assert timezone.now() == start
        assert timezone.localdate() == dt.date(2021, 3, 1)
        assert FollowUp._meta.get_field("recorded_at").get_default() == start
        assert User._meta.get_field("date_joined").get_default() == start
    assert timezone.now is real_now
    assert FollowUp._meta.get_field("recorded_at").get_default() > start + dt.timedelta(days=365)


def test_the_plan_depends_on_the_seed_and_not_on_the_date():
    def plan(seed, now):
        builder = _Builder(seed=seed, password=DEFAULT_PASSWORD, now=now)
        builder.plan()
        return (
            [(p.spec.title, p.fate, p.leader, p.deadline - builder.start) for p in builder.items],
            [(a.topic.key, a.when - builder.start, a.fate, a.slots) for a in builder.appeals],
            [(e.title, e.count, e.when - builder.start) for e in builder.events],
            len(builder._queue),
        )

    now = timezone.now()
    today = plan(DEFAULT_SEED, now)
    assert plan(DEFAULT_SEED, now - SHIFT) == today
    assert plan(DEFAULT_SEED, now - dt.timedelta(weeks=30, days=2)) == today
    assert plan(DEFAULT_SEED + 1, now) != today
    for seed in range(5):  # any seed makes a complete plan
        items, _appeals, _events, _queued = plan(seed, now)
        assert len({leader for _t, _f, leader, _d in items}) == 40
    items, appeals, events, _queued = today
    assert [fate for _title, fate, _leader, _deadline in items].count("settled") == 50
    assert len(appeals) == 3_231 and len(events) == 149 + 46 + 56


# --- the whole demo (one build for the module)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_the_source_figures(demo):
    got = figures()
    assert {k: got[k] for k in EXPECTED} == EXPECTED
    assert got["projects_settled"] == FATE_COUNTS["settled"]
    assert got["projects_ongoing"] == 94 - FATE_COUNTS["settled"]
    assert got["projects_overdue"] == FATE_COUNTS["overdue"]
    assert got["items_missing_report"] == FATE_COUNTS["missing"] + 2
    assert got["items_active"] > 0


@pytest.mark.slow
@pytest.mark.django_db
def test_stats_prints_the_same_figures(demo):
    printed = json.loads(shishi("stats", "--json"))
    # Work orders (shishi.workorders): an object of counts, beside the figures.
    from shishi.workorders.figures import work_order_counts

    assert printed.pop("work_orders") == work_order_counts()
    assert printed == figures()
    assert {k: printed[k] for k in EXPECTED} == EXPECTED
    text = shishi("stats")
    assert "征集诉求: 3231 条" in text and "民生实事: 94 件" in text


@pytest.mark.slow
@pytest.mark.django_db
def test_the_command_prints_a_summary_and_the_demo_logins(demo):
    assert "发放调查问卷: 17643 份" in demo.output
    assert "DEMO ONLY" in demo.output and DEFAULT_PASSWORD in demo.output
    for login in ("admin", "clerk01", "leader01", "handler01", "supervisor01", "resident01"):
        assert login in demo.output
        assert User.objects.get(username=login).check_password(DEFAULT_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.get(username="leader02").has_usable_password()
    print(f"demo built in {demo.seconds:.1f} s")


@pytest.mark.slow
@pytest.mark.django_db
def test_running_the_command_again_changes_nothing(demo):
    before = figures()
    assert "already" in demo.again
    assert "already" in shishi("demo")
    assert figures() == before
    assert Unit.objects.filter(kind=UnitKind.DISTRICT).count() == 1
    assert demo_state() == "demo"


@pytest.mark.slow
@pytest.mark.django_db
def test_a_database_with_other_data_is_refused_and_left_alone(demo):
    assert "not the demo" in demo.refused
    assert "not the demo" in demo.skipped


@pytest.mark.slow
@pytest.mark.django_db
def test_the_same_seed_gives_the_same_appeals_whatever_the_date(demo):
    assert len(demo.first_week) > 300
    full = appeal_rows(Appeal.objects.all())
    assert full[: len(demo.first_week)] == demo.first_week
    first_events = {(e[0], e[1]) for e in demo.first_week_events}
    events = sorted(
        (e.channel, e.title, e.count, e.unit.name)
        for e in CollectionEvent.objects.select_related("unit")
        if (e.channel, e.title) in first_events
    )
    assert events == demo.first_week_events
    assert Appeal.objects.values("tracking_number").distinct().count() == 3_231


@pytest.mark.slow
@pytest.mark.django_db
def test_the_unit_tree_and_the_people(demo):
    district = Unit.objects.get(kind=UnitKind.DISTRICT)
    assert district.name == "中原区" and not district.is_participating
    assert Unit.objects.participating().exclude(kind=UnitKind.COMMUNITY).count() == 70
    streets = Unit.objects.filter(kind=UnitKind.STREET)
    assert streets.count() == 14 and all(s.parent_id == district.pk for s in streets)
    grass_roots = Unit.objects.filter(kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE])
    assert grass_roots.count() >= 50 and not grass_roots.filter(is_participating=True).exists()
    assert all(s.children.count() >= 3 for s in streets)
    leaders = User.objects.filter(groups__name="领办领导")
    assert leaders.count() == 40
    assert len({u.full_name for u in leaders}) == 40
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", u.full_name) for u in leaders)
    # Every lead unit has a handler among its members.
    for unit in Unit.objects.filter(led_items__isnull=False).distinct():
        assert unit.memberships.filter(user__groups__name="单位经办人").exists(), unit


@pytest.mark.slow
@pytest.mark.django_db
def test_the_collection_events_of_the_first_weeks(demo):
    district_start = LedgerItem.objects.order_by("created_at").first().created_at
    for channel, total in ((Channel.QUESTIONNAIRE, 17_643), (Channel.VISIT, 6_224)):
        events = CollectionEvent.objects.filter(channel=channel)
        assert sum(e.count for e in events) == total and events.count() > 10
    forums = CollectionEvent.objects.filter(channel=Channel.FORUM)
    assert forums.count() == 149 and all(12 <= f.count <= 45 for f in forums)
    collection = CollectionEvent.objects.filter(
        channel__in=[Channel.FORUM, Channel.QUESTIONNAIRE, Channel.VISIT]
    )
    assert all(e.unit.is_participating for e in collection.select_related("unit"))
    assert all(e.held_on <= timezone.localdate(district_start) for e in collection)
    assert collection.filter(unit__kind=UnitKind.STREET).count() > collection.count() / 2
    visits = CollectionEvent.objects.filter(channel=Channel.ENTERPRISE_VISIT)
    assert sum(visits.values_list("count", flat=True)) == 656  # 万人助万企走访企业656家


@pytest.mark.slow
@pytest.mark.django_db
def test_the_appeals_went_every_way(demo):
    by_status = dict(Appeal.objects.values_list("status").annotate(n=Count("pk")))
    assert by_status[AppealStatus.CLOSED] > 1000
    assert by_status[AppealStatus.ACCEPTED] > 500
    for status in (AppealStatus.ANSWERED, AppealStatus.REJECTED, AppealStatus.TRIAGED):
        assert by_status[status] > 10, status
    assert by_status[AppealStatus.RECEIVED] > 0
    accepted_ever = Appeal.objects.filter(item__isnull=False).count()
    assert accepted_ever > 3_231 * 0.7  # most appeals went into projects
    by_channel = dict(Appeal.objects.values_list("channel").annotate(n=Count("pk")))
    assert set(by_channel) == {"forum", "questionnaire", "visit", "hotline", "web"}
    assert Appeal.objects.exclude(status="received").filter(category__isnull=True).count() == 0
    rejected = Appeal.objects.filter(status_note__contains="民事纠纷")
    assert rejected.exists()
    assert Appeal.objects.filter(status=AppealStatus.CLOSED, item__isnull=True).exists()
    phones = list(
        Appeal.objects.exclude(submitter_phone="").values_list("submitter_phone", flat=True)
    )
    assert len(phones) > 1000 and all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)
    assert Appeal.objects.exclude(submitter_name="").count() > 1000
    assert Appeal.objects.exclude(address="").count() > 2000
    assert Appeal.objects.filter(community__isnull=True).count() == 0
    assert Appeal.objects.filter(submitter__username="resident01").exists() or (
        Appeal.objects.filter(submitter__isnull=False).exists()
    )
    # Real variety, not a handful of strings.
    assert Appeal.objects.values("title").distinct().count() > 800
    assert Appeal.objects.values("body").distinct().count() > 3_000
    assert AppealNotice.objects.count() > 1000


@pytest.mark.slow
@pytest.mark.django_db
def test_no_text_holds_placeholder_junk(demo):
    texts = []
    for a in Appeal.objects.all():
        texts += [a.title, a.body, a.status_note, a.address, a.submitter_name]
    for item in LedgerItem.objects.all():
        texts += [item.title, item.description, item.settlement_evidence, item.status_note]
    texts += list(ProgressReport.objects.values_list("narrative", flat=True))
    texts += list(FollowUp.objects.values_list("note", flat=True))
    texts += list(CollectionEvent.objects.values_list("title", flat=True))
    junk = re.compile(r"lorem|ipsum|\{|\}|None|null|undefined|TODO|xxx", re.IGNORECASE)
    bad = [t for t in texts if junk.search(t)]
    assert bad == []


@pytest.mark.slow
@pytest.mark.django_db
def test_the_projects_are_where_a_real_campaign_would_be(demo):
    projects = LedgerItem.objects.filter(kind=ItemKind.PROJECT)
    statuses = dict(projects.values_list("status").annotate(n=Count("pk")))
    assert statuses[ItemStatus.SETTLED] == 50
    assert statuses[ItemStatus.AWAITING_VERIFICATION] == FATE_COUNTS["awaiting"]
    assert statuses[ItemStatus.SUSPENDED] == FATE_COUNTS["suspended"]
    assert statuses[ItemStatus.IN_PROGRESS] == 94 - 50 - 3 - 1
    assert projects.filter(category__isnull=True).count() == 0
    assert projects.values("category").distinct().count() == 8
    assert projects.values("owner").distinct().count() == 40
    # Measurable targets, with the source's figures where it gives them.
    target = projects.get(title="新增中小学学位和教学班").targets
    assert {t.name: int(t.target_quantity) for t in target.all()} == {
        "新增学位": 6360,
        "新增中小学教学班": 138,
    }
    assert projects.get(title="建设公共停车泊位").targets.get().target_quantity == 7361
    assert (
        projects.get(title="食品餐饮经营单位统一制作公示栏").targets.get().target_quantity == 7000
    )
    for item in projects.prefetch_related("targets", "cooperating_units"):
        assert item.targets.exists() and item.lead_unit and item.owner and item.claimed_at
    assert projects.filter(cooperating_units__isnull=False).distinct().count() > 60


@pytest.mark.slow
@pytest.mark.django_db
def test_overdue_missing_and_settled_projects(demo):
    now = timezone.now()
    this_week = week_start(timezone.localdate())
    projects = LedgerItem.objects.filter(kind=ItemKind.PROJECT)
    overdue = projects.overdue(now)
    assert overdue.count() == 8 and all(i.status == ItemStatus.IN_PROGRESS for i in overdue)
    assert all(i.progress_reports.filter(percent__lt=100).exists() for i in overdue)
    missing = LedgerItem.objects.missing_report(this_week)
    assert missing.count() == 7 and missing.filter(pk__in=overdue).count() == 2
    assert all(i.progress_reports.exists() for i in missing)  # they reported before
    active = projects.filter(status=ItemStatus.IN_PROGRESS).exclude(pk__in=missing)
    assert all(i.progress_reports.filter(week_start=this_week).exists() for i in active)
    assert projects.exclude(status=ItemStatus.SETTLED).filter(deadline__gt=now).exists()
    # Settled ones: verified by someone else, on evidence, with follow-ups.
    settled = projects.filter(status=ItemStatus.SETTLED)
    for item in settled:
        assert item.verifier_id != item.owner_id and item.settlement_evidence
        assert item.followups.exists()
        assert not item.appeals.exclude(status=AppealStatus.CLOSED).exists()
        assert all(t.actual_quantity == t.target_quantity for t in item.targets.all())
    results = dict(FollowUp.objects.values_list("result").annotate(n=Count("pk")))
    assert results[Satisfaction.SATISFIED] > 40
    assert 1 <= results[Satisfaction.BASICALLY_SATISFIED] <= 10
    assert 1 <= results[Satisfaction.DISSATISFIED] <= 2
    reopened = [i for i in settled if i.history.filter(history_change_reason__startswith="reopen")]
    assert len(reopened) == 1


@pytest.mark.slow
@pytest.mark.django_db
def test_weekly_reports_over_the_campaign(demo):
    reports = ProgressReport.objects.all()
    assert reports.count() > 1000
    assert reports.filter(version=2).count() > 10  # corrections keep the first version
    assert reports.filter(version=1, is_current=False).count() == reports.filter(version=2).count()
    weeks = reports.values("week_start").distinct().count()
    assert 20 <= weeks <= 24
    first = reports.order_by("week_start").first().week_start
    assert (week_start(timezone.localdate()) - first).days // 7 == 20
    item = LedgerItem.objects.filter(kind=ItemKind.PROJECT, status=ItemStatus.IN_PROGRESS).first()
    percents = list(
        item.progress_reports.filter(is_current=True)
        .order_by("week_start")
        .values_list("percent", flat=True)
    )
    assert percents == sorted(percents) and len(percents) > 10


@pytest.mark.slow
@pytest.mark.django_db
def test_the_other_ledgers_do_not_count_as_projects(demo):
    hazards = LedgerItem.objects.filter(kind=ItemKind.HAZARD)
    assert hazards.count() == 32 and all(h.status == ItemStatus.SETTLED for h in hazards)
    problems = LedgerItem.objects.filter(kind=ItemKind.ENTERPRISE_PROBLEM)
    # The programme's visits found more (shishi.programmes.demo): 215 solved
    # on the spot, 4 open.
    found_on_visits = problems.filter(enterprise_problem__isnull=False)
    assert found_on_visits.filter(settled_on_spot=True).count() == 215
    assert found_on_visits.filter(status=ItemStatus.OPEN).count() == 4
    problems = problems.filter(enterprise_problem__isnull=True)
    assert problems.count() == len(corpus.ENTERPRISE_PROBLEMS)
    assert all(p.status == ItemStatus.SETTLED for p in problems)
    assert figures()["projects"] == 94


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_leader_has_a_varied_portfolio(demo):
    items = LedgerItem.objects.filter(owner__username="leader01", kind=ItemKind.PROJECT)
    assert 2 <= items.count() <= 3
    assert len({(i.status, i.is_overdue()) for i in items}) >= 2
    handler = User.objects.get(username="handler01")
    assert handler.memberships.get().unit.name == "区教育局"


@pytest.mark.slow
@pytest.mark.django_db
def test_the_summary_tells_the_source_documents_figures(demo):
    html = re.sub(r"<style>.*?</style>", "", summary_render("html").decode(), flags=re.DOTALL)
    text = re.sub(r"\s+", "", unescape(re.sub(r"<[^>]+>", "", html)))
    # The source's words: 共召开征集意见座谈会149场，发放调查问卷17643份，入户走访
    # 6224人次，征集诉求3231条……涵盖8类94件民生实事.
    assert (
        "共召开征集意见座谈会149场，发放调查问卷17643份，入户走访6224人次，征集诉求3231条" in text
    )
    assert "涵盖8类94件民生实事" in text
    settled = FATE_COUNTS["settled"]
    assert f"已清账民生实事{settled}件，正在推进{94 - settled}件" in text
    assert f"其中{FATE_COUNTS['overdue']}件已超过完成时限" in text
    assert "70个参学单位" in text and "40名领办领导" in text
    assert "中原区“我为群众办实事”实践活动综述" in text
    # The results (成效, shishi.programmes.results), counted from the programmes' rows.
    assert "“万人助万企”走访调研企业656家" in text and "现场解决问题215个" in text
    assert "全区1343项政务服务事项实现“网上办”，50个“一件事”实现“掌上办”" in text
    assert "115个经营性停车场和1049个路侧泊位已接入智慧停车管理系统" in text
    assert "在152个村（社区）设立治安家财理赔受理登记点，在14个街道" in text
    assert "派驻28名法官和理赔专员" in text and "排查出险情32处，已消除32处" in text


@pytest.mark.slow
@pytest.mark.django_db
def test_each_login_is_printed_with_its_unit_and_each_main_unit_has_a_handler(demo):
    from shishi.demo.builder import DEMO_HANDLER_UNITS

    lines = {line.split()[0]: line for line in demo.output.splitlines() if line.startswith("  ")}
    assert "区教育局" in lines["handler01"]
    assert "区政府办公室" in lines["clerk01"]
    for unit in DEMO_HANDLER_UNITS:
        handler = User.objects.get(username__startswith="handler", memberships__unit__name=unit)
        assert handler.check_password(DEFAULT_PASSWORD), unit
        assert handler.username in lines and unit in lines[handler.username]
    # The other handlers stay without a password.
    assert not User.objects.get(username="handler02").has_usable_password()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_campaigns_organisation_and_activities_have_the_source_figures(demo):
    # Issue 16: each figure counted from the rows the demo created.
    got = figures()
    assert {
        k: got[k]
        for k in (
            "inspection_groups",
            "inspection_rounds",
            "inspection_units_covered",
            "meetings",
            "study_sessions",
            "lecture_groups",
            "lecture_speakers",
            "liaison_members",
            "liaison_households",
            "leader_contact_units",
            "selection_selected",
        )
    } == {
        "inspection_groups": 7,
        "inspection_rounds": 3,
        "inspection_units_covered": 70,
        "meetings": 16,
        "study_sessions": 12,
        "lecture_groups": 17,
        "lecture_speakers": 116,
        "liaison_members": 1056,
        "liaison_households": 21822,
        "leader_contact_units": 40,
        "selection_selected": 30,
    }
    assert got["inspection_visits"] >= 210
    assert got["rectification_items"] >= 1200
    assert got["lectures"] >= 1200
    assert got["lecture_attendance"] >= 100_000
    assert got["selection_nominations"] >= 150
    html = re.sub(r"<style>.*?</style>", "", summary_render("html").decode(), flags=re.DOTALL)
    text = re.sub(r"\s+", "", unescape(re.sub(r"<[^>]+>", "", html)))
    assert "组建7个巡回指导组，开展3轮巡回指导" in text
    assert "1056名联户党员联系群众21822户" in text
    assert "评选出30人" in text


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_runs_work_orders_in_every_state(demo):
    # 接诉即办 (shishi.workorders): the appeals answered directly went to units.
    from shishi.workorders.models import OrderFollowUp, WorkOrder
    from shishi.workorders.selectors import TABS, tab_counts

    orders = WorkOrder.objects.all()
    assert orders.count() >= 200
    states = set(orders.values_list("status", flat=True))
    assert {"dispatched", "signed", "replied", "closed", "returned", "reassigned"} <= states
    assert orders.filter(extension_count__gt=0).exists()
    assert orders.filter(rehandle_count__gt=0).exists()
    results = set(OrderFollowUp.objects.values_list("result", flat=True))
    assert {"satisfied", "dissatisfied"} <= results
    handler = User.objects.get(username="handler01")
    unit_ids = {handler.memberships.get().unit_id}
    counts = tab_counts(unit_ids, timezone.now())
    assert all(counts[tab] for tab in TABS), counts
    mine = set(orders.filter(unit_id__in=unit_ids).values_list("status", flat=True))
    assert {"dispatched", "signed", "replied", "closed", "returned"} <= mine
