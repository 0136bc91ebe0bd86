"""Fixtures of the REST API's tests: English messages, a client that calls the
API as a named person (by token), and appeals to read."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from shishi.api.services import api_token_create
from shishi.intake.services import appeal_submit

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def english(settings):
    # The assertions read the English msgids; the default language is Chinese.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def api(db):
    """api(user): a client that sends `user`'s token. A resident (not staff)
    is logged in by session instead: they cannot have a token."""

    def client_for(user) -> APIClient:
        client = APIClient()
        if user.is_staff:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
        else:
            client.force_login(user)
        return client

    return client_for


@pytest.fixture
def make_appeal(db):
    """An appeal received `days_ago` days ago, with contact data."""

    def make(title=None, *, days_ago=1, channel="hotline", **kwargs):
        kwargs.setdefault("submitter_name", "王女士")
        kwargs.setdefault("submitter_phone", "13800000000")
        return appeal_submit(
            title=title or f"诉求{next(_counter)}",
            channel=channel,
            received_at=timezone.now() - dt.timedelta(days=days_ago),
            **kwargs,
        )

    return make


def errors_of(response) -> dict:
    """The JSON body of an error response (a dict: field → messages, or detail)."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()
