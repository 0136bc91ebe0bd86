"""Photos attached to an appeal: real images only, small enough, at most five,
stored under MEDIA_ROOT by our own name; nothing is stored when one is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shishi.intake.models import Appeal, AppealPhoto
from shishi.intake.services import appeal_submit

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _submit(*photos):
    return appeal_submit(title="路面塌陷", channel="web", photos=list(photos))


def test_a_png_is_stored_under_media_root_by_our_own_name(settings, tmp_path):
    appeal = _submit(SimpleUploadedFile("门口的坑.png", PNG), SimpleUploadedFile("b.jpg", JPEG))
    first, second = appeal.photos.all()
    assert first.original_name == "门口的坑.png" and first.size == len(PNG)
    assert first.file.path.startswith(str(tmp_path))
    assert first.file.name.endswith(".png") and "门口的坑" not in first.file.name
    with first.file.open("rb") as stored:
        assert stored.read() == PNG
    assert second.file.name.endswith(".jpg")


def test_a_text_file_named_png_is_refused_and_nothing_stored(tmp_path):
    fake = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>")
    with pytest.raises(ValidationError) as err:
        _submit(SimpleUploadedFile("good.png", PNG), fake)
    assert "photos" in err.value.message_dict
    assert "photo.png" in err.value.message_dict["photos"][0]
    assert not Appeal.objects.exists() and not AppealPhoto.objects.exists()
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


@pytest.mark.parametrize("name", ["virus.exe", "noextension", "drawing.svg"])
def test_other_kinds_of_file_are_refused(name):
    with pytest.raises(ValidationError) as err:
        _submit(SimpleUploadedFile(name, PNG))
    assert "photos" in err.value.message_dict
    assert not Appeal.objects.exists()


def test_more_than_five_photos_are_refused(tmp_path):
    photos = [SimpleUploadedFile(f"p{n}.png", PNG) for n in range(6)]
    with pytest.raises(ValidationError) as err:
        _submit(*photos)
    assert "photos" in err.value.message_dict
    assert not Appeal.objects.exists() and not AppealPhoto.objects.exists()
    # Five are fine.
    assert _submit(*photos[:5]).photos.count() == 5


def test_a_photo_over_the_size_limit_is_refused(settings):
    settings.SHISHI_APPEAL_PHOTO_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024))
    with pytest.raises(ValidationError) as err:
        _submit(big)
    assert "photos" in err.value.message_dict
    assert not Appeal.objects.exists() and not AppealPhoto.objects.exists()
