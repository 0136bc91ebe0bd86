from django.urls import reverse

from shishi.activities.models import Lecture
from shishi.activities.services import lecture_group_create, speaker_add


def test_a_lecture_with_attendance_below_zero_shows_why(client, bob, district):
    group = lecture_group_create(name="区委宣讲团", unit=district["district"], actor=bob)
    speaker = speaker_add(group=group, name="刘洋", actor=bob)
    client.force_login(bob)
    data = {
        "speaker": speaker.pk,
        "title": "党史宣讲",
        "held_on": "2021-05-01",
        "unit": district["community"].pk,
        "place": "",
        "attendance": "-3",
    }
    response = client.post(reverse("activities:lectures"), data)
    assert response.status_code == 200
    assert "-3" in response.content.decode()
    assert Lecture.objects.count() == 0
    assert (
        client.post(reverse("activities:lectures"), {**data, "attendance": "45"}).status_code == 302
    )
    assert Lecture.objects.get().attendance == 45


def test_a_unit_handler_may_read_but_not_record_lectures(client, carol):
    client.force_login(carol)
    assert client.get(reverse("activities:lectures")).status_code == 200
    assert client.post(reverse("activities:lectures"), {}).status_code == 403
    assert client.get(reverse("activities:meetings") + "?format=csv").status_code == 200
