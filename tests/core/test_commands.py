"""The command line runs the closed loop through the same services."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shishi.intake.models import Appeal, AppealStatus
from shishi.ledger.models import ItemStatus, LedgerItem

pytestmark = pytest.mark.django_db


def shishi(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_closed_loop_from_the_command_line(district, category, bob, carol, dave, erin):
    out = shishi(
        "appeal",
        "submit",
        "--title",
        "孩子上学远",
        "--channel",
        "forum",
        "--community",
        "建设路社区",
        "--phone",
        "13900000000",
    )
    number = out.split()[0]
    shishi("appeal", "triage", number, "--user", "bob", "--category", "education")

    out = shishi(
        "ledger",
        "create",
        "--user",
        "bob",
        "--title",
        "新建续建中小学",
        "--category",
        "教育优先",
        "--deadline",
        "2099-12-31",
        "--target",
        "新增学位:个:6360",
        "--target",
        "新增教学班:个:138",
        "--open",
    )
    item_number = out.split()[0]
    assert LedgerItem.objects.get(number=item_number).status == ItemStatus.OPEN

    shishi("appeal", "accept", number, "--user", "bob", "--item", item_number)
    shishi("ledger", "claim", item_number, "--user", "dave", "--unit", "区教育局")
    shishi(
        "ledger",
        "report",
        item_number,
        "--user",
        "carol",
        "--percent",
        "100",
        "--actual",
        "新增学位=6360",
        "--actual",
        "新增教学班=138",
    )
    assert item_number in shishi("ledger", "list", "--status", "in_progress")
    shishi("ledger", "submit", item_number, "--user", "dave")
    shishi("ledger", "settle", item_number, "--user", "erin", "--evidence", "验收合格")
    assert Appeal.objects.get(tracking_number=number).status == AppealStatus.CLOSED

    shown = shishi("ledger", "show", item_number)
    assert "新增学位: 6360 / 6360 个" in shown and "settled" in shown
    assert str(AppealStatus.CLOSED.label) in shishi("appeal", "show", number.lower())


def test_refusals_become_clear_command_errors(make_item, bob, district):
    item = make_item()
    with pytest.raises(CommandError):
        shishi("ledger", "claim", item.number, "--user", "bob", "--unit", "区教育局")
    item.refresh_from_db()
    assert item.owner is None
    with pytest.raises(CommandError, match="No ledger item"):
        shishi("ledger", "open", "SS-1999-9999", "--user", "bob")
    with pytest.raises(CommandError, match="No user"):
        shishi("ledger", "open", item.number, "--user", "nobody")
    with pytest.raises(CommandError, match="NAME:UNIT:QUANTITY"):
        shishi(
            "ledger",
            "create",
            "--user",
            "bob",
            "--title",
            "x",
            "--category",
            "education",
            "--target",
            "broken",
        )
    with pytest.raises(CommandError, match="ISO week"):
        shishi("ledger", "missing", "--week", "2021-W60")


def test_missing_lists_claimed_items_without_this_weeks_report(claimed_item):
    assert claimed_item.number in shishi("ledger", "missing")


def test_stats_counts_from_the_database(claimed_item, district):
    figures = json.loads(shishi("stats", "--json"))
    assert figures["projects"] == 1
    assert figures["participating_units"] == 5
    assert figures["items_missing_report"] == 1
    assert figures["appeals"] == 0
    text = shishi("stats")
    assert "民生实事: 1 件" in text
