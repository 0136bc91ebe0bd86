"""Load-test the Open311 API as production runs it: gunicorn with several
workers on loopback, PostgreSQL, Redis for the shared rate limits, driven by
wrk (a C load generator, so the client costs little CPU). Prints requests/s
and latency percentiles for POST requests.json and GET requests.json.

    .venv/bin/python bench/bench_open311_load.py                 # 20 s per scenario
    .venv/bin/python bench/bench_open311_load.py --seconds 5 --appeals 2000
    .venv/bin/python bench/bench_open311_load.py --queued   # POSTs queued, then drained

Needs wrk (`apt-get install -y wrk` on Debian), a PostgreSQL server and
redis-server (it starts its own on a free port unless SHISHI_CACHE_URL is set).
It creates its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/shishi_open311_bench; dropped first if it
exists, dropped at the end unless --keep), migrates it, seeds categories and
some thousands of appeals, then starts the server. See bench/README.md.

With --queued the server runs in queued mode (SHISHI_OPEN311_QUEUE=1): each
POST is checked and kept, answered with a token; after the POST run the
benchmark drains the queue as the worker's task does, times it, prints its CPU
per request and checks that every queued request became exactly one appeal.
"""

import argparse
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/shishi_open311_bench"
TARGETS = {"POST": 300, "GET": 1000}
P95_TARGET_MS = 100

PLACES = ["建设路", "桐柏路", "秦岭路", "伏牛路", "嵩山路", "中原路", "林山寨", "棉纺路"]
PROBLEMS = ["路灯不亮", "井盖破损", "道路积水", "垃圾清运不及时", "噪音扰民", "违规占道经营"]
GROUPS = {
    "城乡建设": ["道路", "路灯", "排水", "燃气"],
    "环境保护": ["噪音", "垃圾", "绿化"],
    "教育": ["学位", "校车"],
    "交通": ["公交", "停车"],
}

# wrk scripts: each request a different description and location (POST), or
# page (GET); done() prints the figures as one JSON line.
LUA_DONE = """
done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, '
    .. '"p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "non_2xx": %d, "socket_errors": %d}\\n',
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""
LUA_POST = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
local n = 0
local problems = { PROBLEMS }
request = function()
  n = n + 1
  local body = "api_key=" .. "{KEY}" .. "&service_code={CODE}"
    .. "&lat=" .. string.format("%.6f", 34.7 + math.random() / 10)
    .. "&long=" .. string.format("%.6f", 113.6 + math.random() / 10)
    .. "&description=" .. problems[math.random(#problems)] .. "%20" .. n .. "-" .. math.random(1e9)
    .. "&attribute%5Bsize%5D=" .. (math.random() < 0.5 and "small" or "large")
    .. "&first_name=%E4%B8%89&last_name=%E5%BC%A0&phone=13800000000"
  return wrk.format(nil, "/open311/v2/requests.json", nil, body)
end
"""
LUA_GET = """
request = function()
  return wrk.format("GET", "/open311/v2/requests.json?api_key={KEY}{QUERY}")
end
"""


def out(name: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    print(f"{name}\t{value}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")
        time.sleep(0.3)


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"unexpected database name {name!r}")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")


def drop_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {parsed.path.lstrip('/')} WITH (FORCE)")


def seed(appeals: int) -> tuple[str, str]:
    """Migrate, then categories (one with attributes), appeals over the past 80
    days (a quarter answered) and a key with no practical limit."""
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from shishi.apikeys.services import apikey_create
    from shishi.categories.services import category_create
    from shishi.intake.bulk import appeals_bulk_create
    from shishi.intake.models import Appeal
    from shishi.intake.services import appeal_answer
    from shishi.open311.models import AttributeValue, ServiceAttribute
    from shishi.org.services import user_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    out("migrate_s", time.perf_counter() - started)
    rng = random.Random(311)
    categories = []
    for i, (group, names) in enumerate(GROUPS.items()):
        parent = category_create(name=group, code=f"g{i}")
        for j, name in enumerate(names):
            categories.append(category_create(name=name, code=f"c{i}{j}", parent=parent))
    roads = categories[0]
    size = ServiceAttribute.objects.create(
        category=roads,
        code="size",
        datatype="singlevaluelist",
        required=True,
        description="破损有多大？",
    )
    AttributeValue.objects.create(attribute=size, key="small", name="小于一米")
    AttributeValue.objects.create(attribute=size, key="large", name="大于一米")
    clerk = user_create(username="bench-clerk", full_name="受理员", roles=["clerk"])
    now = timezone.now()
    step = dt.timedelta(days=80) / max(appeals, 1)
    started = time.perf_counter()
    appeals_bulk_create(
        (
            {
                "title": f"{rng.choice(PLACES)}{rng.choice(PROBLEMS)}",
                "body": "居民反映的问题，希望尽快解决。",
                "channel": rng.choice(["hotline", "web", "api"]),
                "category": rng.choice(categories),
                "address": f"{rng.choice(PLACES)}{rng.randint(1, 200)}号",
                "lat": f"{34.7 + rng.random() / 10:.6f}",
                "lng": f"{113.6 + rng.random() / 10:.6f}",
                "submitter_name": "市民",
                "submitter_phone": "13800000000",
                "received_at": now - dt.timedelta(days=80) + i * step,
            }
            for i in range(appeals)
        ),
        actor=clerk,
        reason="bench import",
    )
    for appeal in Appeal.objects.order_by("?")[: min(appeals // 4, 500)]:
        appeal_answer(appeal=appeal, actor=clerk, answer="已处理完毕")
    out("seed_appeals", appeals)
    out("seed_s", time.perf_counter() - started)
    _key, raw = apikey_create(name="bench", rate_per_minute=10**9)
    # Autovacuum would analyse the new rows within a minute; without statistics
    # the planner sorts the whole window instead of reading the index.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return raw, roads.code


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


class ServerCpu:
    """CPU time spent serving: gunicorn's processes, the PostgreSQL backends of
    the benchmark's database and its Redis. Divided by the requests, it does
    not depend on what else the machine runs, unlike requests/s."""

    def __init__(self, server_pid: int, redis_pid: int | None, db_name: str):
        self.server_pid, self.redis_pid, self.db_name = server_pid, redis_pid, db_name

    def pids(self) -> dict[int, str]:
        """Each process at work, with what it is: app, postgresql or redis."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.db_name],
            )
            backends = [row[0] for row in cursor.fetchall()]
        pids = {pid: "app" for pid in [self.server_pid, *_children(self.server_pid)]}
        pids.update((pid, "postgresql") for pid in backends)
        if self.redis_pid:
            pids[self.redis_pid] = "redis"
        return pids

    def sample(self) -> dict[int, tuple[str, float]]:
        return {pid: (kind, _cpu_seconds(pid)) for pid, kind in self.pids().items()}

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        """CPU seconds per kind of process; a process that started during the
        run counts from zero."""
        spent = {"app": 0.0, "postgresql": 0.0, "redis": 0.0}
        for pid, (kind, cpu) in after.items():
            spent[kind] += cpu - before.get(pid, (kind, 0.0))[1]
        return spent


def run_wrk(name: str, script: str, url: str, args, *, seconds: int | None = None) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script + LUA_DONE)
    try:
        result = subprocess.run(  # noqa: S603 - our own command line
            [
                shutil.which("wrk"),
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{seconds or args.seconds}s",
                "--timeout",
                "5s",
                "-s",
                f.name,
                url,
            ],
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(f.name)
    if result.returncode != 0:
        raise SystemExit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH "))
    figures = json.loads(line[len("BENCH ") :])
    if seconds is not None:  # a warm-up: not reported
        return figures
    for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms"):
        out(f"{name}_{key}", float(figures[key]))
    out(f"{name}_requests", figures["requests"])
    out(f"{name}_non_2xx", figures["non_2xx"])
    out(f"{name}_socket_errors", figures["socket_errors"])
    met = figures["rps"] >= TARGETS[name.split("_")[0]] and figures["p95_ms"] < P95_TARGET_MS
    out(f"{name}_meets_target", "yes" if met else "NO")
    return figures


def drain_and_check(accepted: int, *, connections: int = 0, quiet: bool = False) -> float:
    """File the queue as the worker's task does, in this process; print its
    time and CPU (this process and its PostgreSQL backend) per request, and
    check that each queued request became exactly one appeal. Returns the
    drain's CPU ms per request."""
    from django.db import connection

    from shishi.intake.models import Appeal
    from shishi.open311.models import QueuedRequest, ServiceRequest
    from shishi.open311.services import requests_drain

    # Requests wrk left in flight at its deadline finish after it: wait
    # until the queue stops growing.
    queued = -1
    while queued != (queued := QueuedRequest.objects.count()):
        time.sleep(0.5)
    appeals, requests = Appeal.objects.count(), ServiceRequest.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    cpu_before, db_before = time.process_time(), _cpu_seconds(backend)
    started = time.perf_counter()
    result = requests_drain()
    seconds = time.perf_counter() - started
    app_cpu = time.process_time() - cpu_before
    db_cpu = _cpu_seconds(backend) - db_before
    tokens = ServiceRequest.objects.values("token").distinct().count()
    problems = []
    if result["stored"] != queued or result["refused"]:
        problems.append(f"drain filed {result} of {queued} queued")
    if Appeal.objects.count() - appeals != queued:
        problems.append(f"{Appeal.objects.count() - appeals} appeals for {queued} queued")
    if ServiceRequest.objects.count() - requests != queued or tokens != requests + queued:
        problems.append("ServiceRequests do not match the queued tokens one to one")
    if QueuedRequest.objects.exists():
        problems.append("requests left in the queue")
    # wrk counts the answers it read; those in flight at its deadline were
    # queued too (at most one per connection).
    if not quiet and not accepted <= queued <= accepted + connections:
        problems.append(f"{queued} queued for {accepted} accepted answers")
    if problems:
        raise SystemExit("queued POSTs were not stored exactly once: " + "; ".join(problems))
    per_request = (app_cpu + db_cpu) * 1000 / max(queued, 1)
    if not quiet:
        out("POST_queued", queued)
        out("POST_drain_s", seconds)
        out("POST_drain_per_s", queued / seconds if seconds else 0.0)
        out("POST_drain_app_cpu_ms_per_request", app_cpu * 1000 / max(queued, 1))
        out("POST_drain_postgresql_cpu_ms_per_request", db_cpu * 1000 / max(queued, 1))
        out("POST_appeals_stored_once", "yes")
    return per_request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appeals", type=int, default=5000, help="appeals to seed")
    parser.add_argument("--seconds", type=int, default=20, help="per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured seconds first")
    # One process more than there are cores, two threads each for the waits on
    # PostgreSQL: gthread workers keep connections alive. On two cores this beat
    # 2 x 4 and 5 x 1 (see README, "Running in production").
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--server-threads", type=int, default=2, help="gunicorn --threads")
    # Twice the server's threads: every thread always has a request waiting.
    parser.add_argument("--connections", type=int, default=16, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--queued",
        action="store_true",
        help="SHISHI_OPEN311_QUEUE=1: POSTs are queued, then drained and checked",
    )
    parser.add_argument(
        "--no-response-cache",
        action="store_true",
        help="SHISHI_OPEN311_CACHE_SECONDS=0: every GET builds its answer",
    )
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (Debian/Ubuntu)")
    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DEBUG": "0",
        "SECRET_KEY": "open311-bench-secret-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SHISHI_HTTPS": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "shishi.settings")
    if args.no_response_cache:
        env["SHISHI_OPEN311_CACHE_SECONDS"] = "0"
    env["SHISHI_OPEN311_QUEUE"] = "1" if args.queued else "0"
    env.setdefault("SHISHI_DATA_DIR", tempfile.mkdtemp(prefix="shishi-open311-bench-"))
    # The API serves no static files; an empty folder keeps whitenoise quiet.
    Path(env["SHISHI_DATA_DIR"], "static").mkdir(parents=True, exist_ok=True)
    redis = None
    if not env.get("SHISHI_CACHE_URL"):
        if shutil.which("redis-server") is None:
            raise SystemExit("redis-server is not installed (or set SHISHI_CACHE_URL)")
        redis_port = free_port()
        redis = subprocess.Popen(  # noqa: S603 - our own command line
            [
                shutil.which("redis-server"),
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        env["SHISHI_CACHE_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    os.environ.update(env)

    recreate_database(db_url)
    server = None
    try:
        key, code = seed(args.appeals)
        from django.db import connections

        connections.close_all()
        port = free_port()
        command = [
            str(VENV_BIN / "gunicorn"),
            "shishi.wsgi:application",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ]
        if args.server_threads > 1:
            command.append(f"--threads={args.server_threads}")
        server = subprocess.Popen(  # noqa: S603 - our own command line
            command, env=env, cwd=ROOT, start_new_session=True
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/open311/v2/services.json?api_key={quote(key)}", 60)
        out("server", f"gunicorn {args.workers} workers x {args.server_threads} threads")
        out("response_cache_s", env.get("SHISHI_OPEN311_CACHE_SECONDS", "default (5)"))
        out("post_mode", "queued" if args.queued else "filed at once")
        out("load", f"wrk {args.threads} threads, {args.connections} connections, {args.seconds} s")

        from shishi.intake.models import Appeal

        problems = ", ".join(f'"{quote(p)}"' for p in PROBLEMS)
        post = LUA_POST.replace(" PROBLEMS ", problems).replace("{KEY}", key)
        post = post.replace("{CODE}", code)
        # The default query: the last 90 days, newest first, the default page.
        get = LUA_GET.replace("{KEY}", quote(key)).replace("{QUERY}", "")
        # Each worker's first requests load translations, URLs and connections.
        if args.warmup:
            run_wrk("POST", post, base, args, seconds=args.warmup)
            run_wrk("GET", get, base, args, seconds=args.warmup)
            if args.queued:
                drain_and_check(0, quiet=True)
        cpu = ServerCpu(server.pid, redis.pid if redis else None, urlparse(db_url).path[1:])
        for name, script in (("POST", post), ("GET", get)):
            before, appeals = cpu.sample(), Appeal.objects.count()
            client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            figures = run_wrk(name, script, base, args)
            client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            spent = ServerCpu.spent(before, cpu.sample())
            per_request = sum(spent.values()) * 1000 / max(figures["requests"], 1)
            out(f"{name}_server_cpu_ms_per_request", per_request)
            for kind, seconds in spent.items():
                out(
                    f"{name}_{kind}_cpu_ms_per_request",
                    seconds * 1000 / max(figures["requests"], 1),
                )
            # What two cores could serve if the server had them to itself.
            out(f"{name}_rps_two_free_cores", 2000 / per_request if per_request else 0.0)
            client = (client_after.ru_utime + client_after.ru_stime) - (
                client_before.ru_utime + client_before.ru_stime
            )
            out(f"{name}_wrk_cpu_ms_per_request", client * 1000 / max(figures["requests"], 1))
            if name == "POST" and args.queued:
                accepted = figures["requests"] - figures["non_2xx"]
                drain_cpu = drain_and_check(accepted, connections=args.connections)
                total = per_request + drain_cpu
                out("POST_served_and_drained_cpu_ms_per_request", total)
                out("POST_rps_two_free_cores_with_drain", 2000 / total if total else 0.0)
            elif name == "POST":
                out("POST_appeals_stored", Appeal.objects.count() - appeals)
        connections.close_all()
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(db_url)


if __name__ == "__main__":
    main()
