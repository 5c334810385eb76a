"""The load run: gunicorn with the production settings on a loopback port, locust headless (the signed-in mixed
load) and wrk (the public page) against it, a report.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_county .venv/bin/python benchmarks/load.py \
        [--run-time 60] [--users 24] [--public-users 24] [--spawn-rate 12] [--workers N] [--threads N] \
        [--wait 0] [--only mixed|public|profile] [--password Bench@2026] [--profile 20]

DATABASE_URL names a database already filled (demo: `manage.py migrate && manage.py seed_demo`; county:
benchmarks/county.py) and is only read, but for what the requests themselves write (sessions, the audit log's
rows of sign-ins and reads, axes' sign-in records). The run, bounded and on 127.0.0.1 only:

1. the plan: from the database, the town with the most nominations, its accounts of four roles (the office, its
   village branches, its vetting departments, its committee members) and, for each account, the pages it reads
   (see `requests_of`), with real ids (its open round, a sample of its nominations, its notices, its village);
   and the public pages of notices whose list is still shown. The password is the convention of the data:
   `Demo@2026` for the demo town (seed_demo), `Bench@2026` for the benchmark's accounts (pool_pages.py,
   county.py), or --password; it is checked against the accounts before anything starts;
2. the static files collected (WhiteNoise's compressed manifest storage, as production) into a temporary folder;
3. for each workload (mixed, then public): a fresh gunicorn — `reserve.wsgi`, DEBUG off, REDIS_URL
   redis://127.0.0.1:6379/6 (cache, throttles; the database of this benchmark, flushed first), CONN_MAX_AGE and
   SESSION_ENGINE as the environment sets them (else the settings' defaults), gunicorn's settings from
   docs/deploy/gunicorn.conf.py as production runs it (workers 2 × cores + 1 synchronous, unless --workers /
   --threads; without that file bin/start's 2 processes of 8 threads) — then `locust --headless` with
   benchmarks/locustfile.py: --users users started --spawn-rate a second, each signing in once, then asking pages
   with --wait seconds between two (0: at once: the server's capacity); the figures are taken for --run-time
   seconds from the moment the last user has signed in (the sign-ins are not in them), then locust stops itself
   (bounded again by its own --run-time, --run-time + 120 s); the public workload is driven by wrk instead
   (Debian's package, C: it leaves the cores to the server; locust's Python spent as much CPU as the server on a
   cached page): --public-users connections asking the public pages in turn, a 5 s warm-up, then --run-time seconds
   measured; then gunicorn is stopped;
4. the report: requests a second, median / p95 / p99 (locust's percentiles, rounded as it keeps them), errors, per
   endpoint and in all; the CPU seconds gunicorn and locust used (they share the machine's cores); the budgets of
   issue 13 §4 checked — mixed ≥ 150 req/s with p99 ≤ 300 ms and no error, public ≥ 300 req/s — into
   benchmarks/results/load-<date>-<database>.md and .json with the machine's description.

--profile N: where a request's time goes, per endpoint of the mixed plan, in this process (Django's test client
through the whole middleware, warm, N requests each): wall time split into SQL (every query timed by a
connection execute wrapper), template rendering (outside its own SQL) and the rest of Python (middleware, views,
forms, sessions), with the query count — added to the report.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import resource
import runpy
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

RESULTS = BASE / "benchmarks" / "results"
LOCUSTFILE = BASE / "benchmarks" / "locustfile.py"
GUNICORN_CONF = BASE / "docs" / "deploy" / "gunicorn.conf.py"
REDIS_URL = "redis://127.0.0.1:6379/6"
PASSWORDS = ("Demo@2026", "Bench@2026")  # seed_demo's, the benchmark generators'
MIXED_CLASSES = ("OfficeUser", "VillageUser", "DepartmentUser", "CommitteeUser")
BUDGETS = {"mixed": {"rps": 150, "p99_ms": 300, "errors": 0}, "public": {"rps": 300}}
SIGN_IN_ALLOWANCE = 120  # seconds locust may take to sign every user in before the measured run_time
SAMPLE = 40
PROFILED_REQUESTS = 3  # per endpoint, under cProfile, after the timed ones  # nominations, notices … drawn per plan
HOST = "127.0.0.1"


# ----------------------------------------------------------------------------------------------- the plan


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reserve.settings")
    os.environ["DEBUG"] = "false"  # the profile runs in this process: as the server does
    os.environ["REDIS_URL"] = REDIS_URL
    import django

    django.setup()


def _req(name: str, paths, weight: int) -> dict:
    paths = [p for p in ([paths] if isinstance(paths, str) else paths) if p]
    return {"name": name, "paths": paths, "weight": weight} if paths else {}


def busiest_town():
    """The town with the most nominations (the county's largest; the demo's only one)."""
    from django.db.models import Count

    from reserve.models import Town

    return Town.objects.annotate(n=Count("rounds__nominations")).order_by("-n", "id").first()


def open_round(town):
    from django.db.models import Count

    from candidates.models import Round

    rounds = Round.objects.filter(town=town).annotate(n=Count("nominations"))
    return (rounds.filter(status=Round.Status.OPEN).order_by("-n", "-id").first()
            or rounds.order_by("-n", "-id").first())


def accounts_of(town, role: str, limit: int):
    from django.db.models import Q

    from reserve.models import User

    users = (User.objects.filter(groups__name=role, is_active=True, must_change_password=False)
             .filter(Q(town=town) | Q(village__town=town) | Q(department__town=town)).distinct().order_by("id"))
    return list(users[:limit])


def office_requests(town, round_, rng) -> list[dict]:
    from django.urls import reverse

    from candidates.models import Nomination, Status
    from candidates.views import PAGE_SIZE
    from publicity.models import Notice

    nominations = Nomination.objects.filter(round__town=town)
    ids = list(nominations.order_by("?").values_list("id", flat=True)[:SAMPLE])
    names = list(nominations.order_by("?").values_list("name", flat=True)[:SAMPLE])
    busiest_village = (nominations.filter(round=round_).values_list("village_id", flat=True).order_by("village_id")
                       .first())
    statuses = [s for s in (Status.VETTING, Status.ACCEPTED, Status.SUBMITTED)
                if nominations.filter(round=round_, status=s).exists()] or [Status.SUBMITTED]
    pages = max(1, nominations.count() // PAGE_SIZE)
    notices = list(Notice.objects.filter(round__town=town).order_by("?").values_list("id", flat=True)[:SAMPLE])
    listing = reverse("candidates:nomination_list")
    return [r for r in [
        _req("office: nomination list", listing, 3),
        _req("office: nomination list, filtered", [f"{listing}?round={round_.pk}&village={busiest_village}&status={s}"
                                                   for s in statuses], 2),
        _req("office: nomination list, name search", [f"{listing}?q={n[:2]}" for n in names], 2),
        _req("office: nomination list, a far page", [f"{listing}?page={rng.randint(1, pages)}" for _ in range(10)], 1),
        _req("office: a nomination", [reverse("candidates:nomination_detail", args=[i]) for i in ids], 3),
        _req("office: flags", reverse("vetting:flags"), 1),
        _req("office: ledger", reverse("vetting:ledger", args=[round_.pk]), 1),
        _req("office: notices", reverse("publicity:notice_list"), 1),
        _req("office: a notice", [reverse("publicity:notice_detail", args=[i]) for i in notices], 1),
        _req("office: pool list", reverse("training:pool_list"), 1),
        _req("office: audit log", reverse("audit_log"), 1),
    ] if r]


def village_requests(user) -> list[dict]:
    from django.urls import reverse

    return [r for r in [
        _req("village: its nominations", reverse("candidates:nomination_list"), 2),
        _req("village: its village page", reverse("village_detail", args=[user.village_id]), 3),
    ] if r]


def department_requests(user) -> list[dict]:
    from django.urls import reverse

    queue = reverse("vetting:queue")
    return [_req("department: its queue", queue, 4), _req("department: its queue, answered", f"{queue}?tab=done", 1)]


def committee_requests(round_) -> list[dict]:
    from django.urls import reverse

    from candidates.models import Status

    listing = reverse("candidates:nomination_list")
    return [_req("committee: its decisions (meetings)", reverse("inspection:meeting_list"), 2),
            _req("committee: awaiting its decision", f"{listing}?round={round_.pk}&status={Status.PROPOSED}", 2),
            _req("committee: nomination list", listing, 1)]


def public_paths() -> list[str]:
    """Public pages of notices whose list is still shown (else any published notice's)."""
    from django.utils import timezone

    from publicity.models import Notice
    from publicity.selectors import public_list_shown

    today = timezone.localdate()
    notices = list(Notice.objects.select_related("round").order_by("-end_date", "-id")[:SAMPLE * 5])
    shown = [n for n in notices if public_list_shown(n, today)] or notices
    return [n.get_public_url() for n in shown[:SAMPLE]]


def check_password(users, password: str | None) -> str:
    """The password the accounts share: --password, else the data's convention (PASSWORDS) that matches."""
    candidates = [password] if password else list(PASSWORDS)
    for candidate in candidates:
        if all(u.check_password(candidate) for u in users):
            return candidate
    raise SystemExit(f"load.py: the accounts ({', '.join(u.username for u in users[:5])} …) do not all take "
                     f"{' or '.join(candidates)}: give --password")


def build_plan(password: str | None, seed: int = 13) -> dict:
    from reserve.roles import Role

    rng = random.Random(seed)
    town = busiest_town()
    if town is None:
        raise SystemExit("load.py: the database has no town: fill it first (seed_demo or benchmarks/county.py)")
    round_ = open_round(town)
    if round_ is None:
        raise SystemExit(f"load.py: {town} has no round")
    office = accounts_of(town, Role.OFFICE, 2)
    villages = accounts_of(town, Role.VILLAGE, 30)
    departments = accounts_of(town, Role.DEPARTMENT, 12)
    committee = accounts_of(town, Role.COMMITTEE, 5)
    if not (office and villages and departments and committee):
        raise SystemExit(f"load.py: {town} lacks accounts of a role (office {len(office)}, village {len(villages)}, "
                         f"department {len(departments)}, committee {len(committee)})")
    everyone = office + villages + departments + committee
    password = check_password(everyone, password)
    seen = office_requests(town, round_, rng)
    return {
        "town": town.name, "round": round_.name, "password": password,
        "accounts": {
            "office": [{"username": u.username, "requests": seen} for u in office],
            "village": [{"username": u.username, "requests": village_requests(u)} for u in villages],
            "department": [{"username": u.username, "requests": department_requests(u)} for u in departments],
            "committee": [{"username": u.username, "requests": committee_requests(round_)} for u in committee],
        },
        "public": public_paths(),
    }


# ----------------------------------------------------------------------------------------------- the machine


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(BASE), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(BASE), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def _wrk_version() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        return "not installed"
    out = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10)
    return (out.stdout or out.stderr).split()[1] if (out.stdout or out.stderr).split()[1:] else "?"


def machine() -> dict:
    from importlib.metadata import version as installed

    import django
    from django.conf import settings
    from django.db import connection

    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ram = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
        cursor.execute("SELECT current_database(), pg_size_pretty(pg_database_size(current_database()))")
        database, size = cursor.fetchone()
    return {
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "host": platform.node(), "cpu": cpu, "cores": os.cpu_count(), "ram": ram,
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "database": database, "database_size": size, "postgresql": server_version.split(" ")[0],
        "python": platform.python_version(), "django": django.get_version(), "gunicorn": installed("gunicorn"),
        "locust": installed("locust"),  # not imported: locust patches the threads (gevent)
        "wrk": _wrk_version(),
        "commit": _git_commit(),
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        "session_engine": settings.SESSION_ENGINE,
    }


# ----------------------------------------------------------------------------------------------- the run


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_env(static_root: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "DEBUG": "false", "REDIS_URL": REDIS_URL, "STATIC_ROOT": str(static_root),
        "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "HTTPS": "false", "TRUSTED_PROXY": "false",
        # The run signs many users in from one address: the lockout must not count successes (it does not), and
        # no failure is expected; a failure means a wrong password, which check_password has excluded.
    })
    return env


def collect_static(env: dict) -> None:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE, env=env, check=True,
                   timeout=300)


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def gunicorn_settings(args) -> dict:
    """What the server runs with: docs/deploy/gunicorn.conf.py (production's), with --workers / --threads when
    given (WEB_CONCURRENCY is the file's own override); without the file, bin/start's 2 processes of 8 threads."""
    if GUNICORN_CONF.exists():
        env = dict(os.environ)
        if args.workers:
            env["WEB_CONCURRENCY"] = str(args.workers)
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            conf = runpy.run_path(str(GUNICORN_CONF))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        threads = args.threads or conf.get("threads", 1)
        worker_class = conf.get("worker_class", "sync")
        return {"config": str(GUNICORN_CONF.relative_to(BASE)), "workers": conf.get("workers", 1), "threads": threads,
                "worker_class": "gthread" if worker_class == "sync" and threads > 1 else worker_class,
                "timeout": conf.get("timeout", 30), "preload_app": conf.get("preload_app", False)}
    return {"config": None, "workers": args.workers or 2, "threads": args.threads or 8, "worker_class": "gthread",
            "timeout": 120, "preload_app": False}


def start_gunicorn(env: dict, port: int, server: dict, log: Path) -> subprocess.Popen:
    command = [str(BASE / ".venv" / "bin" / "gunicorn")]
    if server["config"]:
        command += ["-c", str(BASE / server["config"])]
    command += ["reserve.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", str(server["workers"]),
                "--threads", str(server["threads"]), "--timeout", str(server["timeout"]), "--no-control-socket",
                "--error-logfile", str(log), "--access-logfile", "-"]
    process = subprocess.Popen(command, cwd=BASE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"load.py: gunicorn exited ({process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/accounts/login/", timeout=5) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise SystemExit(f"load.py: gunicorn did not answer within 60 s; see {log}")


def stop(process: subprocess.Popen) -> None:
    """Ends a process this script started, and its children (its own session), by its id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of a process, its living children and the children it has reaped (gunicorn's
    master reaps the workers that max_requests replaces: their seconds would be lost otherwise)."""
    import psutil

    try:
        parent = psutil.Process(pid)
        procs = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.NoSuchProcess:
            pass
    return total


def run_locust(*, classes, users, spawn_rate, run_time, port, plan_file, wait, out: Path) -> tuple[Path, float]:
    """locust headless; returns its stats CSV and the CPU seconds it used."""
    env = dict(os.environ, LOAD_PLAN=str(plan_file), LOAD_WAIT=str(wait), LOAD_RUN_TIME=str(run_time))
    bound = run_time + SIGN_IN_ALLOWANCE
    command = [str(BASE / ".venv" / "bin" / "locust"), "-f", str(LOCUSTFILE), "--headless", "--host",
               f"http://{HOST}:{port}", "--users", str(users), "--spawn-rate", str(spawn_rate),
               "--run-time", f"{bound}s", "--stop-timeout", "10", "--only-summary",
               "--csv", str(out), "--loglevel", "WARNING", *classes]
    started = time.monotonic()
    client = subprocess.Popen(command, cwd=BASE, env=env, start_new_session=True)
    cpu = 0.0
    try:
        while client.poll() is None:
            cpu = max(cpu, cpu_seconds(client.pid))
            if time.monotonic() - started > bound + 60:
                stop(client)
                raise SystemExit("load.py: locust did not stop in time; stopped")
            time.sleep(1)
    finally:
        stop(client)
    return Path(f"{out}_stats.csv"), cpu


def _ms(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_stats(csv_path: Path, run_time: float) -> list[dict]:
    rows = []
    with csv_path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Name"].startswith("(sign in)"):
                continue
            count = int(row["Request Count"])
            rows.append({
                "endpoint": row["Name"] if row["Name"] != "Aggregated" else "all",
                "requests": count, "errors": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50_ms": _ms(row["50%"]), "p95_ms": _ms(row["95%"]), "p99_ms": _ms(row["99%"]),
                "max_ms": _ms(row["Max Response Time"]), "avg_ms": _ms(row["Average Response Time"]),
                "avg_kb": round(float(row["Average Content Size"] or 0) / 1024, 1),
            })
    return rows


# wrk's script for the public workload: the connections ask the plan's public pages in turn; at the end, one line
# of JSON with what wrk measured (latencies in microseconds), after a marker the report reads it by.
WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(marker)s{"requests":%%d,"duration_us":%%d,"bytes":%%d,"connect":%%d,"read":%%d,"write":%%d,"status":%%d,' ..
    '"timeout":%%d,"p50":%%d,"p95":%%d,"p99":%%d,"max":%%d,"mean":%%f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""
WRK_MARKER = "WRK-RESULT "
WRK_WARM_UP_S = 5  # the cache of the public pages filled, the workers' connections opened: not measured


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(*, paths: list[str], connections: int, run_time: int, port: int, work: Path) -> tuple[dict, float]:
    """wrk (Debian's package, bin/setup --test) with WRK_SCRIPT: a warm-up, then `run_time` seconds measured with
    `connections` connections on one thread a core; returns what it measured and the CPU seconds it used (the
    measured run's). wrk is written in C: it leaves the cores to the server, where locust (Python) spent a core to
    drive a page that costs the server about a millisecond."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("load.py: the public workload needs wrk (Debian's package: bin/setup --test installs it)")
    script = work / "public.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(_lua_string(p) for p in paths), "marker": WRK_MARKER},
                      encoding="utf-8")
    threads = str(min(connections, os.cpu_count() or 1))

    def wrk_run(seconds: int) -> str:
        return subprocess.run([wrk, "-t", threads, "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                               "-s", str(script), f"http://{HOST}:{port}"], capture_output=True, text=True,
                              timeout=seconds + 60, check=True).stdout

    wrk_run(WRK_WARM_UP_S)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = wrk_run(run_time)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in out.splitlines() if x.startswith(WRK_MARKER)), None)
    if line is None:
        raise SystemExit(f"load.py: wrk reported nothing:\n{out}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return json.loads(line[len(WRK_MARKER):]), cpu


def wrk_rows(name: str, measured: dict) -> list[dict]:
    """The report's rows (one endpoint, and all) of a wrk run. An error: a refused or broken connection, a timeout,
    or an answer of 400 and above."""
    count = measured["requests"]
    errors = sum(measured[k] for k in ("connect", "read", "write", "status", "timeout"))
    row = {"requests": count, "errors": errors, "rps": round(count / (measured["duration_us"] / 1e6), 1),
           **{f"{k}_ms": round(measured[k] / 1000, 1) for k in ("p50", "p95", "p99", "max")},
           "avg_ms": round(measured["mean"] / 1000, 1),
           "avg_kb": round(measured["bytes"] / count / 1024, 1) if count else 0}
    return [{"endpoint": name, **row}, {"endpoint": "all", **row}]


def run_workload(kind: str, args, plan_file: Path, env: dict, work: Path) -> dict:
    port = free_port()
    flush_redis()
    log = work / f"gunicorn-{kind}.log"
    server = start_gunicorn(env, port, gunicorn_settings(args), log)
    tool = "locust" if kind == "mixed" else "wrk"
    try:
        users = args.users if kind == "mixed" else args.public_users
        print(f"load.py: {kind}: {users} {'users' if kind == 'mixed' else 'connections (wrk)'} on "
              f"http://{HOST}:{port}/ for {args.run_time} s …", flush=True)
        if kind == "mixed":
            server_cpu_before = cpu_seconds(server.pid)
            csv_path, client_cpu = run_locust(classes=MIXED_CLASSES, users=users, spawn_rate=args.spawn_rate,
                                              run_time=args.run_time, port=port, plan_file=plan_file,
                                              wait=args.wait, out=work / kind)
            server_cpu = cpu_seconds(server.pid) - server_cpu_before
        else:
            plan = json.loads(plan_file.read_text(encoding="utf-8"))
            measured, client_cpu = None, 0.0

            def measure():
                nonlocal measured, client_cpu
                measured, client_cpu = run_wrk(paths=plan["public"], connections=users, run_time=args.run_time,
                                               port=port, work=work)

            server_cpu = _server_cpu_during(server, measure, warm_up=WRK_WARM_UP_S)
    finally:
        stop(server)
    errors = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
              if "Traceback" in line or "[ERROR]" in line or "WORKER TIMEOUT" in line]
    rows = read_stats(csv_path, args.run_time) if kind == "mixed" else wrk_rows("public: notice page", measured)
    return {"kind": kind, "tool": tool, "users": users, "spawn_rate": args.spawn_rate, "run_time_s": args.run_time,
            "wait_s": args.wait if kind == "mixed" else 0, "server_cpu_s": round(server_cpu, 1),
            "client_cpu_s": round(client_cpu, 1), "server_log_errors": errors[:20], "rows": rows}


def _server_cpu_during(server: subprocess.Popen, measure, *, warm_up: float) -> float:
    """The server's CPU seconds over the measured part of `measure()` (which first warms up for `warm_up` seconds):
    sampled in a thread as the warm-up ends, and at the end."""
    import threading

    sample = {}

    def at_warm_up_end():
        time.sleep(warm_up + 0.5)
        sample["before"] = cpu_seconds(server.pid)

    sampler = threading.Thread(target=at_warm_up_end, daemon=True)
    sampler.start()
    measure()
    sampler.join()
    return cpu_seconds(server.pid) - sample["before"]


def verdict(run: dict) -> dict:
    total = next((r for r in run["rows"] if r["endpoint"] == "all"), None)
    budget = BUDGETS[run["kind"]]
    if total is None:
        return {"met": False, "why": "no request measured"}
    checks = {"rps": total["rps"] >= budget["rps"]}
    if "p99_ms" in budget:
        checks["p99_ms"] = total["p99_ms"] is not None and total["p99_ms"] <= budget["p99_ms"]
    if "errors" in budget:
        checks["errors"] = total["errors"] <= budget["errors"]
    return {"met": all(checks.values()), "checks": checks, "budget": budget}


# ----------------------------------------------------------------------------------------------- the profile


class RequestTimers:
    """Times one request's parts in this process: SQL (every query, by a connection execute wrapper), opening the
    database connection, template rendering (the outermost render, less the SQL run inside it: lazy querysets)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.sql = self.sql_in_template = self.template = self.connect = 0.0
        self.queries = self.depth = 0

    def execute(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.sql += spent
            self.queries += 1
            if self.depth:
                self.sql_in_template += spent

    def wrap_render(self, render):
        def timed_render(template, context=None, request=None):
            self.depth += 1
            start = time.perf_counter()
            try:
                return render(template, context, request)
            finally:
                self.depth -= 1
                if not self.depth:
                    self.template += time.perf_counter() - start
        return timed_render

    def wrap_connect(self, connect):
        def timed_connect(wrapper):
            start = time.perf_counter()
            try:
                return connect(wrapper)
            finally:
                self.connect += time.perf_counter() - start
        return timed_connect


def _profile_row(name, username, client, paths, runs, timers, profiler) -> dict:
    """`runs` timed requests after a warm-up (each of the pages once), then a few more under cProfile (its own cost
    kept out of the times)."""
    from django.db import connection

    for path in dict.fromkeys(paths[:runs]):  # warm: each page once (templates compiled, caches filled)
        client.get(path)
    samples = []
    for i in range(runs):
        if not connection.settings_dict["CONN_MAX_AGE"]:
            connection.close()  # as the server does after each request (the test client keeps it open)
        timers.reset()
        with connection.execute_wrapper(timers.execute):
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(paths[i % len(paths)])
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        samples.append({"wall": wall, "cpu": cpu, "sql": timers.sql, "connect": timers.connect,
                        "template": timers.template - timers.sql_in_template, "queries": timers.queries,
                        "status": response.status_code})
    for i in range(PROFILED_REQUESTS):
        profiler.enable()
        client.get(paths[i % len(paths)])
        profiler.disable()

    def median_ms(key):
        return round(statistics.median(s[key] for s in samples) * 1000, 1)

    row = {"endpoint": name, "as": username, "status": samples[-1]["status"],
           **{f"{k}_ms": median_ms(k) for k in ("wall", "cpu", "sql", "connect", "template")},
           "queries": statistics.median(s["queries"] for s in samples)}
    row["python_ms"] = round(max(row["wall_ms"] - row["sql_ms"] - row["connect_ms"] - row["template_ms"], 0), 1)
    return row


def profile(plan: dict, runs: int) -> dict:
    """Per endpoint of the plan (as its role's first account; the public page anonymous), `runs` warm requests
    through Django's test client and the whole middleware: medians of wall and CPU time, SQL, opening the database
    connection, template rendering, the rest of Python — and the functions that took the most time over them all
    (cProfile)."""
    import cProfile
    import io
    import pstats

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.template.backends.django import Template as BackendTemplate
    from django.test import Client
    from django.urls import reverse

    from reserve.models import User

    timers, profiler = RequestTimers(), cProfile.Profile()
    render, connect = BackendTemplate.render, BaseDatabaseWrapper.connect
    BackendTemplate.render = timers.wrap_render(render)
    BaseDatabaseWrapper.connect = timers.wrap_connect(connect)
    rows = []
    try:
        for accounts in plan["accounts"].values():
            account = accounts[0]
            client = Client(HTTP_HOST=HOST)
            client.force_login(User.objects.get(username=account["username"]))
            for request in account["requests"]:
                rows.append(_profile_row(request["name"], account["username"], client, request["paths"], runs,
                                         timers, profiler))
            if account is plan["accounts"]["office"][0]:
                # The fixed cost of any signed-in page: the middleware, the session, the menu, the base template.
                rows.append(_profile_row("(floor) a near-empty signed-in page", account["username"], client,
                                         [reverse("password_change_done")], runs, timers, profiler))
        rows.append(_profile_row("public: notice page", "anonymous", Client(HTTP_HOST=HOST), plan["public"], runs,
                                 timers, profiler))
    finally:
        BackendTemplate.render, BaseDatabaseWrapper.connect = render, connect
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    return {"runs": runs, "rows": rows, "top_functions": out.getvalue()}


# ----------------------------------------------------------------------------------------------- the report


def _f(value, digits=0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _per_request_ms(run: dict) -> str:
    total = next((r for r in run["rows"] if r["endpoint"] == "all"), None)
    if not total or not total["requests"]:
        return "—"
    return f"{run['server_cpu_s'] * 1000 / total['requests']:.1f}"


def _clients(run: dict) -> str:
    if run["tool"] == "wrk":
        return (f"wrk, {run['users']} connections, after a {WRK_WARM_UP_S} s warm-up that is not measured, no pause "
                "between requests")
    return f"locust, {run['users']} users (spawn {run['spawn_rate']}/s), wait {run['wait_s']} s"


def _server_cpu_note(run: dict) -> str:
    return "the measured seconds" if run["tool"] == "wrk" else "with the sign-ins"


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"# Load run {m['when']} · database {m['database']} ({m['database_size']}) · PostgreSQL {m['postgresql']}",
        "",
        f"- machine: {m['host']} · {m['cores']} CPU {m['cpu']} · RAM {m['ram']} · load average at the start "
        f"{m['load_average']}",
        f"- software: Python {m['python']} · Django {m['django']} · gunicorn {m['gunicorn']} · locust {m['locust']} "
        f"· wrk {m.get('wrk', '—')} "
        f"· commit {m['commit']}",
        f"- server: gunicorn -c {report['server']['config']} — {report['server']['workers']} "
        f"{report['server']['worker_class']} workers × {report['server']['threads']} threads, timeout "
        f"{report['server']['timeout']} s, preload {report['server']['preload_app']}, DEBUG off, REDIS_URL {REDIS_URL}, "
        f"CONN_MAX_AGE {m['conn_max_age']}, sessions "
        f"{m['session_engine']}, static files by WhiteNoise (manifest)",
        f"- data: town {report['plan']['town']} (the most nominations), round {report['plan']['round']}",
        "",
    ]
    for run in report["runs"]:
        v = run["verdict"]
        checks = ", ".join(f"{k} {'ok' if ok else 'MISSED'}" for k, ok in v.get("checks", {}).items())
        lines += [
            f"## {run['kind']}: {_clients(run)}, {run['run_time_s']} s — budget {v.get('budget')}: "
            f"{'met' if v['met'] else 'NOT met'} ({checks})",
            "",
            f"CPU used during the run: gunicorn {run['server_cpu_s']} s ({_server_cpu_note(run)}; "
            f"{_per_request_ms(run)} ms a measured request), {run['tool']} {run['client_cpu_s']} s "
            f"(of {run['run_time_s'] * (m['cores'] or 1)} core-seconds).",
            "",
            "| endpoint | requests | req/s | errors | p50 ms | p95 ms | p99 ms | max ms | KB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in sorted(run["rows"], key=lambda r: (r["endpoint"] == "all", r["endpoint"])):
            name = f"**{r['endpoint']}**" if r["endpoint"] == "all" else r["endpoint"]
            lines.append(f"| {name} | {r['requests']:,} | {_f(r['rps'], 1)} | {r['errors']} | {_f(r['p50_ms'])} | "
                         f"{_f(r['p95_ms'])} | {_f(r['p99_ms'])} | {_f(r['max_ms'])} | {_f(r['avg_kb'], 1)} |")
        if run["server_log_errors"]:
            lines += ["", "gunicorn's log:", "", "```", *run["server_log_errors"], "```"]
        lines.append("")
    if report.get("profile"):
        prof = report["profile"]
        lines += [f"## Where a request's time goes (in-process, warm, medians of {prof['runs']} requests after a warm-up)", "",
                  "Django's test client through the whole middleware, in one process (no HTTP, no gunicorn, no "
                  "concurrency): **wall** = the request; **CPU** = this process's CPU time in it; **SQL** = the "
                  "queries' execution; **connect** = opening the database connection (each request only with "
                  "CONN_MAX_AGE 0); **template** = rendering, less the SQL run inside it; **Python** = the rest "
                  "(middleware, sessions, view, forms, the audit log).", "",
                  "| endpoint | as | status | wall ms | CPU ms | SQL ms | connect ms | template ms | Python ms | "
                  "queries |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for p in prof["rows"]:
            lines.append(f"| {p['endpoint']} | {p['as']} | {p['status']} | {p['wall_ms']} | {p['cpu_ms']} | "
                         f"{p['sql_ms']} | {p['connect_ms']} | {p['template_ms']} | {p['python_ms']} | "
                         f"{p['queries']:g} |")
        lines += ["", f"The functions that took the most time of their own (cProfile, {PROFILED_REQUESTS} more requests "
                  "of each endpoint, after the timed ones):", "",
                  "```", prof["top_functions"].strip(), "```", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-time", type=int, default=60, help="seconds of each workload (default 60)")
    parser.add_argument("--users", type=int, default=24, help="signed-in users of the mixed workload")
    parser.add_argument("--public-users", type=int, default=24, help="wrk's connections for the public workload")
    parser.add_argument("--spawn-rate", type=float, default=12, help="users started a second")
    parser.add_argument("--wait", type=float, default=0, help="a user's pause between two requests, seconds")
    parser.add_argument("--workers", type=int, help="gunicorn's workers (default: docs/deploy/gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="threads a worker (default: the config's; >1: gthread)")
    parser.add_argument("--only", choices=("mixed", "public", "profile"),
                        help="run one workload (profile: none, only --profile's measurement)")
    parser.add_argument("--password", help="the accounts' password (default: the data's convention)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also profile each endpoint in-process, N warm requests each")
    parser.add_argument("--output", help="the report's name (default load-<date>-<database>)")
    args = parser.parse_args(argv)
    for bound, value, top in (("--run-time", args.run_time, 600), ("--users", args.users, 200),
                              ("--public-users", args.public_users, 200)):
        if not 1 <= value <= top:
            parser.error(f"{bound} must be between 1 and {top}")
    if args.only == "profile" and not args.profile:
        args.profile = 20
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to the PostgreSQL database to load (demo or county)")

    setup_django()
    from django.db import connections

    plan = build_plan(args.password)
    about = machine()
    connections.close_all()
    RESULTS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="reserve-load-"))
    try:
        plan_file = work / "plan.json"
        plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        env = server_env(work / "static")
        if args.only != "profile":
            collect_static(env)
        runs = []
        for kind in ("mixed", "public"):
            if args.only and args.only != kind:
                continue
            run = run_workload(kind, args, plan_file, env, work)
            run["verdict"] = verdict(run)
            runs.append(run)
        report = {"machine": about, "server": gunicorn_settings(args),
                  "plan": {"town": plan["town"], "round": plan["round"],
                           "accounts": {k: [a["username"] for a in v] for k, v in plan["accounts"].items()},
                           "requests": {k: v[0]["requests"] for k, v in plan["accounts"].items()},
                           "public": plan["public"]},
                  "runs": runs}
        if args.profile:
            report["profile"] = profile(plan, args.profile)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    name = args.output or f"load-{datetime.date.today():%Y-%m-%d}-{about['database']}"
    (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    text = markdown(report)
    (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"load.py: report in {RESULTS / name}.md and .json")
    return 0 if all(r["verdict"]["met"] for r in runs) else 1  # no run (--only profile): 0


if __name__ == "__main__":
    sys.exit(main())
