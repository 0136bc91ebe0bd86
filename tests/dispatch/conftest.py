"""Fixtures of the work pages' tests: English messages, uploads in a temporary
folder, and items at each step of their lifecycle."""

import pytest

from shishi.ledger.services import (
    item_claim,
    item_submit_for_verification,
    progress_report_submit,
)


@pytest.fixture(autouse=True)
def english(settings):
    # The assertions read the English msgids; the default language is Chinese.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def in_progress_item(claimed_item, carol):
    """Dave's item, led by carol's unit, with a first report of 60 %."""
    progress_report_submit(item=claimed_item, actor=carol, percent=60, actuals={"新增学位": 4000})
    claimed_item.refresh_from_db()
    return claimed_item


@pytest.fixture
def awaiting_item(claimed_item, carol, dave):
    """Dave's item, fully reported and submitted for verification."""
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    return item_submit_for_verification(item=claimed_item, actor=dave, note="全部完成")


@pytest.fixture
def claim(dave, district):
    """Claim an item for dave and the education bureau."""

    def do(item, *, actor=dave, unit=None):
        return item_claim(item=item, actor=actor, lead_unit=unit or district["education"])

    return do
