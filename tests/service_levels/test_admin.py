"""The holiday calendar and the policies in the admin."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from shishi.service_levels.models import CalendarDay, HolidayCalendar, ServiceLevelPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_the_calendar_list_warns_of_years_without_a_calendar(admin_client):
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC)):
        page = admin_client.get(reverse("admin:service_levels_holidaycalendar_changelist"))
    text = page.content.decode()
    # 2026 comes from chinesecalendar; 2027 is not published yet.
    assert "No holiday calendar for 2027" in text
    assert "2026、2027" not in text


def test_a_year_is_added_with_its_days_and_a_day_of_another_year_is_refused(admin_client):
    url = reverse("admin:service_levels_holidaycalendar_add")
    data = {
        "year": "2027",
        "source": "国办发明电",
        "notes": "",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-0-date": "2027-01-01",
        "days-0-name": "元旦",
        "days-1-date": "2028-01-01",
        "days-1-name": "元旦",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "The date must lie in the calendar" in response.content.decode()
    assert not HolidayCalendar.objects.filter(year=2027).exists()
    data["days-1-date"] = "2027-02-06"
    data["days-1-is_working_day"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 6)).is_working_day


def test_policies_list_and_a_second_default_is_refused(admin_client):
    page = admin_client.get(reverse("admin:service_levels_servicelevelpolicy_changelist"))
    assert "一般诉求" in page.content.decode()
    response = admin_client.post(
        reverse("admin:service_levels_servicelevelpolicy_add"),
        {
            "name": "另一个默认",
            "kind": "",
            "category": "",
            "is_active": "on",
            "acknowledge_within": "1",
            "acknowledge_unit": "hours",
            "respond_unit": "working_days",
            "settle_unit": "working_days",
        },
    )
    assert response.status_code == 200
    assert ServiceLevelPolicy.objects.filter(kind="", category=None).count() == 1
