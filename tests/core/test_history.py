"""The history manager is built once, and still reads the history."""

import pytest

from shishi.intake.models import Appeal
from shishi.intake.services import appeal_answer, appeal_submit

pytestmark = pytest.mark.django_db


def test_the_history_manager_class_is_built_once_and_reads_the_history(bob):
    appeal = appeal_submit(title="路灯不亮", channel="hotline")
    appeal_answer(appeal=appeal, actor=bob, answer="已修复")

    assert type(appeal.history) is type(Appeal.objects.get().history)
    records = list(appeal.history.order_by("history_date"))
    assert [r.history_change_reason for r in records] == ["received", "answered"]
    assert appeal.history.most_recent().status == "answered"
    assert Appeal.history.filter(id=appeal.pk).count() == 2
