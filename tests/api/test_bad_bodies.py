"""Issue 18: JSON nested 100,000 deep on the REST API gave a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_deeply_nested_json_is_a_400_saying_why(api, dave, make_item, district, depth):
    item = make_item()
    body = "[" * depth + "]" * depth
    response = api(dave).post(
        f"/api/items/{item.number}/claim/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    item.refresh_from_db()
    assert item.owner_id is None


def test_a_nested_object_is_refused_the_same_way(api, dave, make_item):
    item = make_item()
    body = '{"a":' * 100_000 + "1" + "}" * 100_000
    response = api(dave).post(
        f"/api/items/{item.number}/claim/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
