"""Importing appeals: the real exports in shared/data, idempotence, history,
and broken files that change nothing and say where they are wrong."""

import csv
import datetime as dt
import io
import random
import tracemalloc
import zipfile
import zoneinfo
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from shishi.categories.services import category_create
from shishi.intake.models import Appeal, AppealStatus, Channel
from shishi.sheets.appeals import appeals_import
from shishi.sheets.results import ImportRefused

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="shared/data is not beside the checkout")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HEADERS = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情"]
PLACES = ["建设路", "桐柏路", "秦岭路", "伏牛路", "嵩山路", "中原路"]
PROBLEMS = ["路灯不亮", "井盖破损", "小区停车难", "垃圾清运不及时", "道路积水", "噪音扰民"]

pytestmark = pytest.mark.django_db


def messages(count: int, *, start: int = 1, seed: int = 1):
    """Rows like the message board's: (id, user, title, time, text)."""
    rng = random.Random(seed)
    first = dt.datetime(2020, 1, 1, 8, 0)  # noqa: DTZ001 (local time, as files hold it)
    for i in range(start, start + count):
        place, problem = rng.choice(PLACES), rng.choice(PROBLEMS)
        moment = first + dt.timedelta(minutes=37 * i)
        yield [
            str(100000 + i),
            f"A{rng.randrange(10**8):08d}",
            f"{place}{problem}",
            f"{moment.year}/{moment.month}/{moment.day} {moment:%H:%M:%S}",
            f"\n\t\t\t\t\t\n\t\t\t\t\t{place}附近{problem}已经很久了，请有关部门尽快处理。\n\t\t\t\t",
        ]


def write_csv(path: Path, rows, *, headers=HEADERS, encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def stored_nothing() -> bool:
    return not Appeal.objects.exists() and not Appeal.history.exists()


# The real exports -----------------------------------------------------------


@needs_data
def test_the_nyc_311_export_imports_every_row_once():
    path = DATA / "311" / "nyc_2018_sample.csv"
    report = appeals_import(path, name=path.name)
    assert (report.rows, report.valid, report.created, report.skipped) == (1000, 1000, 1000, 0)
    assert report.committed and report.ok
    appeal = Appeal.objects.get(import_key="nyc311:39573567")
    assert appeal.title == "Non-Emergency Police Matter - Other (complaint details)"
    assert appeal.body == (
        "Descriptor: Other (complaint details)\n"
        "Location Type: Street/Sidewalk\n"
        "Agency Name: New York City Police Department"
    )
    assert appeal.received_at == dt.datetime(2018, 6, 26, 10, 58, 54, tzinfo=SHANGHAI)
    assert appeal.address == "91-33 97 STREET, WOODHAVEN"
    assert (appeal.lat, appeal.lng) == (Decimal("40.690092"), Decimal("-73.846428"))
    assert appeal.channel == Channel.HOTLINE  # "PHONE"
    assert appeal.category is None  # 311 complaint types are not our categories
    assert appeal.status == AppealStatus.RECEIVED
    assert Appeal.objects.filter(channel=Channel.WEB).count() == 222  # "ONLINE"
    # Every appeal has its creation on record, naming the file.
    history = Appeal.history.filter(id=appeal.pk).get()
    assert history.history_type == "+"
    assert history.history_change_reason == "imported from nyc_2018_sample.csv"
    assert Appeal.history.count() == 1000

    again = appeals_import(path, name=path.name)
    assert (again.rows, again.created, again.skipped, again.committed) == (1000, 0, 1000, True)
    assert Appeal.objects.count() == 1000 and Appeal.history.count() == 1000


@needs_data
@pytest.mark.slow
def test_the_baltimore_311_export_imports_every_row():
    path = DATA / "311" / "baltimore_2014_2018_sample.csv"
    report = appeals_import(path, name=path.name)
    assert (report.rows, report.created, report.error_count) == (10_000, 10_000, 0)
    appeal = Appeal.objects.get(import_key="baltimore311:14-00293539")
    assert appeal.title == "SW-Bulk Scheduled"
    assert appeal.body == "SRType: SW-Bulk Scheduled\nAgency: Solid Waste\nNeighborhood: Lakeland"
    assert appeal.received_at == dt.datetime(2014, 4, 22, 13, 7, 39, tzinfo=SHANGHAI)
    assert appeal.address == "3035 JANICE AVE, BALTIMORE CITY, MD, 21230"
    assert (appeal.lat, appeal.lng) == (Decimal("39.255363"), Decimal("-76.652027"))
    assert appeal.channel == Channel.HOTLINE  # "Phone"
    assert Appeal.objects.filter(channel=Channel.API).count() == 2571 + 19  # "API", "System"
    # "Mail" is no channel of ours: the preset's default, and the report says so.
    assert report.unmatched == {"MethodReceived": {"Mail"}}


@needs_data
@pytest.mark.slow
def test_the_labelled_messages_import_with_their_categories():
    path = DATA / "teddy2020" / "labelled_sample.xlsx"
    for name in ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游"]:
        category_create(name=name)
    report = appeals_import(path, name=path.name)
    # 495 rows; message 37042 is there twice (labelled two ways) and stored once.
    assert (report.rows, report.created, report.skipped, report.error_count) == (495, 494, 1, 0)
    assert report.unmatched == {"一级分类": {"卫生计生"}}
    appeal = Appeal.objects.get(import_key="teddy2020:24")
    assert appeal.title == "A市西湖建筑集团占道施工有安全隐患"
    assert appeal.body.startswith("A3区大道西行便道，未管所路口至加油站路段，人行道包括路")
    assert not appeal.body.endswith(("\n", "\t"))
    assert appeal.received_at == dt.datetime(2020, 1, 6, 12, 9, 38, tzinfo=SHANGHAI)
    assert appeal.submitter_name == "A00074011"
    assert appeal.category.name == "城乡建设"
    assert appeal.channel == Channel.WEB
    assert Appeal.objects.filter(category__isnull=True).count() > 0  # 卫生计生


@needs_data
@pytest.mark.slow
def test_the_messages_with_votes_import_every_row():
    path = DATA / "teddy2020" / "messages_with_votes.xlsx"
    report = appeals_import(path, name=path.name)
    assert (report.rows, report.created, report.error_count) == (4326, 4326, 0)
    appeal = Appeal.objects.get(import_key="teddy2020:188006")
    assert appeal.title == "A3区一米阳光婚纱艺术摄影是否合法纳税了？"
    assert appeal.received_at == dt.datetime(2019, 2, 28, 11, 25, 5, tzinfo=SHANGHAI)
    assert appeal.body.startswith("座落在A市A3区联丰路米兰春天G2栋320")


@needs_data
@pytest.mark.slow
def test_the_messages_with_replies_import_as_answered():
    path = DATA / "teddy2020" / "messages_with_replies.xlsx"
    report = appeals_import(path, name=path.name)
    assert (report.rows, report.created, report.error_count) == (2816, 2816, 0)
    appeal = Appeal.objects.get(import_key="teddy2020:2549")
    assert appeal.title == "A2区景蓉华苑物业管理有问题"
    assert appeal.status == AppealStatus.ANSWERED
    assert appeal.status_note.startswith("现将网友在平台《问政西地省》栏目向胡华衡书记留言反映")
    # One 留言时间 is a real Excel datetime among the text ones.
    appeal = Appeal.objects.get(import_key="teddy2020:2759")
    assert appeal.received_at == dt.datetime(2019, 4, 8, 8, 37, 20, tzinfo=SHANGHAI)


# Keys, repeats, checks ------------------------------------------------------


def test_a_check_stores_nothing_and_counts_what_would_be_skipped(tmp_path):
    path = write_csv(tmp_path / "a.csv", messages(30))
    preview = appeals_import(path, name="a.csv", commit=False)
    assert (preview.rows, preview.valid, preview.skipped, preview.created) == (30, 30, 0, 0)
    assert not preview.committed and stored_nothing()
    appeals_import(path, name="a.csv")
    preview = appeals_import(path, name="a.csv", commit=False)
    assert (preview.valid, preview.skipped) == (30, 30)


def test_without_an_id_column_the_content_is_the_key(tmp_path, bob):
    rows = [row[2:] for row in messages(20)]
    path = write_csv(tmp_path / "a.csv", rows + rows[:5], headers=["标题", "时间", "内容"])
    report = appeals_import(path, name="a.csv", actor=bob)
    assert (report.rows, report.created, report.skipped) == (25, 20, 5)
    assert all(
        key.startswith("sha1:") for key in Appeal.objects.values_list("import_key", flat=True)
    )
    assert set(Appeal.history.values_list("history_user", flat=True)) == {bob.pk}
    # The same rows in another file (another name, other order) are the same appeals.
    other = write_csv(tmp_path / "b.csv", list(reversed(rows)), headers=["标题", "时间", "内容"])
    report = appeals_import(other, name="b.csv")
    assert (report.created, report.skipped) == (0, 20)


def test_a_row_repeated_in_the_file_is_stored_once(tmp_path):
    rows = list(messages(10))
    path = write_csv(tmp_path / "a.csv", rows + [rows[3], rows[3]])
    report = appeals_import(path, name="a.csv")
    assert (report.rows, report.created, report.skipped) == (12, 10, 2)


def test_tracking_numbers_follow_the_received_day(tmp_path):
    appeals_import(write_csv(tmp_path / "a.csv", messages(50)), name="a.csv")
    for appeal in Appeal.objects.all():
        assert appeal.tracking_number.startswith(
            appeal.received_at.astimezone(SHANGHAI).strftime("%y%m%d-")
        )
    assert Appeal.objects.values("tracking_number").distinct().count() == 50


# Broken files: nothing stored, and where ------------------------------------


@pytest.mark.parametrize("commit", [True, False])
def test_a_bad_date_deep_in_the_file_stores_nothing_and_names_its_row(tmp_path, commit):
    rows = list(messages(6000))
    rows[4998][3] = "2020/2/30 10:00"  # row 5,000 of the sheet (the header is row 1)
    rows[5499][3] = "下周一"
    path = write_csv(tmp_path / "诉求.csv", rows)
    with translation.override("en"):
        report = appeals_import(path, name="诉求.csv", commit=commit)
    assert not report.committed and stored_nothing()
    assert (report.rows, report.valid, report.error_count) == (6000, 5998, 2)
    first, second = report.errors
    assert (first.row, first.column, first.value) == (5000, "留言时间", "2020/2/30 10:00")
    assert first.message == "No such date or time."
    assert (second.row, second.value) == (5501, "下周一")
    assert "留言时间" in str(first) and "5000" in str(first)


def test_a_rule_of_the_intake_refuses_the_row_and_names_the_column(tmp_path):
    rows = list(messages(100))
    rows[40][2] = "很长的标题" * 50  # 250 characters; titles hold 200
    rows[60][3] = "2099/1/1 10:00"  # in the future
    with translation.override("en"):
        report = appeals_import(write_csv(tmp_path / "a.csv", rows), name="a.csv")
    assert stored_nothing() and not report.committed
    assert [(e.row, e.column) for e in report.errors] == [(42, "留言主题"), (62, "留言时间")]
    assert "too long" in report.errors[0].message
    assert "future" in report.errors[1].message


def test_a_row_without_title_or_text_is_an_error(tmp_path):
    rows = list(messages(5))
    rows[2][2] = rows[2][4] = ""
    report = appeals_import(write_csv(tmp_path / "a.csv", rows), name="a.csv")
    assert [(e.row, e.column) for e in report.errors] == [(4, "留言主题")]
    assert stored_nothing()


def test_a_title_is_taken_from_the_text_when_there_is_none(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [["2020/3/1", "桐柏路路灯不亮。\n第二段"]], headers=["日期", "内容"]
    )
    appeals_import(path, name="a.csv")
    appeal = Appeal.objects.get()
    assert (appeal.title, appeal.body) == ("桐柏路路灯不亮。", "桐柏路路灯不亮。\n第二段")


def test_a_missing_required_column_is_refused(tmp_path):
    path = write_csv(tmp_path / "a.csv", [row[:3] for row in messages(5)], headers=HEADERS[:3])
    with translation.override("en"), pytest.raises(ImportRefused) as caught:
        appeals_import(path, name="a.csv")
    assert "received at" in caught.value.message
    assert "留言编号、留言用户、留言主题" in caught.value.message
    assert stored_nothing()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "title,date\nRené,Zürich\n".encode("latin-1"),
    ],
    ids=["empty", "png", "latin-1"],
)
def test_files_that_cannot_be_read_change_nothing(tmp_path, content):
    path = tmp_path / "诉求.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRefused) as caught:
        appeals_import(path, name="诉求.csv")
    assert caught.value.file_name == "诉求.csv"
    assert stored_nothing()


def test_a_zip_bomb_named_xlsx_changes_nothing(tmp_path):
    path = tmp_path / "诉求.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _i in range(48):
                member.write(bytes(1024 * 1024))
    with pytest.raises(ImportRefused) as caught:
        appeals_import(path, name="诉求.xlsx")
    assert "sheet1.xml" in caught.value.message
    assert stored_nothing()


def test_a_decoding_error_deep_in_the_file_changes_nothing(tmp_path):
    lines = [",".join(HEADERS).encode()]
    for row in messages(3000):
        row[4] = row[4].strip()
        lines.append(",".join(row).encode())
    # Row 2,501 (the header is row 1) was pasted in from a GBK file.
    lines[2500] = lines[2500].replace("附近".encode(), "附近".encode("gbk"))
    path = tmp_path / "a.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(ImportRefused) as caught:
        appeals_import(path, name="a.csv")
    assert caught.value.row == 2501
    assert stored_nothing()


# Encodings and dates --------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_every_usual_encoding(tmp_path, encoding):
    rows = list(messages(20))
    if encoding == "gb18030":
        rows[0][2] = "𠮷祥小区停车难"  # beyond GBK
    path = write_csv(tmp_path / "a.csv", rows, encoding=encoding)
    report = appeals_import(path, name="a.csv")
    assert report.created == 20
    assert Appeal.objects.get(import_key="teddy2020:100001").title == rows[0][2]


def test_excel_serial_dates_mixed_with_text_dates(tmp_path):
    rows = list(messages(4))
    rows[0][3] = "43831.5"  # 2020-01-01 12:00
    rows[1][3] = "43832"
    rows[2][3] = "2020年1月3日 8时30分"
    rows[3][3] = "2020-01-04T09:00:00+00:00"
    appeals_import(write_csv(tmp_path / "a.csv", rows), name="a.csv")
    received = dict(Appeal.objects.values_list("import_key", "received_at"))
    assert received == {
        "teddy2020:100001": dt.datetime(2020, 1, 1, 12, tzinfo=SHANGHAI),
        "teddy2020:100002": dt.datetime(2020, 1, 2, tzinfo=SHANGHAI),
        "teddy2020:100003": dt.datetime(2020, 1, 3, 8, 30, tzinfo=SHANGHAI),
        "teddy2020:100004": dt.datetime(2020, 1, 4, 17, tzinfo=SHANGHAI),
    }


def test_xlsx_with_real_dates_serial_numbers_and_text(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["诉求编号", "标题", "受理时间", "联系电话", "纬度", "经度"])
    sheet.append([1, "路灯不亮", dt.datetime(2021, 3, 1, 9, 30), 13800138000, 34.75, 113.62])  # noqa: DTZ001
    sheet.append([2, "井盖破损", 44256.75, "0371-12345678", None, None])
    sheet.append([3, "道路积水", "2021/3/2 10:00", None, "34.7", "113.6"])
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    report = appeals_import(path, name="a.xlsx")
    assert report.created == 3, report.errors
    first, second, third = Appeal.objects.order_by("received_at")
    assert first.received_at == dt.datetime(2021, 3, 1, 9, 30, tzinfo=SHANGHAI)
    assert first.submitter_phone == "13800138000"
    assert (first.lat, first.lng) == (Decimal("34.750000"), Decimal("113.620000"))
    assert second.received_at == dt.datetime(2021, 3, 1, 18, tzinfo=SHANGHAI)
    assert third.lat == Decimal("34.700000")


# Mappings, lookups, sources, progress ---------------------------------------


def test_a_mapping_chosen_on_the_page_with_defaults(tmp_path, district):
    category_create(name="城乡建设")
    rows = [["桐柏路路灯不亮", "2021/3/1 9:00", "建设路社区", "电话"],
            ["井盖破损", "2021/3/2 9:00", "月亮社区", "信件"]]  # fmt: skip
    path = write_csv(tmp_path / "a.csv", rows, headers=["事项", "日期", "社区", "方式"])
    mapping = {
        "columns": {"title": "事项", "received_at": "日期", "community": "社区", "channel": "方式"},
        "defaults": {"channel": "visit", "category": "城乡建设"},
    }
    report = appeals_import(path, name="a.csv", mapping=mapping)
    assert report.created == 2
    assert report.unmatched == {"社区": {"月亮社区"}, "方式": {"信件"}}
    first, second = Appeal.objects.order_by("received_at")
    assert (first.channel, first.community, first.category.name) == (
        Channel.HOTLINE,
        district["community"],
        "城乡建设",
    )
    assert (second.channel, second.community) == (Channel.VISIT, None)


def test_an_unknown_mapping_name_is_refused(tmp_path):
    with pytest.raises(ImportRefused) as caught:
        appeals_import(write_csv(tmp_path / "a.csv", messages(2)), name="a.csv", mapping="nope")
    assert "teddy2020" in caught.value.message


def test_uploaded_and_unseekable_files_are_read_twice_when_needed(tmp_path):
    rows = list(messages(10))
    rows[5][3] = "坏日期"
    data = write_csv(tmp_path / "a.csv", rows).read_bytes()
    upload = SimpleUploadedFile("a.csv", data)
    report = appeals_import(upload, name="a.csv")
    assert [e.row for e in report.errors] == [7]

    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self.data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    report = appeals_import(Pipe(data), name="a.csv")
    assert [e.row for e in report.errors] == [7]
    assert stored_nothing()


def test_progress_is_reported_per_batch(tmp_path):
    calls = []
    path = write_csv(tmp_path / "a.csv", messages(5000))
    appeals_import(
        path, name="a.csv", progress=lambda rows, fraction: calls.append((rows, fraction))
    )
    assert [rows for rows, _f in calls] == [2000, 4000, 5000]
    fractions = [fraction for _rows, fraction in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


@pytest.mark.slow
def test_a_50_mb_file_imports_in_bounded_memory(tmp_path):
    """Decided: a large file is imported, not refused (the web form has its own
    size limit); rows are streamed, so memory does not grow with the file."""
    path = tmp_path / "big.csv"
    body = "，".join(["小区门口道路破损严重，雨天积水，老人孩子出行很不方便"] * 25)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for row in messages(200_000):
            row[4] = body + row[0]
            writer.writerow(row)
            if out.tell() > 50 * 1024 * 1024:
                break
    size = path.stat().st_size
    assert size > 50 * 1024 * 1024
    tracemalloc.start()
    try:
        report = appeals_import(path, name="big.csv")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.created == report.rows > 20_000
    assert peak < 32 * 2**20, f"peak {peak / 2**20:.0f} MiB for a {size / 2**20:.0f} MiB file"


@pytest.mark.slow
def test_a_worker_process_gives_the_same_result_as_one_process(tmp_path):
    # Over several batches: a row repeated two batches later, a bad date in a
    # later batch, then the same file fixed, imported, and imported again.
    rows = list(messages(5_000))
    rows[4_500] = list(rows[10])  # a repeat, in the worker's part
    bad = [list(row) for row in rows]
    bad[4_200][3] = "不是日期"
    bad_file = write_csv(tmp_path / "bad.csv", bad)
    for parallel in (False, True):
        report = appeals_import(bad_file, name="bad.csv", parallel=parallel)
        assert not report.committed and stored_nothing()
        assert [(e.row, e.column) for e in report.errors] == [(4_202, "留言时间")]
    good_file = write_csv(tmp_path / "good.csv", rows)
    report = appeals_import(good_file, name="good.csv", parallel=True)
    assert (report.rows, report.created, report.skipped) == (5_000, 4_999, 1)
    assert Appeal.objects.count() == Appeal.history.count() == 4_999
    again = appeals_import(good_file, name="good.csv", parallel=True)
    assert (again.created, again.skipped) == (0, 5_000)
