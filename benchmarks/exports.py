"""Time the audit-log Excel export as a background job (reserve/views_audit.py run_export, through reserve.jobs.execute).

    createdb -h 127.0.0.1 -U postgres h3bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h3bench .venv/bin/python benchmarks/exports.py [--rows 100000]

Migrates the database DATABASE_URL names (it must be set), and unless it already holds them builds one town with
20 accounts and --rows audit entries of theirs (bulk_create, 5,000 at a time): sign-ins, views of a 自荐表 with
its id number masked, workflow steps with their event detail, downloads — the mix the log holds. Then, in a fresh
process (so that the peak resident size is the run's own, not the build's), runs one export job of every entry
as the town's office, the way the worker runs it: wall time, CPU time, the peak resident size of the process
(the kernel's high-water mark, VmHWM) and its growth over the process after start-up, the rows written and the file's size.
Budget (issue 13 §3): 100,000 rows in at most 30 s and 200 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

BATCH = 5000
TOWN = "基准镇"


def setup_django(media_root: str | None = None):
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to the benchmark's database (e.g. postgres://postgres@127.0.0.1:5432/h3bench).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reserve.settings")
    if media_root:
        os.environ["MEDIA_ROOT"] = media_root
    import django

    django.setup()


def rss_mb() -> float:
    """This process's peak resident size so far, MB: the kernel's high-water mark of its own memory (VmHWM). Not
    getrusage's ru_maxrss, which Linux carries across execve from the process that forked it: the run-only process,
    started by the one that built 100,000 rows, reported that process's peak (229–235 MB) as its own at start."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


# --------------------------------------------------------------------------- the rows

def build(rows: int) -> tuple[int, int]:
    """The town, its accounts and `rows` audit entries (kept if already there); (the office's pk, entries)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    from candidates.models import Nomination
    from reserve.models import AuditEntry, Town, User, Village
    from reserve.roles import Role
    from tests.factories import UserFactory

    call_command("migrate", "-v0")
    town = Town.objects.filter(name=TOWN).first() or Town.objects.create(name=TOWN)
    office = User.objects.filter(username="bench_office").first() or UserFactory(
        username="bench_office", town=town, role=Role.OFFICE)
    villages = [Village.objects.get_or_create(town=town, name=f"第{i}村")[0] for i in range(1, 11)]
    users = [office] + [
        User.objects.filter(username=f"bench_cun{i:02d}").first()
        or UserFactory(username=f"bench_cun{i:02d}", full_name=f"村书记{i}", town=town, village=v, role=Role.VILLAGE)
        for i, v in enumerate(villages * 2, start=1)
    ][:19]
    have = AuditEntry.objects.filter(user__in=users).count()
    nomination = ContentType.objects.get_for_model(Nomination)
    A = AuditEntry.Action
    kinds = [
        (A.LOGIN, None, "", {}),
        (A.VIEW, nomination, "/nominations/{n}/", {"id_number": "masked", "page": "nomination"}),
        (A.WORKFLOW, nomination, "/nominations/{n}/submit/", {"event": "submit", "from": "draft", "to": "submitted"}),
        (A.UPDATE, nomination, "/nominations/{n}/edit/", {"changed": {"phone": {"old": "138****0000",
                                                                               "new": "139****1111"}}}),
        (A.DOWNLOAD, nomination, "/nominations/{n}/idcard/", {"file": "id_card"}),
    ]
    made = 0
    while have + made < rows:
        batch = []
        for i in range(min(BATCH, rows - have - made)):
            k = have + made + i
            action, ctype, path, detail = kinds[k % len(kinds)]
            user = users[k % len(users)]
            n = 1 + k % 7440
            batch.append(AuditEntry(
                action=action, user=user, username=user.username, roles=Role.OFFICE if user is office else Role.VILLAGE,
                address=f"10.0.{k % 250}.{k % 200}", path=path.format(n=n), content_type=ctype,
                object_id=str(n) if ctype else "", object_repr=f"自荐表 #{n}" if ctype else "", detail=detail))
        AuditEntry.objects.bulk_create(batch)
        made += len(batch)
        print(f"  {have + made:,} entries", file=sys.stderr, end="\r")
    return office.pk, AuditEntry.objects.filter(user__in=users).count()


# --------------------------------------------------------------------------- the run (a fresh process)

def run(office_pk: int) -> dict:
    from reserve import jobs
    from reserve.models import Job, User

    office = User.objects.get(pk=office_pk)
    job = Job.objects.create(owner=office, kind="audit_log_xlsx", title="基准：审计日志导出", params={"query": {}})
    jobs.runner(job.kind)  # the kinds registered, as a worker finds them, before the clock starts
    start_rss = rss_mb()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = jobs.execute(job.pk)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    job.refresh_from_db()
    size = job.file.size if job.file else 0
    job.file.delete(save=False) if job.file else None
    Job.objects.filter(pk=job.pk).delete()
    return {"result": result, "status": job.status, "rows": job.total, "wall_s": wall, "cpu_s": cpu,
            "start_rss_mb": start_rss, "peak_rss_mb": rss_mb(), "file_mb": size / 1e6}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--run-only", type=int, metavar="OFFICE_PK", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_only:
        with tempfile.TemporaryDirectory(prefix="exports-bench-") as media:
            setup_django(media)
            figures = run(args.run_only)
        print(" ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
        return
    setup_django()
    t0 = time.perf_counter()
    office_pk, entries = build(args.rows)
    print(f"# {entries:,} audit entries of the town ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {os.cpu_count()} CPU · load {load} · "
          f"{os.environ['DATABASE_URL'].split('://')[0]}")
    subprocess.run([sys.executable, __file__, "--run-only", str(office_pk)], check=True)


if __name__ == "__main__":
    main()
