"""Time the work-order pages (接诉即办) with N work orders: the centre's
dispatch page for one appeal, a unit's queue page on each tab, and the
centre's lists. Prints one figure per line: the median of `--runs` requests
(after a warm-up) in server-side milliseconds, and the queries of one request,
against the 200 ms target.

    .venv/bin/python bench/bench_workorders.py                    # 100,000 orders
    .venv/bin/python bench/bench_workorders.py --orders 1000000   # the issue's size
    .venv/bin/python bench/bench_workorders.py --orders 10000     # a quick look

SQLite by default, in a temporary folder removed afterwards; PostgreSQL when
DATABASE_URL names an empty database (see bench/README.md). The appeals are
bench_ledger.py's (stored with appeals_bulk_create); each gets one work order,
stored in bulk (not through the services, which would take hours at a
million): spread over the year before now, over 30 departments, the busiest
unit (the one timed) taking a tenth of them, in every state (mostly closed,
as a year of work orders is)."""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ledger import Bench, chunks, main, out  # noqa: E402

TARGET_MS = 200
# Share of the orders in each state (per thousand).
STATE_SHARES = [
    ("closed", 880),
    ("dispatched", 15),
    ("signed", 60),
    ("replied", 15),
    ("returned", 5),
    ("reassigned", 15),
    ("cancelled", 10),
]
# Appeals left without an order: waiting in the intake queue to be dispatched.
WAITING_SHARE = 0.01
BATCH = 5_000


def _orders_argument() -> int:
    """--orders N (the rest of the options are bench_ledger's)."""
    orders = 100_000
    if "--orders" in sys.argv:
        at = sys.argv.index("--orders")
        orders = int(sys.argv[at + 1])
        del sys.argv[at : at + 2]
    return orders


ORDERS = _orders_argument()


class WorkOrdersBench(Bench):
    def build(self) -> None:
        self.args.appeals = int(ORDERS / (1 - WAITING_SHARE)) + 1
        self.reference_data()
        self.appeals()
        self.orders()

    def orders(self) -> None:
        import time

        from django.db import transaction
        from django.utils import timezone

        from shishi.intake.models import Appeal
        from shishi.workorders.models import OrderStatus, WorkOrder

        started = time.perf_counter()
        states = [s for s, share in STATE_SHARES for _ in range(share)]
        busy = self.departments[0]
        others = self.departments[1:]
        hour = dt.timedelta(hours=1)
        now = timezone.now()
        rows = Appeal.objects.order_by("pk").values_list("pk", "tracking_number", "received_at")
        made = 0
        by_status: dict[str, list[int]] = {}
        with transaction.atomic():
            for chunk in chunks(rows.iterator(chunk_size=BATCH), BATCH):
                batch = []
                for pk, number, received_at in chunk:
                    if made >= ORDERS:
                        break
                    status = states[self.rng.randrange(len(states))]
                    start = received_at + hour
                    open_now = status in ("dispatched", "signed", "replied")
                    if open_now:
                        # What is still open was dispatched in the last weeks.
                        start = now - dt.timedelta(days=self.rng.uniform(0, 20))
                    unit = busy if self.rng.random() < 0.1 else self.rng.choice(others)
                    order = WorkOrder(
                        number=f"{number}-1",
                        appeal_id=pk,
                        unit=unit,
                        status=status,
                        dispatched_at=start,
                        dispatched_by=self.clerk,
                        sign_due=start + 2 * hour,
                        due_at=start + dt.timedelta(days=9),
                    )
                    if status != "dispatched":
                        order.signed_at = start + hour * self.rng.uniform(0.2, 4)
                    if status in ("replied", "closed"):
                        order.reply = "已安排人员现场处理，问题已解决，已电话告知诉求人。"
                        order.replied_at = start + dt.timedelta(days=self.rng.uniform(1, 10))
                    if status == "closed":
                        order.closed_at = order.replied_at + hour
                    if status in ("returned", "reassigned"):
                        order.returned_at = start + 3 * hour
                        order.return_reason = "不属于本单位职责。"
                    batch.append(order)
                    by_status.setdefault(status, []).append(pk)
                    made += 1
                WorkOrder.objects.bulk_create(batch, batch_size=BATCH)
                if made >= ORDERS:
                    break
            # The appeals follow their orders.
            for status, appeal_status in (
                (OrderStatus.CLOSED, "answered"),
                (OrderStatus.DISPATCHED, "dispatched"),
                (OrderStatus.SIGNED, "dispatched"),
                (OrderStatus.REPLIED, "dispatched"),
                (OrderStatus.RETURNED, "dispatched"),
            ):
                for pks in chunks(by_status.get(status, []), BATCH):
                    Appeal.objects.filter(pk__in=pks).update(status=appeal_status)
        elapsed = time.perf_counter() - started
        out("work_orders", WorkOrder.objects.count())
        out("work_orders_insert_rows_per_s", made / elapsed)
        self.busy = busy

    def timings(self) -> None:
        from django.test import Client

        from shishi.intake.models import Appeal
        from shishi.org.models import User

        clerk = Client(HTTP_HOST="localhost")
        clerk.force_login(self.clerk)
        handler = Client(HTTP_HOST="localhost")
        handler.force_login(User.objects.get(memberships__unit=self.busy))
        waiting = Appeal.objects.filter(status__in=["received", "triaged"]).order_by("pk").first()
        pages = {
            "dispatch_page": (clerk, f"/orders/dispatch/{waiting.tracking_number}/"),
            **{
                f"queue_{tab}": (handler, f"/orders/?tab={tab}")
                for tab in ("to_sign", "in_hand", "due_soon", "overdue", "sent_back", "returned")
            },
            "queue_search": (handler, "/orders/?tab=in_hand&q=%E8%B7%AF%E7%81%AF"),  # 路灯
            **{
                f"centre_{name}": (clerk, f"/orders/centre/?tab={name}")
                for name in ("review", "returned", "extensions", "dissatisfied", "overdue")
            },
        }
        slow = []
        for key, (client, url) in pages.items():
            get = self.page(client, url)
            ms = self.median_ms(get)
            out(f"{key}_ms", ms)
            out(f"{key}_queries", self.queries(get))
            if ms > TARGET_MS:
                slow.append(key)
        out("target_ms", TARGET_MS)
        out("over_target", ", ".join(slow) or "none")


if __name__ == "__main__":
    sys.exit(main(WorkOrdersBench, doc=__doc__, runs=5))
