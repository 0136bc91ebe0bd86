"""Fixtures of the supervision tests: English messages, and an item of dave's,
led by carol's unit, past its deadline."""

import datetime as dt

import pytest
from django.utils import timezone

from shishi.ledger.models import LedgerItem
from shishi.org.services import user_create


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def make_overdue(item: LedgerItem, days: float = 3) -> LedgerItem:
    # The services refuse a past deadline; time passing is what makes it overdue.
    LedgerItem.objects.filter(pk=item.pk).update(deadline=timezone.now() - dt.timedelta(days=days))
    item.refresh_from_db()
    return item


@pytest.fixture
def overdue_item(claimed_item):
    return make_overdue(claimed_item)


@pytest.fixture
def frank(db):
    """Another supervisor."""
    return user_create(username="frank", full_name="弗兰克", roles=["supervisor"])
