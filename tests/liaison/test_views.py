import datetime as dt

from django.urls import reverse

from shishi.liaison.models import Pairing
from shishi.liaison.services import household_create, household_pair, member_create


def test_a_clerk_pairs_a_household_and_a_second_pairing_is_refused(client, bob, district):
    community = district["community"]
    first = member_create(name="王红", community=community, actor=bob)
    second = member_create(name="赵刚", community=community, actor=bob)
    household = household_create(community=community, address="1号楼101", actor=bob)
    client.force_login(bob)
    url = reverse("liaison:community", args=[community.pk])
    data = {"household": household.pk, "member": first.pk, "paired_on": "2021-04-01"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "member": second.pk})
    assert response.status_code == 200
    assert "王红" in response.content.decode()
    assert Pairing.objects.count() == 1


def test_coverage_lists_communities_with_unpaired_households(client, bob, carol, district):
    community = district["community"]
    member = member_create(name="王红", community=community, actor=bob)
    paired = household_create(community=community, address="1号", actor=bob)
    household_create(community=community, address="2号", actor=bob)
    household_pair(member=member, household=paired, paired_on=dt.date(2021, 4, 1), actor=bob)
    client.force_login(carol)
    response = client.get(reverse("liaison:coverage"))
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row["highlight"]
    page = client.get(reverse("liaison:community", args=[community.pk])).content.decode()
    assert "2号" in page


def test_a_resident_may_not_see_liaison_lists(client, alice, district):
    client.force_login(alice)
    assert client.get(reverse("liaison:coverage")).status_code == 403
