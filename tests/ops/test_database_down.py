"""Issue 18: while the database was down, Open311 and the REST API answered
Django's HTML 500 page instead of their own error formats."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from rest_framework.test import APIClient

from shishi.api.services import api_token_create
from shishi.api.views.reference import UnitList

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[OperationalError, InterfaceError])
def database_down(request):
    def fail(*args, **kwargs):
        raise request.param("server closed the connection unexpectedly")

    return fail


def test_the_rest_api_answers_503_json_with_retry_after(bob, database_down):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=bob)}")
    with mock.patch.object(UnitList, "get_queryset", database_down):
        response = client.get("/api/units/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "database" in response.json()["detail"] or "数据库" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("fmt", "content_type", "marker"),
    [("json", "application/json", b'"code": 503'), ("xml", "text/xml", b"<code>503</code>")],
)
def test_open311_answers_503_in_the_spec_s_error_document(
    client, database_down, fmt, content_type, marker
):
    with mock.patch("shishi.open311.views._answer", database_down):
        response = client.get(f"/open311/v2/services.{fmt}")
    assert response.status_code == 503
    assert response["Content-Type"].startswith(content_type)
    assert marker in response.content.replace(b'"code":503', b'"code": 503')
    assert int(response["Retry-After"]) > 0


def test_other_errors_are_still_errors(client):
    with (
        mock.patch("shishi.open311.views._answer", side_effect=ZeroDivisionError),
        pytest.raises(ZeroDivisionError),
    ):
        client.get("/open311/v2/services.json")
