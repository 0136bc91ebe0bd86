"""Issue 18: expected 403 and 404 answers were logged with tracebacks."""

import logging

import pytest

from shishi.org.services import user_create

pytestmark = pytest.mark.django_db


def test_403_and_404_are_one_line_each_without_a_traceback(client, caplog):
    staff = user_create(username="admin2", full_name="管理员二", roles=["administrator"])
    staff.is_staff = True
    staff.save()
    root = user_create(username="root2", full_name="根", roles=["administrator"])
    root.is_staff = root.is_superuser = True
    root.save()
    client.force_login(staff)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        forbidden = client.get(f"/admin/org/user/{root.pk}/password/")
        missing = client.get("/items/NO-SUCH-ITEM/")
    assert (forbidden.status_code, missing.status_code) == (403, 404)
    records = [r for r in caplog.records if r.name == "django.request"]
    assert {r.status_code for r in records} == {403, 404}
    assert all(r.exc_info is None for r in records)
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback(client, caplog):
    from unittest import mock

    client.raise_request_exception = False
    with (
        caplog.at_level(logging.ERROR, logger="django.request"),
        mock.patch("shishi.public.views.render", side_effect=ZeroDivisionError),
    ):
        response = client.get("/track/")
    assert response.status_code == 500
    assert any(r.exc_info for r in caplog.records if r.name == "django.request")
