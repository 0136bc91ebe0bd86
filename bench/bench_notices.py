"""Time the delivery of notices to residents (shishi.notices) by one worker
with the file backends: every notice by e-mail (Django's file-based mail
backend) and by SMS (the file backend). Prints notices sent per second per
worker (target ≥ 200/s) and deliveries (notice × channel) per second.

    .venv/bin/python bench/bench_notices.py [--notices 5000] [--channels email,sms]

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

from bench_ledger import Bench, chunks, out  # noqa: E402

TARGET_PER_S = 200


class NoticeBench(Bench):
    def build(self) -> None:
        from django.utils import timezone

        from shishi.intake.models import Appeal, AppealNotice

        now = timezone.now()
        started = time.perf_counter()
        rows = (
            Appeal(
                tracking_number=f"B{i:09d}",
                title=f"路灯不亮{i}",
                channel="hotline",
                received_at=now,
                submitter_phone=f"138{i:08d}",
                submitter_email=f"resident{i}@example.com",
            )
            for i in range(self.args.notices)
        )
        for chunk in chunks(rows, 2000):
            Appeal.objects.bulk_create(chunk)
        appeals = Appeal.objects.values_list("pk", flat=True)
        for chunk in chunks(appeals.iterator(), 2000):
            AppealNotice.objects.bulk_create(
                AppealNotice(
                    appeal_id=pk,
                    message="您的诉求已办结：路灯已修复。",
                    invites_rating=pk % 2 == 0,
                )
                for pk in chunk
            )
        out("notices_stored", AppealNotice.objects.count())
        out("insert_s", time.perf_counter() - started)

    def timings(self) -> None:
        from django.conf import settings
        from django.test.utils import override_settings

        from shishi.intake.models import AppealNotice
        from shishi.notices.models import NoticeDelivery
        from shishi.notices.services import notices_deliver

        outbox = Path(settings.DATA_DIR) / "bench-outbox"
        channels = self.args.channels.split(",")
        with override_settings(
            SHISHI_NOTICE_CHANNELS=channels,
            SHISHI_SMS_BACKEND="file",
            SHISHI_SMS_FILE_PATH=outbox / "sms.jsonl",
            SHISHI_NOTICE_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            SHISHI_NOTICE_EMAIL_DIR=outbox / "mail",
            SHISHI_NOTICE_BATCH=500,
        ):
            started = time.perf_counter()
            totals = {"sent": 0, "planned": 0}
            while True:
                result = notices_deliver(worker="bench")
                totals["sent"] += result["sent"]
                totals["planned"] += result["planned"]
                if not result["sent"]:
                    break
            seconds = time.perf_counter() - started
        delivered = AppealNotice.objects.filter(sent_at__isnull=False).count()
        out("channels", ",".join(channels))
        out("deliver_s", seconds)
        out("deliveries_sent", NoticeDelivery.objects.filter(status="sent").count())
        out("notices_sent", delivered)
        out("sms_lines", sum(1 for _ in (outbox / "sms.jsonl").open()) if "sms" in channels else 0)
        per_s = delivered / seconds
        out("notices_per_s_per_worker", per_s)
        out("deliveries_per_s_per_worker", totals["sent"] / seconds)
        out(f"target_{TARGET_PER_S}_per_s_met", "yes" if per_s >= TARGET_PER_S else "NO")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=5000)
    parser.add_argument("--channels", default="email,sms")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE SQLite before timing")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="shishi-bench-notices-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shishi.settings"
    os.environ["DEBUG"] = "1"  # for a secret key; the timings run with DEBUG off
    os.environ["SHISHI_DATA_DIR"] = data_dir
    try:
        return NoticeBench(args).run()
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"# kept {data_dir}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
