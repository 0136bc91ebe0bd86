"""Time the three rates (三率) of every unit for a year: 200,000 appeals over
2025 (with their history) and their follow-ups, in a fresh database. Prints
one figure per line.

    .venv/bin/python bench/bench_rates.py [--appeals 200000] [--units 40] [--runs 5]
    .venv/bin/python bench/bench_rates.py --quick      # 20,000 appeals

SQLite by default, in a temporary folder removed afterwards; with DATABASE_URL
set, that PostgreSQL database, which must be empty (see bench/README.md). The
data goes in with bulk INSERTs: this measures the report, not the intake.
Target: < 2 s for the whole report (three rates by unit plus the weekly trend).
"""

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

YEAR = 2025


def out(key: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.2f}" if value < 100 else f"{value:.0f}"
    print(f"{key}: {value}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appeals", type=int, default=200_000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="20,000 appeals")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    args = parser.parse_args()
    if args.quick:
        args.appeals = 20_000
    os.environ["DJANGO_SETTINGS_MODULE"] = "shishi.settings"
    os.environ["DEBUG"] = "1"
    data_dir = None
    if not os.environ.get("DATABASE_URL"):
        data_dir = tempfile.mkdtemp(prefix="shishi-bench-rates-")
        os.environ["SHISHI_DATA_DIR"] = data_dir
    try:
        return run(args)
    finally:
        if data_dir:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(data_dir, ignore_errors=True)


def run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    override_settings(DEBUG=False).enable()
    if connection.vendor == "postgresql" and connection.introspection.table_names():
        print("refusing: the database is not empty; give the benchmark its own", file=sys.stderr)
        return 2
    try:
        out("backend", connection.vendor)
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        counts = build(args, random.Random(args.seed))
        out("build_s", time.perf_counter() - started)
        for key, value in counts.items():
            out(key, value)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        time_report(args)
    finally:
        if connection.vendor == "postgresql":
            connection.close()
            with connection.cursor() as cursor:
                for table in connection.introspection.table_names(cursor):
                    cursor.execute(
                        f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE"
                    )
    return 0


def build(args, rng: random.Random) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from shishi.categories.services import category_create
    from shishi.intake.models import Appeal
    from shishi.ledger.models import FollowUp, LedgerItem
    from shishi.org.services import unit_create, user_create

    zone = timezone.get_default_timezone()
    district = unit_create(name="中原区", kind="district")
    units = [
        unit_create(name=f"单位{n:02d}", kind="department", parent=district)
        for n in range(args.units)
    ]
    category = category_create(name="城市管理", code="city")
    owner = user_create(username="leader", full_name="领导", roles=["leader"])
    verifier = user_create(username="verifier", full_name="督办", roles=["supervisor"])
    start = dt.datetime(YEAR, 1, 1, tzinfo=zone)

    items = []
    for n in range(max(50, args.appeals // 100)):
        settled = rng.random() < 0.6
        items.append(
            LedgerItem(
                number=f"SS-{YEAR}-{n:05d}",
                kind="project",
                title=f"事项{n}",
                category=category,
                status="settled" if settled else "in_progress",
                lead_unit=rng.choice(units),
                owner=owner,
                verifier=verifier if settled else None,
                deadline=start + dt.timedelta(days=400),
                created_by=owner,
                settled_at=start + dt.timedelta(days=rng.randrange(30, 360)) if settled else None,
            )
        )
    with transaction.atomic():
        LedgerItem.objects.bulk_create(items, batch_size=2000)
    items = list(LedgerItem.objects.only("id", "status", "settled_at"))

    appeals, number = [], 0
    for _n in range(args.appeals):
        received = start + dt.timedelta(seconds=rng.randrange(365 * 86400))
        fate = rng.random()
        acknowledged = received + dt.timedelta(minutes=rng.randrange(10, 300))
        fields = {
            "acknowledge_due": received + dt.timedelta(hours=2),
            "respond_due": received + dt.timedelta(days=9),
            "acknowledged_at": acknowledged,
        }
        if fate < 0.4:  # accepted into an item
            item = rng.choice(items)
            if item.status == "settled" and item.settled_at > received:
                fields.update(
                    status="closed", item=item, responded_at=item.settled_at, outcome="settled"
                )
                fields["closed_at"] = item.settled_at
            else:
                fields.update(status="accepted", item=item)
        elif fate < 0.8:  # answered, most then closed
            answered = acknowledged + dt.timedelta(hours=rng.randrange(1, 200))
            status = "closed" if rng.random() < 0.8 else "answered"
            fields.update(
                status=status, responded_at=answered, status_note="已答复", outcome="answered"
            )
        elif fate < 0.9:  # rejected, some then closed
            status = "closed" if rng.random() < 0.5 else "rejected"
            fields.update(
                status=status,
                responded_at=acknowledged,
                status_note="不予受理",
                outcome="rejected",
            )
        else:  # still waiting
            fields.update(status="received", acknowledged_at=None)
        number += 1
        appeals.append(
            Appeal(
                tracking_number=f"B{number:09d}",
                title="路灯不亮",
                channel="hotline",
                received_at=received,
                **fields,
            )
        )
    with transaction.atomic():
        Appeal.objects.bulk_create(appeals, batch_size=2000)
        # A history record per appeal, and the "rejected" record of those rejected.
        history = Appeal.history.model
        quote = connection.ops.quote_name
        tracked = [quote(f.column) for f in history.tracked_fields]
        with connection.cursor() as cursor:
            for condition, kind in (("1 = 1", "+"), ("status_note = '不予受理'", "~")):
                status = "'rejected'" if kind == "~" else quote("status")
                columns = [c if c != quote("status") else status for c in tracked]
                cursor.execute(
                    f"INSERT INTO {quote(history._meta.db_table)} "  # noqa: S608
                    f"({', '.join(tracked)}, history_date, history_type, history_change_reason) "
                    f"SELECT {', '.join(columns)}, received_at, %s, 'bench' "
                    f"FROM {quote(Appeal._meta.db_table)} WHERE {condition}",
                    [kind],
                )

    followups = []
    settled = [item for item in items if item.status == "settled"]
    results = ["satisfied"] * 6 + ["basically_satisfied"] * 3 + ["dissatisfied"]
    for _n in range(args.appeals // 4):
        item = rng.choice(settled)
        followups.append(
            FollowUp(
                item=item,
                result=rng.choice(results),
                recorded_at=item.settled_at + dt.timedelta(days=rng.randrange(1, 10)),
            )
        )
    with transaction.atomic():
        FollowUp.objects.bulk_create(followups, batch_size=2000)
    return {
        "appeals": Appeal.objects.count(),
        "appeal_history": Appeal.history.count(),
        "items": len(items),
        "followups": FollowUp.objects.count(),
        "units": len(units),
    }


def time_report(args) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shishi.reports.rates import rates_report, rates_xlsx

    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    now = dt.datetime(YEAR + 1, 1, 10, tzinfo=dt.UTC)
    rates_report(first, last, now=now)  # warm the caches
    seconds = []
    for _run in range(args.runs):
        started = time.perf_counter()
        report = rates_report(first, last, now=now)
        seconds.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        rates_report(first, last, now=now)
    out("units_reported", len(report.units))
    out("weeks", len(report.weeks))
    out("queries", len(queries.captured_queries))
    out("rates_year_median_s", statistics.median(seconds))
    out("rates_year_max_s", max(seconds))
    started = time.perf_counter()
    rates_xlsx(report)
    out("xlsx_s", time.perf_counter() - started)
    from shishi.reports.rates import COUNTS, _bounds

    start, end = _bounds(first, last)
    origin = dt.datetime.combine(
        first - dt.timedelta(days=first.weekday()), dt.time.min, tzinfo=start.tzinfo
    )
    for rate, counts in COUNTS.items():
        started = time.perf_counter()
        list(counts(start, end, now, origin))
        out(f"{rate}_query_s", time.perf_counter() - started)
        if args.explain:
            print(counts(start, end, now, origin).explain(), flush=True)
    out("target_met", "yes" if statistics.median(seconds) < 2 else "NO (target < 2 s)")


if __name__ == "__main__":
    sys.exit(main())
