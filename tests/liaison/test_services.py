import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shishi.intake.models import Appeal, Channel
from shishi.liaison.models import Household, Pairing
from shishi.liaison.selectors import community_coverage, unpaired_households
from shishi.liaison.services import (
    household_appeal_file,
    household_create,
    household_pair,
    households_register_bulk,
    member_create,
    pairing_end,
)

DAY = dt.date(2021, 4, 1)


@pytest.fixture
def member(district, bob):
    return member_create(name="王红", community=district["community"], actor=bob)


@pytest.fixture
def household(district, bob):
    return household_create(
        community=district["community"], address="建设路1号院2号楼301", head="李明", actor=bob
    )


def test_a_household_paired_twice_is_refused_and_nothing_stored(member, household, district, bob):
    household_pair(member=member, household=household, paired_on=DAY, actor=bob)
    second = member_create(name="赵刚", community=district["community"], actor=bob)
    with pytest.raises(ValidationError) as error:
        household_pair(member=second, household=household, paired_on=DAY, actor=bob)
    assert "王红" in str(error.value)
    assert "household" in error.value.message_dict
    assert Pairing.objects.count() == 1


def test_an_ended_pairing_lets_the_household_be_paired_again(member, household, district, bob):
    pairing = household_pair(member=member, household=household, paired_on=DAY, actor=bob)
    pairing_end(pairing=pairing, ended_on=DAY + dt.timedelta(days=30), actor=bob)
    second = member_create(name="赵刚", community=district["community"], actor=bob)
    household_pair(member=second, household=household, paired_on=DAY, actor=bob)
    assert Pairing.objects.filter(ended_on__isnull=True).get().member == second


def test_a_member_of_another_community_cannot_pair(household, district, bob):
    village = district["street"].children.create(name="某村", kind="village")
    stranger = member_create(name="孙丽", community=village, actor=bob)
    with pytest.raises(ValidationError):
        household_pair(member=stranger, household=household, paired_on=DAY, actor=bob)
    assert Pairing.objects.count() == 0


def test_a_bulk_list_with_a_repeated_address_stores_nothing(member, district, bob):
    rows = [{"address": "1号"}, {"address": "2号", "member": member}, {"address": "1号"}]
    with pytest.raises(ValidationError) as error:
        households_register_bulk(
            community=district["community"], rows=rows, paired_on=DAY, actor=bob
        )
    assert "1号" in str(error.value)
    assert Household.objects.count() == 0


def test_a_bulk_list_is_stored_paired_with_history(member, district, bob):
    rows = [{"address": f"{n}号", "head": "住户", "member": member} for n in range(1, 6)]
    rows.append({"address": "6号"})
    stored = households_register_bulk(
        community=district["community"], rows=rows, paired_on=DAY, actor=bob
    )
    assert len(stored) == 6
    assert Pairing.objects.filter(member=member).count() == 5
    assert Household.history.filter(history_user=bob).count() == 6
    assert Pairing.history.count() == 5


def test_coverage_lists_households_without_a_member(member, household, district, bob):
    lonely = household_create(community=district["community"], address="2号", actor=bob)
    household_pair(member=member, household=household, paired_on=DAY, actor=bob)
    [row] = [r for r in community_coverage() if r["community"] == district["community"]]
    assert (row["households"], row["paired"], row["unpaired"]) == (2, 1, 1)
    assert list(unpaired_households(district["community"])) == [lonely]


def test_a_member_files_an_appeal_for_their_household(member, household, bob):
    household_pair(member=member, household=household, paired_on=DAY, actor=bob)
    appeal = household_appeal_file(
        member=member, household=household, title="楼道灯不亮", actor=bob
    )
    appeal.refresh_from_db()
    assert appeal.channel == Channel.LIAISON
    assert appeal.household == household
    assert appeal.community == household.community


def test_only_the_households_own_member_files_for_it(member, household, district, bob):
    with pytest.raises(ValidationError):
        household_appeal_file(member=member, household=household, title="楼道灯不亮", actor=bob)
    assert Appeal.objects.count() == 0
