"""Accord's pages at national scale, served for real and measured against the framework floor.

    .venv/bin/python bench/run.py [--scale 1] [--database-url postgres://postgres@127.0.0.1:5432/x]

Builds the national data (bench/national.py) in a throwaway database (a temporary SQLite file,
or a PostgreSQL database `<name>_bench` made beside the one --database-url names and dropped
afterwards), starts gunicorn on it (2 workers, DEBUG off, bench/settings.py) on a free port of
127.0.0.1, and measures each page against a minimal view through the same settings, middleware
and server, interleaved: a batch of floor requests, then a batch of the page, round after round,
so that whatever else the machine does falls on both. Prints a markdown table, then the full
register CSV against the database's own CSV export, send_reminders at 1x and 10x data
(bench/reminders.py), the GIAS import (bench/gias_import.py) and the downloads
(bench/exports.py). See bench/README.md.
"""

from __future__ import annotations

import argparse
import html
import http.client
import itertools
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

from bench import api_register  # noqa: E402  (found through ROOT, put on the path above)

WORKERS = 2
PUBLIC, STAFF = "public", "staff"
# The goals: public pages against the floor's throughput and p95; staff pages' p95 and queries.
PUBLIC_THROUGHPUT, PUBLIC_P95 = 0.5, 2.0
STAFF_P95, STAFF_QUERIES = 4.0, 12
QUERIES_HEADER = "X-Bench-Queries"
# A first request slower than this is noted beside the row's figures (a cache being filled).
COLD_NOTE_SECONDS = 1.0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 is national scale")
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--rounds", type=int, default=5, help="floor/page batch pairs per page")
    parser.add_argument("--batch", type=int, default=20, help="requests per batch")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument(
        "--slow-timeout", type=float, default=60.0, help="seconds for one slow request"
    )
    parser.add_argument("--budget", type=float, default=30.0, help="seconds of page time per row")
    parser.add_argument("--verify-audit", action="store_true", help="walk the audit chain")
    parser.add_argument("--no-extras", action="store_true", help="pages only")
    parser.add_argument("--build-only", action="store_true", help="build the data and stop")
    parser.add_argument(
        "--cache-url",
        default="",
        help="the server's shared cache (ACCORD_CACHE_URL, e.g. redis://127.0.0.1:6379/13);"
        " by default the database table, as production without Redis",
    )
    parser.add_argument(
        "--pages",
        default="",
        help="measure only the rows whose label matches this regular expression",
    )
    return parser.parse_args()


def main() -> None:
    args = arguments()
    outside = dict(os.environ)  # for the other benchmarks, which set up their own
    tmp = Path(tempfile.mkdtemp(prefix="accord-bench-"))
    database_url, dropper = _database(args.database_url, tmp)
    os.environ.update(_environment(tmp, database_url))
    if args.cache_url:
        os.environ["ACCORD_CACHE_URL"] = args.cache_url
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        vendor = connection.vendor
        print(f"== {vendor}, scale {args.scale:g} ==", flush=True)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"migrated and collected static files in {time.perf_counter() - started:.0f} s")
        print("building:", flush=True)

        import national

        data = national.build(args.scale, args.seed)
        print(f"built {national.describe(data)}", flush=True)
        if args.verify_audit:
            _verify_audit()
        if args.build_only:
            return
        setup = _pages(data)
        connections.close_all()

        server = Server(tmp, os.environ)
        rows = measure_all(server, setup, args)
        print()
        cache = args.cache_url.split("://")[0] if args.cache_url else "database"
        print(
            f"### Pages ({vendor}, scale {args.scale:g}, gunicorn -w {WORKERS}, DEBUG off,"
            f" {cache} cache)"
        )
        print()
        print(table(rows))
        print()
        if not args.pages or re.search(args.pages, "open-data CSV"):
            print(_csv_row(server, setup, database_url, vendor, args))
        server.stop()
        server = None
        if not args.no_extras:
            _extras(args, outside)
    finally:
        if server is not None:
            server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        dropper()
        shutil.rmtree(tmp, ignore_errors=True)


# The database and the environment


def _database(url: str, tmp: Path) -> tuple[str, Callable[[], None]]:
    """The throwaway database's URL, and how to drop it."""
    if not url:
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'accord'}_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), lambda: run(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    )


def _environment(tmp: Path, database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) for this process and the server alike, over plain
    HTTP on 127.0.0.1, with a fixed audit key so that the chain built here is the server's."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "ACCORD_ENV_FILE": "",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-secret-key-not-for-production-" + "x" * 20,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "ACCORD_SITE_URL": "http://127.0.0.1",
        "ACCORD_AUDIT_KEY": "bench-audit-key",
        "ACCORD_VAR_DIR": str(tmp),
        "DATABASE_URL": database_url,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "ACCORD_API_RATE_ANON": api_register.UNLIMITED_RATE,
    }


def _verify_audit() -> None:
    from accord.core.audit import verify_chain

    start = time.perf_counter()
    breaks = list(itertools.islice(verify_chain(), 5))
    seconds = time.perf_counter() - start
    if breaks:
        print(f"audit chain: BROKEN ({breaks[0].event_id}: {breaks[0].reason})", flush=True)
    else:
        print(f"audit chain verified in {seconds:.0f} s: no break", flush=True)


# What is measured


@dataclass
class Setup:
    cookies: dict[str, str]
    public: list[tuple[str, str]]  # (label, path) measured without signing in
    staff: list[tuple[str, str, str]]  # (label, path, persona)
    register: str
    dashboard: str
    csv: str
    csv_sql: str
    region: str


def _pages(data: Any) -> Setup:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.urls import reverse

    from accord.accounts import middleware as mfa
    from accord.accounts.models import User
    from accord.membership.models import Membership, MembershipStatus
    from accord.organisations.models import Employer, LocalAuthority, Region

    cookies = {}
    engine = import_module(settings.SESSION_ENGINE)
    for persona, user_id in data.personas.items():
        user = User.objects.get(pk=user_id)
        store = engine.SessionStore()
        store[SESSION_KEY] = user._meta.pk.value_to_string(user)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # Signed in with their authenticator app, as every union role must be: without it,
        # every staff page sends them to set one up.
        store[mfa.SESSION_KEY] = mfa.SATISFIED
        store.save()
        cookies[persona] = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    reference = (
        Membership.objects.filter(status=MembershipStatus.ACTIVE)
        .order_by("pk")
        .values_list("reference", flat=True)
        .first()
    )
    region = Region.objects.filter(local_authorities__isnull=False).order_by("pk").first()
    tables = {
        name: model._meta.db_table
        for name, model in {
            "m": Membership,
            "e": Employer,
            "la": LocalAuthority,
            "r": Region,
        }.items()
    }
    csv_sql = (
        "SELECT m.reference, e.name, e.kind, e.urn, e.postcode, la.name, r.name, m.member_since,"
        f" m.status_since, m.status FROM {tables['m']} m JOIN {tables['e']} e ON e.id ="
        f" m.employer_id LEFT JOIN {tables['la']} la ON la.id = e.local_authority_id LEFT JOIN"
        f" {tables['r']} r ON r.id = la.region_id WHERE m.status <> 'withdrawn'"
        " ORDER BY e.name, m.id"
    )
    return Setup(
        cookies=cookies,
        public=[("verification page", reverse("verification", args=[reference]))],
        staff=[
            ("staff: tasks (national officer)", reverse("tasks"), "officer"),
            ("staff: tasks (secretary)", reverse("tasks"), "secretary"),
            ("staff: tasks (NEM)", reverse("tasks"), "nem"),
            ("staff: tasks (workplace rep)", reverse("tasks"), "rep"),
            ("staff: tasks (employer contact)", reverse("tasks"), "contact"),
            ("staff: employers list", reverse("employers"), "officer"),
            ("staff: enrolments list", reverse("enrolments"), "officer"),
            (
                "staff: enrolment, long history",
                reverse("enrolment", args=[data.long_history_enrolment]),
                "officer",
            ),
            ("staff: plan overview, 1,000 actions", reverse("plan", args=[data.plan]), "officer"),
        ],
        register=reverse("register"),
        dashboard=_dashboard_path(),
        csv=reverse("register-csv"),
        csv_sql=csv_sql,
        region=str(region.pk) if region else "",
    )


def _dashboard_path() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("dashboard")
    except NoReverseMatch:
        return "/dashboard/"


# The server and the client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with Accord under the bench settings, on a free port of 127.0.0.1."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.log = tmp / "gunicorn.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "accord.wsgi:application",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{self.port}",
            "--timeout=600",
            "--graceful-timeout=5",
            f"--chdir={ROOT}",
            # The production configuration (gunicorn.conf.py) otherwise, but requests are logged
            # to a file rather than the figures' output, and no worker is replaced mid-run.
            f"--config={ROOT / 'gunicorn.conf.py'}",
            f"--access-logfile={tmp / 'access.log'}",
            "--max-requests=0",
            "--log-level=warning",
            f"--error-logfile={self.log}",
        ]
        self.process = subprocess.Popen(command, env=env, cwd=ROOT)
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{self.log.read_text()[-3000:]}")
            result = get(self.port, "/bench-floor/", timeout=2)
            if result.status == 200:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.3)

    def worker_peak_rss_mb(self) -> list[float]:
        """Each worker's peak resident memory so far (Linux)."""
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            peaks = []
            for pid in children.read_text().split():
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
            return peaks
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Result:
    status: int = 0
    seconds: float = 0.0
    queries: int | None = None
    error: str = ""
    body: bytes = b""


class Connection:
    """One client's keep-alive connection (reopened when the server closes it)."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def get(self, path: str, cookie: str = "", keep: bool = False) -> Result:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if cookie:
            headers["Cookie"] = cookie
        start = time.perf_counter()
        try:
            self.http.request("GET", path, headers=headers)
            response = self.http.getresponse()
            body = response.read()
            seconds = time.perf_counter() - start
            queries = response.getheader(QUERIES_HEADER)
            return Result(
                response.status,
                seconds,
                int(queries) if queries else None,
                body=body if keep else b"",
            )
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            self.http.close()
            self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            kind = "timed out" if isinstance(error, TimeoutError) else type(error).__name__
            return Result(0, time.perf_counter() - start, error=kind)


def get(port: int, path: str, cookie: str = "", timeout: float = 10.0) -> Result:
    connection = Connection(port, timeout)
    try:
        return connection.get(path, cookie, keep=True)
    finally:
        connection.http.close()


def batch(
    port: int, path: str, cookie: str, n: int, threads: int, timeout: float
) -> tuple[float, list[Result]]:
    """n requests from `threads` clients at once; returns (wall seconds, results)."""
    tickets = itertools.count()
    results: list[Result] = []

    def client() -> None:
        connection = Connection(port, timeout)
        while next(tickets) < n:
            result = connection.get(path, cookie)
            results.append(result)
            if result.error:
                break
        connection.http.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start, results


def drain(port: int, timeout: float = 120) -> None:
    """After a request timed out, wait until the workers it left busy answer again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, results = batch(port, "/bench-floor/", "", WORKERS * 2, WORKERS, 2.0)
        if all(r.status == 200 and r.seconds < 0.5 for r in results):
            return
        time.sleep(0.5)


# Measuring


@dataclass
class Row:
    label: str
    goal: str = ""
    floor: list[float] = field(default_factory=list)
    page: list[float] = field(default_factory=list)
    floor_wall: float = 0.0
    page_wall: float = 0.0
    queries: list[int] = field(default_factory=list)
    note: str = ""

    def rate(self, times: list[float], wall: float) -> float:
        return len(times) / wall if wall else 0.0

    @property
    def floor_rate(self) -> float:
        return self.rate(self.floor, self.floor_wall)

    @property
    def page_rate(self) -> float:
        return self.rate(self.page, self.page_wall)

    def verdict(self) -> str:
        if not self.page:
            return "no"
        ratio = self.page_rate / self.floor_rate
        p95 = percentile(self.page, 95) / percentile(self.floor, 95)
        failures = []
        if self.goal == PUBLIC:
            if ratio < PUBLIC_THROUGHPUT:
                failures.append(f"throughput {ratio:.2f}× < {PUBLIC_THROUGHPUT}×")
            if p95 > PUBLIC_P95:
                failures.append(f"p95 {p95:.1f}× > {PUBLIC_P95:g}×")
        elif self.goal == STAFF:
            if p95 > STAFF_P95:
                failures.append(f"p95 {p95:.1f}× > {STAFF_P95:g}×")
            if self.queries and max(self.queries) > STAFF_QUERIES:
                failures.append(f"{max(self.queries)} queries > {STAFF_QUERIES}")
        else:
            return "—"
        return "yes" if not failures else "no: " + "; ".join(failures)


def ratio(value: float) -> str:
    """Three decimals, or two significant figures below that."""
    return f"{value:.3f}×" if value >= 0.01 else f"{value:.2g}×"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]


def measure(
    server: Server, label: str, path: str, cookie: str, goal: str, args: argparse.Namespace
) -> Row:
    row = Row(label, goal)
    print(f"  {label} ({path}) ...", end=" ", flush=True)
    # The first request may take up to --slow-timeout: a page that keeps what it computed (the
    # dashboard's cache) is slow once, then measured warm, with its first time in the note.
    first = get(server.port, path, cookie, args.slow_timeout)
    cold = ""
    if first.error:
        row.note = f"one request {first.error} after {args.slow_timeout:g} s"
        drain(server.port)
    elif first.status != 200:
        row.note = f"HTTP {first.status}"
    else:
        if first.seconds > COLD_NOTE_SECONDS:
            cold = f"first request {first.seconds * 1000:,.0f} ms"
        if first.seconds > args.timeout:
            again = get(server.port, path, cookie, args.timeout)
            if again.error or again.status != 200:
                # Too slow to measure in batches, even the second time.
                row.note = f"over {args.timeout:g} s: {cold}"
                if again.error:
                    drain(server.port)
    if row.note:
        print(row.note, flush=True)
        return row
    # Every worker has served the page once before the count starts.
    batch(server.port, path, cookie, WORKERS * 2, args.concurrency, args.timeout)
    batch(server.port, "/bench-floor/", "", WORKERS * 2, args.concurrency, args.timeout)
    spent = 0.0
    for _ in range(args.rounds):
        wall, results = batch(
            server.port, "/bench-floor/", "", args.batch, args.concurrency, args.timeout
        )
        row.floor_wall += wall
        row.floor += [r.seconds for r in results if r.status == 200]
        wall, results = batch(server.port, path, cookie, args.batch, args.concurrency, args.timeout)
        failed = [r for r in results if r.error or r.status != 200]
        if failed:
            row.note = (
                f"{len(failed)} of {len(results)} failed ({failed[0].error or failed[0].status})"
            )
            if any(r.error for r in failed):
                drain(server.port)
            break
        row.page_wall += wall
        row.page += [r.seconds for r in results]
        row.queries += [r.queries for r in results if r.queries is not None]
        spent += wall
        if spent > args.budget:
            break
    if cold:
        row.note = f"{cold}; {row.note}" if row.note else cold
    print(f"{len(row.page)} requests" + (f" ({cold})" if cold else ""), flush=True)
    return row


def _next_link(body: bytes) -> str | None:
    for tag in re.findall(rb"<a\b[^>]*>", body):
        if re.search(rb'rel="?next"?', tag):
            href = re.search(rb'href="([^"]*)"', tag)
            if href:
                return html.unescape(href.group(1).decode())
    return None


def _field_name(body: bytes, pattern: bytes, default: str) -> str:
    tag = re.search(pattern, body)
    name = re.search(rb'name="([^"]+)"', tag.group(0)) if tag else None
    return name.group(1).decode() if name else default


def register_paths(server: Server, setup: Setup, timeout: float) -> list[tuple[str, str]]:
    """The register's rows, with the deep page, the search and the filter found in its HTML as
    a visitor finds them: following "next" links, the search box, the region list."""
    first = get(server.port, setup.register, timeout=timeout)
    rows = [("public register, page 1", setup.register)]
    if first.status != 200:
        return rows
    search = _field_name(first.body, rb'<input[^>]*type="search"[^>]*>', "q")
    rows.append(('register search "school"', f"{setup.register}?{urlencode({search: 'school'})}"))
    region_select = re.search(rb'<select[^>]*name="region"[^>]*>(.*?)</select>', first.body, re.S)
    region = setup.region
    if region_select:
        values = re.findall(rb'<option value="([^"]+)"', region_select.group(1))
        region = values[0].decode() if values else region
    if region:
        rows.append(("register region filter", f"{setup.register}?{urlencode({'region': region})}"))
    path, body, hops = setup.register, first.body, 0
    deadline = time.monotonic() + 180
    while hops < 59 and time.monotonic() < deadline:
        link = _next_link(body)
        if not link:
            break
        following = get(server.port, urljoin(path, link), timeout=timeout)
        if following.status != 200:
            break
        path, body, hops = urljoin(path, link), following.body, hops + 1
    rows.insert(1, (f"register, page {hops + 1} (deepest reached by next links)", path))
    return rows


def _api_register_paths(
    server: Server, setup: Setup, pages: list[tuple[str, str]], args: argparse.Namespace
) -> list[tuple[str, str]]:
    """The API's register rows (bench/api_register.py), as deep as the HTML register's."""

    def fetch(path: str) -> tuple[int, bytes]:
        result = get(server.port, path, timeout=args.timeout)
        return result.status, result.body

    deepest = next((label for label, _ in pages if "deepest" in label), "page 1")
    hops = int(re.search(r"page (\d+)", deepest).group(1)) - 1  # type: ignore[union-attr]
    reference = setup.public[0][1].rstrip("/").rsplit("/", 1)[-1]
    return api_register.paths(fetch, region=setup.region, reference=reference, hops=hops)


def dashboard_paths(server: Server, setup: Setup, timeout: float) -> list[tuple[str, str, str]]:
    """The scheme dashboard as the national officer, a local secretary and an NEM, then the
    officer's with a filter and a section's CSV download, both found in the officer's page as
    a reader finds them: the first region offered in the filter form, the first CSV link.
    `timeout` is for that page, which computes its figures when they are not yet kept."""
    path = setup.dashboard
    rows = [
        ("staff: dashboard (national officer)", path, "officer"),
        ("staff: dashboard (secretary)", path, "secretary"),
        ("staff: dashboard (NEM)", path, "nem"),
    ]
    page = get(server.port, path, setup.cookies["officer"], timeout)
    # The first visit computes and keeps the figures: its time is the cold cost.
    print(
        f"  dashboard, the national officer's first visit: HTTP {page.status or page.error},"
        f" {page.seconds * 1000:,.0f} ms",
        flush=True,
    )
    if page.status != 200:
        return rows
    region = re.search(rb'<select[^>]*name="region"[^>]*>(.*?)</select>', page.body, re.S)
    values = re.findall(rb'<option value="([^"]+)"', region.group(1)) if region else []
    if values:
        query = urlencode({"region": html.unescape(values[0].decode())})
        label = "staff: dashboard, one region (national officer)"
        rows.append((label, f"{path}?{query}", "officer"))
    for href in re.findall(rb'<a\b[^>]*href="([^"]*)"', page.body):
        link = html.unescape(href.decode())
        if urlsplit(link).path.endswith(".csv") or "format=csv" in link:
            name = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]
            rows.append((f"staff: dashboard export, {name}", urljoin(path, link), "officer"))
            break
    return rows


def measure_all(server: Server, setup: Setup, args: argparse.Namespace) -> list[Row]:
    print(
        f"measuring on 127.0.0.1:{server.port}: {args.rounds} rounds of {args.batch} floor and"
        f" {args.batch} page requests, {args.concurrency} clients",
        flush=True,
    )

    def wanted(label: str) -> bool:
        return not args.pages or re.search(args.pages, label) is not None

    rows = []
    if any(wanted(name) for name in ("public register", "API register", "verification page")):
        pages = register_paths(server, setup, args.timeout) + setup.public
        api = _api_register_paths(server, setup, pages, args)
        for label, path in api_register.beside(pages, api):
            if wanted(label):
                rows.append(measure(server, label, path, "", PUBLIC, args))
    staff = setup.staff + dashboard_paths(server, setup, args.slow_timeout)
    for label, path, persona in staff:
        if wanted(label):
            rows.append(measure(server, label, path, setup.cookies[persona], STAFF, args))
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| page | floor req/s | page req/s | ratio | page p50 / p95 ms | floor p95 ms "
        "| p95 ratio | queries | goal met | requests |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if not row.page:
            lines.append(f"| {row.label} | — | — | — | **{row.note}** | — | — | — | no | 0 |")
            continue
        floor_p95 = percentile(row.floor, 95) * 1000
        p95 = percentile(row.page, 95) * 1000
        queries = (
            "?"
            if not row.queries
            else str(min(row.queries))
            if min(row.queries) == max(row.queries)
            else f"{min(row.queries)}–{max(row.queries)}"
        )
        note = f" ({row.note})" if row.note else ""
        lines.append(
            f"| {row.label} | {row.floor_rate:.0f} | {row.page_rate:.1f} "
            f"| {ratio(row.page_rate / row.floor_rate)} "
            f"| {statistics.median(row.page) * 1000:.0f} / {p95:.0f} | {floor_p95:.1f} "
            f"| {p95 / floor_p95:.1f}× | {queries} | {row.verdict()}{note} | {len(row.page)} |"
        )
    return "\n".join(lines)


def _csv_row(
    server: Server, setup: Setup, database_url: str, vendor: str, args: argparse.Namespace
) -> str:
    """The whole register as CSV through the server, against the database's own CSV export of
    the same rows."""
    before = server.worker_peak_rss_mb()
    times, size, lines = [], 0, 0
    connection = Connection(server.port, max(args.timeout, 120))
    for _ in range(3):
        result = connection.get(setup.csv, keep=True)
        if result.error or result.status != 200:
            return f"Open-data CSV: {result.error or result.status}"
        times.append(result.seconds)
        size, lines = len(result.body), result.body.count(b"\n")
    connection.http.close()
    after = server.worker_peak_rss_mb()
    raw = _raw_csv_seconds(setup.csv_sql, database_url, vendor)
    median = statistics.median(times)
    text = (
        f"Open-data CSV ({lines:,} lines, {size / 1e6:.1f} MB): median {median:.2f} s"
        f" over {len(times)} downloads"
    )
    if raw:
        tool, seconds = raw
        text += f"; {tool} of the same rows {seconds:.3f} s, {median / seconds:.0f}×"
    if before and after:
        text += (
            f"; workers' peak memory {', '.join(f'{m:.0f}' for m in before)} MB before, "
            f"{', '.join(f'{m:.0f}' for m in after)} MB after"
        )
    return text + "."


def _raw_csv_seconds(sql: str, database_url: str, vendor: str) -> tuple[str, float] | None:
    if vendor == "sqlite" and shutil.which("sqlite3"):
        path = urlsplit(database_url).path
        command, tool = ["sqlite3", "-csv", "-header", path, sql], "`sqlite3 -csv`"
    elif vendor == "postgresql" and shutil.which("psql"):
        command = ["psql", database_url, "-c", f"COPY ({sql}) TO STDOUT WITH CSV HEADER"]
        tool = "`psql COPY TO STDOUT`"
    else:
        return None
    times = []
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if done.returncode:
            return None
        times.append(time.perf_counter() - start)
    return tool, statistics.median(times)


def _extras(args: argparse.Namespace, outside: dict[str, str]) -> None:
    """send_reminders at 1x and 10x data, the GIAS import and the downloads, each in its own
    throwaway database."""
    members = 500 if args.scale >= 1 else 100
    rows = max(1000, round(50_000 * args.scale))
    url = ["--database-url", args.database_url] if args.database_url else []
    sizes = "1000,10000,100000" if args.scale >= 0.1 else "100,1000,10000"
    for title, command in [
        (
            f"send_reminders at {members:,} and {members * 10:,} members, the same items due",
            [sys.executable, str(BENCH / "reminders.py"), f"--members={members}", *url],
        ),
        (
            f"GIAS import of {rows:,} rows (bench/gias_import.py)",
            [sys.executable, str(BENCH / "gias_import.py"), f"--rows={rows}", *url],
        ),
        (
            f"CSV and XLSX downloads at {sizes.replace(',', ', ')} rows (bench/exports.py)",
            [sys.executable, str(BENCH / "exports.py"), f"--rows={sizes}", *url],
        ),
    ]:
        print(f"\n### {title}\n", flush=True)
        start = time.perf_counter()
        done = subprocess.run(command, env=outside, cwd=ROOT, timeout=3600)
        print(f"(exit {done.returncode}, {time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
