"""The admin reads orders and issues them by hand through the service."""

import pytest
from django.urls import reverse

from shishi.reminders.models import Reminder
from shishi.supervision.models import SupervisionOrder
from shishi.supervision.sweeps import sweep_escalate_overdue

pytestmark = pytest.mark.django_db


def test_the_admin_pages_load(admin_client, overdue_item, erin):
    sweep_escalate_overdue()
    order = SupervisionOrder.objects.get()
    reminder = Reminder.objects.first()
    for url in [
        reverse("admin:supervision_supervisionorder_changelist"),
        reverse("admin:supervision_supervisionorder_add"),
        reverse("admin:supervision_supervisionorder_change", args=[order.pk]),
        reverse("admin:supervision_supervisionorder_history", args=[order.pk]),
        reverse("admin:reminders_reminder_changelist"),
        reverse("admin:reminders_reminder_add"),
        reverse("admin:reminders_reminder_change", args=[reminder.pk]),
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_an_order_issued_in_the_admin_goes_through_the_service(admin_client, claimed_item):
    response = admin_client.post(
        reverse("admin:supervision_supervisionorder_add"),
        {"item": claimed_item.pk, "reason": "群众反映进度慢", "answer_due": ""},
    )
    assert response.status_code == 302
    order = SupervisionOrder.objects.get()
    assert order.unit == claimed_item.lead_unit
    assert order.history.get().history_change_reason == "issued"


def test_an_order_about_nothing_is_refused_in_the_admin(admin_client, db):
    response = admin_client.post(
        reverse("admin:supervision_supervisionorder_add"), {"reason": "督办"}
    )
    assert response.status_code == 200
    assert not SupervisionOrder.objects.exists()


def test_a_second_open_order_is_refused_in_the_admin(admin_client, claimed_item):
    url = reverse("admin:supervision_supervisionorder_add")
    admin_client.post(url, {"item": claimed_item.pk, "reason": "督办"})
    response = admin_client.post(url, {"item": claimed_item.pk, "reason": "再次督办"})
    assert response.status_code == 200
    assert "still open" in response.content.decode()
    assert SupervisionOrder.objects.count() == 1
