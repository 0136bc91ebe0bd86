"""Items to claim (领账): open items without an owner, each with a claim form;
of two leaders claiming at once, the second is told who was first."""

import pytest
from django.urls import reverse

from shishi.categories.services import category_create
from shishi.ledger.models import ItemStatus, LedgerItem
from shishi.ledger.services import item_claim
from shishi.org.services import unit_create

pytestmark = pytest.mark.django_db

CLAIMABLE = reverse("dispatch:claimable")


def _claim_url(item) -> str:
    return reverse("dispatch:claim", args=[item.number])


def _numbers(response) -> list[str]:
    return [item.number for item in response.context["page"].object_list]


# ---------------------------------------------------------------- rights


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(CLAIMABLE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "erin"])
def test_only_leaders_see_the_items_to_claim(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(CLAIMABLE).status_code == 403


@pytest.mark.parametrize("who", ["carol", "erin", "bob"])
def test_only_leaders_may_claim(client, request, who, make_item, district):
    item = make_item()
    client.force_login(request.getfixturevalue(who))
    response = client.post(_claim_url(item), {"lead_unit": district["education"].pk})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and item.owner is None


def test_anonymous_claims_are_sent_to_log_in(client, make_item, district):
    item = make_item()
    response = client.post(_claim_url(item), {"lead_unit": district["education"].pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.owner is None


# ------------------------------------------------------------ the list


def test_lists_open_unclaimed_items_only(client, dave, make_item, claim):
    waiting = make_item(title="待领账")
    make_item(title="草稿事项", open_it=False)
    claim(make_item(title="已领账"))
    client.force_login(dave)
    response = client.get(CLAIMABLE)
    assert response.status_code == 200
    assert _numbers(response) == [waiting.number]
    html = response.text
    assert "待领账" in html and "草稿事项" not in html and "已领账" not in html
    assert "新增学位" in html  # its targets
    # Each row's button opens the item's claim form (in the row, with htmx).
    assert f'action="{_claim_url(waiting)}"' in html and f'hx-get="{_claim_url(waiting)}"' in html


def test_filters_by_category_kind_and_words(client, dave, make_item, bob):
    roads = category_create(name="道路交通", code="roads")
    school = make_item(title="新建学校")
    road = make_item(title="道路修缮", category=roads)
    hazard = make_item(title="消防隐患", kind="hazard")
    client.force_login(dave)
    assert _numbers(client.get(CLAIMABLE, {"category": roads.pk})) == [road.number]
    assert _numbers(client.get(CLAIMABLE, {"kind": "hazard"})) == [hazard.number]
    assert _numbers(client.get(CLAIMABLE, {"q": "学校"})) == [school.number]
    assert _numbers(client.get(CLAIMABLE, {"q": school.number})) == [school.number]
    # An unknown category is ignored rather than refused.
    response = client.get(CLAIMABLE, {"category": 999999})
    assert response.status_code == 200 and len(_numbers(response)) == 3


def test_the_list_makes_a_bounded_number_of_queries(
    client, dave, make_item, settings, django_assert_max_num_queries
):
    settings.SHISHI_PAGE_SIZE = 40
    for i in range(32):
        make_item(title=f"事项{i}")
    client.force_login(dave)
    with django_assert_max_num_queries(12):
        response = client.get(CLAIMABLE)
    assert len(_numbers(response)) == 32


# ------------------------------------------------------------ claiming


def test_a_leader_claims_an_item_with_a_lead_unit(client, dave, make_item, district):
    item = make_item()
    client.force_login(dave)
    response = client.post(_claim_url(item), {"lead_unit": district["education"].pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dispatch:item", args=[item.number])
    item.refresh_from_db()
    assert item.status == ItemStatus.CLAIMED
    assert item.owner == dave and item.lead_unit == district["education"]
    assert "You have claimed" in response.text


def test_the_claim_form_offers_the_participating_units_and_the_proposed_one_first(
    client, dave, make_item, district
):
    item = make_item(lead_unit=district["transport"])
    client.force_login(dave)
    response = client.get(_claim_url(item))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["lead_unit"].value() == district["transport"].pk
    assert district["education"].name in response.text and "<html" in response.text
    # htmx asks for the form alone, to put it in the list's row.
    fragment = client.get(_claim_url(item), headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'name="lead_unit"' in fragment.text


@pytest.mark.parametrize("who", ["carol", "erin"])
def test_only_leaders_get_the_claim_form(client, request, who, make_item):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_claim_url(make_item())).status_code == 403


def test_the_claim_form_of_a_claimed_item_says_who_has_it(client, lena, claimed_item):
    client.force_login(lena)
    response = client.get(_claim_url(claimed_item))
    assert "戴夫 has claimed it" in response.text and 'name="lead_unit"' not in response.text


def test_a_claim_without_a_lead_unit_is_refused_next_to_the_field(client, dave, make_item):
    item = make_item()
    client.force_login(dave)
    response = client.post(_claim_url(item), {"lead_unit": ""})
    assert response.status_code == 200
    assert "Choose the lead unit that will carry the item." in response.text
    assert response.context["form"].errors["lead_unit"]
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and item.owner is None


def test_an_inactive_or_unknown_unit_is_refused(client, dave, make_item, district):
    closed = unit_create(name="已撤销单位", kind="department", parent=district["district"])
    closed.is_active = False
    closed.save()
    item = make_item()
    client.force_login(dave)
    for value in [closed.pk, 999999, "abc"]:
        response = client.post(_claim_url(item), {"lead_unit": value})
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
    item.refresh_from_db()
    assert item.owner is None


def test_a_claim_that_comes_second_is_told_who_was_first(client, dave, lena, make_item, district):
    item = make_item()
    # Lena's claim lands while dave's page is still open.
    item_claim(item=item, actor=lena, lead_unit=district["transport"])
    client.force_login(dave)
    response = client.post(_claim_url(item), {"lead_unit": district["education"].pk})
    assert response.status_code == 200
    assert "was already claimed by 莉娜 at" in response.text
    assert 'role="alert"' in response.text and "莉娜 has claimed it" in response.text
    item = LedgerItem.objects.get(pk=item.pk)
    assert item.owner == lena and item.lead_unit == district["transport"]


def test_a_leader_may_claim_from_the_item_page(client, lena, make_item):
    item = make_item()
    client.force_login(lena)
    response = client.get(reverse("dispatch:item", args=[item.number]))
    assert f'action="{_claim_url(item)}"' in response.text
