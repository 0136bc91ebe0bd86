import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shishi.selection.models import Score
from shishi.selection.services import call_create, nomination_submit, score_submit


@pytest.fixture
def nomination(bob, district, alice):
    call = call_create(
        title="党史学习之星", deadline=timezone.now() + dt.timedelta(days=3), places=1, actor=bob
    )
    return nomination_submit(
        call=call,
        nominee="艾丽斯",
        unit=district["education"],
        materials="材料",
        actor=bob,
        nominee_user=alice,
    )


def test_a_reviewer_scores_once_and_a_second_score_is_refused(client, dave, nomination):
    client.force_login(dave)
    url = reverse("selection:call", args=[nomination.call.pk])
    assert client.post(url, {"nomination": nomination.pk, "points": "88"}).status_code == 302
    response = client.post(url, {"nomination": nomination.pk, "points": "70"})
    assert response.status_code == 200
    assert "戴夫" in response.content.decode()
    assert list(Score.objects.values_list("points", flat=True)) == [88]


def test_a_score_that_is_not_a_number_is_refused(client, dave, nomination):
    client.force_login(dave)
    url = reverse("selection:call", args=[nomination.call.pk])
    response = client.post(url, {"nomination": nomination.pk, "points": "很好"})
    assert response.status_code == 200
    assert Score.objects.count() == 0


def test_scores_are_hidden_from_the_nominee_until_published(client, dave, nomination, alice, bob):
    score_submit(nomination=nomination, reviewer=dave, points=91)
    nomination.call.deadline = timezone.now() - dt.timedelta(minutes=1)
    nomination.call.save()
    nomination.call.refresh_from_db()
    # The nominee is a resident here; give her the right to read the lists.
    from django.contrib.auth.models import Permission

    alice.user_permissions.add(Permission.objects.get(codename="view_nomination"))
    client.force_login(alice)
    url = reverse("selection:call", args=[nomination.call.pk])
    page = client.get(url).content.decode()
    assert "91" not in page
    client.force_login(bob)
    assert client.post(reverse("selection:publish", args=[nomination.call.pk])).status_code == 302
    client.force_login(alice)
    assert "91" in client.get(url).content.decode()


def test_a_clerk_may_not_score(client, bob, nomination):
    client.force_login(bob)
    url = reverse("selection:call", args=[nomination.call.pk])
    assert client.post(url, {"nomination": nomination.pk, "points": "80"}).status_code == 403
    assert Score.objects.count() == 0


def test_the_call_page_makes_the_same_queries_for_more_nominations(
    client, dave, nomination, district, bob, django_assert_max_num_queries
):
    client.force_login(dave)
    url = reverse("selection:call", args=[nomination.call.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(5):
        nomination_submit(
            call=nomination.call,
            nominee=f"人{n}",
            unit=district["transport"],
            materials="材料",
            actor=bob,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
