"""Fixtures of the intake desk's tests: appeals in a few states, and the clerk
logged in."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from shishi.intake.services import appeal_submit

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def english(settings):
    # The assertions read the English msgids; the default language is Chinese.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def make_appeal(db):
    """An appeal received `days_ago` days ago (through the intake service)."""

    def make(title=None, *, days_ago=1, channel="hotline", **kwargs):
        return appeal_submit(
            title=title or f"诉求{next(_counter)}",
            channel=channel,
            received_at=timezone.now() - dt.timedelta(days=days_ago),
            **kwargs,
        )

    return make


@pytest.fixture
def clerk(client, bob):
    """The client, logged in as bob the clerk."""
    client.force_login(bob)
    return client
