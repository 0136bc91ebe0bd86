"""Every Open311 endpoint in both formats, and every way a request is refused."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from shishi.apikeys.models import ApiKey
from shishi.apikeys.services import apikey_revoke
from shishi.intake.models import Appeal
from shishi.intake.services import appeal_answer, appeal_submit
from shishi.open311.models import AttributeAnswer, QueuedRequest, ServiceRequest

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def xml(response, root):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    tree = ET.fromstring(response.content)  # noqa: S314 - our own server's output
    assert tree.tag == root
    return tree


def js(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def assert_error(response, status, fmt="json", contains=""):
    assert response.status_code == status
    if fmt == "json":
        body = js(response)
        assert isinstance(body, list) and body
        assert body[0]["code"] == status
        assert contains in body[0]["description"]
    else:
        tree = xml(response, "errors")
        error = tree.find("error")
        assert error.findtext("code") == str(status)
        assert contains in error.findtext("description")


def nothing_stored():
    assert not Appeal.objects.exists()
    assert not ServiceRequest.objects.exists()
    assert not AttributeAnswer.objects.exists()
    assert not QueuedRequest.objects.exists()


# ---------------------------------------------------------------- discovery, services


def test_discovery_in_both_formats(client):
    body = js(client.get(f"{BASE}/discovery.json"))
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["endpoints"][0]["url"] == "http://testserver/open311/v2"
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    tree = xml(client.get(f"{BASE}/discovery.xml"), "discovery")
    endpoint = tree.find("endpoints/endpoint")
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert endpoint.findtext("type") == "production"


def test_unknown_format_is_the_specs_404(client):
    assert_error(client.get(f"{BASE}/services.html"), 404, fmt="xml", contains="html")


def test_services_list_the_active_categories(client, roads):
    from shishi.categories.services import category_create

    category_create(name="教育", code="education")
    body = js(client.get(f"{BASE}/services.json"))
    assert isinstance(body, list)
    by_code = {s["service_code"]: s for s in body}
    assert by_code["roads"] == {
        "service_code": "roads",
        "service_name": "道路",
        "description": "路面破损、井盖缺失",
        "metadata": True,
        "type": "realtime",
        "keywords": "道路, 城乡建设",
        "group": "城乡建设",
    }
    assert by_code["education"]["metadata"] is False
    tree = xml(client.get(f"{BASE}/services.xml"), "services")
    service = [s for s in tree.findall("service") if s.findtext("service_code") == "roads"][0]
    assert service.findtext("metadata") == "true"
    assert service.findtext("group") == "城乡建设"


def test_service_definition_in_both_formats(client, roads):
    body = js(client.get(f"{BASE}/services/roads.json"))
    assert body["service_code"] == "roads"
    assert [a["code"] for a in body["attributes"]] == [
        "size",
        "hazards",
        "depth",
        "seen",
        "street",
        "note",
    ]
    size = body["attributes"][0]
    assert size["required"] is True and size["variable"] is True
    assert size["values"] == [
        {"key": "small", "name": "小于一米"},
        {"key": "large", "name": "大于一米"},
    ]
    tree = xml(client.get(f"{BASE}/services/roads.xml"), "service_definition")
    attribute = tree.find("attributes/attribute")
    assert attribute.findtext("datatype") == "singlevaluelist"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == ["small", "large"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(client, roads, fmt):
    assert_error(client.get(f"{BASE}/services/nope.{fmt}"), 404, fmt, "nope")


# ---------------------------------------------------------------- jurisdiction


def test_jurisdiction_optional_with_one_and_unknown_is_404(client, roads, settings):
    settings.SHISHI_OPEN311_JURISDICTIONS = ["zhongyuan.gov.cn"]
    assert client.get(f"{BASE}/services.json").status_code == 200
    assert client.get(f"{BASE}/services.json?jurisdiction_id=").status_code == 200
    ok = client.get(f"{BASE}/services.json?jurisdiction_id=zhongyuan.gov.cn")
    assert ok.status_code == 200
    assert_error(client.get(f"{BASE}/services.xml?jurisdiction_id=x.org"), 404, "xml", "x.org")


def test_jurisdiction_required_when_several(client, roads, settings):
    settings.SHISHI_OPEN311_JURISDICTIONS = ["a.gov.cn", "b.gov.cn"]
    assert_error(client.get(f"{BASE}/services.json"), 400, "json", "jurisdiction_id")
    assert client.get(f"{BASE}/services.json?jurisdiction_id=b.gov.cn").status_code == 200


# ---------------------------------------------------------------- POST requests


def test_post_files_an_appeal_through_intake(post_request, roads):
    response = post_request(
        "json",
        **{"attribute[hazards][]": ["traffic", "night"], "media_url": "https://img.example/1.jpg"},
    )
    assert response.status_code == 200
    [row] = js(response)
    appeal = Appeal.objects.get()
    assert row["service_request_id"] == appeal.tracking_number
    assert row["token"] == appeal.open311.token
    assert appeal.channel == "api"
    assert appeal.category == roads
    assert appeal.title == appeal.body == "建设路与桐柏路交叉口有一个大坑"
    assert appeal.submitter_name == "张三"
    assert appeal.submitter_phone == "13800000000"
    assert str(appeal.lat) == "34.747000"
    assert appeal.open311.media_url == "https://img.example/1.jpg"
    assert sorted(AttributeAnswer.objects.values_list("attribute__code", "value")) == [
        ("hazards", "night"),
        ("hazards", "traffic"),
        ("size", "large"),
    ]


def test_post_xml_response_and_token(client, post_request):
    tree = xml(post_request("xml", address_string="建设路1号", lat="", long=""), "service_requests")
    request = tree.find("request")
    number, token = request.findtext("service_request_id"), request.findtext("token")
    assert Appeal.objects.get().tracking_number == number
    tree = xml(client.get(f"{BASE}/tokens/{token}.xml"), "service_requests")
    assert tree.find("request").findtext("service_request_id") == number
    [row] = js(client.get(f"{BASE}/tokens/{token}.json"))
    assert row == {"service_request_id": number, "token": token}
    assert_error(client.get(f"{BASE}/tokens/unknown.json"), 404, "json", "unknown")


def test_post_with_address_id_only(post_request):
    assert post_request(lat="", long="", address_id="POI-77").status_code == 200
    assert ServiceRequest.objects.get().address_id == "POI-77"


@pytest.mark.parametrize(
    ("fields", "status", "mentions"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "abcdefgh.wrong"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "nope"}, 404, "nope"),
        ({"lat": "95", "long": "113"}, 400, "lat"),
        ({"lat": "north", "long": "113"}, 400, "lat"),
        ({"lat": "34", "long": "200"}, 400, "long"),
        ({"lat": "34", "long": ""}, 400, "lat"),
        ({"lat": "", "long": ""}, 400, "address_string"),
        ({"description": "坑" * 4001}, 400, "description"),
        ({"description": "a\x00b"}, 400, "description"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"attribute[size]": None}, 400, "attribute[size]"),
        ({"attribute[size]": "huge"}, 400, "attribute[size]"),
        ({"attribute[size][]": ["small", "large"], "attribute[size]": None}, 400, "size"),
        ({"attribute[hazards][]": ["traffic", "fire"]}, 400, "fire"),
        ({"attribute[depth]": "deep"}, 400, "attribute[depth]"),
        ({"attribute[depth]": "NaN"}, 400, "attribute[depth]"),
        ({"attribute[seen]": "yesterday"}, 400, "attribute[seen]"),
        ({"attribute[street]": "a\nb"}, 400, "attribute[street]"),
        ({"attribute[note]": "x"}, 400, "note"),
        ({"attribute[colour]": "red"}, 400, "colour"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("queued", [False, True], ids=["at-once", "queued"])
def test_bad_post_is_refused_and_stores_nothing(
    post_request, fields, status, mentions, fmt, queued, settings
):
    # Queued mode refuses the same requests, at once, and queues nothing.
    settings.SHISHI_OPEN311_QUEUE = queued
    assert_error(post_request(fmt, **fields), status, fmt, mentions)
    nothing_stored()


def test_revoked_key_is_403(post_request, client_key):
    apikey_revoke(key=ApiKey.objects.get())
    assert_error(post_request(), 403, "json", "api_key")
    nothing_stored()


def test_attribute_values_that_fit_are_accepted(post_request):
    response = post_request(
        **{
            "attribute[depth]": "12.5",
            "attribute[seen]": "2026-11-28T08:00:00+08:00",
            "attribute[street]": "建设路",
        }
    )
    assert response.status_code == 200
    assert AttributeAnswer.objects.count() == 4


def test_malformed_utf8_is_refused(client, client_key, roads):
    body = f"api_key={client_key}&service_code=roads&lat=34&long=113&description=%FF%FE".encode()
    response = client.post(
        f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 400, "json", "UTF-8")
    raw = f"api_key={client_key}&service_code=roads&lat=34&long=113&description=".encode()
    response = client.post(
        f"{BASE}/requests.xml", raw + b"\xc3(", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 400, "xml", "UTF-8")
    assert_error(client.get(f"{BASE}/requests.json?status=%C3%28"), 400, "json", "UTF-8")
    nothing_stored()


def test_a_nul_character_anywhere_is_refused_by_name(client, client_key, roads):
    body = f"api_key={client_key}&service_code=roads&lat=34&long=113&description=a%00b".encode()
    response = client.post(
        f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 400, "json", "description")
    assert_error(client.get(f"{BASE}/requests.xml?service_code=%00"), 400, "xml", "service_code")
    nothing_stored()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_10_mb_body_gets_the_specs_error(client, client_key, roads, fmt, settings):
    body = b"api_key=" + client_key.encode() + b"&description=" + b"x" * (10 * 1024 * 1024)
    response = client.post(
        f"{BASE}/requests.{fmt}", body, content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 413, fmt, str(settings.SHISHI_OPEN311_MAX_BODY_BYTES))
    nothing_stored()


def test_a_body_over_the_sites_limit_still_gets_the_specs_error(client, settings, roads):
    settings.SHISHI_MAX_REQUEST_BYTES = 1000
    settings.SHISHI_OPEN311_MAX_BODY_BYTES = 5000
    response = client.post(
        f"{BASE}/requests.xml",
        b"x=" + b"y" * 6000,
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 413, "xml", "5000")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_markup_and_control_characters_round_trip_as_text(client, post_request, fmt):
    evil = '<script>alert("x")</script> <?xml version="1.0"?><a>&amp;</a> \x01\x0b\x1f ]]>'
    assert post_request(description=evil).status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.body == evil.strip()
    response = client.get(f"{BASE}/requests/{appeal.tracking_number}.{fmt}")
    # The published description is the appeal's title: the text, spaces collapsed.
    assert appeal.title.startswith('<script>alert("x")</script> <?xml')
    if fmt == "xml":
        tree = xml(response, "service_requests")
        assert tree.find("request/description").text == appeal.title.replace("\x01", "")
    else:
        assert js(response)[0]["description"] == appeal.title


def test_method_not_allowed(client):
    response = client.post(f"{BASE}/services.json")
    assert_error(response, 405, "json", "POST")
    assert response["Allow"] == "GET, HEAD"


# ---------------------------------------------------------------- GET requests


@pytest.fixture
def appeals(roads, bob):
    """Three appeals: one new, one answered, one from 100 days ago."""
    now = timezone.now()
    new = appeal_submit(
        title="路灯不亮",
        channel="hotline",
        category=roads,
        address="建设路3号",
        submitter_name="李四",
        submitter_phone="13900000000",
        submitter_email="lisi@example.com",
    )
    answered = appeal_submit(
        title="井盖缺失", channel="web", category=roads, received_at=now - dt.timedelta(days=3)
    )
    appeal_answer(appeal=answered, actor=bob, answer="已于本周更换井盖")
    old = appeal_submit(
        title="旧诉求", channel="web", category=roads, received_at=now - dt.timedelta(days=100)
    )
    return {"new": new, "answered": answered, "old": old}


def test_requests_default_to_the_last_90_days(client, appeals):
    rows = js(client.get(f"{BASE}/requests.json"))
    assert [r["service_request_id"] for r in rows] == [
        appeals["new"].tracking_number,
        appeals["answered"].tracking_number,
    ]
    new, answered = rows
    assert new["status"] == "open" and answered["status"] == "closed"
    assert "已于本周更换井盖" in answered["status_notes"]
    assert new["service_code"] == "roads" and new["service_name"] == "道路"
    assert new["description"] == "路灯不亮"
    assert new["address"] == "建设路3号"
    assert new["requested_datetime"].endswith("+08:00")
    assert set(new) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }


def test_requests_xml_and_filters(client, appeals):
    tree = xml(client.get(f"{BASE}/requests.xml?status=closed"), "service_requests")
    assert [r.findtext("service_request_id") for r in tree.findall("request")] == [
        appeals["answered"].tracking_number
    ]
    assert tree.find("request/status").text == "closed"
    assert js(client.get(f"{BASE}/requests.json?service_code=other")) == []
    assert len(js(client.get(f"{BASE}/requests.json?service_code=roads,other&status="))) == 2
    start = (timezone.now() - dt.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    end = (timezone.now() - dt.timedelta(days=50)).strftime("%Y-%m-%d")
    rows = js(client.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end}))
    assert [r["service_request_id"] for r in rows] == [appeals["old"].tracking_number]


def test_service_request_id_overrides_other_filters(client, appeals):
    ids = f"{appeals['old'].tracking_number},{appeals['new'].tracking_number.lower()}"
    rows = js(client.get(f"{BASE}/requests.json", {"service_request_id": ids, "status": "closed"}))
    assert {r["service_request_id"] for r in rows} == {
        appeals["old"].tracking_number,
        appeals["new"].tracking_number,
    }


def test_pages(client, appeals):
    first = js(client.get(f"{BASE}/requests.json?page_size=1"))
    second = js(client.get(f"{BASE}/requests.json?page_size=1&page=2"))
    assert [r["service_request_id"] for r in first + second] == [
        appeals["new"].tracking_number,
        appeals["answered"].tracking_number,
    ]
    assert js(client.get(f"{BASE}/requests.json?page_size=1&page=3")) == []


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("start_date=yesterday", "start_date"),
        ("end_date=2026-13-01", "end_date"),
        ("start_date=2026-01-01&end_date=2026-06-01", "90"),
        ("start_date=2026-06-01&end_date=2026-01-01", "start_date"),
        ("status=pending", "status"),
        ("page=0", "page"),
        ("page_size=100000", "page_size"),
        ("page_size=-1", "page_size"),
        ("page=%C2%B2", "page"),
        ("start_date=9999-12-31T00:00:00Z", "9999"),
        ("end_date=0001-01-02", "9999"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_request_filters_are_400(client, appeals, query, mentions, fmt):
    assert_error(client.get(f"{BASE}/requests.{fmt}?{query}"), 400, fmt, mentions)


def test_one_request_is_a_list_of_one(client, appeals):
    number = appeals["new"].tracking_number
    rows = js(client.get(f"{BASE}/requests/{number}.json"))
    assert isinstance(rows, list) and len(rows) == 1
    tree = xml(client.get(f"{BASE}/requests/{number}.xml"), "service_requests")
    assert len(tree.findall("request")) == 1
    assert_error(client.get(f"{BASE}/requests/000000-XXXXXX.xml"), 404, "xml", "000000-XXXXXX")


def test_expected_and_agency_come_from_the_item(client, roads, bob, claimed_item, district):
    from shishi.intake.services import appeal_accept

    appeal = appeal_submit(title="学位不足", channel="web", category=roads)
    appeal_accept(appeal=appeal, actor=bob, item=claimed_item)
    [row] = js(client.get(f"{BASE}/requests/{appeal.tracking_number}.json"))
    assert row["status"] == "open"
    assert row["agency_responsible"] == district["education"].name
    assert claimed_item.number in row["status_notes"]
    appeal.refresh_from_db()
    expected = appeal.respond_due or claimed_item.deadline
    assert row["expected_datetime"] == timezone.localtime(expected).isoformat(timespec="seconds")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_contact_data_never_appears(client, post_request, appeals, fmt):
    post_request(device_id="device-42", account_id="acct-42")
    outputs = [
        client.get(f"{BASE}/requests.{fmt}").content,
        client.get(f"{BASE}/requests/{appeals['new'].tracking_number}.{fmt}").content,
        client.get(f"{BASE}/servicerequestupdates.{fmt}").content,
    ]
    for content in outputs:
        text = content.decode("utf-8")
        for private in (
            "李四",
            "13900000000",
            "lisi@example.com",
            "张三",
            "13800000000",
            "zhang@example.com",
            "device-42",
            "acct-42",
        ):
            assert private not in text


def test_the_text_of_a_web_appeal_is_not_published(client, roads):
    appeal = appeal_submit(
        title="噪音", body="我家住在3号楼2单元，电话138…", channel="web", category=roads
    )
    [row] = js(client.get(f"{BASE}/requests/{appeal.tracking_number}.json"))
    assert row["description"] == "噪音"
    assert "3号楼" not in json.dumps(row, ensure_ascii=False)


# ---------------------------------------------------------------- updates


def test_updates_list_status_changes(client, appeals):
    rows = js(client.get(f"{BASE}/servicerequestupdates.json"))
    assert [(r["service_request_id"], r["status"], r["external_status_code"]) for r in rows] == [
        (appeals["answered"].tracking_number, "closed", "answered")
    ]
    assert "已于本周更换井盖" in rows[0]["description"]
    tree = xml(client.get(f"{BASE}/servicerequestupdates.xml"), "service_request_updates")
    update = tree.find("request_update")
    assert set(child.tag for child in update) == {
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
        "external_status_code",
    }
    assert_error(
        client.get(f"{BASE}/servicerequestupdates.xml?start_date=2020-01-01&end_date=2021-01-01"),
        400,
        "xml",
        "90",
    )
    past = js(client.get(f"{BASE}/servicerequestupdates.json?end_date=2020-01-01"))
    assert past == []


def test_the_service_reads_the_definition_when_not_given(roads, client_key):
    from django.core.exceptions import ValidationError

    from shishi.apikeys.services import apikey_check
    from shishi.open311.services import RequestInput, request_submit

    data = RequestInput(category=roads, address_string="建设路", description="坑")
    with pytest.raises(ValidationError, match="attribute"):
        request_submit(api_key=apikey_check(client_key), data=data)
    nothing_stored()
