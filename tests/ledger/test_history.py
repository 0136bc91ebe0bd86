"""Every change to appeals, items, claims and reports is on record."""

import pytest

from shishi.intake.services import appeal_submit, appeal_triage
from shishi.ledger.models import ProgressReport
from shishi.ledger.services import item_settle, item_submit_for_verification, progress_report_submit

pytestmark = pytest.mark.django_db


def test_item_history_records_who_did_what_and_why(claimed_item, carol, dave, erin, bob):
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item_submit_for_verification(item=claimed_item, actor=dave, note="已全部完成")
    item_settle(item=claimed_item, actor=erin, evidence="现场核验")
    records = list(claimed_item.history.order_by("history_date", "history_id"))
    steps = [(r.status, r.history_user, r.history_change_reason) for r in records]
    assert steps == [
        ("draft", bob, "created"),
        ("open", bob, "open"),
        ("claimed", dave, "claim"),
        ("in_progress", carol, "start"),
        ("awaiting_verification", dave, "submit: 已全部完成"),
        ("settled", erin, "settle"),
    ]
    claim = records[2]
    changed = {c.field for c in claim.diff_against(records[1]).changes}
    assert {"status", "owner", "lead_unit", "claimed_at", "claimed_by"} <= changed


def test_report_versions_and_target_actuals_are_recorded(claimed_item, carol):
    progress_report_submit(item=claimed_item, actor=carol, percent=30, actuals={"新增学位": 100})
    progress_report_submit(item=claimed_item, actor=carol, percent=31, actuals={"新增学位": 120})
    assert ProgressReport.history.count() == 3  # v1 created, v1 superseded, v2 created
    target = claimed_item.targets.get()
    assert [h.actual_quantity for h in target.history.order_by("history_date")][-2:] == [100, 120]


def test_appeal_history_records_triage(bob, category):
    appeal = appeal_submit(title="噪音扰民", channel="web")
    appeal_triage(appeal=appeal, actor=bob, category=category)
    assert [(h.status, h.history_user) for h in appeal.history.order_by("history_date")] == [
        ("received", None),
        ("triaged", bob),
    ]
