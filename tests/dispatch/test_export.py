"""Exporting the work lists (my items, items to claim, verification, overdue)
in the ledger's layout: the same items as the list, the same rights."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shishi.sheets.ledger_export import LEDGER_HEADERS
from shishi.sheets.writers import HIGHLIGHT_FILL

from .helpers import make_overdue

pytestmark = pytest.mark.django_db

MY_ITEMS = reverse("dispatch:my_items_export")
CLAIMABLE = reverse("dispatch:claimable_export")
VERIFICATION = reverse("dispatch:verification_export")
OVERDUE = reverse("dispatch:overdue_export")
HEADER_ROW = 3


def _sheet(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def _titles(ws) -> list[str]:
    return [ws.cell(row, 3).value for row in range(HEADER_ROW + 1, ws.max_row + 1)]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.streaming
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("url", "who"),
    [
        (MY_ITEMS, "alice"),
        (MY_ITEMS, "bob"),
        (CLAIMABLE, "alice"),
        (CLAIMABLE, "carol"),
        (VERIFICATION, "alice"),
        (VERIFICATION, "dave"),
        (OVERDUE, "alice"),
        (OVERDUE, "carol"),
    ],
)
def test_people_who_may_not_see_the_list_may_not_export_it(client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403
    assert client.get(url, {"format": "csv"}).status_code == 403


def test_a_handlers_export_holds_what_her_list_shows(
    client, claimed_item, carol, make_item, claim, district
):
    other = claim(make_item(title="道路改造"), unit=district["transport"])
    client.force_login(carol)
    ws = _sheet(client.get(MY_ITEMS))
    assert ws["A1"].value == "中原区我的实事台账"
    assert [c.value for c in ws[HEADER_ROW]] == LEDGER_HEADERS
    assert ws.freeze_panes == "D4"
    assert _titles(ws) == [claimed_item.title]
    assert other.title not in _titles(ws)

    rows = _csv(client.get(MY_ITEMS, {"format": "csv"}))
    assert rows[0] == LEDGER_HEADERS
    assert [r[2] for r in rows[1:]] == [claimed_item.title]


def test_the_export_keeps_the_lists_filters(client, claimed_item, carol, make_item, claim):
    late = make_overdue(claim(make_item(title="逾期事项")))
    client.force_login(carol)
    ws = _sheet(client.get(MY_ITEMS, {"overdue": "on"}))
    assert _titles(ws) == [late.title]
    links = client.get(reverse("dispatch:my_items"), {"overdue": "on"}).context["export_urls"]
    assert links["csv"] == f"{MY_ITEMS}?overdue=on&format=csv"


def test_the_overdue_list_exported_with_its_rows_highlighted(client, erin, claimed_item):
    make_overdue(claimed_item, days=5)
    client.force_login(erin)
    ws = _sheet(client.get(OVERDUE))
    assert ws["A1"].value == "中原区逾期事项"
    assert _titles(ws) == [claimed_item.title]
    row = ws[HEADER_ROW + 1]
    assert row[LEDGER_HEADERS.index("逾期天数")].value == 5
    assert all(c.fill.fgColor.rgb == HIGHLIGHT_FILL.fgColor.rgb for c in row)


def test_the_claimable_and_verification_lists_export(client, dave, erin, make_item, awaiting_item):
    waiting = make_item(title="等待领账")
    client.force_login(dave)
    assert _titles(_sheet(client.get(CLAIMABLE))) == [waiting.title]
    client.force_login(erin)
    ws = _sheet(client.get(VERIFICATION))
    assert _titles(ws) == [awaiting_item.title]
    assert ws.cell(HEADER_ROW + 1, LEDGER_HEADERS.index("完成进度（%）") + 1).value == 100


def test_the_list_pages_link_to_their_exports(client, dave, erin, make_item, claimed_item):
    make_item(title="等待领账")
    client.force_login(dave)
    for page in ("dispatch:my_items", "dispatch:claimable"):
        response = client.get(reverse(page))
        assert response.context["export_urls"]["xlsx"] in response.text.replace("&amp;", "&")
    make_overdue(claimed_item)
    client.force_login(erin)
    response = client.get(reverse("dispatch:overdue"))
    assert f"{OVERDUE}?format=csv" in response.text


def test_the_query_count_does_not_grow_with_the_items(client, carol, make_item, claim):
    claim(make_item(title="事项0"))
    client.force_login(carol)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            b"".join(client.get(MY_ITEMS).streaming_content)
        return len(queries)

    few = count()
    for n in range(1, 8):
        claim(make_item(title=f"事项{n}"))
    assert count() == few
