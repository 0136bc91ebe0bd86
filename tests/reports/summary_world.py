"""A small campaign whose summary figures are counted by hand (a fixture the
summary tests import)."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from shishi.categories.services import category_create
from shishi.intake.services import appeal_submit, collection_event_create
from shishi.ledger.models import LedgerItem
from shishi.ledger.services import (
    item_cancel,
    item_claim,
    item_settle,
    item_submit_for_verification,
    progress_report_submit,
)
from shishi.programmes.services import (
    household_visits_record,
    questionnaire_create,
    questionnaire_responses_record,
)

DAY = dt.timedelta(days=1)


@dataclass
class Campaign:
    now: dt.datetime  # when to read the summary: 60 days on, one deadline has passed
    settled: LedgerItem
    overdue: LedgerItem


@pytest.fixture
def campaign(district, category, make_item, bob, carol, dave, erin) -> Campaign:
    """In 中原区, counted by hand:

    - events: 2 forums (20 and 31 people), 1 questionnaire batch (500 issued),
      1 visit round (40 visits);
    - 5 appeals: 3 at forums (教育优先, its subcategory 学位, none), 1 by the
      hotline (交通出行), 1 on the web (养老服务, a category without projects);
    - 4 projects: 教育优先 settled, in progress (due in 30 days: overdue 60 days
      on) and open; 交通出行 claimed. Not counted: a draft, a cancelled
      project, a rectification.
    """
    transport = category_create(name="交通出行", code="transport")
    elderly = category_create(name="养老服务", code="elderly-care")
    places = category_create(name="学位", code="school-places", parent=category)
    street, today = district["street"], timezone.localdate()
    for title, count in (("建设路座谈会", 20), ("林山寨座谈会", 31)):
        collection_event_create(
            channel="forum", title=title, held_on=today, unit=street, count=count
        )
    batch = collection_event_create(
        channel="questionnaire", title="问卷第一批", held_on=today, unit=street, count=500
    )
    visits = collection_event_create(
        channel="visit", title="入户走访第一轮", held_on=today, unit=street, count=40
    )
    # The figures count the responses and visits recorded, not the events' counts.
    questionnaire = questionnaire_create(title="需求问卷", questions=["您的诉求"], actor=bob)
    questionnaire_responses_record(
        questionnaire=questionnaire,
        event=batch,
        responses=[{"answered_on": today}] * 500,
        actor=bob,
    )
    household_visits_record(
        event=visits,
        visits=[{"household": f"{n}号", "visitor": bob, "visited_on": today} for n in range(40)],
        actor=bob,
    )
    for title, channel, appeal_category in (
        ("孩子上学远", "forum", category),
        ("学位不够", "forum", places),
        ("路灯不亮", "forum", None),
        ("断头路", "hotline", transport),
        ("老年食堂", "web", elderly),
    ):
        appeal_submit(title=title, channel=channel, category=appeal_category)

    soon = timezone.now() + 30 * DAY
    settled = item_claim(
        item=make_item(title="新建学校"), actor=dave, lead_unit=district["education"]
    )
    progress_report_submit(item=settled, actor=carol, percent=100, actuals={"新增学位": 6360})
    item_submit_for_verification(item=settled, actor=dave)
    settled = item_settle(item=settled, actor=erin, evidence="现场核验")
    overdue = item_claim(
        item=make_item(title="扩建幼儿园", deadline=soon),
        actor=dave,
        lead_unit=district["education"],
    )
    progress_report_submit(item=overdue, actor=carol, percent=40)
    make_item(title="校园修缮")
    item_claim(
        item=make_item(title="打通断头路", category=transport),
        actor=dave,
        lead_unit=district["transport"],
    )
    make_item(title="草稿事项", open_it=False)
    item_cancel(
        item=make_item(title="取消的项目", category=transport), actor=erin, reason="并入他项"
    )
    make_item(title="立行立改", kind="rectification", category=transport, targets=[])
    return Campaign(now=timezone.now() + 60 * DAY, settled=settled, overdue=overdue)
