import pytest

from shishi.apikeys.services import apikey_create
from shishi.categories.services import category_create
from shishi.open311.models import AttributeValue, ServiceAttribute


@pytest.fixture
def client_key(db):
    """The key of a 311 app, with a generous limit; returns its secret text."""
    _key, raw = apikey_create(name="城市App", rate_per_minute=1000)
    return raw


@pytest.fixture
def roads(db):
    group = category_create(name="城乡建设", code="construction")
    roads = category_create(
        name="道路", code="roads", parent=group, description="路面破损、井盖缺失"
    )
    size = ServiceAttribute.objects.create(
        category=roads,
        code="size",
        datatype="singlevaluelist",
        required=True,
        order=1,
        description="破损有多大？",
    )
    AttributeValue.objects.create(attribute=size, key="small", name="小于一米", order=1)
    AttributeValue.objects.create(attribute=size, key="large", name="大于一米", order=2)
    hazards = ServiceAttribute.objects.create(
        category=roads,
        code="hazards",
        datatype="multivaluelist",
        order=2,
        description="有哪些危险？",
    )
    AttributeValue.objects.create(attribute=hazards, key="traffic", name="影响交通", order=1)
    AttributeValue.objects.create(attribute=hazards, key="night", name="夜间无照明", order=2)
    ServiceAttribute.objects.create(
        category=roads, code="depth", datatype="number", order=3, description="深度（厘米）"
    )
    ServiceAttribute.objects.create(
        category=roads, code="seen", datatype="datetime", order=4, description="何时发现？"
    )
    ServiceAttribute.objects.create(
        category=roads, code="street", datatype="string", order=5, description="路名"
    )
    ServiceAttribute.objects.create(
        category=roads,
        code="note",
        datatype="text",
        order=6,
        variable=False,
        description="请勿填写个人信息。",
    )
    return roads


@pytest.fixture
def post_request(client, client_key, roads):
    """POST requests.{fmt} with a valid request, overridable field by field."""

    def post(fmt="json", **fields):
        data = {
            "api_key": client_key,
            "service_code": "roads",
            "lat": "34.747",
            "long": "113.625",
            "description": "建设路与桐柏路交叉口有一个大坑",
            "attribute[size]": "large",
            "first_name": "三",
            "last_name": "张",
            "phone": "13800000000",
            "email": "zhang@example.com",
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(f"/open311/v2/requests.{fmt}", data)

    return post


@pytest.fixture(autouse=True)
def no_shared_answers(settings):
    # Most tests change data between two reads; test_cache.py turns it on.
    settings.SHISHI_OPEN311_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def no_remembered_services():
    # The process keeps service definitions for a few seconds; tests start afresh.
    from shishi.open311 import services

    services._services.clear()
