"""Exporting the intake queue: the appeals the queue shows with its filters,
as .xlsx or streamed CSV, contact data only for those who may see it."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shishi.org.services import user_create

pytestmark = pytest.mark.django_db

EXPORT = reverse("triage:queue_export")


@pytest.fixture
def appeals(make_appeal):
    return [
        make_appeal("路灯不亮", channel="hotline", submitter_phone="13800000000", days_ago=3),
        make_appeal("井盖缺失", channel="web", submitter_phone="13900000000", days_ago=2),
        make_appeal("=cmd|' /C calc'!A0", channel="web", days_ago=1),
    ]


def _xlsx(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def _csv(response) -> list[list[str]]:
    assert response.streaming
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["alice", "carol", "dave"])
def test_people_who_cannot_see_the_queue_cannot_export_it(client, request, who, appeals):
    client.force_login(request.getfixturevalue(who))
    assert client.get(EXPORT).status_code == 403
    assert client.get(EXPORT, {"format": "csv"}).status_code == 403


def test_the_clerk_exports_what_the_queue_shows_with_its_filters(clerk, appeals):
    response = clerk.get(EXPORT, {"channel": "web", "format": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    ws = _xlsx(response)
    assert ws["A1"].value == "诉求清单"
    headers = [c.value for c in ws[3]]
    titles = [ws.cell(r, headers.index("诉求标题") + 1).value for r in range(4, ws.max_row + 1)]
    # The to-do queue runs oldest first; the hotline appeal is filtered out.
    assert titles == ["井盖缺失", "=cmd|' /C calc'!A0"]
    formula_like = ws.cell(5, headers.index("诉求标题") + 1)
    assert formula_like.data_type == "s"


def test_the_csv_streams_with_a_bom_and_neutralised_cells(clerk, appeals):
    rows = _csv(clerk.get(EXPORT, {"format": "csv"}))
    assert rows[0][:3] == ["序号", "受理编号", "诉求标题"]
    assert [r[2] for r in rows[1:]] == ["路灯不亮", "井盖缺失", "'=cmd|' /C calc'!A0"]


def test_contact_data_only_for_those_who_may_see_it(client, clerk, appeals):
    rows = _csv(clerk.get(EXPORT, {"format": "csv"}))
    assert "联系电话" in rows[0]
    assert "13800000000" in rows[1]

    triager = user_create(username="tina", full_name="蒂娜", roles=[])
    triager.user_permissions.add(Permission.objects.get(codename="triage_appeal"))
    client.force_login(triager)
    rows = _csv(client.get(EXPORT, {"format": "csv"}))
    assert "联系电话" not in rows[0] and "诉求人" not in rows[0]
    assert not any("13800000000" in cell for row in rows for cell in row)
    ws = _xlsx(client.get(EXPORT))
    assert "联系电话" not in [c.value for c in ws[3]]


def test_an_unknown_format_is_not_found(clerk, appeals):
    assert clerk.get(EXPORT, {"format": "pdf"}).status_code == 404


def test_the_queue_links_to_its_export_with_its_filters(clerk, appeals):
    response = clerk.get(reverse("triage:queue"), {"channel": "web", "page": "1"})
    links = response.context["export_urls"]
    assert links["xlsx"] == f"{EXPORT}?channel=web&format=xlsx"
    assert links["csv"] == f"{EXPORT}?channel=web&format=csv"
    assert links["csv"].replace("&", "&amp;") in response.text


def test_too_many_rows_for_excel_go_back_to_the_queue_with_a_message(clerk, appeals, monkeypatch):
    monkeypatch.setattr("shishi.sheets.appeals_export.WEB_XLSX_MAX_ROWS", 2)
    response = clerk.get(EXPORT, {"channel": "web", "format": "xlsx"})
    assert response.status_code == 200
    response = clerk.get(EXPORT, {"format": "xlsx"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("triage:queue") + "?"
    assert "export as CSV" in response.text


def test_the_query_count_does_not_grow_with_the_rows(clerk, appeals, make_appeal):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = clerk.get(EXPORT)
            b"".join(response.streaming_content)
        return len(queries)

    few = count()
    for n in range(10):
        make_appeal(f"更多诉求{n}")
    assert count() == few
