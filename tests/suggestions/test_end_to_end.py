"""From a spreadsheet to an item: import appeals, train, triage one with the
suggested category, turn a hot issue into an item with all its appeals."""

import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from shishi.categories.services import category_tree_load
from shishi.intake.models import Appeal, AppealStatus
from shishi.ledger.models import LedgerItem
from shishi.sheets.appeals import appeals_import

from .conftest import PLACES, SCHOOL, TRAFFIC

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HEADERS = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级分类"]
LIGHTS = [
    "建设路小区门口路灯不亮，晚上出行不安全",
    "建设路路灯坏了好久了，晚上一片漆黑",
    "建设路小区门口的路灯一直不亮，老人晚上出门摔倒",
    "建设路路灯不亮，希望尽快维修",
    "建设路小区门口路灯不亮已经一个月",
]


def spreadsheet(path):
    start = timezone.localtime() - dt.timedelta(days=20)
    rows = []

    def add(text, category, user):
        moment = start + dt.timedelta(hours=len(rows))
        when = f"{moment.year}/{moment.month}/{moment.day} {moment:%H:%M:%S}"
        rows.append([str(1000 + len(rows)), user, text[:20], when, f"\n\t\t{text}\n\t", category])

    for templates, category in ((TRAFFIC, "交通出行"), (SCHOOL, "教育优先")):
        for template in templates:
            for place in PLACES[:4]:
                add(template.format(p=place), category, f"A{len(rows):05d}")
    for n, text in enumerate(LIGHTS):
        add(text, "", f"B{n:05d}")
    add("秦岭路小学学位不够，孩子上学要跑很远，希望新建小学", "", "C00001")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def test_import_train_triage_and_turn_a_hot_issue_into_an_item(client, bob, tmp_path):
    category_tree_load(
        [["交通出行", "道路"], ["交通出行", "公交"], ["教育优先", "学位"], ["教育优先", "幼儿园"]]
    )
    report = appeals_import(spreadsheet(tmp_path / "messages.csv"), name="messages.csv", actor=bob)
    assert report.ok and report.created == 46
    out = StringIO()
    call_command("suggestions", "train", stdout=out)
    assert "labelled: 40" in out.getvalue()

    client.force_login(bob)
    school = Appeal.objects.get(title__startswith="秦岭路小学学位不够")
    url = reverse("triage:appeal", args=[school.tracking_number])
    best = client.get(url).context["suggestions"].category
    assert best.category.name == "教育优先"
    client.post(url, {"action": "triage", "category": best.category.pk})
    school.refresh_from_db()
    assert school.status == AppealStatus.TRIAGED and school.category == best.category

    lights = set(Appeal.objects.filter(title__contains="路灯").values_list("pk", flat=True))
    issues = client.get(reverse("triage:hot")).context["issues"]
    issue = next(i for i in issues if lights & {pk for pk, _, _ in i.appeals})
    assert {pk for pk, _, _ in issue.appeals} == lights
    response = client.get(issue.new_item_url)
    form = response.context["form"]
    data = {
        "kind": "project",
        "title": form.initial["title"],
        "category": form.initial["category"],
        "description": form.initial["description"],
        "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "lead_unit": form.initial.get("lead_unit") or "",
        "targets-TOTAL_FORMS": "5",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "5",
        "targets-0-name": "修复路灯",
        "targets-0-unit_of_measure": "盏",
        "targets-0-target_quantity": "12",
    }
    response = client.post(issue.new_item_url, data)
    item = LedgerItem.objects.get()
    assert response.status_code == 302 and "路灯" in item.title
    assert set(item.appeals.values_list("pk", flat=True)) == lights
    assert set(item.appeals.values_list("status", flat=True)) == {AppealStatus.ACCEPTED}
    # The issue is combed: it leaves the hot list.
    issues = client.get(reverse("triage:hot")).context["issues"]
    assert not any(lights & {pk for pk, _, _ in i.appeals} for i in issues)
