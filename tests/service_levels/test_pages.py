"""The deadlines shown at the intake desk: due time, overdue marked."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shishi.intake.services import appeal_answer, appeal_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_queue_marks_an_overdue_appeal_and_not_a_fresh_one(client, bob):
    late = appeal_submit(
        title="积水未处理", channel="hotline", received_at=timezone.now() - dt.timedelta(days=30)
    )
    fresh = appeal_submit(title="刚刚收到", channel="hotline")
    client.force_login(bob)
    page = client.get(reverse("triage:queue")).content.decode()
    late_row = page[page.index(late.tracking_number) :].split("</tr>")[0]
    fresh_row = page[page.index(fresh.tracking_number) :].split("</tr>")[0]
    assert "flag-overdue" in late_row
    assert "flag-overdue" not in fresh_row
    assert timezone.localtime(fresh.acknowledge_due).strftime("%m-%d %H:%M") in fresh_row


def test_appeal_page_shows_both_deadlines_and_a_late_answer(client, bob):
    appeal = appeal_submit(
        title="路灯不亮", channel="web", received_at=timezone.now() - dt.timedelta(days=30)
    )
    appeal_answer(appeal=appeal, actor=bob, answer="已修复")
    client.force_login(bob)
    page = client.get(reverse("triage:appeal", args=[appeal.tracking_number])).content.decode()
    assert "Acknowledge by" in page and "Respond by" in page
    assert page.count(">Late<") == 2
    assert timezone.localtime(appeal.respond_due).strftime("%Y-%m-%d %H:%M") in page
