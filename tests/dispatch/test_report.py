"""The weekly report (按周调度): percent, an actual for each target, a narrative
and evidence files, for the owner or a handler of the lead unit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shishi.ledger.models import Evidence, ItemStatus, ProgressReport, Target, week_start
from shishi.ledger.services import TargetSpec, progress_report_submit

from .helpers import PDF, pdf, png

pytestmark = pytest.mark.django_db


def _url(item) -> str:
    return reverse("dispatch:report", args=[item.number])


def _target(item) -> Target:
    return item.targets.get()


def _data(item, **overrides) -> dict:
    data = {"percent": "40", "narrative": "完成选址", f"actual_{_target(item).pk}": "2500"}
    data.update(overrides)
    return data


# ---------------------------------------------------------------- rights


def test_anonymous_visitors_are_sent_to_log_in(client, claimed_item):
    response = client.get(_url(claimed_item))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["carol", "dave"])
def test_the_lead_units_handler_and_the_owner_may_report(client, request, who, claimed_item):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(claimed_item)).status_code == 200


@pytest.mark.parametrize("who", ["alice", "bob", "erin"])
def test_people_without_the_right_to_report_are_refused(client, request, who, claimed_item):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(claimed_item)).status_code == 403


def test_a_handler_of_another_unit_may_not_report(client, claimed_item, hank):
    client.force_login(hank)
    assert client.get(_url(claimed_item)).status_code == 403
    assert client.post(_url(claimed_item), _data(claimed_item)).status_code == 403
    assert not ProgressReport.objects.exists()


def test_an_unknown_item_is_not_found(client, carol):
    client.force_login(carol)
    assert client.get(reverse("dispatch:report", args=["XM-0000-0000"])).status_code == 404


# ------------------------------------------------------------ the form


def test_the_form_labels_each_target_and_prefills_its_actual(client, make_item, claim, carol):
    item = claim(
        make_item(
            targets=[TargetSpec("新增学位", "个", 6360), TargetSpec("新建校舍", "平方米", "1200.5")]
        )
    )
    progress_report_submit(item=item, actor=carol, percent=20, actuals={"新增学位": 1000})
    client.force_login(carol)
    response = client.get(_url(item))
    html = response.text
    assert "新增学位, in 个 (target 6360)" in html
    assert "新建校舍, in 平方米 (target 1200.5)" in html
    form = response.context["form"]
    places, floor = item.targets.order_by("sort_order")
    assert form[f"actual_{places.pk}"].value() == "1000"
    assert form[f"actual_{floor.pk}"].value() is None
    assert 'type="file"' in html and "multiple" in html and 'enctype="multipart/form-data"' in html


def test_the_form_shows_last_weeks_report_and_whether_this_week_exists(client, claimed_item, carol):
    last_monday = week_start(timezone.localdate()) - dt.timedelta(days=7)
    progress_report_submit(
        item=claimed_item, actor=carol, percent=30, narrative="上周进展", week=last_monday
    )
    client.force_login(carol)
    response = client.get(_url(claimed_item))
    assert "上周进展" in response.text
    assert "already exists" not in response.text

    progress_report_submit(item=claimed_item, actor=carol, percent=35)
    response = client.get(_url(claimed_item))
    assert "already exists (version 1" in response.text and "makes version 2" in response.text
    assert response.context["form"]["percent"].value() == 35


def test_an_item_awaiting_verification_takes_no_report(client, awaiting_item, carol):
    client.force_login(carol)
    response = client.get(_url(awaiting_item))
    assert response.status_code == 200
    assert "No weekly report is taken" in response.text
    assert 'name="percent"' not in response.text


# ------------------------------------------------------------ reporting


def test_a_handler_reports_with_actuals_narrative_and_files(client, claimed_item, carol):
    client.force_login(carol)
    data = _data(claimed_item, evidence=[png(), pdf()])
    response = client.post(_url(claimed_item), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dispatch:item", args=[claimed_item.number])
    report = ProgressReport.objects.get()
    assert report.percent == 40 and report.narrative == "完成选址" and report.reported_by == carol
    assert report.week_start == week_start(timezone.localdate()) and report.version == 1
    assert _target(claimed_item).actual_quantity == Decimal("2500")
    assert sorted(e.original_name for e in report.evidence.all()) == [
        "现场照片.png",
        "验收报告.pdf",
    ]
    claimed_item.refresh_from_db()
    assert claimed_item.status == ItemStatus.IN_PROGRESS
    assert "is saved (version 1)" in response.text


def test_reporting_again_makes_a_new_version(client, claimed_item, carol):
    client.force_login(carol)
    client.post(_url(claimed_item), _data(claimed_item))
    response = client.post(_url(claimed_item), _data(claimed_item, percent="45"), follow=True)
    assert list(ProgressReport.objects.values_list("version", "is_current", "percent")) == [
        (2, True, 45),
        (1, False, 40),
    ]
    assert "(version 2)" in response.text


def test_an_empty_actual_leaves_the_target_as_it_was(client, claimed_item, carol):
    progress_report_submit(item=claimed_item, actor=carol, percent=20, actuals={"新增学位": 1000})
    client.force_login(carol)
    client.post(
        _url(claimed_item), _data(claimed_item, **{f"actual_{_target(claimed_item).pk}": ""})
    )
    assert _target(claimed_item).actual_quantity == Decimal("1000")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("percent", "150", "less than or equal to 100"),
        ("percent", "-1", "greater than or equal to 0"),
        ("percent", "", "This field is required."),
        ("actual", "很多", "Enter a number."),
        ("actual", "-5", "greater than or equal to 0"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_stored(
    client, claimed_item, carol, field, value, message
):
    name = f"actual_{_target(claimed_item).pk}" if field == "actual" else field
    client.force_login(carol)
    response = client.post(
        _url(claimed_item), _data(claimed_item, **{name: value}, evidence=[png()])
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[name])
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert _target(claimed_item).actual_quantity is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("验收报告.pdf", b"\x89PNG\r\n\x1a\n fake", "is not really a PDF file"),
        ("程序.exe", b"MZ\x90\x00", "evidence must be a photo"),
    ],
)
def test_a_file_that_is_not_a_photo_or_pdf_is_refused(
    client, claimed_item, carol, name, content, message
):
    client.force_login(carol)
    files = [pdf(), SimpleUploadedFile(name, content)]
    response = client.post(_url(claimed_item), _data(claimed_item, evidence=files))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["evidence"])
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()


def test_too_many_files_are_refused(client, claimed_item, carol):
    client.force_login(carol)
    files = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(11)]
    response = client.post(_url(claimed_item), _data(claimed_item, evidence=files))
    assert "Attach at most 10 files." in str(response.context["form"].errors["evidence"])
    assert not ProgressReport.objects.exists()


def test_reporting_on_an_item_awaiting_verification_is_explained(client, awaiting_item, carol):
    client.force_login(carol)
    before = ProgressReport.objects.count()
    response = client.post(_url(awaiting_item), _data(awaiting_item))
    assert response.status_code == 200
    assert "Cannot report progress on" in response.text
    assert ProgressReport.objects.count() == before
