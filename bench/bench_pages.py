"""Time every list page of the web app, and a few detail pages, at the size
bench_ledger.py builds (100,000 appeals, 10,000 items, ~50 weeks of reports),
as each role sees them. Prints one table row per page: median and max
milliseconds of `--runs` requests after a warm-up, the median CPU time of
this process (on SQLite that is the page's own work, less the time a busy
machine's other programs took), the queries one request makes, the rows it
shows (and how many the list holds), and whether its median meets the 200 ms
target. A page that fails says how, and the others are still timed.

    .venv/bin/python bench/bench_pages.py            # full size (minutes)
    .venv/bin/python bench/bench_pages.py --quick    # 10k appeals, 1k items, 10 weeks

SQLite by default, in a temporary folder removed afterwards; PostgreSQL when
DATABASE_URL names an empty database (see bench/README.md). The data is built
by bench_ledger.py's functions, then given what each role needs to have
something to see: a resident's own appeals, a unit handler whose unit leads
many items, a leader who owns many, appeals at every stage of intake."""

import datetime as dt
import logging
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_ledger  # noqa: E402  (it puts the repository on sys.path)
from bench_ledger import Bench, out  # noqa: E402

TARGET_MS = 200


@dataclass
class Page:
    name: str  # the URL name
    url: str
    role: str  # a key of PagesBench.clients
    note: str = ""  # what this variant adds (a search, a filter)


@dataclass
class Result:
    page: Page
    state: str = "ok"  # ok, HTTP 403, error: …
    median_ms: float = 0.0
    max_ms: float = 0.0
    cpu_ms: float = 0.0  # this process's CPU time: on SQLite, the page's work without
    # the time other programs took the processor away (a busy machine's noise)
    queries: int | None = None
    rows: str = "-"


class PagesBench(Bench):
    """bench_ledger's ledger, plus work for every role, then the pages timed."""

    def build(self) -> None:
        super().build()
        self.work_for_every_role()

    def timings(self) -> None:
        self.time_pages()

    # ------------------------------------------------------------ building

    def appeals(self) -> None:
        """The appeals as bench_ledger stores them (the same records, through
        appeals_bulk_create), without its rolled-back insert-rate samples."""
        from django.utils import timezone

        from shishi.intake.bulk import appeals_bulk_create

        self.record_pool = [self.appeal_record(i) for i in range(1_000)]
        n = appeals_bulk_create(
            self.appeal_records(self.args.appeals, end=timezone.now()),
            actor=self.clerk,
            reason="bench import",
        )
        out("appeals", n)

    def work_for_every_role(self) -> None:
        """Bulk updates that give each role a realistic share of the ledger."""
        from django.db import transaction

        with transaction.atomic():
            self.resident_appeals()
            self.appeals_through_intake()
            self.busy_unit_and_leader()
        self.pick_detail_pages()

    def resident_appeals(self) -> None:
        from shishi.intake.models import Appeal
        from shishi.org.services import user_create

        self.resident = user_create(username="resident", full_name="居民", roles=["resident"])
        # More than a page of their own appeals, spread over the year.
        step = max(self.args.appeals // 60, 1)
        mine = list(Appeal.objects.order_by("pk").values_list("pk", flat=True)[::step][:60])
        Appeal.objects.filter(pk__in=mine).update(
            submitter=self.resident, submitter_name="居民", submitter_phone="13800001234"
        )
        self.resident_appeal = Appeal.objects.filter(pk=mine[-1]).get()

    def appeals_through_intake(self) -> None:
        """The newest 4% are still received, the next 6% triaged; the older
        ones accepted into items (60%), answered, rejected or closed."""
        from django.db.models import F

        from shishi.intake.models import Appeal
        from shishi.ledger.models import LedgerItem

        # Appeals were stored oldest first: a higher pk is a newer appeal.
        newest_first = Appeal.objects.order_by("-received_at", "-pk").values_list("pk", flat=True)
        n = self.args.appeals
        received_from = newest_first[max(n * 4 // 100 - 1, 0)]
        triaged_from = newest_first[max(n * 10 // 100 - 1, 0)]
        older = Appeal.objects.filter(pk__lt=triaged_from)
        # Triaged and later appeals have a category.
        count = len(self.categories)
        for k, category in enumerate(self.categories):
            Appeal.objects.alias(m=F("pk") % count).filter(
                pk__lt=received_from, category__isnull=True, m=k
            ).update(category=category)
        Appeal.objects.filter(pk__gte=triaged_from, pk__lt=received_from).update(status="triaged")
        items = LedgerItem.objects.order_by("pk").values_list("pk", flat=True)
        first_item, item_count = items[0], len(items)
        shares = [
            ("accepted", range(0, 12)),
            ("answered", range(12, 15)),
            ("rejected", range(15, 16)),
            ("closed", range(16, 20)),
        ]
        for status, remainders in shares:
            chosen = older.alias(m=F("pk") % 20).filter(m__in=list(remainders))
            if status == "accepted":
                chosen.update(status=status, item_id=F("pk") % item_count + first_item)
            elif status == "closed":
                chosen.update(status=status, closed_at=F("received_at") + dt.timedelta(days=20))
            else:
                chosen.update(status=status, status_note="已电话答复。")
        # Drafts are not commitments yet: their appeals go to an open item.
        public = LedgerItem.objects.exclude(status="draft").order_by("pk").first()
        Appeal.objects.filter(item__status="draft").update(item=public)

    def busy_unit_and_leader(self) -> None:
        """handler0's unit (department 0) leads one owned item in seven, and
        leader0 owns one in nine: the busiest lists of their roles."""
        from django.db.models import F

        from shishi.ledger.models import LedgerItem

        self.busy_unit = self.departments[0]
        self.busy_handler = self.handlers[0]
        self.busy_leader = self.leaders[0]
        owned = LedgerItem.objects.filter(owner__isnull=False)
        owned.alias(m=F("pk") % 7).filter(m=0).update(lead_unit=self.busy_unit)
        owned.alias(m=F("pk") % 9).filter(m=0).update(
            owner=self.busy_leader, claimed_by=self.busy_leader
        )

    def pick_detail_pages(self) -> None:
        from django.db.models import Count

        from shishi.intake.models import Appeal
        from shishi.ledger.models import LedgerItem

        # The item with the longest story that both busy people act for.
        self.detail_item = (
            LedgerItem.objects.filter(status="in_progress", lead_unit=self.busy_unit)
            .annotate(reports=Count("progress_reports"))
            .order_by("-reports", "pk")
            .first()
        )
        if self.detail_item is not None and self.detail_item.owner_id != self.busy_leader.pk:
            LedgerItem.objects.filter(pk=self.detail_item.pk).update(
                owner=self.busy_leader, claimed_by=self.busy_leader
            )
        self.queued_appeal = Appeal.objects.filter(status="received").order_by("pk").first()
        out("resident_appeals", Appeal.objects.filter(submitter=self.resident).count())
        out("appeals_to_triage", Appeal.objects.filter(status__in=["received", "triaged"]).count())
        out("busy_unit_items", LedgerItem.objects.filter(lead_unit=self.busy_unit).count())
        out("busy_leader_items", LedgerItem.objects.filter(owner=self.busy_leader).count())
        out(
            "items_awaiting_verification",
            LedgerItem.objects.filter(status="awaiting_verification").count(),
        )
        out("items_overdue", LedgerItem.objects.overdue().count())
        out("items_claimable", LedgerItem.objects.filter(status="open").count())

    # ------------------------------------------------------------- timing

    def make_clients(self) -> dict:
        from django.test import Client

        people = {
            "resident": self.resident,
            "clerk": self.clerk,
            "handler": self.busy_handler,
            "leader": self.busy_leader,
            "supervisor": self.supervisors[0],
        }
        clients = {"anonymous": Client(HTTP_HOST="localhost")}
        for role, person in people.items():
            clients[role] = Client(HTTP_HOST="localhost")
            clients[role].force_login(person)
        return clients

    def pages(self) -> list[Page]:
        from django.urls import reverse
        from django.utils import timezone

        def url(name: str, *args, **query) -> str:
            return reverse(name, args=args) + (f"?{urlencode(query)}" if query else "")

        category = self.categories[1].pk
        item = self.detail_item.number if self.detail_item else "none"
        appeal = self.queued_appeal.tracking_number if self.queued_appeal else "none"
        month_ago = timezone.localdate() - dt.timedelta(days=30)
        return [
            Page("public:ledger", url("public:ledger"), "anonymous"),
            Page("public:ledger", url("public:ledger", q="路灯"), "anonymous", "search"),
            Page("public:ledger", url("public:ledger", category=category), "anonymous", "category"),
            Page(
                "public:track_detail",
                url("public:track_detail", self.resident_appeal.tracking_number),
                "anonymous",
            ),
            Page("triage:queue", url("triage:queue"), "clerk"),
            Page("triage:queue", url("triage:queue", q="学校"), "clerk", "search 学校"),
            Page("triage:queue", url("triage:queue", q="路灯"), "clerk", "search 路灯"),
            Page("triage:queue", url("triage:queue", category=category), "clerk", "category"),
            Page("accounts:my_appeals", url("accounts:my_appeals"), "resident"),
            Page("dispatch:my_items", url("dispatch:my_items"), "handler", "busy unit"),
            Page("dispatch:my_items", url("dispatch:my_items"), "leader", "busy leader"),
            Page("dispatch:claimable", url("dispatch:claimable"), "leader"),
            Page("dispatch:verification", url("dispatch:verification"), "supervisor"),
            Page("dispatch:overdue", url("dispatch:overdue"), "supervisor"),
            Page("dashboard:index", url("dashboard:index"), "supervisor"),
            Page(
                "dashboard:index",
                url("dashboard:index", received_from=month_ago.isoformat()),
                "supervisor",
                "period",
            ),
            Page("public:item", url("public:item", item), "anonymous", "detail"),
            Page("dispatch:item", url("dispatch:item", item), "handler", "detail"),
            Page("triage:appeal", url("triage:appeal", appeal), "clerk", "detail"),
        ]

    def time_pages(self) -> None:
        from django.test.utils import CaptureQueriesContext

        clients = self.make_clients()
        pages = self.pages()
        # A failing page is reported in the table; its traceback would bury it.
        logging.getLogger("django.request").setLevel(logging.CRITICAL)
        results = []
        for page in pages:
            client = clients[page.role]
            result = Result(page)
            results.append(result)
            try:
                response = client.get(page.url)  # warm-up, and is it there at all?
            except Exception as error:  # one failing page must not hide the others' figures
                result.state = f"error: {type(error).__name__}: {str(error)[:60]}"
                continue
            if response.status_code != 200:
                result.state = f"HTTP {response.status_code}"
                continue
            times, cpu_times = [], []
            for _run in range(self.args.runs):
                started, cpu = time.perf_counter(), time.process_time()
                client.get(page.url)
                times.append((time.perf_counter() - started) * 1000)
                cpu_times.append((time.process_time() - cpu) * 1000)
            result.median_ms, result.max_ms = statistics.median(times), max(times)
            result.cpu_ms = statistics.median(cpu_times)
            with CaptureQueriesContext(self.connection) as captured:
                client.get(page.url)
            result.queries = len(captured)
        self.count_rows(results, clients)
        self.print_table(results)

    def count_rows(self, results: list[Result], clients: dict) -> None:
        """The rows each list shows, read from the template context: a separate
        pass, because recording the context slows rendering down."""
        from django.test.utils import setup_test_environment, teardown_test_environment

        setup_test_environment()
        try:
            for result in results:
                if result.state != "ok":
                    continue
                response = clients[result.page.role].get(result.page.url)
                result.rows = rows_shown(response)
        finally:
            teardown_test_environment()

    def print_table(self, results: list[Result]) -> None:
        header = (
            "page",
            "variant",
            "role",
            "median ms",
            "max ms",
            "cpu ms",
            "queries",
            "rows",
            "< 200 ms",
        )
        lines = []
        for r in results:
            if r.state != "ok":
                lines.append((r.page.name, r.page.note, r.page.role, "", "", "", "", "", r.state))
                continue
            lines.append(
                (
                    r.page.name,
                    r.page.note,
                    r.page.role,
                    f"{r.median_ms:.1f}",
                    f"{r.max_ms:.1f}",
                    f"{r.cpu_ms:.1f}",
                    str(r.queries),
                    r.rows,
                    "yes" if r.median_ms < TARGET_MS else "NO",
                )
            )
        widths = [max(width(row[i]) for row in [header, *lines]) for i in range(len(header))]
        print()
        for row in [header, tuple("-" * w for w in widths), *lines]:
            cells = [cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)]
            print("  ".join(cells).rstrip())
        print()
        for r in results:
            print(f"# {r.page.name} {r.page.note}: {r.page.url}".replace(" :", ":"))
        built = [r for r in results if r.state == "ok"]
        out("pages_timed", len(built))
        out("pages_failing", sum(r.state.startswith(("HTTP", "error")) for r in results))
        out("pages_over_target", sum(r.median_ms >= TARGET_MS for r in built))


def width(text: str) -> int:
    """Columns a string takes in a terminal: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def rows_shown(response) -> str:
    """'50/12345' for a paginated list (rows on the page/rows in the list), the
    row count of its tables otherwise, '-' for a page with neither."""
    context = response.context
    if context is not None:
        for key in ("page", "page_obj"):
            try:
                page = context[key]
            except KeyError:
                continue
            if hasattr(page, "object_list") and hasattr(page, "paginator"):
                return f"{len(page.object_list)}/{page.paginator.count}"
    html = response.content.decode()
    rows = 0
    for body in html.split("<tbody")[1:]:
        rows += body.split("</tbody>")[0].count("<tr")
    return str(rows) if rows else "-"


def main() -> int:
    return bench_ledger.main(PagesBench, doc=__doc__, runs=5)


if __name__ == "__main__":
    sys.exit(main())
