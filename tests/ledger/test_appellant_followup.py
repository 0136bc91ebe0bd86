"""回访 by the resident: once the item that answers the appeal is settled, once
per settlement, with a known result."""

import pytest
from django.core.exceptions import ValidationError

from shishi.intake.rating_keys import rating_key
from shishi.intake.services import appeal_accept, appeal_submit
from shishi.ledger.models import FollowUp, Satisfaction
from shishi.ledger.services import (
    followup_submit_by_appellant,
    item_reopen,
    item_settle,
    item_submit_for_verification,
    progress_report_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeal(claimed_item, bob):
    appeal = appeal_submit(title="学校太远", channel="web")
    return appeal_accept(appeal=appeal, actor=bob, item=claimed_item)


def _settle(item, *, carol, dave, erin):
    progress_report_submit(item=item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item_submit_for_verification(item=item, actor=dave)
    return item_settle(item=item, actor=erin, evidence="现场核验")


def test_cannot_rate_before_the_item_is_settled(appeal):
    with pytest.raises(ValidationError):
        followup_submit_by_appellant(
            appeal=appeal, key=rating_key(appeal), result=Satisfaction.SATISFIED
        )
    assert not FollowUp.objects.exists()


def test_cannot_rate_an_appeal_without_an_item(db):
    appeal = appeal_submit(title="路灯不亮", channel="web")
    with pytest.raises(ValidationError):
        followup_submit_by_appellant(
            appeal=appeal, key=rating_key(appeal), result=Satisfaction.SATISFIED
        )


def test_rate_once_after_settlement(appeal, claimed_item, carol, dave, erin, alice):
    _settle(claimed_item, carol=carol, dave=dave, erin=erin)
    followup = followup_submit_by_appellant(
        appeal=appeal,
        key=rating_key(appeal),
        result=Satisfaction.BASICALLY_SATISFIED,
        note="还行",
        actor=alice,
    )
    assert followup.by_appellant and followup.item == claimed_item
    assert followup.recorded_by == alice and followup.note == "还行"
    with pytest.raises(ValidationError):
        followup_submit_by_appellant(
            appeal=appeal, key=rating_key(appeal), result=Satisfaction.SATISFIED
        )
    assert FollowUp.objects.count() == 1


def test_anonymous_rating_records_no_account(appeal, claimed_item, carol, dave, erin):
    from django.contrib.auth.models import AnonymousUser

    _settle(claimed_item, carol=carol, dave=dave, erin=erin)
    followup = followup_submit_by_appellant(
        appeal=appeal,
        key=rating_key(appeal),
        result=Satisfaction.DISSATISFIED,
        actor=AnonymousUser(),
    )
    assert followup.recorded_by is None and followup.by_appellant


def test_after_reopen_and_settling_again_it_can_be_rated_again(
    appeal, claimed_item, carol, dave, erin
):
    _settle(claimed_item, carol=carol, dave=dave, erin=erin)
    followup_submit_by_appellant(
        appeal=appeal, key=rating_key(appeal), result=Satisfaction.DISSATISFIED
    )
    item = item_reopen(item=claimed_item, actor=erin, reason="居民反映仍有问题")
    with pytest.raises(ValidationError):
        followup_submit_by_appellant(
            appeal=appeal, key=rating_key(appeal), result=Satisfaction.SATISFIED
        )
    item_submit_for_verification(item=item, actor=dave)
    item_settle(item=item, actor=erin, evidence="再次核验")
    followup_submit_by_appellant(
        appeal=appeal, key=rating_key(appeal), result=Satisfaction.SATISFIED
    )
    results = list(FollowUp.objects.order_by("recorded_at").values_list("result", flat=True))
    assert results == [Satisfaction.DISSATISFIED, Satisfaction.SATISFIED]


def test_an_unknown_result_is_refused(appeal, claimed_item, carol, dave, erin):
    _settle(claimed_item, carol=carol, dave=dave, erin=erin)
    with pytest.raises(ValidationError) as err:
        followup_submit_by_appellant(appeal=appeal, key=rating_key(appeal), result="delighted")
    assert "result" in err.value.message_dict
    assert not FollowUp.objects.exists()


def test_the_tracking_number_alone_cannot_rate(appeal, claimed_item, carol, dave, erin):
    """The forgery: the tracking number is public, so a rating needs the key
    from the resident's notice or their own account; nothing is stored."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    _settle(claimed_item, carol=carol, dave=dave, erin=erin)
    for key in ["", "0" * 32, rating_key(appeal)[:-1] + "x", None]:
        with pytest.raises(PermissionDenied):
            followup_submit_by_appellant(
                appeal=appeal, result=Satisfaction.DISSATISFIED, actor=AnonymousUser(), key=key
            )
    assert not FollowUp.objects.exists()


def test_the_key_of_another_appeal_does_not_rate_this_one(
    appeal, claimed_item, bob, carol, dave, erin
):
    from django.core.exceptions import PermissionDenied

    other = appeal_accept(
        appeal=appeal_submit(title="另一条诉求", channel="web"), actor=bob, item=claimed_item
    )
    _settle(claimed_item, carol=carol, dave=dave, erin=erin)
    with pytest.raises(PermissionDenied):
        followup_submit_by_appellant(
            appeal=appeal, result=Satisfaction.DISSATISFIED, key=rating_key(other)
        )
    assert not FollowUp.objects.exists()


def test_the_submitters_own_account_rates_without_a_key(
    claimed_item, alice, bob, carol, dave, erin
):
    from django.core.exceptions import PermissionDenied

    own = appeal_accept(
        appeal=appeal_submit(title="我的诉求", channel="web", submitter=alice),
        actor=bob,
        item=claimed_item,
    )
    _settle(claimed_item, carol=carol, dave=dave, erin=erin)
    with pytest.raises(PermissionDenied):
        followup_submit_by_appellant(appeal=own, result=Satisfaction.SATISFIED, actor=bob)
    followup = followup_submit_by_appellant(appeal=own, result=Satisfaction.SATISFIED, actor=alice)
    assert followup.recorded_by == alice and followup.by_appellant
