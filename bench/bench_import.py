"""Import a large CSV of appeals (1,000,000 rows by default) through
`shishi.sheets.appeals.appeals_import`, every row checked and stored in one
transaction, and print the rate and the peak memory. Prints one figure per line.

    .venv/bin/python bench/bench_import.py [--rows 1000000] [--reimport] [--keep]

The file is written first, in the layout of the message-board export
(留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 一级分类), with titles and texts
resampled from ../shared/data/teddy2020 (text padding included), oldest first
over three years, times mixing `2020/1/6 12:09:38`, `2020-01-06 12:09` and
Excel serial numbers, and a category on seven rows in ten. Writing it is not
timed.

SQLite by default, in a temporary folder removed afterwards. With DATABASE_URL
set it uses that PostgreSQL database, which must be empty (see bench/README.md):

    psql -h 127.0.0.1 -U postgres -c 'create database shishi_bench_import'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shishi_bench_import \\
        .venv/bin/python bench/bench_import.py
"""

import argparse
import csv
import datetime as dt
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEDDY = Path(
    os.environ.get("TEDDY_DIR", Path(__file__).resolve().parents[2] / "shared/data/teddy2020")
)
HEADERS = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级分类"]
CATEGORIES = [
    "城乡建设",
    "环境保护",
    "交通运输",
    "教育文体",
    "劳动和社会保障",
    "商贸旅游",
    "卫生计生",
]
# Without the teddy2020 files: texts made from these.
PLACES = ["建设路", "桐柏路", "秦岭路", "伏牛路", "嵩山路", "中原路", "绿东村", "林山寨"]
PROBLEMS = ["路灯不亮", "井盖破损", "小区停车难", "垃圾清运不及时", "道路积水", "噪音扰民"]
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 (a count of days)


def out(key: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.1f}" if value < 100 else f"{value:.0f}"
    print(f"{key}: {value}", flush=True)


def peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def children_cpu_s() -> float:
    """CPU seconds of the finished child processes (the import's reader)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def backend_cpu_s(connection) -> float | None:
    """CPU seconds the PostgreSQL server process of this connection has used,
    when it runs on this machine (read from /proc); None otherwise."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def text_pool() -> tuple[list[str], list[str]]:
    """Titles and texts (with the board's `\\n\\t` padding) of the real messages."""
    titles, bodies = [], []
    if TEDDY.exists():
        import openpyxl

        for name in ("messages_with_votes.xlsx", "messages_with_replies.xlsx"):
            workbook = openpyxl.load_workbook(TEDDY / name, read_only=True, data_only=True)
            for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True):
                if row[2] and row[4]:
                    titles.append(str(row[2]))
                    bodies.append(str(row[4]))
            workbook.close()
    if not titles:
        titles = [place + problem for place in PLACES for problem in PROBLEMS]
        bodies = [
            f"\n\t\t\t\t\t\n\t\t\t\t\t{t}，已经很久了，请有关部门尽快处理。\n\t\t\t\t"
            for t in titles
        ]
    return titles, bodies


def write_file(path: Path, rows: int, rng: random.Random) -> None:
    """Three years of messages, oldest first as exports list them (a few
    minutes out of order here and there)."""
    titles, bodies = text_pool()
    start = dt.datetime(2018, 1, 1)  # noqa: DTZ001 (local time, as files hold it)
    step = 3 * 365 * 86400 / max(rows, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(rows):
            moment = start + dt.timedelta(seconds=i * step + rng.randrange(600))
            kind = rng.random()
            if kind < 0.85:
                when = f"{moment.year}/{moment.month}/{moment.day} {moment:%H:%M:%S}"
            elif kind < 0.95:
                when = f"{moment:%Y-%m-%d %H:%M}"
            else:
                when = f"{(moment - EXCEL_EPOCH).total_seconds() / 86400:.5f}"
            writer.writerow(
                [
                    1_000_000 + i,
                    f"A{rng.randrange(10**8):08d}",
                    rng.choice(titles),
                    when,
                    rng.choice(bodies),
                    rng.choice(CATEGORIES) if rng.random() < 0.7 else "",
                ]
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--reimport", action="store_true", help="then import it again (all skipped)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the file and database afterwards")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="shishi-bench-import-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "shishi.settings"
    os.environ["DEBUG"] = "1"  # for a secret key; the import runs with DEBUG off
    if not os.environ.get("DATABASE_URL"):
        os.environ["SHISHI_DATA_DIR"] = str(folder)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test.utils import override_settings

    override_settings(DEBUG=False).enable()
    if connection.vendor == "postgresql" and connection.introspection.table_names():
        print(
            f"refusing: database {connection.settings_dict['NAME']!r} is not empty; "
            "give the benchmark an empty database of its own",
            file=sys.stderr,
        )
        return 2
    try:
        run(args, folder, connection, call_command)
    finally:
        if connection.vendor == "postgresql" and not args.keep:
            connection.close()
            with connection.cursor() as cursor:
                for table in connection.introspection.table_names(cursor):
                    cursor.execute(
                        f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE"
                    )
        connections.close_all()
        if args.keep:
            print(f"# kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def run(args, folder: Path, connection, call_command) -> None:
    from shishi.categories.services import category_create
    from shishi.sheets.appeals import appeals_import

    version = (
        connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else connection.cursor().connection.info.server_version
    )
    out("backend", f"{connection.vendor} {version}")
    out("cpus", os.cpu_count())
    out("load_average_1min", os.getloadavg()[0])
    call_command("migrate", verbosity=0)
    for name in CATEGORIES:
        category_create(name=name)

    path = folder / "appeals.csv"
    started = time.perf_counter()
    write_file(path, args.rows, random.Random(args.seed))
    out("file_rows", args.rows)
    out("file_mb", path.stat().st_size / 2**20)
    out("file_write_s", time.perf_counter() - started)
    out("rss_before_import_mb", peak_rss_mb())

    def timed(label: str) -> None:
        server = backend_cpu_s(connection)
        reader = children_cpu_s()
        wall, cpu = time.perf_counter(), time.process_time()
        report = appeals_import(path, name=path.name, parallel=True)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        reader = children_cpu_s() - reader
        if server is not None:
            server = backend_cpu_s(connection) - server
        if not report.ok:
            raise SystemExit(f"{report.error_count} errors, first: {report.errors[0]}")
        out(f"{label}_rows", report.rows)
        out(f"{label}_created", report.created)
        out(f"{label}_skipped", report.skipped)
        out(f"{label}_s", wall)
        out(f"{label}_rows_per_s", report.rows / wall)
        # The CPU time of each process per row: on a busy machine the wall
        # clock also counts other programs' turns, these do not. The reader
        # (a forked process) and the storing process run side by side, and
        # so does PostgreSQL's server process.
        out(f"{label}_storing_process_us_per_row", cpu / report.rows * 1e6)
        out(f"{label}_reader_process_us_per_row", reader / report.rows * 1e6)
        if server is not None:
            out(f"{label}_postgresql_server_us_per_row", server / report.rows * 1e6)
        out("load_average_1min", os.getloadavg()[0])
        out("peak_rss_mb", peak_rss_mb())
        out("reader_peak_rss_mb", peak_rss_mb(resource.RUSAGE_CHILDREN))

    timed("import")
    if args.reimport:
        timed("reimport")


if __name__ == "__main__":
    sys.exit(main())
