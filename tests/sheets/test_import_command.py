"""`shishi import appeals|items FILE`: exit status, summary, errors, progress."""

import csv
import importlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from shishi.intake.models import Appeal
from shishi.sheets.results import ImportReport, RowError

pytestmark = pytest.mark.django_db
# The command's module is named after a keyword.
ProgressBar = importlib.import_module("shishi.sheets.management.commands.import").ProgressBar
HEADERS = ["留言编号", "留言主题", "留言时间", "留言详情"]


def sheet(tmp_path: Path, count: int, *, bad_rows=()) -> Path:
    path = tmp_path / "诉求.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for i in range(1, count + 1):
            when = "坏日期" if i + 1 in bad_rows else f"2021/3/{1 + i % 28} 9:00"
            writer.writerow([i, f"第{i}条诉求", when, "路灯不亮"])
    return path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_a_summary_and_a_second_run_stores_nothing(tmp_path, bob):
    path = sheet(tmp_path, 30)
    out, err = run("appeals", str(path), "--user", "bob")
    assert "诉求.csv: 30 rows read, 30 stored, 0 skipped" in out
    assert "100% read" in err  # not a terminal: a line per tenth
    assert Appeal.objects.count() == 30
    assert set(Appeal.history.values_list("history_user", flat=True)) == {bob.pk}
    out, _err = run("appeals", str(path))
    assert "30 rows read, 0 stored, 30 skipped" in out
    assert Appeal.objects.count() == 30


def test_dry_run_checks_and_stores_nothing(tmp_path):
    out, _err = run("appeals", str(sheet(tmp_path, 12)), "--dry-run", "--mapping", "teddy2020")
    assert "12 rows checked without errors; 12 would be stored" in out
    assert not Appeal.objects.exists()


def test_errors_are_listed_and_the_exit_status_is_not_zero(tmp_path):
    path = sheet(tmp_path, 100, bad_rows=range(5, 65))
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import", "appeals", str(path), stdout=out, stderr=err)
    assert "60 of 100 rows have errors. Nothing was stored" in str(caught.value)
    lines = err.getvalue().splitlines()
    errors = [line for line in lines if "坏日期" in line]
    assert len(errors) == 50
    assert errors[0].startswith("诉求.csv 第 5 行，“留言时间”列（“坏日期”）")
    assert "… and 10 more." in lines
    assert not Appeal.objects.exists()


def test_a_file_that_cannot_be_read_is_a_command_error(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="a.csv"):
        run("appeals", str(path))
    with pytest.raises(CommandError, match="no such file"):
        run("appeals", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="teddy2020"):
        run("appeals", str(sheet(tmp_path, 2)), "--mapping", "nope")


def test_the_user_must_exist_and_may_import(tmp_path, alice):
    with pytest.raises(CommandError, match="nobody"):
        run("appeals", str(sheet(tmp_path, 2)), "--user", "nobody")
    with pytest.raises(CommandError, match="alice may not import appeals"):
        run("appeals", str(sheet(tmp_path, 2)), "--user", "alice")
    assert not Appeal.objects.exists()


def test_items_are_imported_by_the_items_service_and_unmatched_names_shown(
    tmp_path, bob, monkeypatch
):
    calls = []

    def items_import(source, *, name, actor, commit=True, progress=None):
        calls.append((source, name, actor, commit))
        progress(3, 1.0)
        report = ImportReport(file_name=name, rows=3, valid=3, created=3, committed=commit)
        report.unmatched = {"牵头单位": {"区水利局", "区园林局"}}
        return report

    monkeypatch.setattr("shishi.sheets.items.items_import", items_import)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"PK")
    out, _err = run("items", str(path), "--user", "bob")
    assert calls == [(path, "台账.xlsx", bob, True)]
    assert "“牵头单位” names that match nothing stored: 区园林局、区水利局" in out
    assert "3 rows read, 3 stored" in out


def test_item_errors_fail_the_command(tmp_path, bob, monkeypatch):
    def items_import(source, *, name, actor, commit=True, progress=None):
        report = ImportReport(file_name=name, rows=2)
        report.add_error(RowError(row=3, column="完成时限", value="明年", message="Not a date."))
        return report

    monkeypatch.setattr("shishi.sheets.items.items_import", items_import)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"PK")
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="1 of 2 rows"):
        call_command("import", "items", str(path), "--user", "bob", stdout=out, stderr=err)
    assert "台账.xlsx 第 3 行，“完成时限”列（“明年”）：Not a date." in err.getvalue()


@translation.override("en")
def test_the_progress_bar_redraws_on_a_terminal_and_logs_tenths_elsewhere():
    terminal = io.StringIO()
    bar = ProgressBar(terminal, interactive=True)
    bar(2000, 0.5)
    bar.done()
    assert terminal.getvalue() == "\r[###############               ]  50%  2,000 rows\n"

    log = io.StringIO()
    bar = ProgressBar(log, interactive=False)
    for rows in range(0, 10_001, 500):
        bar(rows, rows / 10_000)
    lines = log.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1] == "100% read, 10,000 rows"
