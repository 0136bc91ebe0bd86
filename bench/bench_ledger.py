"""Build a large synthetic ledger in a fresh database and time what matters at
that size: the bulk intake, the public ledger page, the missing-report query,
the campaign figures. Prints one figure per line.

    .venv/bin/python bench/bench_ledger.py [--appeals 100000] [--items 10000] [--weeks 50]
    .venv/bin/python bench/bench_ledger.py --quick

SQLite by default, in a temporary folder removed afterwards. With DATABASE_URL
set it uses that PostgreSQL database, which must be empty: it refuses
otherwise, migrates it, and drops the tables it made at the end (--keep keeps
them). See bench/README.md.
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
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PLACES = [
    "建设路",
    "桐柏路",
    "秦岭路",
    "伏牛路",
    "嵩山路",
    "中原路",
    "绿东村",
    "林山寨",
    "棉纺路",
    "西站路",
]
PROBLEMS = [
    "路灯不亮",
    "井盖破损",
    "小区停车难",
    "垃圾清运不及时",
    "老旧小区加装电梯",
    "学位紧张",
    "道路积水",
    "噪音扰民",
    "菜市场环境差",
    "公交线路调整",
    "供暖温度不达标",
    "违规占道经营",
]
CHANNELS = ["hotline"] * 10 + ["web"] * 4 + ["forum"] * 2 + ["questionnaire"] * 2 + ["visit", "api"]
EVENT_CHANNELS = {"forum": 150, "questionnaire": 20, "visit": 60}
# Item statuses and their shares of the ledger.
STATUS_SHARES = [
    ("draft", 3),
    ("open", 7),
    ("claimed", 15),
    ("in_progress", 55),
    ("awaiting_verification", 5),
    ("settled", 12),
    ("suspended", 2),
    ("cancelled", 1),
]
KIND_SHARES = [
    ("project", 70),
    ("rectification", 15),
    ("enterprise_problem", 8),
    ("hazard", 5),
    ("claim", 2),
]
TARGETS = [
    ("新增学位", "个"),
    ("公共停车泊位", "个"),
    ("改造道路", "公里"),
    ("加装电梯", "部"),
    ("新建游园", "处"),
]


def main(bench_class: type["Bench"] | None = None, *, doc: str = __doc__, runs: int = 7) -> int:
    """Parse the common options, pick the database and run `bench_class` (this
    file's Bench, or a subclass from another benchmark) on it."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="10k appeals, 1k items, 10 weeks")
    parser.add_argument("--runs", type=int, default=runs, help="timed runs per figure (median)")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE SQLite before timing")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    if args.quick:
        args.appeals, args.items, args.weeks = 10_000, 1_000, 10

    data_dir = None
    os.environ["DJANGO_SETTINGS_MODULE"] = "shishi.settings"
    os.environ["DEBUG"] = "1"  # for a secret key and plain static files; timings run without
    if not os.environ.get("DATABASE_URL"):
        data_dir = tempfile.mkdtemp(prefix="shishi-bench-")
        os.environ["SHISHI_DATA_DIR"] = data_dir
    try:
        return (bench_class or Bench)(args).run()
    finally:
        if data_dir and not args.keep:
            from django.db import connections

            connections.close_all()  # SQLite folds its WAL back in on close
            shutil.rmtree(data_dir, ignore_errors=True)
        elif data_dir:
            print(f"# kept {data_dir}", file=sys.stderr)


def out(key: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.1f}" if value < 100 else f"{value:.0f}"
    print(f"{key}: {value}", flush=True)


def chunks(iterable, size: int) -> Iterator[list]:
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


class Bench:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)

    def run(self) -> int:
        import django

        django.setup()
        from django.db import connection
        from django.test.utils import override_settings

        # Production behaviour while timing: DEBUG keeps a query log (and on
        # SQLite runs an extra query per logged statement to quote its parameters).
        override_settings(DEBUG=False).enable()
        self.connection = connection
        if connection.vendor == "postgresql" and connection.introspection.table_names():
            print(
                f"refusing: database {connection.settings_dict['NAME']!r} is not empty; "
                "give the benchmark an empty database of its own",
                file=sys.stderr,
            )
            return 2
        try:
            self.build_and_time()
        finally:
            if connection.vendor == "postgresql" and not self.args.keep:
                self.drop_tables()
        return 0

    def drop_tables(self) -> None:
        # The database was empty when we started: every table in it is ours.
        connection = self.connection
        connection.close()
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")

    # ------------------------------------------------------------ building

    def build_and_time(self) -> None:
        from django.core.management import call_command

        connection = self.connection
        version = (
            connection.Database.sqlite_version
            if connection.vendor == "sqlite"
            else connection.cursor().connection.info.server_version
        )
        out("backend", f"{connection.vendor} {version}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        out("migrate_s", time.perf_counter() - started)
        self.build()
        out("build_s", time.perf_counter() - started)
        if connection.vendor == "postgresql" or self.args.analyze:
            # PostgreSQL's autovacuum analyses a table this changed within a
            # minute; SQLite never does unless told (see bench/README.md).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            out("analyzed", "yes")
        else:
            out("analyzed", "no")
        self.timings()

    def build(self) -> None:
        """The data the timings run on; a subclass may add to it."""
        self.reference_data()
        self.appeals()
        self.items()
        self.reports()

    def reference_data(self) -> None:
        from django.utils import timezone

        from shishi.categories.services import category_create
        from shishi.intake.models import CollectionEvent
        from shishi.org.services import unit_create, user_create

        district = unit_create(name="中原区", kind="district")
        self.streets = [
            unit_create(name=f"{place}街道", kind="street", parent=district) for place in PLACES
        ]
        self.communities = [
            unit_create(name=f"第{i}社区", kind="community", parent=street)
            for street in self.streets
            for i in range(1, 11)
        ]
        self.departments = [
            unit_create(name=f"区第{i}局", kind="department", parent=district) for i in range(1, 31)
        ]
        self.clerk = user_create(username="clerk", full_name="受理员", roles=["clerk"])
        self.leaders = [
            user_create(username=f"leader{i}", full_name=f"领导{i}", roles=["leader"])
            for i in range(40)
        ]
        self.supervisors = [
            user_create(username=f"supervisor{i}", full_name=f"督办{i}", roles=["supervisor"])
            for i in range(5)
        ]
        self.handlers = [
            user_create(
                username=f"handler{i}",
                full_name=f"经办{i}",
                roles=["unit_handler"],
                units=[department],
            )
            for i, department in enumerate(self.departments)
        ]
        self.categories = [
            category_create(name=name, code=f"c{i}")
            for i, name in enumerate(
                ["教育", "交通", "城建", "环境", "养老", "医疗", "就业", "安全"]
            )
        ]
        today = timezone.localdate()
        self.events = {
            channel: CollectionEvent.objects.bulk_create(
                CollectionEvent(
                    channel=channel,
                    title=f"{channel} {i}",
                    held_on=today - dt.timedelta(days=i),
                    unit=self.streets[i % len(self.streets)],
                    count=self.rng.randint(20, 500),
                )
                for i in range(count)
            )
            for channel, count in EVENT_CHANNELS.items()
        }

    def appeal_records(self, count: int, *, end: dt.datetime) -> Iterator[dict]:
        """Appeals spread evenly over the year before `end`, oldest first, as a
        hotline's export or a year's spreadsheet lists them. They are copies of
        1,000 records built once, so that the time measured is the intake's, not
        this generator's."""
        pool = self.record_pool
        step = dt.timedelta(days=365) / max(count, 1)
        start = end - dt.timedelta(days=365)
        for i in range(count):
            record = pool[i % 1_000].copy()
            record["received_at"] = start + step * i
            yield record

    def appeal_record(self, i: int) -> dict:
        rng = self.rng
        channel = rng.choice(CHANNELS)
        events = self.events.get(channel)
        record = {
            "title": f"{rng.choice(PLACES)}{rng.choice(PROBLEMS)}",
            "body": "居民反映：" + "，".join(rng.sample(PROBLEMS, 3)) + "，希望尽快解决。",
            "channel": channel,
        }
        if events:
            record["event"] = events[i % len(events)]
        if rng.random() < 0.6:
            record["category"] = rng.choice(self.categories)
        if rng.random() < 0.5:
            record["community"] = rng.choice(self.communities)
            record["address"] = f"{rng.choice(PLACES)}{rng.randint(1, 200)}号"
        if rng.random() < 0.3:
            record["lat"] = Decimal("34.7") + Decimal(rng.randint(0, 99999)) / 1_000_000
            record["lng"] = Decimal("113.6") + Decimal(rng.randint(0, 99999)) / 1_000_000
        if channel == "hotline":
            record["submitter_name"] = "市民"
            record["submitter_phone"] = f"1380000{rng.randint(0, 9999):04d}"
        return record

    def appeals(self) -> None:
        from django.db import transaction
        from django.test.utils import override_settings
        from django.utils import timezone
        from simple_history.utils import bulk_create_with_history

        from shishi.intake.bulk import appeals_bulk_create
        from shishi.intake.models import Appeal
        from shishi.intake.services import tracking_number_new

        now = timezone.now()
        n = self.args.appeals
        self.record_pool = [self.appeal_record(i) for i in range(1_000)]
        started, cpu = time.perf_counter(), time.process_time()
        stored = appeals_bulk_create(
            self.appeal_records(n, end=now), actor=self.clerk, reason="bench import"
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert stored == n == Appeal.objects.count() == Appeal.history.count()
        out("appeals", n)
        out("appeals_insert_rows_per_s", n / elapsed)
        if self.connection.vendor == "sqlite":
            # All of SQLite's work is in this process: its CPU time does not
            # count the time other programs took the processor away.
            out("appeals_insert_rows_per_cpu_s", n / cpu)

        # The same on top of that, without history, then the ORM's way: each in
        # a transaction rolled back, so the ledger stays as built.
        sample = max(min(n // 5, 20_000), 1_000)

        def timed(store: Callable[[], None], rows: int) -> float:
            with transaction.atomic():
                started = time.perf_counter()
                store()
                rate = rows / (time.perf_counter() - started)
                transaction.set_rollback(True)
            return rate

        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            rate = timed(
                lambda: appeals_bulk_create(self.appeal_records(sample, end=now), actor=self.clerk),
                sample,
            )
        out("appeals_insert_no_history_rows_per_s", rate)

        orm_sample = min(sample, 5_000)

        def orm_objects() -> list:
            # No validation and no collision check at all: the ORM's cost alone.
            # Two years back, so their days' tracking numbers cannot meet the
            # stored ones.
            objects = []
            for record in self.appeal_records(orm_sample, end=now - dt.timedelta(days=730)):
                appeal = Appeal(**record)
                appeal.tracking_number = tracking_number_new(appeal.received_at)
                objects.append(appeal)
            return objects

        rate = timed(lambda: Appeal.objects.bulk_create(orm_objects()), orm_sample)
        out("appeals_orm_bulk_create_rows_per_s", rate)
        rate = timed(
            lambda: bulk_create_with_history(orm_objects(), Appeal, default_user=self.clerk),
            orm_sample,
        )
        out("appeals_orm_bulk_create_with_history_rows_per_s", rate)
        assert Appeal.objects.count() == Appeal.history.count() == n  # all rolled back

    def items(self) -> None:
        from django.db import transaction
        from django.utils import timezone

        from shishi.ledger.models import ItemStatus, KindPolicy, LedgerItem, Target

        rng, now = self.rng, timezone.now()
        prefixes = dict(KindPolicy.objects.values_list("kind", "number_prefix"))
        statuses = [s for s, share in STATUS_SHARES for _ in range(share)]
        kinds = [k for k, share in KIND_SHARES for _ in range(share)]
        owned = {"claimed", "in_progress", "awaiting_verification", "settled"}
        weeks = self.args.weeks
        started = time.perf_counter()
        with transaction.atomic():
            count, items = 0, []
            for i in range(1, self.args.items + 1):
                status = rng.choice(statuses)
                kind = rng.choice(kinds)
                created = now - dt.timedelta(weeks=weeks + 2, days=rng.randint(0, 60))
                # Deadlines from two months ago to a year ahead: some are overdue.
                deadline = now + dt.timedelta(days=rng.randint(-60, 365))
                item = LedgerItem(
                    number=f"{prefixes[kind]}-{now:%Y}-{i:05d}",
                    kind=kind,
                    title=f"{rng.choice(PLACES)}{rng.choice(PROBLEMS)}整治",
                    description="按照群众诉求梳理形成的民生实事项目。",
                    category=rng.choice(self.categories),
                    status=status,
                    deadline=deadline,
                    created_by=self.clerk,
                    created_at=created,
                    opened_at=None if status == "draft" else created + dt.timedelta(days=1),
                )
                if status in owned or (status == "suspended" and rng.random() < 0.5):
                    item.owner = rng.choice(self.leaders)
                    item.lead_unit = rng.choice(self.departments)
                    item.claimed_by = item.owner
                    item.claimed_at = created + dt.timedelta(days=2)
                if status == ItemStatus.SETTLED:
                    item.verifier = rng.choice(self.supervisors)
                    item.settled_at = now - dt.timedelta(days=rng.randint(1, 30))
                    item.settlement_evidence = "现场核验合格。"
                if status == ItemStatus.SUSPENDED:
                    item.status_before_suspension = "in_progress" if item.owner_id else "open"
                items.append(item)
                if len(items) == 2_000:
                    count += self._store_items(items)
                    items = []
            count += self._store_items(items)
        elapsed = time.perf_counter() - started
        self.item_count = LedgerItem.objects.count()
        out("items", self.item_count)
        out("targets", Target.objects.count())
        out("items_insert_rows_per_s", self.item_count / elapsed)
        out("items_with_targets_insert_rows_per_s", count / elapsed)

    def _store_items(self, items: list) -> int:
        """Items and their 1–3 targets; returns the rows written."""
        from shishi.ledger.models import LedgerItem, Target

        LedgerItem.objects.bulk_create(items)
        targets = []
        for item in items:
            for order, (name, unit) in enumerate(self.rng.sample(TARGETS, self.rng.randint(1, 3))):
                quantity = Decimal(self.rng.randint(5, 5000))
                actual = None
                if item.status == "settled":
                    actual = quantity
                elif item.status in ("in_progress", "awaiting_verification"):
                    actual = (quantity * Decimal(self.rng.randint(0, 100)) / 100).quantize(
                        Decimal("0.01")
                    )
                targets.append(
                    Target(
                        item=item,
                        name=name,
                        unit_of_measure=unit,
                        target_quantity=quantity,
                        actual_quantity=actual,
                        sort_order=order,
                    )
                )
        Target.objects.bulk_create(targets)
        return len(items) + len(targets)

    def reports(self) -> None:
        """One current report a week for every item that has been under way
        (in progress, awaiting verification, settled) over `--weeks` weeks; this
        week only 80% of the items in progress have reported; 2% of the weeks
        were corrected (version 2 current, version 1 kept)."""
        from django.db import transaction
        from django.utils import timezone

        from shishi.ledger.models import LedgerItem, ProgressReport, week_start

        rng, weeks = self.rng, self.args.weeks
        this_monday = week_start(timezone.localdate())
        zone = timezone.get_current_timezone()
        handlers = [h.pk for h in self.handlers]
        reporting = list(
            LedgerItem.objects.filter(
                status__in=["in_progress", "awaiting_verification", "settled"]
            ).values_list("pk", "status")
        )

        def rows() -> Iterator:
            for pk, status in reporting:
                pace = rng.uniform(0.5, 1.5)
                for k in range(weeks):
                    monday = this_monday - dt.timedelta(weeks=weeks - 1 - k)
                    current_week = k == weeks - 1
                    if current_week and (status != "in_progress" or rng.random() < 0.2):
                        continue
                    percent = (
                        100
                        if status == "settled" and current_week
                        else min(100, int((k + 1) * 100 / weeks * pace))
                    )
                    reported_at = dt.datetime.combine(
                        monday + dt.timedelta(days=rng.randint(0, 4)), dt.time(17), tzinfo=zone
                    )
                    common = dict(
                        item_id=pk,
                        week_start=monday,
                        narrative="本周完成施工量，按计划推进。",
                        reported_by_id=rng.choice(handlers),
                        reported_at=reported_at,
                    )
                    if rng.random() < 0.02:
                        yield ProgressReport(
                            version=1, is_current=False, percent=max(percent - 5, 0), **common
                        )
                        yield ProgressReport(version=2, is_current=True, percent=percent, **common)
                    else:
                        yield ProgressReport(version=1, is_current=True, percent=percent, **common)

        started = time.perf_counter()
        count = 0
        with transaction.atomic():
            for chunk in chunks(rows(), 10_000):
                ProgressReport.objects.bulk_create(chunk)
                count += len(chunk)
        elapsed = time.perf_counter() - started
        out("reports", count)
        out("reports_insert_rows_per_s", count / elapsed)

    # ------------------------------------------------------------- timing

    def median_ms(self, run: Callable[[], object]) -> float:
        run()  # warm-up: caches, compiled templates, the database's pages
        times = []
        for _ in range(self.args.runs):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    def page(self, client, url: str) -> Callable[[], object]:
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    def queries(self, run: Callable[[], object]) -> int:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(self.connection) as captured:
            run()
        return len(captured)

    def timings(self) -> None:
        from django.test import Client
        from django.utils import timezone

        from shishi.core.stats import campaign_figures
        from shishi.ledger.models import LedgerItem, week_start

        client = Client(HTTP_HOST="localhost")
        category = self.categories[1]
        pages = {
            "ledger_page": "/",
            "ledger_page50": "/?page=50",
            "ledger_filtered": f"/?status=in_progress&category={category.pk}&overdue=on",
            "ledger_search": "/?q=%E8%B7%AF%E7%81%AF",  # 路灯
        }
        for key, url in pages.items():
            get = self.page(client, url)
            out(f"{key}_ms", self.median_ms(get))
            out(f"{key}_queries", self.queries(get))

        def ledger_query():
            return list(
                LedgerItem.objects.public()
                .with_latest_percent()
                .select_related("category", "owner", "lead_unit")
                .order_by("number")[:50]
            )

        out("ledger_query_ms", self.median_ms(ledger_query))
        monday = week_start(timezone.localdate())
        missing = LedgerItem.objects.missing_report(monday)
        out("missing_report_count", missing.count())
        out("missing_report_count_ms", self.median_ms(missing.count))

        def missing_page():
            return list(missing.select_related("owner", "lead_unit").order_by("number")[:50])

        out("missing_report_page_ms", self.median_ms(missing_page))
        out("overdue_count_ms", self.median_ms(LedgerItem.objects.overdue().count))
        out("campaign_figures_ms", self.median_ms(campaign_figures))

        if self.args.explain:
            from shishi.public import selectors

            plans = {
                "ledger_query": LedgerItem.objects.public()
                .with_latest_percent()
                .select_related("category", "owner", "lead_unit")
                .order_by("number")[:50],
                "ledger_page": selectors.public_items(now=timezone.now())[:50],
                "missing_report": missing,
            }
            for name, queryset in plans.items():
                print(f"# plan {name}:\n#   " + queryset.explain().replace("\n", "\n#   "))


if __name__ == "__main__":
    sys.exit(main())
