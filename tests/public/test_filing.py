"""Filing an appeal on the web, with or without an account."""

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shishi.categories.services import category_create
from shishi.intake.models import Appeal, AppealPhoto, AppealStatus, Channel

pytestmark = pytest.mark.django_db

NEW = reverse("public:appeal_new")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def fresh_rate_counts():
    # The filing limit counts in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def _post(client, **data):
    return client.post(NEW, {"title": "路灯不亮", **data})


def test_the_form_offers_active_categories_as_a_tree_and_communities(client, category, district):
    category_create(name="学位", parent=category)
    retired = category_create(name="已停用", code="retired")
    retired.is_active = False
    retired.save()
    response = client.get(NEW)
    assert response.status_code == 200
    labels = [label for _pk, label in response.context["form"].fields["category"].choices]
    assert "教育优先 / 学位" in labels and "教育优先" in labels
    assert "已停用" not in labels
    html = response.text
    assert "林山寨街道 / 建设路社区" in html
    assert district["education"].name not in html  # a department is not a place
    assert 'type="file"' in html and "multiple" in html and 'accept="image/*"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "never published" in html
    assert "nobody can call you back" in html


def test_anonymous_filing_stores_the_appeal_and_shows_its_number(client, category, district):
    response = _post(
        client,
        body="建设路 12 号门口的路灯坏了三个月",
        category=category.pk,
        community=district["community"].pk,
        address="建设路 12 号",
        submitter_name="李四",
        submitter_phone="13912345678",
        submitter_email="lisi@example.com",
        photos=[SimpleUploadedFile("路灯.png", PNG, content_type="image/png")],
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("public:track_detail", args=[appeal.tracking_number])
    assert appeal.channel == Channel.WEB and appeal.status == AppealStatus.RECEIVED
    assert appeal.submitter is None and appeal.category == category
    assert appeal.community == district["community"] and appeal.address == "建设路 12 号"
    assert appeal.submitter_phone == "13912345678"
    assert appeal.photos.get().original_name == "路灯.png"
    assert appeal.history.get().history_user is None

    page = client.get(response["Location"])
    assert f"Keep this number: {appeal.tracking_number}" in page.text
    assert 'class="tracking-number"' in page.text
    # The prominent box shows once, not on every later visit.
    assert 'class="tracking-number"' not in client.get(response["Location"]).text


def test_filing_with_an_account_links_it_and_prefills_contact(client, alice):
    alice.email = "alice@example.com"
    alice.save()
    client.force_login(alice)
    form = client.get(NEW).context["form"]
    assert form.initial["submitter_email"] == "alice@example.com"
    response = _post(client, submitter_name="艾丽斯")
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert appeal.submitter == alice
    assert appeal.history.get().history_user == alice


def test_contact_is_optional(client, db):
    assert _post(client).status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.submitter_phone == "" and appeal.submitter_email == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"body": "字" * 10_001}, "body"),
        ({"submitter_email": "not-an-address"}, "submitter_email"),
        ({"submitter_phone": "1" * 41}, "submitter_phone"),
        ({"category": "999999"}, "category"),
        ({"community": "999999"}, "community"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_stored(client, db, data, field):
    response = client.post(NEW, {"title": "路灯不亮", **data})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="field-error"' in response.text
    assert not Appeal.objects.exists()


def test_a_department_is_not_a_community(client, district):
    response = _post(client, community=district["education"].pk)
    assert "community" in response.context["form"].errors
    assert not Appeal.objects.exists()


def test_a_fake_photo_is_refused_next_to_the_field_and_nothing_stored(client, db, tmp_path):
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script>", "image/png")
    response = _post(client, photos=[SimpleUploadedFile("ok.png", PNG), fake])
    assert response.status_code == 200
    errors = response.context["form"].errors["photos"]
    assert "“photo.png” is not really a PNG file." in errors
    assert "is not really a PNG file" in response.text
    assert not Appeal.objects.exists() and not AppealPhoto.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_more_than_five_photos_are_refused(client, db):
    photos = [SimpleUploadedFile(f"p{n}.png", PNG) for n in range(6)]
    response = _post(client, photos=photos)
    assert "photos" in response.context["form"].errors
    assert not Appeal.objects.exists()


def test_an_empty_photo_file_is_refused(client, db):
    response = _post(client, photos=[SimpleUploadedFile("empty.png", b"")])
    assert "photos" in response.context["form"].errors
    assert not Appeal.objects.exists()


def test_filings_from_one_address_are_limited_per_hour(client, settings, alice):
    settings.SHISHI_APPEAL_RATE_PER_HOUR = 2
    assert _post(client).status_code == 302
    assert _post(client).status_code == 302
    refused = _post(client, title="第三件")
    assert refused.status_code == 429
    assert "Too many appeals have been sent from your network" in refused.text
    assert "第三件" in refused.text  # what was typed is not lost
    assert Appeal.objects.count() == 2
    # An account does not lift the limit of its address.
    client.force_login(alice)
    assert _post(client).status_code == 429
    # Another address is not affected.
    other = client.post(NEW, {"title": "别处的诉求"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302
    assert Appeal.objects.count() == 3


def test_refused_filings_do_not_count_against_the_limit(client, settings, db):
    settings.SHISHI_APPEAL_RATE_PER_HOUR = 1
    for _attempt in range(3):
        assert client.post(NEW, {"title": ""}).status_code == 200
    assert _post(client).status_code == 302


def test_the_success_message_carries_the_number(client, db):
    response = _post(client)
    number = Appeal.objects.get().tracking_number
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == [f"Your appeal has been received. Keep this number: {number}"]


def test_get_and_post_only(client, db):
    assert client.put(NEW).status_code == 405
