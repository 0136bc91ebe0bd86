import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shishi.organisation.models import ContactUnit
from shishi.organisation.selectors import contact_unit_ids
from shishi.organisation.services import contact_unit_assign


def test_a_unit_is_a_contact_unit_of_a_leader_once(dave, district, bob):
    contact_unit_assign(leader=dave, unit=district["education"], actor=bob)
    with pytest.raises(ValidationError):
        contact_unit_assign(leader=dave, unit=district["education"], actor=bob)
    assert ContactUnit.objects.count() == 1


def test_only_a_leader_has_contact_units(carol, district, bob):
    with pytest.raises(ValidationError) as error:
        contact_unit_assign(leader=carol, unit=district["education"], actor=bob)
    assert "leader" in error.value.message_dict
    assert ContactUnit.objects.count() == 0


def test_claiming_suggests_the_leaders_contact_unit(client, dave, district, bob, make_item):
    contact_unit_assign(leader=dave, unit=district["transport"], actor=bob)
    item = make_item()
    client.force_login(dave)
    response = client.get(reverse("dispatch:claim", args=[item.number]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["lead_unit"] == district["transport"].pk
    assert "区城建局" in form.fields["lead_unit"].help_text


def test_a_leaders_contact_unit_ids(dave, lena, district, bob):
    contact_unit_assign(leader=dave, unit=district["education"], actor=bob)
    contact_unit_assign(leader=dave, unit=district["transport"], actor=bob)
    assert contact_unit_ids(dave) == {district["education"].pk, district["transport"].pk}
    assert contact_unit_ids(lena) == set()
