"""Time the weekly bulletin (周调度通报) at 10,000 items: its figures, and the
whole bulletin as HTML, .xlsx and PDF, for this week and for a past week.
The target is under 5 s for each format. Prints one figure per line.

    .venv/bin/python bench/bench_bulletin.py              # 10,000 items, 50 weeks
    .venv/bin/python bench/bench_bulletin.py --quick      # 1,000 items, 10 weeks

The ledger is bench_ledger.py's (items in every status, 1–3 targets each, a
current report a week for every item that has been under way, 80% reporting
this week, 2% of the weeks corrected), led by 30 departments and 10 streets,
without appeals (the bulletin reads none). Because the bulletin reads each
item's history to know what it was at the end of the week, every item is
given the history the services would have written: opened, claimed, started
at its first report, submitted and settled, suspended or cancelled, each at
its time. SQLite by default; PostgreSQL with DATABASE_URL (see bench/README.md).
"""

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ledger import Bench, main, out  # noqa: E402

TARGET_S = 5.0


class BulletinBench(Bench):
    def build(self) -> None:
        self.reference_data()
        self.items()
        self.spread_over_streets()
        self.reports()
        self.history()

    def spread_over_streets(self) -> None:
        """A quarter of the owned items are led by streets, the rest by departments."""
        from django.db.models import F

        from shishi.ledger.models import LedgerItem

        owned = LedgerItem.objects.filter(lead_unit__isnull=False)
        for k, street in enumerate(self.streets):
            owned.alias(m=F("pk") % 40).filter(m=30 + k).update(lead_unit=street)

    def history(self) -> None:
        """The history records the services would have written, in bulk."""
        from django.db import transaction
        from django.db.models import Min
        from django.utils import timezone

        from shishi.ledger.models import LedgerItem, ProgressReport

        History = LedgerItem.history.model
        zone = timezone.get_current_timezone()
        now = timezone.now()
        fields = [f.attname for f in History.tracked_fields]
        first_report = dict(
            ProgressReport.objects.values("item")
            .annotate(first=Min("week_start"))
            .values_list("item", "first")
        )
        started = time.perf_counter()
        rows = []

        def record(values: dict, when: dt.datetime, **changes) -> None:
            rows.append(
                History(
                    history_date=when,
                    history_type="+" if not rows or rows[-1].id != values["id"] else "~",
                    history_user_id=values["created_by_id"],
                    **{**{name: values[name] for name in fields}, **changes},
                )
            )

        with transaction.atomic():
            for values in LedgerItem.objects.values(*fields).iterator(chunk_size=2_000):
                status = values["status"]
                unowned = {"owner_id": None, "lead_unit_id": None, "claimed_at": None}
                unowned |= {"claimed_by_id": None, "settled_at": None, "verifier_id": None}
                record(values, values["created_at"], status="draft", **unowned)
                if status == "draft":
                    continue
                record(values, values["opened_at"], status="open", **unowned)
                claimed = values["claimed_at"]
                if claimed is not None:
                    record(values, claimed, status="claimed", settled_at=None, verifier_id=None)
                    first = first_report.get(values["id"])
                    if first is not None:
                        at = dt.datetime.combine(first, dt.time(17), tzinfo=zone)
                        record(values, at, status="in_progress", settled_at=None, verifier_id=None)
                if status == "settled":
                    settled = values["settled_at"]
                    before = settled - dt.timedelta(days=2)
                    record(values, before, status="awaiting_verification", settled_at=None)
                    record(values, settled, status="settled")
                elif status == "awaiting_verification":
                    record(values, now - dt.timedelta(days=3), status=status)
                elif status in ("suspended", "cancelled"):
                    record(values, now - dt.timedelta(days=20), status=status)
                if len(rows) >= 10_000:
                    History.objects.bulk_create(rows)
                    rows = []
            History.objects.bulk_create(rows)
        elapsed = time.perf_counter() - started
        out("history_rows", History.objects.count())
        out("history_insert_s", elapsed)

    def timings(self) -> None:
        import logging

        from django.utils import timezone

        from shishi.ledger.models import week_start
        from shishi.reports.pdf import cjk_font_available
        from shishi.reports.weekly import bulletin_figures, bulletin_render

        logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its progress lines
        this_monday = week_start(timezone.localdate())
        weeks = {
            "this_week": this_monday,
            # Three weeks back: deadlines start two months ago and settlements a
            # month ago, so that week has overdue and settled items too.
            "past_week": this_monday - dt.timedelta(weeks=min(3, self.args.weeks - 1)),
        }
        for name, monday in weeks.items():
            b = bulletin_figures(monday)
            out(f"{name}", b.week)
            out(f"{name}_items", b.items)
            out(f"{name}_units", len(b.units))
            out(f"{name}_reported", b.reporting.reported)
            out(f"{name}_due", b.reporting.due)
            out(f"{name}_rate_percent", b.reporting.percent)
            out(f"{name}_behind", len(b.behind))
            out(f"{name}_overdue", len(b.overdue))
            out(f"{name}_settled", len(b.settled))
            out(f"{name}_figures_queries", self.queries(lambda m=monday: bulletin_figures(m)))
            out(f"{name}_figures_ms", self.median_ms(lambda m=monday: bulletin_figures(m)))
            formats = ["html", "xlsx"] + (["pdf"] if cjk_font_available() else [])
            for fmt in formats:
                bulletin_render(monday, fmt)  # warm-up: templates, fonts, WeasyPrint's import
                started, cpu = time.perf_counter(), time.process_time()
                data = bulletin_render(monday, fmt)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                out(f"{name}_{fmt}_s", elapsed)
                # This process's CPU time: the work itself, less the time a busy
                # machine's other programs took (all of it is in-process on SQLite).
                out(f"{name}_{fmt}_cpu_s", cpu)
                out(f"{name}_{fmt}_kb", len(data) / 1024)
                out(f"{name}_{fmt}_under_{TARGET_S:g}s", "yes" if elapsed < TARGET_S else "NO")
            if "pdf" not in formats:
                out(f"{name}_pdf", "skipped: no Chinese font installed")


if __name__ == "__main__":
    sys.exit(main(BulletinBench, doc=__doc__, runs=5))
