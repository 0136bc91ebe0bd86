"""Delivering notices: by e-mail and SMS, once per channel, retried with
backoff, never twice under two deliverers, and no contact data in logs."""

import datetime as dt
import json
import logging
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from shishi.intake.models import AppealNotice
from shishi.intake.rating_keys import rating_key, rating_url
from shishi.jobs import registry
from shishi.notices import services, sms
from shishi.notices.models import DeliveryChannel, DeliveryStatus, NoticeDelivery
from shishi.notices.services import deliveries_claim, deliveries_plan, notices_deliver

pytestmark = pytest.mark.django_db


def sms_outbox(settings) -> list[dict]:
    path = settings.SHISHI_SMS_FILE_PATH
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_notice_goes_out_by_email_and_sms_once(make_notice, settings):
    notice = make_notice()
    result = notices_deliver()
    assert result["sent"] == 2 and result["planned"] == 2
    [message] = mail.outbox
    assert message.to == ["wang@example.com"]
    assert notice.appeal.tracking_number in message.subject
    assert "路灯已修好" in message.body
    assert f"https://shishi.example/track/{notice.appeal.tracking_number}/" in message.body
    [text] = sms_outbox(settings)
    assert text["to"] == "13800001234" and "路灯已修好" in text["text"]
    rows = NoticeDelivery.objects.filter(notice=notice)
    assert {(r.channel, r.status, r.attempts) for r in rows} == {
        ("email", "sent", 1),
        ("sms", "sent", 1),
    }
    notice.refresh_from_db()
    assert notice.sent_at is not None
    # Running again sends nothing more.
    assert notices_deliver()["sent"] == 0
    assert len(mail.outbox) == 1 and len(sms_outbox(settings)) == 1


def test_a_rating_invitation_carries_the_residents_link(make_notice):
    notice = make_notice("事项已办结，请评价。", invites_rating=True)
    notices_deliver()
    [message] = mail.outbox
    assert "https://shishi.example" + rating_url(notice.appeal) in message.body
    assert rating_key(notice.appeal) in message.body
    # The key is made at delivery, never stored.
    assert not AppealNotice.objects.filter(message__contains=rating_key(notice.appeal)).exists()


def test_no_address_for_a_channel_is_recorded_not_sent(make_notice, settings):
    notice = make_notice(email="")
    notices_deliver()
    rows = {r.channel: r for r in NoticeDelivery.objects.filter(notice=notice)}
    assert rows["email"].status == DeliveryStatus.SKIPPED and rows["email"].attempts == 0
    assert rows["sms"].status == DeliveryStatus.SENT
    assert mail.outbox == []


def test_the_submitters_account_is_the_fallback_address(make_notice, alice):
    alice.email = "alice@example.com"
    alice.save()
    notice = make_notice(email="", phone="")
    notice.appeal.submitter = alice
    notice.appeal.save()
    notices_deliver()
    assert mail.outbox[0].to == ["alice@example.com"]


def test_old_notices_are_not_sent(make_notice, settings):
    settings.SHISHI_NOTICE_MAX_AGE_DAYS = 3
    notice = make_notice()
    AppealNotice.objects.filter(pk=notice.pk).update(
        created_at=timezone.now() - dt.timedelta(days=4)
    )
    assert notices_deliver()["sent"] == 0
    assert not NoticeDelivery.objects.exists()


def test_planning_twice_makes_one_row_per_channel(make_notice):
    notice = make_notice()
    deliveries_plan()
    # A second planner that read the notice before the first one's rows existed.
    NoticeDelivery.objects.bulk_create(
        [NoticeDelivery(notice=notice, channel="sms")], ignore_conflicts=True
    )
    deliveries_plan()
    assert NoticeDelivery.objects.filter(notice=notice).count() == 2


class FlakySms(sms.BaseSmsBackend):
    failures = 0
    sent: list = []

    def send(self, *, phone, text):
        if FlakySms.failures:
            FlakySms.failures -= 1
            raise sms.SmsError(f"gateway refused {phone}: try later")
        FlakySms.sent.append(phone)
        return "id-1"


@pytest.fixture
def flaky(settings):
    settings.SHISHI_SMS_BACKEND = "tests.notices.test_delivery.FlakySms"
    settings.SHISHI_NOTICE_CHANNELS = ["sms"]
    FlakySms.failures, FlakySms.sent = 0, []
    return FlakySms


def test_a_failed_send_is_retried_with_exponential_backoff(make_notice, flaky, caplog):
    flaky.failures = 2
    notice = make_notice()
    start = timezone.now()
    with time_machine.travel(start, tick=False), caplog.at_level(logging.INFO):
        assert notices_deliver()["retrying"] == 1
    row = NoticeDelivery.objects.get(notice=notice)
    assert row.status == DeliveryStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == start + dt.timedelta(seconds=60)
    # The stored error and the log say what failed, never the number.
    assert "gateway refused" in row.last_error and "13800001234" not in row.last_error
    assert "refused ***" in row.last_error
    assert "13800001234" not in caplog.text and "wang@example.com" not in caplog.text
    # Not due yet: nothing is tried.
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        assert notices_deliver()["retrying"] == 0
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert notices_deliver()["retrying"] == 1
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at == start + dt.timedelta(seconds=61 + 120)
    with time_machine.travel(start + dt.timedelta(seconds=61 + 121), tick=False):
        assert notices_deliver()["sent"] == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.attempts == 3 and row.last_error == ""
    assert flaky.sent == ["13800001234"]


def test_after_the_last_attempt_the_delivery_is_given_up(make_notice, flaky, settings):
    settings.SHISHI_NOTICE_MAX_ATTEMPTS = 2
    flaky.failures = 10
    notice = make_notice()
    notices_deliver()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        assert notices_deliver()["failed"] == 1
    row = NoticeDelivery.objects.get(notice=notice)
    assert row.status == DeliveryStatus.FAILED and row.attempts == 2
    notice.refresh_from_db()
    assert notice.sent_at is None
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False):
        assert notices_deliver()["failed"] == 0  # given up means left alone


def test_backoff_doubles_and_is_capped(settings):
    settings.SHISHI_NOTICE_RETRY_BASE = 60
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [
        60,
        120,
        240,
        480,
    ]
    assert services.retry_delay(30) == dt.timedelta(days=1)


def test_a_row_claimed_by_one_deliverer_is_not_claimed_by_another(make_notice):
    make_notice()
    make_notice()
    deliveries_plan()
    first = deliveries_claim(worker="a", limit=3)
    second = deliveries_claim(worker="b", limit=10)
    mine = NoticeDelivery.objects.filter(locked_by=first)
    theirs = NoticeDelivery.objects.filter(locked_by=second)
    assert mine.count() == 3 and theirs.count() == 1
    assert not set(mine.values_list("pk", flat=True)) & set(theirs.values_list("pk", flat=True))
    # A deliverer that died holds its rows only until the lease ends.
    later = timezone.now() + services.CLAIM_LEASE + dt.timedelta(seconds=1)
    third = deliveries_claim(worker="c", limit=10, now=later)
    assert NoticeDelivery.objects.filter(locked_by=third).count() == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_deliverers_at_once_never_send_twice(settings, make_notice):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("threads need a shared database")
    settings.SHISHI_NOTICE_CHANNELS = ["sms"]
    notices = [make_notice(phone=f"1380000{i:04d}") for i in range(40)]
    barrier = threading.Barrier(2)
    errors = []

    def deliverer(name):
        try:
            barrier.wait()
            notices_deliver(worker=name, batch=5)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliverer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sent = [line["to"] for line in sms_outbox(settings)]
    assert len(sent) == len(set(sent)) == len(notices)
    assert NoticeDelivery.objects.filter(status="sent").count() == len(notices)


# ------------------------------------------------------------- SMS backends


def test_the_console_backend_masks_the_number(capsys):
    sms.ConsoleBackend().send(phone="13800001234", text="你好")
    out = capsys.readouterr().out
    assert "138****1234" in out and "13800001234" not in out


class FakeTencentClient:
    """Stands in for the SDK's SmsClient: records requests, answers like it."""

    def __init__(self, code="Ok"):
        self.code = code
        self.requests = []

    def SendSms(self, request):  # noqa: N802  (the SDK's name)
        from tencentcloud.sms.v20210111 import models

        self.requests.append(request)
        response = models.SendSmsResponse()
        status = models.SendStatus()
        status.Code, status.Message, status.SerialNo = self.code, "msg", "serial-1"
        response.SendStatusSet = [status]
        return response


@pytest.fixture
def tencent(settings):
    settings.SHISHI_SMS_TENCENT_APP_ID = "1400000000"
    settings.SHISHI_SMS_TENCENT_SIGN_NAME = "实事"
    settings.SHISHI_SMS_TENCENT_TEMPLATE_ID = "123456"


def test_the_tencent_backend_sends_through_the_sdk(tencent):
    client = FakeTencentClient()
    backend = sms.TencentBackend(client=client)
    assert backend.send(phone="13800001234", text="您的诉求已答复") == "serial-1"
    [request] = client.requests
    assert request.PhoneNumberSet == ["+8613800001234"]
    assert request.SmsSdkAppId == "1400000000" and request.TemplateId == "123456"
    assert request.TemplateParamSet == ["您的诉求已答复"]


def test_a_tencent_refusal_is_an_sms_error_without_the_number(tencent):
    backend = sms.TencentBackend(
        client=FakeTencentClient(code="LimitExceeded.PhoneNumberDailyLimit")
    )
    with pytest.raises(sms.SmsError, match="LimitExceeded") as refused:
        backend.send(phone="13800001234", text="x")
    assert "13800001234" not in str(refused.value)


def test_the_tencent_backend_is_chosen_by_settings_and_says_what_is_missing(settings):
    settings.SHISHI_SMS_BACKEND = "tencent"
    settings.SHISHI_SMS_TENCENT_APP_ID = ""
    with pytest.raises(sms.SmsError, match="SHISHI_SMS_TENCENT_APP_ID"):
        sms.get_backend()


def test_a_tencent_delivery_through_the_job(make_notice, tencent, settings, monkeypatch):
    settings.SHISHI_SMS_BACKEND = "tencent"
    settings.SHISHI_NOTICE_CHANNELS = ["sms"]
    client = FakeTencentClient()
    monkeypatch.setattr(sms.TencentBackend, "_client", lambda self: client)
    notice = make_notice()
    assert notices_deliver()["sent"] == 1
    row = NoticeDelivery.objects.get(notice=notice)
    assert row.provider_id == "serial-1" and row.channel == DeliveryChannel.SMS


def test_the_job_is_registered():
    assert registry.function("notices.deliver") is notices_deliver


def test_the_admin_lists_deliveries(administrator_client, make_notice):
    notice = make_notice()
    notices_deliver()
    response = administrator_client.get("/admin/notices/noticedelivery/")
    assert response.status_code == 200
    assert notice.appeal.tracking_number in response.text
    assert "wang@example.com" not in response.text and "13800001234" not in response.text
