"""The import pages: upload, choose the columns, check, import — all or nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shishi.intake.models import Appeal
from shishi.sheets.models import ImportJob, ImportMapping, ImportStatus

from .ledger_helpers import grant_import

TEDDY_CSV = (
    "留言编号,留言用户,留言主题,留言时间,留言详情\n"
    "1001,A0001,建设路小区路灯不亮,2020/1/6 12:09:38,晚上一片漆黑\n"
    "1002,A0002,菜市场门口占道经营,2020-01-07 08:00,早高峰堵车\n"
)
# Columns no preset knows, so the clerk chooses them.
OWN_CSV = "工单,事由,说明,日期,联系电话\nX-1,路面塌陷,建设路口,2021-03-01 09:00,13800000000\n"


def upload(client, content: str, *, name="appeals.csv", kind="appeals"):
    data = SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("sheets:start"), {"kind": kind, "file": data})


@pytest.fixture
def clerk_client(client, bob):
    client.force_login(bob)
    return client


def test_a_recognised_file_is_checked_then_imported_once(clerk_client):
    response = upload(clerk_client, TEDDY_CSV)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("sheets:columns", args=[job.pk])

    page = clerk_client.get(response["Location"])
    assert page.context["form"]["preset"].initial == "teddy2020"
    assert "建设路小区路灯不亮" in page.content.decode()  # the first rows are shown

    response = clerk_client.post(response["Location"], {"preset": "teddy2020", "channel": "web"})
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert job.report["valid"] == 2 and job.report["error_count"] == 0
    assert Appeal.objects.count() == 0  # checking stores nothing
    page = clerk_client.get(reverse("sheets:job", args=[job.pk]))
    assert page.context["can_commit"]

    clerk_client.post(reverse("sheets:commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.failure
    assert job.report["created"] == 2
    assert set(Appeal.objects.values_list("title", flat=True)) == {
        "建设路小区路灯不亮",
        "菜市场门口占道经营",
    }
    # A second click imports nothing more.
    response = clerk_client.post(reverse("sheets:commit", args=[job.pk]), follow=True)
    assert Appeal.objects.count() == 2
    assert "only once" in response.content.decode() or "只能导入一次" in response.content.decode()


def test_the_same_file_uploaded_again_adds_nothing(clerk_client):
    for _round in range(2):
        response = upload(clerk_client, TEDDY_CSV)
        clerk_client.post(response["Location"], {"preset": "teddy2020", "channel": "web"})
        job = ImportJob.objects.latest("pk")
        clerk_client.post(reverse("sheets:commit", args=[job.pk]))
    assert Appeal.objects.count() == 2
    job.refresh_from_db()
    assert job.report["skipped"] == 2 and job.status == ImportStatus.CHECKED
    page = clerk_client.get(reverse("sheets:job", args=[job.pk]))
    assert not page.context["can_commit"]


def test_columns_chosen_on_the_page(clerk_client):
    response = upload(clerk_client, OWN_CSV)
    columns = response["Location"]
    form = {"preset": "", "channel": "hotline"}
    # Without a time column the page says what is missing, and nothing runs.
    response = clerk_client.post(columns, {**form, "col_title": "事由"})
    assert response.status_code == 200
    assert ImportJob.objects.get().status == ImportStatus.UPLOADED
    assert response.context["form"].non_field_errors()

    form.update(col_title="事由", col_address="说明", col_received_at="日期")
    form["col_submitter_phone"] = "联系电话"
    clerk_client.post(columns, form)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED and job.report["valid"] == 1
    clerk_client.post(reverse("sheets:commit", args=[job.pk]))
    appeal = Appeal.objects.get()
    assert (appeal.title, appeal.address, appeal.channel) == ("路面塌陷", "建设路口", "hotline")
    assert appeal.submitter_phone == "13800000000"


def test_columns_saved_as_a_mapping_need_the_right(clerk_client, bob, django_user_model):
    response = upload(clerk_client, OWN_CSV)
    page = clerk_client.get(response["Location"])
    assert "save_as" not in page.context["form"].fields  # clerks do not define mappings

    admin = django_user_model.objects.create_superuser("root", password="x")
    clerk_client.force_login(admin)
    response = upload(clerk_client, OWN_CSV)
    form = {"preset": "", "channel": "hotline", "col_title": "事由", "col_received_at": "日期"}
    clerk_client.post(response["Location"], {**form, "col_source_id": "工单", "save_as": "区热线"})
    saved = ImportMapping.objects.get(name="区热线")
    assert saved.columns["title"] == ["事由"]
    job = ImportJob.objects.filter(created_by=admin).get()
    assert job.mapping == "区热线" and job.report["valid"] == 1


def test_errors_are_listed_and_downloadable_and_nothing_is_stored(clerk_client):
    bad = TEDDY_CSV + "1003,A0003,井盖缺失,昨天下午,很危险\n"
    response = upload(clerk_client, bad)
    clerk_client.post(response["Location"], {"preset": "teddy2020", "channel": "web"})
    job = ImportJob.objects.get()
    assert job.report["error_count"] == 1
    page = clerk_client.get(reverse("sheets:job", args=[job.pk]))
    assert not page.context["can_commit"]
    error = page.context["errors"][0]
    assert (error.row, error.column, error.value) == (4, "留言时间", "昨天下午")

    response = clerk_client.post(reverse("sheets:commit", args=[job.pk]))
    assert Appeal.objects.count() == 0

    sheet = clerk_client.get(reverse("sheets:errors", args=[job.pk]))
    assert sheet.status_code == 200
    workbook = load_workbook(
        io.BytesIO(b"".join(sheet.streaming_content if sheet.streaming else [sheet.content]))
    )
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value]
    assert "昨天下午" in cells


def test_a_file_that_is_not_a_spreadsheet_is_refused_at_upload(clerk_client):
    data = SimpleUploadedFile("appeals.xlsx", b"\x00\x01garbage" * 100)
    response = clerk_client.post(reverse("sheets:start"), {"kind": "appeals", "file": data})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_refused_with_the_sizes(clerk_client, settings):
    settings.SHISHI_IMPORT_MAX_BYTES = 1024
    response = upload(clerk_client, TEDDY_CSV * 20)
    assert (
        "1 MB" in response.context["form"].errors["file"][0]
        or response.context["form"].errors["file"]
    )
    assert not ImportJob.objects.exists()


def test_who_may_import(client, alice, carol, bob):
    client.force_login(alice)
    assert client.get(reverse("sheets:start")).status_code == 403
    client.force_login(carol)
    assert client.get(reverse("sheets:start")).status_code == 403
    client.force_login(bob)
    page = client.get(reverse("sheets:start"))
    # A clerk imports appeals; the ledger sheet is for those given that right.
    assert [value for value, _label in page.context["form"].fields["kind"].choices] == ["appeals"]
    response = upload(client, "序号,项目名称\n1,x\n", kind="items")
    assert response.context["form"].errors["kind"]
    assert not ImportJob.objects.exists()
    grant_import(bob)
    page = client.get(reverse("sheets:start"))
    assert [value for value, _label in page.context["form"].fields["kind"].choices] == [
        "appeals",
        "items",
    ]


def test_a_ledger_sheet_is_checked_on_upload_and_names_what_matches_nothing(
    clerk_client, bob, category
):
    grant_import(bob)
    sheet = (
        "XX区民生实事台账\n"
        "序号,项目名称,类别,牵头单位,责任领导,完成时限,目标任务,进展情况\n"
        "1,新建公厕,教育优先,不存在的局,,2099-12-31,新建公厕10座,\n"
    )
    response = upload(clerk_client, sheet, name="台账.csv", kind="items")
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("sheets:job", args=[job.pk])
    assert job.status == ImportStatus.CHECKED and job.report["error_count"] >= 1
    page = clerk_client.get(response["Location"])
    assert "不存在的局" in page.content.decode()
    assert not page.context["can_commit"]


def test_one_persons_import_is_not_anothers(client, bob, django_user_model):
    client.force_login(bob)
    upload(client, TEDDY_CSV)
    job = ImportJob.objects.get()
    other = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(other)
    for name in ("sheets:job", "sheets:columns", "sheets:errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("sheets:commit", args=[job.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("sheets:start"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_checked_page_shows_the_first_rows_as_they_will_be_stored(clerk_client):
    response = upload(clerk_client, TEDDY_CSV)
    clerk_client.post(response["Location"], {"preset": "teddy2020", "channel": "web"})
    page = clerk_client.get(reverse("sheets:job", args=[ImportJob.objects.get().pk]))
    first = page.context["preview"][0]
    assert (first["row"], first["title"], first["body"]) == (
        2,
        "建设路小区路灯不亮",
        "晚上一片漆黑",
    )
    assert "2020-01-06 12:09" in page.content.decode()


def _workbook_damaged_after_the_header() -> bytes:
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["工单", "事由", "说明"])
    for n in range(200):
        sheet.append([f"X-{n}", "路灯不亮", "建设路" * 5])
    good = io.BytesIO()
    book.save(good)
    damaged = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(damaged, "w") as out:
        for entry in src.infolist():
            data = src.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                cut = data.index(b'<row r="3"')
                data = data[: cut + 20] + b"<<broken"
            out.writestr(entry, data)
    return damaged.getvalue()


def test_broken_rows_under_good_headers_show_the_reason_on_the_columns_page(clerk_client):
    # Issue 18: the column page read the first rows unguarded and gave a 500.
    data = SimpleUploadedFile("broken.xlsx", _workbook_damaged_after_the_header())
    response = clerk_client.post(reverse("sheets:start"), {"kind": "appeals", "file": data})
    assert response.status_code == 302, response.context and response.context["form"].errors
    page = clerk_client.get(response["Location"])
    assert page.status_code == 400
    assert "broken.xlsx 第" in page.text
    assert Appeal.objects.count() == 0
