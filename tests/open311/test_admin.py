"""An administrator sets a category's Open311 attributes in the admin."""

import json

import pytest

from shishi.open311.models import ServiceAttribute

pytestmark = pytest.mark.django_db


def test_an_attribute_with_its_values_shows_in_the_service_definition(
    administrator_client, category
):
    response = administrator_client.post(
        "/admin/open311/serviceattribute/add/",
        {
            "category": category.pk,
            "code": "grade",
            "description": "哪个学段？",
            "datatype": "singlevaluelist",
            "datatype_description": "",
            "required": "on",
            "variable": "on",
            "order": "1",
            "is_active": "on",
            "values-TOTAL_FORMS": "2",
            "values-INITIAL_FORMS": "0",
            "values-MIN_NUM_FORMS": "0",
            "values-MAX_NUM_FORMS": "1000",
            "values-0-key": "primary",
            "values-0-name": "小学",
            "values-0-order": "1",
            "values-1-key": "junior",
            "values-1-name": "初中",
            "values-1-order": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ServiceAttribute.objects.get().history.count() == 1
    administrator_client.logout()
    body = json.loads(
        administrator_client.get(f"/open311/v2/services/{category.code}.json").content
    )
    [attribute] = body["attributes"]
    assert attribute["code"] == "grade" and attribute["required"] is True
    assert attribute["values"] == [
        {"key": "primary", "name": "小学"},
        {"key": "junior", "name": "初中"},
    ]
    services = json.loads(administrator_client.get("/open311/v2/services.json").content)
    assert services[0]["metadata"] is True


def test_the_admin_lists_open311_requests(administrator_client, post_request):
    assert post_request().status_code == 200
    page = administrator_client.get("/admin/open311/servicerequest/")
    assert page.status_code == 200
    assert "13800000000" not in page.content.decode()


def test_the_admin_shows_a_queued_request_the_drain_refused(
    administrator_client, post_request, roads, settings
):
    from shishi.categories.models import Category
    from shishi.open311.models import QueuedRequest
    from shishi.open311.services import requests_drain

    settings.SHISHI_OPEN311_QUEUE = True
    assert post_request().status_code == 200
    Category.objects.filter(pk=roads.pk).update(is_active=False)
    requests_drain()
    queued = QueuedRequest.objects.get()
    listing = administrator_client.get("/admin/open311/queuedrequest/").content.decode()
    assert queued.token in listing and queued.error[:20] in listing
    page = administrator_client.get(f"/admin/open311/queuedrequest/{queued.pk}/change/")
    assert page.status_code == 200
    assert "建设路与桐柏路交叉口有一个大坑" in page.content.decode()
