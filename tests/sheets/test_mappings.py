"""Which columns feed which appeal fields: presets recognised by their
headers, common headers recognised without one, saved mappings."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from shishi.sheets.mappings import (
    BUILT_IN,
    mapping_for_file,
    mapping_from_json,
    mapping_get,
    mapping_guess,
)
from shishi.sheets.models import ImportMapping
from shishi.sheets.results import ImportRefused

TEDDY_VOTES = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数"]
NYC = ["Unique Key", "Created Date", "Closed Date", "Agency", "Complaint Type", "Descriptor",
       "Location Type", "Incident Address", "City", "Latitude", "Longitude"]  # fmt: skip
BALTIMORE = ["SRRecordID", "ServiceRequestNum", "SRType", "MethodReceived", "CreatedDate",
             "Agency", "Address", "Neighborhood", "Latitude", "Longitude"]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers,name", [(TEDDY_VOTES, "teddy2020"), (NYC, "nyc311"), (BALTIMORE, "baltimore311")]
)
def test_presets_are_recognised_by_their_headers(headers, name):
    guessed, mapping = mapping_guess(headers)
    assert guessed == name
    assert mapping.missing(headers) == []


@pytest.mark.django_db
def test_common_headers_are_recognised_without_a_preset():
    headers = ["序号", "* 标题", "诉求内容", "受理时间", "联系电话", "所属社区", "Latitude", "经度"]
    name, mapping = mapping_guess(headers)
    assert name is None
    assert mapping.columns == {
        "title": ("* 标题",),
        "body": ("诉求内容",),
        "received_at": ("受理时间",),
        "community": ("所属社区",),
        "submitter_phone": ("联系电话",),
        "lat": ("Latitude",),
        "lng": ("经度",),
    }
    assert mapping.missing(headers) == []


@pytest.mark.django_db
def test_missing_required_columns_are_named_with_the_headers_seen():
    headers = ["编号", "说明", "备注"]
    with translation.override("en"), pytest.raises(ImportRefused) as caught:
        mapping_for_file(None, headers, file_name="a.csv")
    message = caught.value.message
    assert "title or text" in message and "received at" in message
    assert "编号、说明、备注" in message


@pytest.mark.django_db
def test_a_chosen_preset_must_find_its_required_columns():
    with translation.override("en"), pytest.raises(ImportRefused) as caught:
        mapping_for_file("nyc311", TEDDY_VOTES, file_name="a.csv")
    assert "nyc311" in caught.value.message


@pytest.mark.django_db
def test_a_text_column_alone_is_enough():
    mapping = mapping_for_file(None, ["内容", "日期"], file_name="a.csv")
    assert mapping.columns == {"body": ("内容",), "received_at": ("日期",)}


@pytest.mark.django_db
def test_saved_mappings_win_over_built_ins_and_are_recognised_first():
    ImportMapping.objects.create(
        name="nyc311",
        columns={"title": "Descriptor", "received_at": "Created Date", "source_id": "Unique Key"},
        defaults={"channel": "web"},
    )
    ImportMapping.objects.create(
        name="热线",
        columns={"title": ["工单标题"], "body": ["工单内容", "补充"], "received_at": "来电时间"},
        defaults={"channel": "hotline"},
    )
    assert mapping_get("nyc311").columns["title"] == ("Descriptor",)
    assert mapping_get("nyc311").defaults == {"channel": "web"}
    assert mapping_get("teddy2020") is BUILT_IN["teddy2020"]
    name, mapping = mapping_guess(["工单标题", "工单内容", "补充", "来电时间", "来源"])
    assert name == "热线"
    assert mapping.columns["body"] == ("工单内容", "补充")


@pytest.mark.django_db
def test_an_unknown_mapping_name_is_refused_with_the_names_there_are():
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        mapping_get("nope")
    assert "baltimore311" in str(caught.value) and "teddy2020" in str(caught.value)


@pytest.mark.parametrize(
    "columns,defaults,where",
    [
        ({}, {}, "columns"),
        ({"titel": "标题"}, {}, "columns"),
        ({"title": []}, {}, "columns"),
        ({"title": ["标题", 3]}, {}, "columns"),
        ({"title": "标题"}, {"channel": "pigeon"}, "defaults"),
        ({"title": "标题"}, {"title": "x"}, "defaults"),
    ],
)
def test_stored_mappings_are_checked(columns, defaults, where):
    with pytest.raises(ValidationError) as caught:
        mapping_from_json("x", columns, defaults)
    assert where in caught.value.message_dict


@pytest.mark.django_db
def test_the_admin_form_refuses_a_mapping_that_cannot_work():
    from shishi.sheets.admin import ImportMappingForm

    form = ImportMappingForm(
        data={"name": "热线", "columns": '{"titel": "标题"}', "defaults": '{"channel": "hotline"}'}
    )
    assert not form.is_valid()
    assert "columns" in form.errors
    form = ImportMappingForm(
        data={
            "name": "热线",
            "columns": '{"title": "标题", "received_at": "时间"}',
            "defaults": "{}",
        }
    )
    assert form.is_valid(), form.errors
    form.save()
    assert mapping_get("热线").columns == {"title": ("标题",), "received_at": ("时间",)}
