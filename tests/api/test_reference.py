"""Units and categories: the ids the other endpoints take."""

import pytest

from shishi.categories.services import category_create

pytestmark = pytest.mark.django_db


def test_units_filtered_by_kind_and_parent(api, carol, district):
    client = api(carol)
    rows = client.get("/api/units/?kind=department").json()["results"]
    assert {r["name"] for r in rows} == {"区教育局", "区城建局"}
    rows = client.get(f"/api/units/?parent={district['street'].pk}").json()["results"]
    assert [r["name"] for r in rows] == ["建设路社区"]
    one = client.get(f"/api/units/{district['education'].pk}/").json()
    assert one == {
        "id": district["education"].pk,
        "name": "区教育局",
        "kind": "department",
        "parent": district["district"].pk,
        "is_participating": True,
        "is_active": True,
    }


def test_categories_and_their_tree(api, dave, category):
    child = category_create(name="学位", code="places", parent=category)
    client = api(dave)
    rows = client.get(f"/api/categories/?parent={category.pk}").json()["results"]
    assert [r["code"] for r in rows] == ["places"]
    assert client.get(f"/api/categories/{child.pk}/").json()["parent"] == category.pk


def test_unknown_ids_are_404_and_bad_filters_400(api, bob, district):
    client = api(bob)
    assert client.get("/api/units/999999/").status_code == 404
    assert client.get("/api/categories/999999/").status_code == 404
    assert client.get("/api/units/?kind=castle").status_code == 400
    assert client.get("/api/units/?ordering=-name").status_code == 200


def test_a_resident_and_anonymous_callers_are_refused(api, alice, anon, district):
    assert anon.get("/api/categories/").status_code == 401
    assert api(alice).get("/api/categories/").status_code == 403
    assert api(alice).get(f"/api/units/{district['education'].pk}/").status_code == 403


def test_lists_make_few_queries(api, bob, district, category, django_assert_max_num_queries):
    client = api(bob)
    for path in ("units", "categories"):
        with django_assert_max_num_queries(6):
            assert client.get(f"/api/{path}/").status_code == 200
