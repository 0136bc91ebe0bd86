"""item_draft_from_appeals: a draft item and its appeals, all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shishi.intake.models import AppealStatus
from shishi.intake.services import appeal_reject
from shishi.ledger.models import ItemStatus, LedgerItem
from shishi.ledger.services import TargetSpec
from shishi.triage.services import item_draft_from_appeals

pytestmark = pytest.mark.django_db


def test_draft_item_takes_every_appeal(make_appeal, bob, category):
    appeals = [make_appeal(), make_appeal(), make_appeal()]
    item = item_draft_from_appeals(
        actor=bob,
        appeals=appeals,
        kind="project",
        title="整治积水点",
        category=category,
        targets=[TargetSpec("积水点", "处", 3)],
    )
    assert item.status == ItemStatus.DRAFT
    assert item.targets.get().name == "积水点"
    assert set(item.appeals.values_list("status", flat=True)) == {AppealStatus.ACCEPTED}
    assert item.appeals.count() == 3


def test_one_refused_appeal_leaves_nothing_behind(make_appeal, bob, category):
    fresh = make_appeal()
    handled = appeal_reject(appeal=make_appeal(), actor=bob, reason="重复")
    with pytest.raises(ValidationError) as err:
        item_draft_from_appeals(
            actor=bob, appeals=[fresh, handled], kind="hazard", title="消除隐患", category=category
        )
    assert handled.tracking_number in err.value.messages[0]
    assert not LedgerItem.objects.exists()
    fresh.refresh_from_db()
    assert fresh.status == AppealStatus.RECEIVED and fresh.item is None


def test_a_kind_that_requires_targets_gets_one(make_appeal, bob, category):
    with pytest.raises(ValidationError) as err:
        item_draft_from_appeals(
            actor=bob, appeals=[make_appeal()], kind="project", title="新增学位", category=category
        )
    assert "targets" in err.value.error_dict
    assert not LedgerItem.objects.exists()


def test_no_appeals_no_item(bob, category):
    with pytest.raises(ValidationError):
        item_draft_from_appeals(
            actor=bob, appeals=[], kind="hazard", title="隐患", category=category
        )
    assert not LedgerItem.objects.exists()


def test_only_those_who_may_open_the_kind(make_appeal, erin, category):
    # A supervisor may open hazards but not projects (kind policies).
    with pytest.raises(PermissionDenied):
        item_draft_from_appeals(
            actor=erin,
            appeals=[make_appeal()],
            kind="project",
            title="新增学位",
            category=category,
            targets=[TargetSpec("学位", "个", 10)],
        )
    assert not LedgerItem.objects.exists()
