"""acknowledged_at and responded_at: set by the first staff action and the first
reply, never moved by later ones; and the backfill from the history."""

import datetime as dt
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.utils import timezone

from shishi.intake.models import Appeal
from shishi.intake.services import (
    appeal_accept,
    appeal_answer,
    appeal_close,
    appeal_reject,
    appeal_submit,
    appeal_triage,
)
from shishi.ledger.services import (
    item_reopen,
    item_settle,
    item_submit_for_verification,
    progress_report_submit,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def test_triage_acknowledges_once_and_answering_responds(bob, category):
    with time_machine.travel(T0, tick=False):
        appeal = appeal_submit(title="路灯不亮", channel="web")
    assert appeal.acknowledged_at is None and appeal.responded_at is None
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        appeal = appeal_triage(appeal=appeal, actor=bob, category=category)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        appeal = appeal_triage(appeal=appeal, actor=bob, category=category)
    assert appeal.acknowledged_at == T0 + dt.timedelta(hours=1)
    assert appeal.responded_at is None
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        appeal = appeal_answer(appeal=appeal, actor=bob, answer="已报修")
    with time_machine.travel(T0 + dt.timedelta(hours=6), tick=False):
        appeal = appeal_close(appeal=appeal, actor=bob)
    appeal.refresh_from_db()
    assert appeal.acknowledged_at == T0 + dt.timedelta(hours=1)
    assert appeal.responded_at == T0 + dt.timedelta(hours=5)
    assert appeal.outcome == "answered"


def test_an_appeal_staff_record_is_acknowledged_as_they_record_it(alice, bob):
    with time_machine.travel(T0, tick=False):
        taken = appeal_submit(title="热线：路灯不亮", channel="hotline", actor=bob)
        filed = appeal_submit(title="网上：路灯不亮", channel="web", actor=alice, submitter=alice)
    assert taken.acknowledged_at == T0 and taken.responded_at is None
    assert filed.acknowledged_at is None


def test_rejecting_straight_away_acknowledges_and_responds(bob):
    appeal = appeal_submit(title="与本区无关", channel="web")
    appeal = appeal_reject(appeal=appeal, actor=bob, reason="不属本区职责")
    assert appeal.acknowledged_at is not None
    assert appeal.responded_at == appeal.acknowledged_at
    assert appeal.outcome == "rejected"
    appeal = appeal_close(appeal=appeal, actor=bob)
    assert appeal.outcome == "rejected"


def test_an_accepted_appeal_responds_when_its_item_settles_not_after_reopening(
    bob, claimed_item, carol, dave, erin
):
    appeal = appeal_accept(
        appeal=appeal_submit(title="学校太远", channel="web"), actor=bob, item=claimed_item
    )
    assert appeal.acknowledged_at is not None and appeal.responded_at is None
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item_submit_for_verification(item=claimed_item, actor=dave)
    settled_at = timezone.now() + dt.timedelta(days=3)
    with time_machine.travel(settled_at, tick=False):
        item = item_settle(item=claimed_item, actor=erin, evidence="现场核验")
    appeal.refresh_from_db()
    assert appeal.responded_at == settled_at and appeal.outcome == "settled"
    item = item_reopen(item=item, actor=erin, reason="仍有问题")
    item_submit_for_verification(item=item, actor=dave)
    with time_machine.travel(settled_at + dt.timedelta(days=5), tick=False):
        item_settle(item=item, actor=erin, evidence="再次核验")
    appeal.refresh_from_db()
    assert appeal.responded_at == settled_at


def test_backfill_takes_the_first_change_from_the_history(bob, category):
    with time_machine.travel(T0, tick=False):
        untouched = appeal_submit(title="未处理", channel="web")
        answered = appeal_submit(title="已答复", channel="web")
        rejected = appeal_submit(title="不予受理", channel="web")
        appeal_reject(appeal=rejected, actor=bob, reason="不属本区")
        appeal_close(appeal=rejected, actor=bob)
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        appeal_triage(appeal=answered, actor=bob, category=category)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        appeal_answer(appeal=answered, actor=bob, answer="已处理")
    Appeal.objects.update(acknowledged_at=None, responded_at=None, outcome="")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    for name in ("0009_appeal_acknowledged_backfill", "0011_appeal_outcome_backfill"):
        import_module(f"shishi.intake.migrations.{name}").backfill(apps, editor)
    answered.refresh_from_db()
    untouched.refresh_from_db()
    rejected.refresh_from_db()
    assert answered.outcome == "answered" and rejected.outcome == "rejected"
    assert untouched.outcome == ""
    assert rejected.responded_at == T0
    assert answered.acknowledged_at == T0 + dt.timedelta(hours=3)
    assert answered.responded_at == T0 + dt.timedelta(days=2)
    assert untouched.acknowledged_at is None and untouched.responded_at is None
