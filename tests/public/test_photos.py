"""An appeal's photos are private: the staff who handle appeals and the
submitter's own account see them, through a view that checks; nobody else."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shishi.intake.services import appeal_submit
from shishi.org.services import user_create

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def appeal(alice):
    return appeal_submit(
        title="井盖缺失",
        body="小区北门井盖缺失，很危险",
        channel="web",
        submitter=alice,
        submitter_phone="13912345678",
        photos=[SimpleUploadedFile('北门 "井盖".png', PNG)],
    )


@pytest.fixture
def photo_url(appeal):
    return reverse("public:appeal_photo", args=[appeal.photos.get().pk])


def test_the_submitter_gets_the_photo_with_safe_headers(client, alice, photo_url):
    client.force_login(alice)
    response = client.get(photo_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    # The Chinese name is RFC 5987-encoded; nothing of it can break the header.
    assert "filename*=utf-8''" in disposition
    assert "%E5%8C%97%E9%97%A8" in disposition and '"' not in disposition.split("''", 1)[1]
    assert "private" in response["Cache-Control"]


def test_a_clerk_gets_the_photo(client, bob, photo_url):
    client.force_login(bob)
    assert client.get(photo_url).status_code == 200


def test_another_resident_and_anonymous_get_404(client, photo_url):
    assert client.get(photo_url).status_code == 404
    mallory = user_create(username="mallory", full_name="马洛里", roles=["resident"])
    client.force_login(mallory)
    response = client.get(photo_url)
    assert response.status_code == 404
    assert PNG not in response.content


def test_an_unknown_photo_is_404(client, bob, db):
    client.force_login(bob)
    assert client.get(reverse("public:appeal_photo", args=[999999])).status_code == 404


def test_a_missing_file_is_404_not_an_error(client, bob, appeal):
    photo = appeal.photos.get()
    photo.file.storage.delete(photo.file.name)
    client.force_login(bob)
    assert client.get(reverse("public:appeal_photo", args=[photo.pk])).status_code == 404


def test_the_photo_view_is_read_only(client, alice, photo_url):
    client.force_login(alice)
    assert client.post(photo_url).status_code == 405


def test_an_ascii_name_is_quoted_safely(client, alice):
    appeal = appeal_submit(
        title="x", channel="web", submitter=alice, photos=[SimpleUploadedFile('a"b.png', PNG)]
    )
    client.force_login(alice)
    response = client.get(reverse("public:appeal_photo", args=[appeal.photos.get().pk]))
    assert response["Content-Disposition"] == 'inline; filename="a\\"b.png"'


# ------------------------------------------------------ on the tracking page


def _track(client, appeal):
    return client.get(reverse("public:track_detail", args=[appeal.tracking_number]))


def test_the_submitter_sees_text_and_photos_on_the_tracking_page(client, alice, appeal, photo_url):
    client.force_login(alice)
    html = _track(client, appeal).text
    assert "小区北门井盖缺失，很危险" in html
    assert f'src="{photo_url}"' in html
    assert "13912345678" not in html  # contact data is not shown even to them


def test_others_see_neither_text_nor_photos(client, bob, appeal, photo_url):
    for user in [
        None,
        user_create(username="mallory", full_name="马洛里", roles=["resident"]),
        bob,
    ]:
        if user is not None:
            client.force_login(user)
        html = _track(client, appeal).text
        assert "小区北门井盖缺失" not in html
        assert photo_url not in html
