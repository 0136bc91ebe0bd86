"""The work-order loop through the REST API: the same services, the same
refusals, and each caller sees only what they may."""

import pytest
from rest_framework.test import APIClient

from shishi.api.services import api_token_create
from shishi.workorders.models import OrderStatus, WorkOrder

from .conftest import GOOD_REPLY


@pytest.fixture
def api(db):
    def client_for(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
        return client

    return client_for


def post(client, url, data=None):
    return client.post(url, data or {}, format="json")


def test_the_loop_through_the_api(api, appeal, bob, carol, district):
    centre, unit = api(bob), api(carol)
    made = post(
        centre,
        "/api/orders/dispatch/",
        {"appeal": appeal.tracking_number, "unit": district["education"].pk},
    )
    assert made.status_code == 201, made.json()
    number = made.json()["number"]
    assert post(unit, f"/api/orders/{number}/sign/").json()["status"] == "signed"
    refused = post(unit, f"/api/orders/{number}/reply/", {"reply": "已收悉"})
    assert refused.status_code == 400 and "reply" in refused.json()
    assert post(unit, f"/api/orders/{number}/reply/", {"reply": GOOD_REPLY}).status_code == 200
    done = post(centre, f"/api/orders/{number}/review/", {"accept": True})
    assert done.json()["status"] == OrderStatus.CLOSED
    listed = unit.get("/api/orders/").json()
    assert [o["number"] for o in listed["results"]] == [number]


def test_refusals_come_back_with_their_reasons(api, order, carol, hank):
    url = f"/api/orders/{order.number}"
    assert post(api(hank), f"{url}/sign/").status_code == 404  # not theirs to see
    returned = post(api(carol), f"{url}/return/", {"reason": ""})
    assert returned.status_code == 400 and "reason" in returned.json()
    assert post(api(carol), f"{url}/sign/").status_code == 200
    again = post(api(carol), f"{url}/sign/")
    assert again.status_code == 400 and "already signed" in str(again.json())
    assert WorkOrder.objects.get().history.count() == 2


def test_handlers_do_not_dispatch(api, appeal, carol, district):
    made = post(
        api(carol),
        "/api/orders/dispatch/",
        {"appeal": appeal.tracking_number, "unit": district["education"].pk},
    )
    assert made.status_code == 403
    assert not WorkOrder.objects.exists()
