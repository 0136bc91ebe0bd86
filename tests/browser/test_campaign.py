"""The campaign's organisation and activities in a real browser, as the staff
who run each part meet them: a supervisor records inspection visits (one
outside the round's plan is refused) and reads the coverage; a clerk records a
lecture (attendance below zero is refused) and pairs households (a household
paired twice is refused); a leader scores a nomination and the clerk publishes
the results."""

import datetime as dt

import pytest
from django.utils import timezone

from shishi.activities.models import Lecture
from shishi.activities.services import lecture_group_create, speaker_add
from shishi.inspection.models import Visit
from shishi.inspection.services import group_create, plan_set, round_create
from shishi.liaison.models import Pairing
from shishi.liaison.services import household_create, member_create
from shishi.org.services import user_create
from shishi.selection.models import Nomination, Score
from shishi.selection.services import call_create, nomination_submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "browser-pass-2026"


@pytest.fixture
def people(db):
    def person(username, role):
        return user_create(username=username, full_name=username, roles=[role], password=PASSWORD)

    return {
        "clerk": person("clerk", "clerk"),
        "leader": person("leader", "leader"),
        "supervisor": person("supervisor", "supervisor"),
    }


@pytest.fixture
def log_in(browser, live_server):
    def log_in(username: str):
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        assert "/accounts/login/" not in page.url, page.inner_text("main")
        return page

    return log_in


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).locator("button[type=submit]").first.click()


def test_a_supervisor_records_visits_under_the_plan(live_server, log_in, shoot, people, district):
    today = timezone.localdate()
    group = group_create(name="第一巡回指导组", actor=people["supervisor"])
    round_ = round_create(
        number=1,
        title="第一轮巡回指导",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=10),
        actor=people["supervisor"],
    )
    plan_set(round=round_, group=group, units=[district["education"]], actor=people["supervisor"])
    page = log_in("supervisor")
    page.goto(f"{live_server.url}/campaign/")
    page.click("text=巡回指导走访")
    form = "form[method=post]:has(select[name=round])"

    def fill(unit) -> None:
        visit = page.locator(form)
        visit.locator("select[name=round]").select_option(str(round_.pk))
        visit.locator("select[name=group]").select_option(str(group.pk))
        visit.locator("select[name=unit]").select_option(str(unit.pk))
        visit.locator("input[name=visited_on]").fill(today.isoformat())
        visit.locator("input[name=methods][value=documents]").check()

    fill(district["transport"])
    submit(page, form)
    assert "不在第一轮巡回指导的计划内" in page.inner_text("main")
    assert Visit.objects.count() == 0
    fill(district["education"])
    submit(page, form)
    assert "走访已登记" in page.inner_text("main")
    assert Visit.objects.get().plan.unit == district["education"]
    page.goto(f"{live_server.url}/campaign/inspection/coverage/")
    assert "区教育局" in page.inner_text("main")
    shoot(page, "campaign-inspection-coverage")


def test_a_clerk_records_a_lecture_and_pairs_a_household(live_server, log_in, people, district):
    clerk = people["clerk"]
    group = lecture_group_create(name="区委宣讲团", unit=district["district"], actor=clerk)
    speaker = speaker_add(group=group, name="刘洋", actor=clerk)
    page = log_in("clerk")
    page.goto(f"{live_server.url}/campaign/activities/lectures/")
    form = "form:has(input[name=attendance])"
    page.select_option("select[name=speaker]", str(speaker.pk))
    page.fill("input[name=title]", "党史宣讲进社区")
    page.fill("input[name=held_on]", "2021-05-01")
    page.select_option("select[name=unit]", str(district["community"].pk))
    page.fill("input[name=attendance]", "-5")
    submit(page, form)
    assert "不能小于零" in page.inner_text("main")
    assert Lecture.objects.count() == 0
    page.fill("input[name=attendance]", "60")
    submit(page, form)
    assert Lecture.objects.get().attendance == 60

    community = district["community"]
    first = member_create(name="王红", community=community, actor=clerk)
    second = member_create(name="赵刚", community=community, actor=clerk)
    household = household_create(community=community, address="1号楼101", actor=clerk)
    page.goto(f"{live_server.url}/campaign/liaison/")
    page.click(f"text={community.name}")
    form = "form:has(select[name=member])"
    for member in (first, second):
        page.select_option("select[name=household]", str(household.pk))
        page.select_option("select[name=member]", str(member.pk))
        page.fill("input[name=paired_on]", "2021-04-01")
        submit(page, form)
    assert "已由王红联系" in page.inner_text("main")
    assert Pairing.objects.get().member == first


def test_a_leader_scores_and_the_clerk_publishes(live_server, log_in, people, district):
    call = call_create(
        title="党史学习之星",
        deadline=timezone.now() + dt.timedelta(hours=1),
        places=1,
        actor=people["clerk"],
    )
    nomination = nomination_submit(
        call=call,
        nominee="张伟",
        unit=district["education"],
        materials="事迹",
        actor=people["clerk"],
    )
    page = log_in("leader")
    page.goto(f"{live_server.url}/campaign/selection/")
    page.click("text=党史学习之星")
    page.fill(f"#nomination-{nomination.pk} input[name=points]", "93")
    submit(page, f"#nomination-{nomination.pk} form")
    assert Score.objects.get().points == 93
    assert page.locator(f"#nomination-{nomination.pk} form").count() == 0
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.save()
    clerk = log_in("clerk")
    clerk.goto(f"{live_server.url}/campaign/selection/{call.pk}/")
    submit(clerk, "form[action$='/publish/']")
    assert "已公布" in clerk.inner_text("main")
    assert Nomination.objects.get().selected
