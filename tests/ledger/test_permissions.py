"""Each role's rights over ledger items, read as sentences."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shishi.ledger.models import ItemStatus, ProgressReport
from shishi.ledger.services import (
    TargetSpec,
    item_cancel,
    item_claim,
    item_create,
    item_settle,
    item_submit_for_verification,
    progress_report_submit,
)
from shishi.org.services import user_create

pytestmark = pytest.mark.django_db


def test_a_resident_cannot_open_an_item(alice, category):
    with pytest.raises(PermissionDenied):
        item_create(
            kind="project",
            title="x",
            category=category,
            actor=alice,
            targets=[TargetSpec("a", "个", 1)],
        )


def test_a_unit_handler_may_open_a_claim_but_not_a_project(carol, category):
    with pytest.raises(PermissionDenied):
        item_create(
            kind="project",
            title="新建学校",
            category=category,
            actor=carol,
            targets=[TargetSpec("a", "所", 1)],
        )
    item = item_create(kind="claim", title="张某家财理赔", category=category, actor=carol)
    assert item.status == ItemStatus.DRAFT
    # The claim's deadline comes from its kind policy: 24 hours.
    assert (item.deadline - item.created_at).total_seconds() == pytest.approx(24 * 3600, abs=5)


def test_a_clerk_cannot_claim(make_item, bob, district):
    with pytest.raises(PermissionDenied):
        item_claim(item=make_item(), actor=bob, lead_unit=district["education"])


def test_a_leader_cannot_make_a_clerk_the_owner(make_item, dave, bob, district):
    with pytest.raises(PermissionDenied):
        item_claim(item=make_item(), actor=dave, owner=bob, lead_unit=district["education"])


def test_a_unit_handler_cannot_report_on_another_units_item(claimed_item, hank):
    with pytest.raises(PermissionDenied, match="区教育局"):
        progress_report_submit(item=claimed_item, actor=hank, percent=50)
    assert not ProgressReport.objects.exists()


def test_the_lead_units_handler_and_the_owner_may_report(claimed_item, carol, dave):
    progress_report_submit(item=claimed_item, actor=carol, percent=10)
    progress_report_submit(item=claimed_item, actor=dave, percent=20)
    assert claimed_item.progress_reports.filter(is_current=True).get().percent == 20


def test_a_handler_without_the_report_right_cannot_report(claimed_item, district):
    member = user_create(
        username="mia", full_name="米娅", roles=["clerk"], units=[district["education"]]
    )
    with pytest.raises(PermissionDenied):
        progress_report_submit(item=claimed_item, actor=member, percent=10)


def test_the_owner_cannot_verify_their_own_item(claimed_item, carol, dave):
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item = item_submit_for_verification(item=claimed_item, actor=dave)
    with pytest.raises(PermissionDenied, match=item.number):
        item_settle(item=item, actor=dave, evidence="自己说好了")
    item.refresh_from_db()
    assert item.status == ItemStatus.AWAITING_VERIFICATION


def test_an_owner_who_is_also_a_supervisor_still_cannot_verify(
    make_item, district, category, carol
):
    boss = user_create(
        username="boss",
        full_name="双重身份",
        roles=["leader", "supervisor"],
        units=[district["education"]],
    )
    item = item_claim(item=make_item(), actor=boss, lead_unit=district["education"])
    progress_report_submit(item=item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item_submit_for_verification(item=item, actor=boss)
    with pytest.raises(PermissionDenied):
        item_settle(item=item, actor=boss, evidence="已核验")


def test_a_superuser_owner_cannot_verify_either(make_item, district, carol, erin):
    root = user_create(username="root", full_name="管理员", roles=["leader"])
    root.is_superuser = True
    root.save()
    item = item_claim(item=make_item(), actor=root, lead_unit=district["education"])
    progress_report_submit(item=item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item_submit_for_verification(item=item, actor=root)
    with pytest.raises(PermissionDenied):
        item_settle(item=item, actor=root, evidence="已核验")
    assert item_settle(item=item, actor=erin, evidence="已核验").status == ItemStatus.SETTLED


def test_a_leader_cannot_cancel(make_item, dave):
    with pytest.raises(PermissionDenied):
        item_cancel(item=make_item(), actor=dave, reason="不想做了")


def test_a_unit_handler_cannot_settle(claimed_item, carol, dave):
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item = item_submit_for_verification(item=claimed_item, actor=dave)
    with pytest.raises(PermissionDenied):
        item_settle(item=item, actor=carol, evidence="已核验")


def test_a_deactivated_leader_cannot_claim(make_item, dave, district):
    dave.is_active = False
    dave.save()
    with pytest.raises(PermissionDenied):
        item_claim(item=make_item(), actor=dave, lead_unit=district["education"])


def test_an_unknown_kind_is_refused_naming_the_field(bob, category):
    with pytest.raises(ValidationError) as err:
        item_create(kind="spaceship", title="x", category=category, actor=bob)
    assert "kind" in err.value.message_dict


def test_a_supervisor_may_record_a_hazard_found_on_inspection(erin, category):
    item = item_create(kind="hazard", title="人防工程渗水", category=category, actor=erin)
    assert item.status == ItemStatus.DRAFT


def test_a_leader_claims_only_for_their_own_units_and_those_under_them(make_item, district):
    # Issue 18: a leader could claim an item for a unit they do not belong to.
    from shishi.ledger.permissions import can_claim_for

    street_leader = user_create(
        username="street", full_name="街道领导", roles=["leader"], units=[district["street"]]
    )
    item = make_item()
    with pytest.raises(PermissionDenied, match="区教育局"):
        item_claim(item=item, actor=street_leader, lead_unit=district["education"])
    item.refresh_from_db()
    assert item.owner_id is None and item.status == ItemStatus.OPEN
    # The street itself and the community under it are its leader's.
    assert can_claim_for(street_leader, district["community"])
    claimed = item_claim(item=item, actor=street_leader, lead_unit=district["street"])
    assert claimed.owner == street_leader
    # A leader of no unit claims for none.
    loner = user_create(username="loner", full_name="无单位", roles=["leader"])
    assert not can_claim_for(loner, district["street"])
    with pytest.raises(PermissionDenied):
        item_claim(item=make_item(title="另一件"), actor=loner, lead_unit=district["street"])


def test_a_leader_claims_for_their_contact_units_too(make_item, district, admin_user):
    # Issue 18: "a leader claims only for their own or their contact units".
    from shishi.ledger.permissions import can_claim_for
    from shishi.organisation.services import contact_unit_assign

    street_leader = user_create(
        username="street2", full_name="街道领导", roles=["leader"], units=[district["street"]]
    )
    assert not can_claim_for(street_leader, district["education"])
    contact_unit_assign(leader=street_leader, unit=district["education"], actor=admin_user)
    assert can_claim_for(street_leader, district["education"])
    claimed = item_claim(item=make_item(), actor=street_leader, lead_unit=district["education"])
    assert claimed.lead_unit == district["education"]
