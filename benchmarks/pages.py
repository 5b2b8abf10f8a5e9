#!/usr/bin/env python
"""Page benchmark: the busiest screens served by gunicorn on PostgreSQL, loaded with wrk, at 0.1× and 1× data.

For each scale it
  - makes sure a benchmark database holds generated data at that scale (rehab_bench_01 for 0.1×, rehab_bench_1
    for 1×; created with `manage.py generate_dataset` when missing, reused otherwise; --regenerate forces it);
  - serves the app with gunicorn in production settings (DEBUG off, SECRET_KEY set, ALLOWED_HOSTS 127.0.0.1,
    no HTTPS redirect, the Django cache in Redis db 6, CONN_MAX_AGE 60);
  - logs in the bench users (sessions created in the database, cookies handed to wrk);
  - loads each page from wrk, a second process on 127.0.0.1, for a fixed time with a few connections.

Pages: the baseline (password_change_done: a logged-in page rendering the base layout with the same middleware
and no queries of its own), the director's dashboard of their facility, the trainer's week, a register, a cohort
page with its roster, and an inmate search. It prints requests per second, p50 and p95 latency, each page's
throughput and p95 relative to the baseline, then the growth from 0.1× to 1×, with the targets and PASS/FAIL:
  every page ≥ 0.4 × the baseline's throughput, p95 ≤ 3 × the baseline's, growth (1× / 0.1×) ≤ 1.2.

The machine is shared: figures move by 10–20 % from run to run. The baseline is measured in the same run, so
the ratios are steadier than the absolute figures.

    .venv/bin/python benchmarks/pages.py            # 0.1× and 1×, 10 s per page (about 5 minutes with data)
    .venv/bin/python benchmarks/pages.py --quick    # 0.01× only, 3 s per page: a smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")

TARGET_THROUGHPUT = 0.4
TARGET_P95 = 3.0
TARGET_GROWTH = 1.2

# wrk's own summary has no 95th percentile: this script prints the figures as JSON when the run ends.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "status_errors": %d, '
    .. '"socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: 0.01× data only, 3 s per page")
    parser.add_argument("--scales", nargs="+", type=float, help="data scales (default 0.1 1)")
    parser.add_argument("--duration", type=int, help="seconds of load per page (default 10)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--regenerate", action="store_true", help="drop and generate the benchmark databases again")
    parser.add_argument("--prepare", type=float, help=argparse.SUPPRESS)  # internal: runs inside Django
    return parser.parse_args()


def db_name(scale: float) -> str:
    return "rehab_bench_" + f"{scale:g}".replace(".", "")


def env_for(scale: float) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{db_name(scale)}",
        SECRET_KEY="bench-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        REDIS_URL=REDIS_URL,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_RESULT_BACKEND=REDIS_URL,
        CONN_MAX_AGE="60",
        STATIC_ROOT=str(ROOT / "var" / "bench-static"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(scale: float, *args: str, quiet: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args, "--skip-checks"], cwd=ROOT, env=env_for(scale), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}")
    if not quiet:
        print(result.stdout.rstrip())
    return result.stdout


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", f"{PG}/{database}", "-Atqc", sql], text=True, check=True, stdout=subprocess.PIPE
    ).stdout.strip()


# ------------------------------------------------------------------------------------------------ data


def ensure_database(scale: float, regenerate: bool) -> None:
    name = db_name(scale)
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and regenerate:
        psql(f"DROP DATABASE {name}")
        exists = False
    if not exists:
        psql(f"CREATE DATABASE {name}")
    manage(scale, "migrate", "--noinput", quiet=True)
    from_scale = psql(
        "SELECT count(*) FROM rehab_facility f JOIN auth_user u ON u.username = 'bench-director'", name
    )
    if from_scale in ("", "0"):
        print(f"Generating {scale:g}× data in {name} …", flush=True)
        manage(scale, "generate_dataset", "--scale", f"{scale:g}")
    else:
        print(f"Reusing {name} ({from_scale} facilities).")


def prepare_inside_django(scale: float) -> None:
    """Runs in a subprocess with the benchmark's settings: log the bench users in, choose the pages' objects."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from inmates.models import Inmate
    from programs.models import Session
    from programs.selectors import cohorts_delivered_by
    from rehab.models import RoleAssignment

    users = get_user_model().objects.in_bulk(["bench-director", "bench-trainer"], field_name="username")
    cookies = {}
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        cookies[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    director, trainer = users["bench-director"], users["bench-trainer"]
    facility = RoleAssignment.objects.get(user=director, role="director").facility
    today = timezone.localdate()
    cohorts = cohorts_delivered_by(user=trainer).filter(start_date__lte=today, end_date__gte=today)
    session = (
        Session.objects.filter(cohort__in=cohorts, date__lte=today, date__gte=today - timezone.timedelta(days=6))
        .exclude(status="cancelled")
        .order_by("-date", "-start_time")
        .first()
    )
    cohort = cohorts.annotate(n=Count("enrolments")).order_by("-n", "pk").first()
    surname = (
        Inmate.objects.filter(current_facility=facility)
        .values("last_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "last_name")
        .first()["last_name"]
    )
    pages = [
        ("baseline", "bench-director", reverse("password_change_done")),
        ("dashboard", "bench-director", reverse("programs:dashboard", args=[facility.pk])),
        ("week", "bench-trainer", reverse("programs:week")),
        ("register", "bench-trainer", reverse("programs:register", args=[session.pk])),
        ("cohort roster", "bench-director", reverse("programs:cohort_detail", args=[cohort.pk])),
        ("inmate search", "bench-director", reverse("inmates:list") + "?q=" + urllib.parse.quote(surname[:5])),
    ]
    # Queries per page, counted in this process: they must not grow with the data.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = {}
    for page, username, path in pages:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[username]
        client.get(path, HTTP_HOST="127.0.0.1")
        with CaptureQueriesContext(connection) as captured:
            client.get(path, HTTP_HOST="127.0.0.1")
        queries[page] = len(captured.captured_queries)
    print("PREPARED " + json.dumps({"cookies": cookies, "pages": pages, "cookie_name": settings.SESSION_COOKIE_NAME,
                                    "queries": queries}))


# ------------------------------------------------------------------------------------------------ load


@dataclass
class Figures:
    page: str
    url: str
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int
    queries: int = 0


class Server:
    def __init__(self, scale: float, workers: int, port: int) -> None:
        self.scale, self.workers, self.port = scale, workers, port
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "rehab.wsgi", "-w", str(self.workers), "-b",
             f"127.0.0.1:{self.port}", "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=env_for(self.scale), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        self.log.seek(0)
        sys.exit(f"gunicorn did not start:\n{self.log.read()}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def fetch(url: str, cookie: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def load(page: str, url: str, cookie: str, *, duration: int, connections: int, script: str) -> Figures:
    status, body = fetch(url, cookie)
    if status != 200 or b'name="password"' in body and page != "baseline":
        sys.exit(f"{page}: {url} answered {status}; the benchmark needs 200 with a logged-in page")
    for _n in range(3):  # warm the workers' caches and connections
        fetch(url, cookie)
    result = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--timeout", "20s", "-s", script,
         "-H", f"Cookie: {cookie}", "-H", "Accept-Language: en", url],
        text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk failed on {url}:\n{result.stdout}")
    data = json.loads(line[len("RESULT "):])
    rps = data["requests"] / (data["duration_us"] / 1e6)
    return Figures(page, url, rps, data["p50"] / 1000, data["p95"] / 1000, data["status_errors"] + data["socket_errors"])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def prepare(scale: float, args: argparse.Namespace) -> dict:
    ensure_database(scale, args.regenerate)
    prepared = subprocess.run(
        [PYTHON, __file__, "--prepare", f"{scale:g}"], cwd=ROOT, env=env_for(scale), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    line = next((line for line in prepared.stdout.splitlines() if line.startswith("PREPARED ")), None)
    if line is None:
        sys.exit(f"preparing the pages failed:\n{prepared.stdout}")
    return json.loads(line[len("PREPARED "):])


def run_all(scales: list[float], args: argparse.Namespace, script: str) -> dict[float, dict[str, Figures]]:
    """Every scale's server runs at once and each page is loaded at every scale in turn, so that a change in the
    machine's load (it is shared) falls on both scales alike rather than on one of them."""
    manage(scales[0], "collectstatic", "--noinput", quiet=True)  # before the pages are first rendered
    setups = {scale: prepare(scale, args) for scale in scales}
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], stdout=subprocess.DEVNULL, check=False)
    results: dict[float, dict[str, Figures]] = {scale: {} for scale in scales}
    with contextlib.ExitStack() as stack:
        ports = {}
        for n, scale in enumerate(scales):
            ports[scale] = args.port + n
            stack.enter_context(Server(scale, args.workers, ports[scale]))
        for index, (page, _username, _path) in enumerate(setups[scales[0]]["pages"]):
            for scale in scales:
                setup = setups[scale]
                _page, username, path = setup["pages"][index]
                cookie = f"{setup['cookie_name']}={setup['cookies'][username]}; django_language=en"
                url = f"http://127.0.0.1:{ports[scale]}{path}"
                figures = load(page, url, cookie, duration=args.duration, connections=args.connections, script=script)
                figures.queries = setup["queries"][page]
                results[scale][page] = figures
                print(f"  {scale:>5g}×  {page:<14} {figures.rps:8.1f} req/s  p50 {figures.p50_ms:7.1f} ms  "
                      f"p95 {figures.p95_ms:7.1f} ms  {figures.queries} queries", flush=True)
    return results


def _path(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def print_scale(scale: float, results: dict[str, Figures], summary: str) -> bool:
    base = results["baseline"]
    print(f"\n{scale:g}× data — {summary}")
    print(f"{'page':<15}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'queries':>8}{'errors':>7}   "
          f"{'throughput/baseline (≥0.4)':>28}   {'p95/baseline (≤3)':>20}   URL")
    ok = True
    for figures in results.values():
        ratio = figures.rps / base.rps
        p95 = figures.p95_ms / base.p95_ms if base.p95_ms else float("inf")
        good = ratio >= TARGET_THROUGHPUT and p95 <= TARGET_P95 and not figures.errors
        ok &= good
        print(f"{figures.page:<15}{figures.rps:9.1f}{figures.p50_ms:9.1f}{figures.p95_ms:9.1f}{figures.queries:8d}"
              f"{figures.errors:7d}   "
              f"{ratio:22.2f} {verdict(ratio >= TARGET_THROUGHPUT):>5}   {p95:14.2f} {verdict(p95 <= TARGET_P95):>5}"
              f"   {_path(figures.url)}")
    return ok


def print_growth(small: float, large: float, a: dict[str, Figures], b: dict[str, Figures]) -> bool:
    print(f"\nGrowth from {small:g}× to {large:g}× data (target ≤ {TARGET_GROWTH}): p95 at {large:g}× / p95 at "
          f"{small:g}×, and throughput at {small:g}× / throughput at {large:g}×; queries per page must not change.")
    print(f"{'page':<15}{'p95 growth':>12}{'':>6}{'throughput drop':>17}{'':>6}{'queries':>12}")
    ok = True
    for page in a:
        p95 = b[page].p95_ms / a[page].p95_ms
        drop = a[page].rps / b[page].rps
        same = a[page].queries == b[page].queries
        ok &= p95 <= TARGET_GROWTH and drop <= TARGET_GROWTH and same
        print(f"{page:<15}{p95:12.2f}{verdict(p95 <= TARGET_GROWTH):>6}{drop:17.2f}{verdict(drop <= TARGET_GROWTH):>6}"
              f"{a[page].queries:>6} → {b[page].queries:<3}{verdict(same)}")
    return ok


def main() -> None:
    args = parse_args()
    if args.prepare is not None:
        prepare_inside_django(args.prepare)
        return
    scales = args.scales or ([0.01] if args.quick else [0.1, 1])
    args.duration = args.duration or (3 if args.quick else 10)
    subprocess.run([str(ROOT / "scripts" / "apt-ensure.sh"), "wrk"], check=True)
    summary = (f"gunicorn {args.workers} sync workers, wrk 1 thread × {args.connections} connections, "
                    f"{args.duration} s per page, {os.cpu_count()} CPUs shared with PostgreSQL, Redis and wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        results = run_all(scales, args, script.name)
    finally:
        os.unlink(script.name)
    ok = True
    for scale in scales:
        ok &= print_scale(scale, results[scale], summary)
    if len(scales) >= 2:
        ok &= print_growth(scales[0], scales[-1], results[scales[0]], results[scales[-1]])
    print(f"\nAll targets: {verdict(ok)}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
