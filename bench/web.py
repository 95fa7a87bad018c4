"""Requests per second of the portal's pages under gunicorn, each beside a plain Flask page
of the same byte size (the anchor, bench/web_anchor.py), measured in the same run.

    .venv/bin/python bench/web.py --quick      # under 3 minutes: 10,000 dossiers, short runs
    .venv/bin/python bench/web.py              # 100,000 dossiers for the inbox, 50,000 for a fresh worker
    .venv/bin/python bench/web.py --backend postgres   # the same pages on PostgreSQL (a fresh schema)

An instance is prepared under bench/data/ (git-ignored) and removed afterwards: a citizen
with 50 dossiers ("Quản lý hồ sơ"), a citizen who posts new dossiers, a clerk of one
agency, and ``--inbox-size`` seeded dossiers (tests/storage/factories.py, with ``bulk_add``).
The portal runs as ``gunicorn -w 2 'web:create_app(...)'`` (DVC_INSTANCE, DVC_DATABASE_URL;
only the lookup's rate limit is raised, so that the load is answered rather than refused),
the anchor as ``gunicorn -w 2 'web_anchor:create_app()'``. wrk (Debian's package; ``make
bench`` installs it) drives each with ``--connections`` connections on 127.0.0.1 for
``--duration`` seconds, a Lua script setting the method, body and session cookie; portal
and anchor alternate page by page, and which goes first alternates run by run. Each figure
is the median over ``--runs``.

Also timed, in fresh processes: start-up to the first answer of ``/`` (one gunicorn worker;
the anchor beside it), and a fresh worker at ``--fresh-size`` TinyDB dossiers: its start-up to
the first answer of ``/`` (which counts every service's dossiers) and then its first clerk
inbox (the first run of each is the first process ever on that store).
Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# Run as a script, this folder comes first on sys.path, where this file would hide the
# `web` package: the project's root goes first instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]

from engine.dossier import Role, Status  # noqa: E402
from tests.storage.factories import ACCEPTED, make_dossier  # noqa: E402

DATA = BENCH / "data"
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
AGENCY = "UBND-Q1"  # tests/storage/factories.py's agency of the household business service
ID_NUMBER = "079300001234"  # the applicant of a few dossiers, for the lookup by ID number
PASSWORD = "mat-khau-bench-2025"
# The portal's settings for the run: the lookup's rate limit (20 a minute per address) would
# refuse the load, which comes from one address.
PORTAL_CONFIG = {"LOOKUP_LIMIT_IP": "100000000 per minute"}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Page:
    name: str
    path: str
    who: str | None = None  # None: anonymous; else the user whose session is sent
    method: str = "GET"
    body: str = ""  # form-encoded; the session's CSRF token is added
    status: int = 200


@dataclass
class Instance:
    path: Path
    database_url: str | None
    facts: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = dict(os.environ, DVC_INSTANCE=str(self.path), PYTHONDONTWRITEBYTECODE="")
        env.pop("DVC_DATABASE_URL", None)
        if self.database_url:
            env["DVC_DATABASE_URL"] = self.database_url
        return env


# -- the instance ------------------------------------------------------------------------------

def prepare(path: Path, database_url: str | None, size: int, rng: random.Random) -> Instance:
    """An instance with its users and ``size`` seeded dossiers (plus the citizen's 50)."""
    from engine.accounts import User
    from engine.dossier import new_id
    from web import create_app, resources

    app = create_app({"INSTANCE_PATH": str(path), "DATABASE_URL": database_url, "PASSWORD_PROFILE": "CHEAPEST"})
    parts = resources.portal(app)
    now = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))

    def user(username: str, **fields) -> User:
        values = dict(id=new_id(), username=username, full_name="Trần Thị Bích Ngọc", email=f"{username}@example.com",
                      phone="0912345678", password_hash=parts.passwords.hash(PASSWORD), role=Role.CITIZEN,
                      active=True, consent_at=now, created_at=now, activated_at=now, id_number="093195001234")
        return parts.users.add(User(**values | fields))

    citizen = user("congdan")
    user("nguoinop", full_name="Lê Thị Hoa", id_number="093195005678")  # posts new dossiers
    user("canbo", full_name="Lê Văn Hùng", role=Role.CLERK, agencies=[AGENCY], phone=None, id_number=None)

    mine = [make_dossier(rng, owner=citizen.id) for _ in range(50)]
    looked_up = [make_dossier(rng, applicant_id_number=ID_NUMBER, status=s)
                 for s in (Status.SUBMITTED, Status.PROCESSING, Status.DONE)]
    seeded = mine + looked_up
    for start in range(0, size, 10_000):
        batch = [make_dossier(rng, owner=f"citizen-{rng.randrange(size // 3 + 1)}")
                 for _ in range(min(10_000, size - start))]
        for i, d in enumerate(batch):  # the desk gave the accepted ones an appointment
            if d.status in ACCEPTED:
                batch[i] = d.model_copy(update={"appointment_date": d.submitted_at.date()
                                                + dt.timedelta(days=rng.randrange(3, 30))})
        parts.dossiers.bulk_add(batch)
    parts.dossiers.bulk_add(seeded)
    receipt = next(d.receipt_number for d in seeded if d.receipt_number)
    parts.close()
    return Instance(path, database_url, {"receipt": receipt})


def post_body() -> str:
    """The household business form filled with its sample, as the browser posts it."""
    from engine.catalog import Catalog
    from renderers.html import render_form
    from tests.browser_form import submit

    service = Catalog.load().get(HOUSEHOLD)
    fields = submit(str(render_form(service.form_schema, service.sample, None)))
    return urllib.parse.urlencode(list(fields.items(multi=True)))


def pages(instance: Instance, which: set[str] | None) -> list[Page]:
    from engine.catalog import Catalog

    field_name = Catalog.load().get(HOUSEHOLD).info.field
    found = [
        Page("home page", "/"),
        Page("a field page", "/linh-vuc/" + urllib.parse.quote(field_name)),
        Page("a service page", f"/dich-vu/{HOUSEHOLD}"),
        Page("the sample dossier (blank-form page)", f"/dich-vu/{HOUSEHOLD}/ho-so-mau"),
        Page("household business form (signed in)", f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so", who="congdan"),
        Page("lookup by receipt number (POST)", "/tra-cuu", method="POST",
             body=urllib.parse.urlencode({"q": instance.facts["receipt"]}), who=""),
        Page("lookup by ID number (POST)", "/tra-cuu", method="POST", body=urllib.parse.urlencode({"q": ID_NUMBER}),
             who=""),
        Page("“Quản lý hồ sơ”, 50 dossiers", "/quan-ly-ho-so", who="congdan"),
        Page("dossier save (POST, valid)", f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so", who="nguoinop", method="POST",
             body=post_body(), status=302),
        Page("clerk inbox", "/mot-cua/", who="canbo"),
        # The floor: every hook of a signed-in request (session, sign-in check, CSRF token,
        # security headers, request log, metrics) around a 109-byte JSON body: no page
        # costs less than this, so its ratio bounds every other page's.
        Page("floor: a signed-in request, no page (/dang-nhap/ma-phien)", "/dang-nhap/ma-phien", who="congdan"),
    ]
    return [p for p in found if which is None or any(w in p.name for w in which)]


# -- servers -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn of ``workers`` sync workers on a free port, stopped on ``stop``."""

    def __init__(self, app: str, env: dict[str, str], workers: int = 2, pythonpath: str | None = None,
                 cwd: Path = ROOT) -> None:
        self.port = free_port()
        command = [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
                   "--timeout", "120"]
        if pythonpath:
            command += ["--pythonpath", pythonpath]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command + [app], cwd=cwd, env=env, stdout=subprocess.DEVNULL)

    def wait(self, path: str = "/", timeout: float = 120) -> float:
        """Seconds from the start to the first answer of ``path``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                status, _, _ = request(self.port, "GET", path)
                if status < 500:
                    return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.005)
        raise TimeoutError("the server did not answer")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def portal_app() -> str:
    return f"web:create_app({PORTAL_CONFIG!r})"


def request(port: int, method: str, path: str, body: str = "", cookie: str = "") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body.encode() or None, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@dataclass
class Session:
    cookie: str = ""
    token: str = ""


def _cookie_of(headers: dict[str, str], current: str) -> str:
    found = re.search(r"session=([^;]*)", headers.get("set-cookie", ""))
    return f"session={found.group(1)}" if found else current


def session(port: int, username: str) -> Session:
    """A signed-in (or, for "", anonymous) session with its CSRF token."""
    status, headers, page = request(port, "GET", "/dang-nhap")
    cookie = _cookie_of(headers, "")
    token = _CSRF.search(page.decode()).group(1)
    if username:
        body = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": PASSWORD})
        status, headers, _ = request(port, "POST", "/dang-nhap", body, cookie)
        if status != 302:
            raise RuntimeError(f"signing in as {username} answered {status}")
        cookie = _cookie_of(headers, cookie)
    status, headers, page = request(port, "GET", "/tra-cuu", cookie=cookie)
    cookie = _cookie_of(headers, cookie)
    return Session(cookie, _CSRF.search(page.decode()).group(1))


# -- wrk ----------------------------------------------------------------------------------------

_LUA = """wrk.method = "{method}"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
{cookie}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Load:
    rps: float
    p99_ms: float
    bad: int  # answers of an unexpected status, and socket errors


def wrk(port: int, path: str, script: Path, duration: int, connections: int) -> Load:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
                          f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    requests, duration_us, p99_us, status_errors, socket_errors = map(int, re.search(r"BENCH (.*)", out).group(1).split())
    return Load(requests / (duration_us / 1e6), p99_us / 1000, status_errors + socket_errors)


def script_for(page: Page, sessions: dict[str, Session], folder: Path) -> Path:
    s = sessions.get(page.who) if page.who is not None else None
    body = page.body
    if page.method == "POST":
        body = urllib.parse.urlencode({"csrf_token": s.token}) + ("&" + body if body else "")
    cookie = f'wrk.headers["Cookie"] = [==[{s.cookie}]==]' if s else ""
    script = folder / f"page-{abs(hash((page.name, page.path)))}.lua"
    script.write_text(_LUA.format(method=page.method, body=body, cookie=cookie))
    return script


# -- the measurements --------------------------------------------------------------------------

def measure_pages(instance: Instance, chosen: list[Page], args, work: Path,
                  before: Path | None) -> list[tuple[Page, dict[str, Load], int]]:
    """Each page on the portal ("now"), on the code of ``before`` when given (same instance,
    same sessions), and on the anchor; the median Load of each, and the page's size."""
    servers = {"now": Server(portal_app(), instance.env())}
    if before is not None:
        servers["before"] = Server(portal_app(), instance.env(), cwd=before)
    try:
        for server in servers.values():
            server.wait()
        port = servers["now"].port
        sessions = {name: session(port, name) for name in {p.who for p in chosen if p.who is not None}}
        sizes, scripts = {}, {}
        for i, page in enumerate(chosen):
            s = sessions.get(page.who) if page.who is not None else None
            body = page.body
            if page.method == "POST":
                body = urllib.parse.urlencode({"csrf_token": s.token}) + ("&" + body if body else "")
            for name, server in servers.items():
                status, _, content = request(server.port, page.method, page.path, body, s.cookie if s else "")
                if status != page.status:
                    raise RuntimeError(f"{page.name} ({name}): {page.method} {page.path} answered {status}, "
                                       f"not {page.status}")
                if name == "now":
                    sizes[f"/p{i}"] = len(content)
            scripts[i] = script_for(page, sessions, work)
        sizes_file = work / "anchor-pages.json"
        sizes_file.write_text(json.dumps(sizes))
        servers["anchor"] = Server("web_anchor:create_app()", dict(os.environ, BENCH_ANCHOR_PAGES=str(sizes_file)),
                                   pythonpath=str(BENCH))
        servers["anchor"].wait()
        results: dict[int, dict[str, list[Load]]] = {i: {name: [] for name in servers} for i in range(len(chosen))}
        names = list(servers)
        for run in range(args.runs):
            for i, page in enumerate(chosen):
                shift = run % len(names)  # who goes first turns round run by run
                for name in names[shift:] + names[:shift]:
                    path = f"/p{i}" if name == "anchor" else page.path
                    results[i][name].append(wrk(servers[name].port, path, scripts[i], args.duration, args.connections))
            print(f"  run {run + 1}/{args.runs} done", file=sys.stderr)
        return [(page, {name: _median(loads) for name, loads in results[i].items()}, sizes[f"/p{i}"])
                for i, page in enumerate(chosen)]
    finally:
        for server in servers.values():
            server.stop()


def _median(loads: list[Load]) -> Load:
    return Load(statistics.median(x.rps for x in loads), statistics.median(x.p99_ms for x in loads),
                sum(x.bad for x in loads))


def measure_startup(instance: Instance, runs: int, work: Path, before: Path | None) -> dict[str, float]:
    """Median seconds from starting one worker to its first answer of /: the portal now,
    before (when given) and the anchor, in turns. The first start of each is not counted
    (the file system cache, the portal's checked forms)."""
    sizes_file = work / "anchor-start.json"
    sizes_file.write_text(json.dumps({"/": 1000}))
    starts = {"now": lambda: Server(portal_app(), instance.env(), workers=1)}
    if before is not None:
        starts["before"] = lambda: Server(portal_app(), instance.env(), workers=1, cwd=before)
    starts["anchor"] = lambda: Server("web_anchor:create_app()", dict(os.environ, BENCH_ANCHOR_PAGES=str(sizes_file)),
                                      workers=1, pythonpath=str(BENCH))
    times: dict[str, list[float]] = {name: [] for name in starts}
    for run in range(runs + 1):
        for name, start in starts.items():
            server = start()
            try:
                took = server.wait()
            finally:
                server.stop()
            if run:
                times[name].append(took)
    return {name: statistics.median(found) for name, found in times.items()}


def measure_fresh_inbox(instance: Instance, runs: int, code: Path = ROOT) -> tuple[list[float], list[float]]:
    """A fresh worker on a large store: seconds from its start to its first answer of / (the
    home page counts the dossiers of every service, so it reads the store's summaries), then
    its first clerk inbox in ms; one of each per run."""
    starts, times = [], []
    cookie = None
    for _ in range(runs):
        s = Server(portal_app(), instance.env(), workers=1, cwd=code)
        try:
            took = s.wait()
            if cookie is None:  # the session outlives the process (same key, same user store)
                cookie = session(s.port, "canbo").cookie
                s.stop()
                s = Server(portal_app(), instance.env(), workers=1, cwd=code)
                took = s.wait()
            starts.append(took)
            start = time.perf_counter()
            status, _, _ = request(s.port, "GET", "/mot-cua/", cookie=cookie)
            times.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise RuntimeError(f"the inbox answered {status}")
        finally:
            s.stop()
    return starts, times


# -- main ---------------------------------------------------------------------------------------

def _postgres_url(base: str) -> tuple[str, str]:
    schema = f"dvc_bench_{random.getrandbits(40):010x}"
    return f"{base}{'&' if '?' in base else '?'}schema={schema}", schema


def _drop_schema(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base.split("?")[0], autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def checkout(ref: str, where: Path) -> Path:
    """The project at git ``ref``, its translations compiled, to run "before" from."""
    where.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    for po in where.glob("web/translations/*/LC_MESSAGES/messages.po"):
        subprocess.run([str(Path(sys.executable).parent / "pybabel"), "--quiet", "compile", "-i", str(po),
                        "-o", str(po.with_suffix(".mo"))], check=True)
    return where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 dossiers, 2 s a measurement, 3 runs")
    parser.add_argument("--runs", type=int, default=None, help="default 5 (quick: 3)")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per measurement; default 5 (quick: 2)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--inbox-size", type=int, default=None, help="dossiers of the store; default 100,000 (quick: 10,000)")
    parser.add_argument("--fresh-size", type=int, default=None,
                        help="TinyDB dossiers for a fresh worker's first inbox; default 50,000 (quick: 5,000; 0: skip)")
    parser.add_argument("--backend", choices=["tinydb", "postgres"], default="tinydb")
    parser.add_argument("--database-url", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--pages", nargs="*", help="only the pages whose name contains one of these words")
    parser.add_argument("--before", metavar="GIT_REF",
                        help="also measure the portal at this commit, on the same instance, in the same run")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up and fresh-inbox timings")
    args = parser.parse_args()
    args.runs = args.runs or (3 if args.quick else 5)
    args.duration = args.duration or (2 if args.quick else 5)
    inbox_size = args.inbox_size if args.inbox_size is not None else (10_000 if args.quick else 100_000)
    fresh_size = args.fresh_size if args.fresh_size is not None else (5_000 if args.quick else 50_000)
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `make bench` installs it (Debian's package)")

    DATA.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="web-", dir=DATA))
    rng = random.Random(13)
    schemas = []
    started = time.perf_counter()
    try:
        before = checkout(args.before, work / "before") if args.before else None
        url = None
        if args.backend == "postgres":
            url, schema = _postgres_url(args.database_url)
            schemas.append(schema)
        t = time.perf_counter()
        instance = prepare(work / "instance", url, inbox_size, rng)
        print(f"  seeded {inbox_size:,} dossiers in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        load = os.getloadavg()[0]
        results = measure_pages(instance, pages(instance, set(args.pages) if args.pages else None), args, work, before)
        startup = fresh = fresh_before = None
        if not args.no_startup:
            startup = measure_startup(instance, 3, work, before)
            if fresh_size:
                fresh_instance = prepare(work / "fresh", None, fresh_size, rng)
                fresh = measure_fresh_inbox(fresh_instance, 3)
                if before is not None:
                    fresh_before = measure_fresh_inbox(fresh_instance, 3, before)
        load_end = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for schema in schemas:
            _drop_schema(args.database_url, schema)

    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n{when}; backend {args.backend}, {inbox_size:,} dossiers; gunicorn 2 sync workers; wrk -t1 "
          f"-c{args.connections}, {args.duration} s a measurement, median of {args.runs} runs; load average "
          f"{load:.2f} at the start, {load_end:.2f} at the end; {time.perf_counter() - started:.0f} s in all.\n")
    if before is not None:
        print(f"Before: {args.before}, measured in the same run on the same instance.\n")
        print("| page | bytes | before req/s | before p99 ms | now req/s | now p99 ms | anchor req/s | anchor p99 ms "
              "| ratio before | ratio now |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    else:
        print("| page | bytes | portal req/s | portal p99 ms | anchor req/s | anchor p99 ms | ratio |")
        print("|---|---:|---:|---:|---:|---:|---:|")
    for page, loads, size in results:
        now, anchor = loads["now"], loads["anchor"]
        bad = sum(x.bad for name, x in loads.items() if name != "anchor")
        name = page.name + (f" ({bad} unexpected answers)" if bad else "")
        if before is not None:
            old = loads["before"]
            print(f"| {name} | {size:,} | {old.rps:,.0f} | {old.p99_ms:.1f} | {now.rps:,.0f} | {now.p99_ms:.1f} | "
                  f"{anchor.rps:,.0f} | {anchor.p99_ms:.1f} | {old.rps / anchor.rps:.2f} | {now.rps / anchor.rps:.2f} |")
        else:
            print(f"| {name} | {size:,} | {now.rps:,.0f} | {now.p99_ms:.1f} | {anchor.rps:,.0f} | "
                  f"{anchor.p99_ms:.1f} | {now.rps / anchor.rps:.2f} |")
    if startup:
        shown = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in startup.items())
        print(f"\nStart-up to the first answer of / (one worker, median of 3): {shown} (anchor: plain Flask).")
    if fresh:
        (starts, inbox), (old_starts, old_inbox) = fresh, fresh_before or ([], [])
        print(f"A fresh worker at {fresh_size:,} TinyDB dossiers: start-up to the first answer of / median "
              f"{statistics.median(starts):.2f} s ({', '.join(f'{t:.2f}' for t in starts)}), then its first clerk "
              f"inbox {statistics.median(inbox):.0f} ms ({', '.join(f'{t:.0f}' for t in inbox)})"
              + (f"; before: {statistics.median(old_starts):.2f} s ({', '.join(f'{t:.2f}' for t in old_starts)}), "
                 f"{statistics.median(old_inbox):.0f} ms" if fresh_before else "") + ".")


if __name__ == "__main__":
    main()
