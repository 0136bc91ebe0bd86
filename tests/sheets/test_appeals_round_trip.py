"""Appeals exported to Excel or CSV and imported into an empty installation
come back with their content: the office can move a list between systems."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from shishi.categories.services import category_create
from shishi.intake.models import Appeal
from shishi.intake.services import appeal_submit
from shishi.sheets.appeals import appeals_import
from shishi.sheets.appeals_export import appeals_csv_lines, appeals_xlsx

pytestmark = pytest.mark.django_db

FIELDS = (
    "title",
    "body",
    "channel",
    "category__name",
    "community__name",
    "address",
    "received_at",
    "submitter_name",
    "submitter_phone",
)


def content() -> list[tuple]:
    return sorted(Appeal.objects.values_list(*FIELDS))


@pytest.fixture
def appeals(district):
    roads = category_create(name="道路交通")
    start = timezone.now().replace(microsecond=0, second=0) - dt.timedelta(days=3)
    for i, (title, body) in enumerate(
        [
            ("建设路口路灯不亮", "晚上一片漆黑，\n老人出行不便。"),
            ('=HYPERLINK("http://x")', "以等号开头的标题也要原样回来"),
            ("井盖缺失", "-5 度结冰，很危险"),
        ]
    ):
        appeal_submit(
            title=title,
            body=body,
            channel="hotline" if i % 2 else "web",
            category=roads if i != 1 else None,
            community=district["community"],
            address=f"建设路{i + 1}号",
            submitter_name="张三",
            submitter_phone="13800000000",
            received_at=start + dt.timedelta(hours=i),
        )
    return Appeal.objects.all()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imports_back_into_an_empty_installation(appeals, fmt):
    before = content()
    if fmt == "xlsx":
        file = io.BytesIO()
        appeals_xlsx(appeals, file, title="中原区诉求清单", with_contact=True)
        data = file.getvalue()
    else:
        data = "".join(appeals_csv_lines(appeals, with_contact=True)).encode("utf-8-sig")
    Appeal.history.all().delete()
    Appeal.objects.all().delete()

    report = appeals_import(io.BytesIO(data), name=f"诉求清单.{fmt}")
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 3
    assert content() == before
    # A second import of the same export stores nothing more.
    again = appeals_import(io.BytesIO(data), name=f"诉求清单.{fmt}")
    assert (again.created, again.skipped) == (0, 3)
