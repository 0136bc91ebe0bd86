"""Time the sweeps (reminders and supervision orders) over a large ledger:
1,000,000 appeals and 100,000 ledger items by default, target < 30 s for a
whole sweep on PostgreSQL. Prints the seconds of each sweep and what it wrote,
then the same for a second sweep (which must write nothing).

    .venv/bin/python bench/bench_sweep.py [--appeals 1000000] [--items 100000]
    .venv/bin/python bench/bench_sweep.py --appeals 50000     # SQLite, smaller

The rows are generated in the database (INSERT … SELECT over a series), not
through the ORM row by row: the time goes to the sweep, not to the build.
SQLite by default in a temporary folder; with DATABASE_URL an empty PostgreSQL
database of its own (refused if not empty, its tables dropped at the end unless
--keep). See bench/README.md.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ledger import Bench, out  # noqa: E402

DAY = 86_400


class SweepBench(Bench):
    def build(self) -> None:
        from django.utils import timezone

        from shishi.org.services import user_create

        self.reference_data()
        # A second handler in every department: reminders go to each.
        for i, department in enumerate(self.departments):
            user_create(
                username=f"handler2_{i}",
                full_name=f"经办乙{i}",
                roles=["unit_handler"],
                units=[department],
            )
        self.now = timezone.now()
        started = time.perf_counter()
        self.insert_items()
        self.insert_reports()
        self.insert_appeals()
        out("insert_s", time.perf_counter() - started)

    # ------------------------------------------------------------- SQL helpers

    def series(self, n: int) -> tuple[str, str]:
        """(prefix, FROM clause) giving i = 1..n."""
        if self.connection.vendor == "postgresql":
            return "", f"generate_series(1, {int(n)}) AS g(i)"
        return (
            f"WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {int(n)}) ",  # noqa: S608
            "g",
        )

    def ts(self, seconds_expr: str) -> str:
        """A timestamp `seconds_expr` seconds after the benchmark's now."""
        base = int(self.now.timestamp())
        if self.connection.vendor == "postgresql":
            return f"to_timestamp({base} + ({seconds_expr}))"
        return f"datetime({base} + ({seconds_expr}), 'unixepoch')"

    def insert_select(self, model, n: int, values: dict[str, str]) -> None:
        """INSERT INTO model's table SELECT the `values` (SQL over i) for i = 1..n;
        columns not named get their empty value (NULL, '', false or 0)."""
        from django.db import models

        qn = self.connection.ops.quote_name
        columns, exprs = [], []
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            column = field.column
            if field.name in values:
                expr = values[field.name]
            elif field.null:
                expr = "NULL"
            elif isinstance(field, models.BooleanField):
                expr = "false" if self.connection.vendor == "postgresql" else "0"
            elif isinstance(field, models.CharField | models.TextField):
                expr = "''"
            elif isinstance(field, models.IntegerField | models.DecimalField):
                expr = "0"
            elif isinstance(field, models.DateTimeField):
                expr = self.ts("0")
            elif isinstance(field, models.JSONField):
                expr = "'{}'"
            else:
                raise ValueError(f"no value for {model.__name__}.{field.name}")
            columns.append(qn(column))
            exprs.append(expr)
        prefix, source = self.series(n)
        # Built from the model's own columns and this file's constants only.
        sql = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"{prefix}SELECT {', '.join(exprs)} FROM {source}"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql)

    # ----------------------------------------------------------------- the data

    def insert_items(self) -> None:
        from shishi.ledger.models import LedgerItem

        n = self.args.items
        j = "(i - 1)"
        leaders = [u.pk for u in self.leaders]
        units = [u.pk for u in self.departments]
        assert leaders == list(range(leaders[0], leaders[0] + len(leaders)))
        assert units == list(range(units[0], units[0] + len(units)))
        # By j % 10: 0 claimed, 1–5 in progress, 6 open, 7 settled, 8 awaiting
        # verification, 9 cancelled. Deadlines from 180 days ago to a year ahead.
        status = (
            f"CASE {j} % 10 WHEN 0 THEN 'claimed' WHEN 6 THEN 'open' WHEN 7 THEN 'settled' "
            f"WHEN 8 THEN 'awaiting_verification' WHEN 9 THEN 'cancelled' ELSE 'in_progress' END"
        )
        owned = f"{j} % 10 <> 6"
        self.insert_select(
            LedgerItem,
            n,
            {
                "number": "'B-' || i",
                "kind": "'project'",
                "title": "'新增学位 ' || i",
                "category": str(self.categories[0].pk),
                "status": status,
                "lead_unit": f"CASE WHEN {owned} THEN {units[0]} + {j} % {len(units)} END",
                "owner": f"CASE WHEN {owned} THEN {leaders[0]} + {j} % {len(leaders)} END",
                "deadline": self.ts(f"(({j} * 37) % 545 - 180) * {DAY} + 3600"),
                "created_by": str(self.clerk.pk),
                "created_at": self.ts(f"-200 * {DAY}"),
                "verifier": f"CASE WHEN {j} % 10 = 7 THEN {self.supervisors[0].pk} END",
            },
        )
        self.item_min = LedgerItem.objects.order_by("pk").values_list("pk", flat=True).first()
        out("items", n)

    def insert_reports(self) -> None:
        """This week's report for four in five items under way."""
        from django.utils import timezone

        from shishi.ledger.models import ProgressReport, week_start

        qn = self.connection.ops.quote_name
        monday = week_start(timezone.localdate(self.now))
        true = "true" if self.connection.vendor == "postgresql" else "1"
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(ProgressReport._meta.db_table)} "  # noqa: S608
                "(item_id, week_start, version, is_current, percent, narrative, reported_by_id, reported_at) "
                f"SELECT id, '{monday.isoformat()}', 1, {true}, 50, '', owner_id, {self.ts('0')} "
                f"FROM {qn('ledger_ledgeritem')} "
                "WHERE status IN ('claimed', 'in_progress') AND id % 5 <> 0"
            )

    def insert_appeals(self) -> None:
        """By i % 20: 0 received and not yet acknowledged (due within a day or
        overdue up to two days), 1 accepted into an item under way and not yet
        answered, the rest closed long ago (acknowledged and answered)."""
        from shishi.intake.models import Appeal

        n = self.args.appeals
        received = (
            f"CASE WHEN i % 20 = 0 THEN -(i % 72) * 3600 "
            f"WHEN i % 20 = 1 THEN -(i % 30) * {DAY} "
            f"ELSE -(30 + i % 335) * {DAY} END"
        )
        # Item rows j with j % 10 = 1 are in progress.
        item = f"{self.item_min} + ((i / 20) % {max(self.args.items // 10, 1)}) * 10 + 1"
        self.insert_select(
            Appeal,
            n,
            {
                "tracking_number": "'T' || i",
                "title": "'路灯不亮 ' || i",
                "channel": "'hotline'",
                "received_at": self.ts(received),
                "status": "CASE i % 20 WHEN 0 THEN 'received' WHEN 1 THEN 'accepted' ELSE 'closed' END",
                "item": f"CASE WHEN i % 20 = 1 THEN {item} END",
                "acknowledge_due": self.ts(f"{received} + {DAY}"),
                "respond_due": self.ts(f"{received} + 15 * {DAY}"),
                "acknowledged_at": f"CASE WHEN i % 20 <> 0 THEN {self.ts(received + ' + 3600')} END",
                "responded_at": f"CASE WHEN i % 20 > 1 THEN {self.ts(received + ' + 5 * 86400')} END",
                "closed_at": f"CASE WHEN i % 20 > 1 THEN {self.ts(received + ' + 6 * 86400')} END",
                "created_at": self.ts(received),
                "updated_at": self.ts(received),
            },
        )
        out("appeals", n)

    # ------------------------------------------------------------------ timing

    def timings(self) -> None:
        from django.test.utils import override_settings

        from shishi.reminders.models import Reminder
        from shishi.supervision import sweeps
        from shishi.supervision.models import SupervisionOrder

        # Remind of missing reports whatever weekday the benchmark runs on.
        override_settings(SHISHI_REPORT_REMINDER_WEEKDAY=0).enable()
        parts = [
            ("appeals", sweeps.sweep_appeal_deadlines),
            ("items", sweeps.sweep_item_deadlines),
            ("reports", sweeps.sweep_missing_reports),
            ("escalate", sweeps.sweep_escalate_overdue),
            ("orders", sweeps.sweep_order_deadlines),
        ]
        for run in ("first", "second"):
            total = 0.0
            for name, sweep in parts:
                started = time.perf_counter()
                result = sweep()
                elapsed = time.perf_counter() - started
                total += elapsed
                out(f"sweep_{run}_{name}_s", elapsed)
                out(f"sweep_{run}_{name}_wrote", " ".join(f"{k}={v}" for k, v in result.items()))
            out(f"sweep_{run}_total_s", total)
            if run == "first":
                out("target_30s_met", "yes" if total < 30 else "NO")
        out("reminders_stored", Reminder.objects.count())
        out("orders_stored", SupervisionOrder.objects.count())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, help="default: a tenth of --appeals")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE SQLite before timing")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    args.items = args.items or max(args.appeals // 10, 10)

    data_dir = None
    os.environ["DJANGO_SETTINGS_MODULE"] = "shishi.settings"
    os.environ["DEBUG"] = "1"  # for a secret key; the timings run with DEBUG off
    if not os.environ.get("DATABASE_URL"):
        data_dir = tempfile.mkdtemp(prefix="shishi-bench-sweep-")
        os.environ["SHISHI_DATA_DIR"] = data_dir
    try:
        return SweepBench(args).run()
    finally:
        if data_dir and not args.keep:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(data_dir, ignore_errors=True)
        elif data_dir:
            print(f"# kept {data_dir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
