"""Reminders: written once per key, mailed once (claimed rows), read by their
recipient only, counted in the menu."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shishi.reminders.models import MailStatus, Reason, Reminder
from shishi.reminders.services import ReminderSpec, reminders_create, reminders_send_pending

pytestmark = pytest.mark.django_db

MINE = reverse("reminders:mine")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def spec(user, subject="item:1", period="2026-W49"):
    return ReminderSpec(
        user.pk,
        Reason.ITEM_OVERDUE,
        subject,
        period,
        {"number": "SS-2026-0001", "title": "新增学位", "deadline": "2026-12-01 23:59"},
        "/work/items/SS-2026-0001/",
    )


def test_the_same_key_is_written_once(carol, dave):
    assert reminders_create(specs=[spec(carol), spec(carol), spec(dave)]) == 2
    assert reminders_create(specs=[spec(carol), spec(dave)]) == 0
    assert reminders_create(specs=[spec(carol, period="2026-W50")]) == 1
    assert Reminder.objects.count() == 3


def test_the_text_is_written_from_its_params(carol):
    reminders_create(specs=[spec(carol)])
    text = Reminder.objects.get().text
    assert text == "The item “SS-2026-0001 新增学位” is overdue since 2026-12-01 23:59."


def test_reminders_are_mailed_once_to_staff_with_an_address(carol, hank, settings, mailoutbox):
    settings.SHISHI_REMINDER_EMAIL = True
    carol.email = "carol@example.org"
    carol.save()
    reminders_create(specs=[spec(carol), spec(hank)])
    assert Reminder.objects.get(recipient=hank).mail_status == MailStatus.NONE
    assert reminders_send_pending() == {"mailed": 1, "mail_failed": 0}
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["carol@example.org"]
    assert "SS-2026-0001" in message.body
    assert message.body.rstrip().endswith("/work/items/SS-2026-0001/")
    # A second run, or the same reminder written again, mails nothing.
    reminders_create(specs=[spec(carol)])
    assert reminders_send_pending() == {"mailed": 0, "mail_failed": 0}
    assert len(mailoutbox) == 1
    assert Reminder.objects.get(recipient=carol).mail_status == MailStatus.SENT


def test_without_mail_configured_nothing_is_mailed(carol, settings, mailoutbox):
    settings.SHISHI_REMINDER_EMAIL = False
    carol.email = "carol@example.org"
    carol.save()
    reminders_create(specs=[spec(carol)])
    assert reminders_send_pending() == {"mailed": 0, "mail_failed": 0}
    assert mailoutbox == []


def test_a_mail_server_that_refuses_is_tried_again_then_given_up(carol, settings, monkeypatch):
    settings.SHISHI_REMINDER_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    carol.email = "carol@example.org"
    carol.save()
    reminders_create(specs=[spec(carol)])

    def refuse(self, messages):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    for _attempt in range(4):
        assert reminders_send_pending() == {"mailed": 0, "mail_failed": 0}
    assert Reminder.objects.get().mail_status == MailStatus.PENDING
    assert reminders_send_pending() == {"mailed": 0, "mail_failed": 1}
    assert Reminder.objects.get().mail_status == MailStatus.FAILED
    monkeypatch.undo()
    assert reminders_send_pending() == {"mailed": 0, "mail_failed": 0}
    assert mail.outbox == []


def test_sweep_reminders_reach_the_mailbox(overdue_item_for_mail, erin, settings, mailoutbox):
    from shishi.jobs.registry import run

    run("sweeps.escalate")
    run("reminders.mail")
    assert sorted(m.to[0] for m in mailoutbox) == ["carol@example.org", "dave@example.org"]
    run("sweeps.escalate")
    run("reminders.mail")
    assert len(mailoutbox) == 2


@pytest.fixture
def overdue_item_for_mail(claimed_item, carol, dave, settings):
    from shishi.ledger.models import LedgerItem

    settings.SHISHI_REMINDER_EMAIL = True
    for user in (carol, dave):
        user.email = f"{user.username}@example.org"
        user.save()
    LedgerItem.objects.filter(pk=claimed_item.pk).update(
        deadline=timezone.now() - dt.timedelta(days=3)
    )
    return claimed_item


# ---------------------------------------------------------------- the page


def test_my_reminders_lists_mine_only_and_counts_unread_in_the_menu(client, carol, hank):
    reminders_create(specs=[spec(carol), spec(carol, subject="item:2"), spec(hank)])
    client.force_login(carol)
    response = client.get(MINE)
    assert response.status_code == 200
    assert {r.recipient for r in response.context["page"].object_list} == {carol}
    assert response.context["unread"] == 2
    html = response.content.decode()
    assert '<span class="badge">2' in html


def test_marking_read(client, carol):
    reminders_create(specs=[spec(carol), spec(carol, subject="item:2")])
    first, second = Reminder.objects.order_by("pk")
    client.force_login(carol)
    response = client.post(reverse("reminders:read", args=[first.pk]), {"go": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/work/items/SS-2026-0001/"
    first.refresh_from_db()
    read_at = first.read_at
    assert read_at is not None
    # Marking again keeps the first time.
    client.post(reverse("reminders:read", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at == read_at
    client.post(reverse("reminders:read_all"))
    second.refresh_from_db()
    assert second.read_at is not None
    assert '<span class="badge">' not in client.get(MINE).content.decode()


def test_someone_elses_reminder_does_not_exist(client, carol, hank):
    reminders_create(specs=[spec(hank)])
    client.force_login(carol)
    response = client.post(reverse("reminders:read", args=[Reminder.objects.get().pk]))
    assert response.status_code == 404
    assert Reminder.objects.get().read_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(MINE).status_code == 302


def test_my_reminders_queries_do_not_grow_with_rows(client, carol, django_assert_max_num_queries):
    reminders_create(specs=[spec(carol)])
    client.force_login(carol)
    client.get(MINE)
    with django_assert_max_num_queries(12) as few:
        client.get(MINE)
    reminders_create(specs=[spec(carol, subject=f"item:{n}") for n in range(2, 30)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(MINE).context["page"].object_list) == 29
