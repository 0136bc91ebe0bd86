import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_chinese_by_default_even_for_an_english_browser(client):
    response = client.get("/track/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "诉求查询" in response.content.decode()


def test_english_when_chosen_with_the_switch(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/track/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get("/track/")
    assert response["Content-Language"] == "en"
    assert "Track an appeal" in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "klingon"
    assert client.get("/track/")["Content-Language"] == "zh-hans"


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, settings, db):
    settings.SHISHI_MAX_REQUEST_BYTES = 1024
    settings.LANGUAGE_CODE = "en"
    response = client.post(
        "/appeals/new/", data=b"x" * 2048, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "larger than 1.0\xa0KB in all" in response.text


def test_a_body_under_the_limit_passes(client, settings, db):
    settings.SHISHI_MAX_REQUEST_BYTES = 4096
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
