from django.core.files.uploadedfile import SimpleUploadedFile
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


def test_a_lecture_list_is_imported_or_refused_whole(client, bob, district):
    group = lecture_group_create(name="区委宣讲团", unit=district["district"], actor=bob)
    speaker_add(group=group, name="刘洋", actor=bob)
    client.force_login(bob)
    header = "日期,宣讲人,题目,单位,地点,受众人次\n"
    bad = (
        header + "2021-05-01,刘洋,党史宣讲,建设路社区,,80\n2021/5/2,刘洋,党史宣讲,建设路社区,,-4\n"
    )
    upload = SimpleUploadedFile("宣讲.csv", bad.encode(), content_type="text/csv")
    response = client.post(reverse("activities:lectures"), {"file": upload})
    assert response.status_code == 200
    assert "宣讲.csv 第 3 行，“受众人次”列（“-4”）" in response.content.decode()
    assert Lecture.objects.count() == 0
    good = (
        header + "2021-05-01,刘洋,党史宣讲,建设路社区,,80\n2021/5/2,刘洋,党史宣讲,林山寨街道,,45\n"
    )
    upload = SimpleUploadedFile("宣讲.csv", good.encode(), content_type="text/csv")
    assert client.post(reverse("activities:lectures"), {"file": upload}).status_code == 302
    assert sorted(Lecture.objects.values_list("attendance", flat=True)) == [45, 80]
