import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shishi.ledger.bulk import BulkItem, items_open_bulk
from shishi.ledger.models import ItemKind, ItemStatus, LedgerItem


def test_items_are_created_open_numbered_and_recorded(bob, category, district):
    items = items_open_bulk(
        kind=ItemKind.RECTIFICATION,
        specs=[
            BulkItem(title="台账不全", category=category, lead_unit=district["education"]),
            BulkItem(title="公示不及时", category=category),
        ],
        actor=bob,
    )
    assert [i.status for i in items] == [ItemStatus.OPEN, ItemStatus.OPEN]
    numbers = [i.number for i in LedgerItem.objects.order_by("pk")]
    assert numbers[0].endswith("-0001") and numbers[1].endswith("-0002")
    assert all(i.deadline > timezone.now() for i in items)
    for item in LedgerItem.objects.all():
        record = item.history.get()
        assert record.history_user == bob and record.history_change_reason == "created and opened"


def test_one_bad_item_stores_none_and_is_named(bob, category):
    past = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        items_open_bulk(
            kind=ItemKind.RECTIFICATION,
            specs=[
                BulkItem(title="好", category=category),
                BulkItem(title="晚", category=category, deadline=past),
            ],
            actor=bob,
        )
    assert "2" in str(error.value)
    assert LedgerItem.objects.count() == 0


def test_the_kinds_rules_apply(alice, bob, category):
    with pytest.raises(PermissionDenied):
        items_open_bulk(
            kind=ItemKind.RECTIFICATION, specs=[BulkItem(title="x", category=category)], actor=alice
        )
    with pytest.raises(ValidationError):  # projects need targets: one by one
        items_open_bulk(
            kind=ItemKind.PROJECT, specs=[BulkItem(title="x", category=category)], actor=bob
        )
    assert LedgerItem.objects.count() == 0
