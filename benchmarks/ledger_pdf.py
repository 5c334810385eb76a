"""The 资格联审台账 of a county's largest town: its page and its PDF job, at 7,440 candidates × 12 departments.

    createdb -h 127.0.0.1 -U postgres h2bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h2bench .venv/bin/python benchmarks/ledger_pdf.py \
        [--candidates 7440] [--runs 20] [--reuse] [--skip-round-pdf] [--skip-pdf]

Builds in the database DATABASE_URL names (empty, or --reuse: the round an earlier run built there) one town of
25 villages and 12 departments with one open round: --candidates nominations in vetting (one village of 600, the
others sharing the rest), each with a request to every department — 60 % answered clear, 10 % flagged (some of
them decided), 30 % pending (some past their deadline, some reminded), a few entered by the office from a paper
reply — made with bulk_create, ID numbers valid and stored through the app's encryption and keyed hash.

Then measures, in this process:
- the ledger's page (Django's test client as the town's office, warm, --runs requests): median and p95 ms and the
  queries of one request — unfiltered, one village, one state;
- the PDF job's runner (vetting.jobs.run, called directly, writing to a temporary file) for the 600-row village:
  wall time, rows/s, CPU time of this process and of child processes;
- the same for the whole round: and the size and pages of the PDF, the peak resident size of this process and of
  the largest child process (ru_maxrss).

--county measures instead the largest round of the county benchmark's database (benchmarks/county.py: its largest
town's open round, 7,440 nominations sent to its 12 departments) and its largest village, without writing to it:
no migrate, no ANALYZE, no page run (pages.py times the page there), each job's rows rolled back:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_county .venv/bin/python benchmarks/ledger_pdf.py --county
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

from benchmarks.pool_pages import _id_number, has_data, setup_django  # noqa: E402

TOWN = "台账基准镇"
DEPARTMENTS = ("纪委", "派出所", "法庭", "检察院", "司法所", "市场监管所", "卫健办", "信访办", "民政办", "自然资源所",
               "税务所", "人社所")
BIG_VILLAGE_ROWS = 600
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "明华强伟芳娜敏静丽军勇杰涛斌超辉刚平红霞玲燕飞鹏宇浩亮"


def build(candidates: int, seed: int = 13):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from candidates.models import Nomination, Person, Round, Status
    from reserve.choices import Education, Gender, PoliticalStatus
    from reserve.models import Department, Town, User, Village
    from reserve.roles import Role
    from vetting.models import NegativeItem, VettingRequest
    from vetting.services import ensure_negative_list, rebuild_round_summaries

    rng = random.Random(seed)
    today = timezone.localdate()
    password = make_password("Bench@2026")
    groups = {role: Group.objects.get_or_create(name=role)[0] for role in Role.values}
    used: dict = {}
    with transaction.atomic():
        town = Town.objects.create(name=TOWN, party_committee_name=f"中共{TOWN}委员会")
        villages = Village.objects.bulk_create([Village(town=town, name=f"第{v + 1}村", order=v) for v in range(25)])
        departments = Department.objects.bulk_create(
            [Department(town=town, name=name, order=i) for i, name in enumerate(DEPARTMENTS)])
        office = User.objects.create(username="tzzb", full_name="组织办", town=town, password=password)
        clerks = User.objects.bulk_create(
            [User(username=f"tzbm{i:02d}", full_name=f"{d.name}经办人", town=town, department=d, password=password)
             for i, d in enumerate(departments)])
        through = User.groups.through
        through.objects.bulk_create([through(user_id=office.pk, group_id=groups[Role.OFFICE].pk)]
                                    + [through(user_id=c.pk, group_id=groups[Role.DEPARTMENT].pk) for c in clerks])
        round_ = Round.objects.create(
            town=town, year=today.year, name=f"{today.year}年村级后备干部选拔", age_reference_date=today,
            nomination_start=today - datetime.timedelta(days=30), nomination_end=today - datetime.timedelta(days=10),
            review_start=today - datetime.timedelta(days=20), review_end=today + datetime.timedelta(days=5),
            inspection_start=today + datetime.timedelta(days=6), inspection_end=today + datetime.timedelta(days=30),
            publicity_start=today + datetime.timedelta(days=31))
        ensure_negative_list(round_)
        for i, item in enumerate(NegativeItem.objects.filter(round=round_).order_by("number")):
            item.suggested_departments.clear()
            item.departments.set([departments[i % len(departments)], departments[(i + 5) % len(departments)]])
        NegativeItem.objects.get(round=round_, number=1).departments.add(*departments)
        # one village of BIG_VILLAGE_ROWS, the others share the rest
        rest = candidates - BIG_VILLAGE_ROWS
        sizes = [BIG_VILLAGE_ROWS] + [rest // 24 + (1 if v < rest % 24 else 0) for v in range(24)]
        people, nominations = [], []
        for village, size in zip(villages, sizes, strict=True):
            for _i in range(size):
                male = rng.random() < 0.6
                birth = datetime.date(rng.randint(1986, 2002), rng.randint(1, 12), rng.randint(1, 28))
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                people.append(Person(id_number=_id_number(birth, male, used), name=name,
                                     gender=Gender.MALE if male else Gender.FEMALE, birth_date=birth))
                nominations.append((village, name))
        people = Person.objects.bulk_create(people, batch_size=2000)
        rows = Nomination.objects.bulk_create(
            [Nomination(round=round_, village=village, person=person, name=name, status=Status.VETTING,
                        political_status=PoliticalStatus.MASSES, hukou_village=village,
                        fulltime_education=Education.HIGH_SCHOOL, work_unit_post="个体经营", phone="13800000000",
                        statement="热爱农村工作。", is_eligible=True, created_by=office)
             for (village, name), person in zip(nominations, people, strict=True)], batch_size=2000)
        now = timezone.now()
        requests = []
        for n in rows:
            for d, clerk in zip(departments, clerks, strict=True):
                roll = rng.random()
                r = VettingRequest(nomination=n, department=d, deadline=today + datetime.timedelta(days=5))
                if roll < 0.7:
                    r.status = VettingRequest.Status.ANSWERED
                    r.signed_at, r.signed_by = now - datetime.timedelta(days=rng.randint(0, 9)), clerk
                    if roll < 0.1:
                        r.flagged, r.conclusion = True, "发现问题"
                        if roll < 0.03:
                            r.decision = VettingRequest.Decision.OVERRULED
                    elif roll > 0.68:
                        r.proxy_entered_by, r.paper_signer, r.paper_date = office, "李经办", today
                        r.signed_by = None
                else:
                    if roll > 0.95:
                        r.deadline = today - datetime.timedelta(days=2)
                        r.reminder_count = 1
                requests.append(r)
        VettingRequest.objects.bulk_create(requests, batch_size=5000)
        rebuild_round_summaries(round_)  # the ledger's per-nomination summary, as the services keep it
    return round_, office, villages[0]


def county():
    """The round of bench_county (benchmarks/county.py) with the most nominations sent to vetting — the largest
    town's open round, 7,440 — its town's office and its largest village."""
    from django.db.models import Count

    from candidates.models import Round
    from reserve.models import User, Village
    from reserve.roles import Role
    from vetting.models import VettingSummary

    top = VettingSummary.objects.values("round").annotate(n=Count("pk")).order_by("-n").first()
    round_ = Round.objects.select_related("town").get(pk=top["round"])
    office = User.objects.filter(town=round_.town, groups__name=Role.OFFICE, is_active=True).order_by("pk").first()
    village = Village.objects.get(pk=VettingSummary.objects.filter(round=round_).values("nomination__village")
                                  .annotate(n=Count("pk")).order_by("-n")[0]["nomination__village"])
    return round_, office, village


def reuse():
    from candidates.models import Round
    from reserve.models import User, Village

    round_ = Round.objects.get(town__name=TOWN)
    return round_, User.objects.get(username="tzzb"), Village.objects.get(town=round_.town, order=0)


def _ms(samples):
    samples = sorted(samples)
    return statistics.median(samples) * 1000, samples[max(0, int(len(samples) * 0.95) - 1)] * 1000


def measure_page(office, round_, village, runs: int) -> list[tuple[str, float, float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(office)
    url = reverse("vetting:ledger", args=[round_.pk])
    results = []
    for label, query in (("台账 · 全部", {}), ("台账 · 一个村（600人）", {"village": village.pk}),
                         ("台账 · 有问题反馈", {"state": "flagged"}), ("台账 · 有逾期未答复", {"state": "overdue"}),
                         ("台账 · 全部 · 第200页", {"page": 200})):
        for _i in range(3):
            assert client.get(url, query).status_code == 200
        times = []
        for _i in range(runs):
            t0 = time.perf_counter()
            client.get(url, query)
            times.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, query)
        results.append((label, *_ms(times), len(queries)))
    return results


def run_job(office, round_, village=None) -> dict:
    """One run of the job's runner; the rows it writes (the job, its audit entry) are rolled back."""
    from django.db import transaction
    from pypdf import PdfReader

    from reserve.models import Job
    from vetting import jobs as ledger_jobs

    seen = []
    with transaction.atomic(), tempfile.TemporaryFile("w+b") as out:
        job = Job.objects.create(owner=office, kind=ledger_jobs.KIND, title="基准", params={
            "round": round_.pk, "village": village.pk if village else None})
        t0, cpu0, kids0 = time.perf_counter(), time.process_time(), _children_cpu()
        ledger_jobs.run(job, out, lambda done, total: seen.append((done, total)))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        kids = _children_cpu() - kids0
        size = out.tell()
        out.seek(0)
        pages = len(PdfReader(io.BytesIO(out.read())).pages)
        transaction.set_rollback(True)
    rows = seen[-1][1]
    return {"rows": rows, "wall": wall, "cpu_parent": cpu, "cpu_children": kids, "rows_per_s": rows / wall,
            "mb": size / 2**20, "pages": pages}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=7440)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--county", action="store_true",
                        help="measure bench_county's largest round (benchmarks/county.py): nothing is written to it "
                             "(no migrate, no ANALYZE; each job's rows are rolled back)")
    parser.add_argument("--skip-round-pdf", action="store_true")
    parser.add_argument("--skip-page", action="store_true")
    parser.add_argument("--skip-pdf", action="store_true", help="measure the page only")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to a database of the benchmark's own.", file=sys.stderr)
        return 2
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from vetting import jobs as ledger_jobs

    if args.county:
        round_, office, big = county()
    else:
        call_command("migrate", verbosity=0)
    if args.county:
        pass
    elif has_data():
        if not args.reuse:
            print("The database holds data: give an empty one, or --reuse.", file=sys.stderr)
            return 2
        round_, office, big = reuse()
    else:
        t0 = time.perf_counter()
        round_, office, big = build(args.candidates)
        print(f"# built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if connection.vendor == "postgresql" and not args.county:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"# {platform.node()} · {platform.platform()} · {os.cpu_count()} CPU · Python {platform.python_version()}"
          f" · {connection.vendor} · load {os.getloadavg()[0]:.1f}")
    if not args.skip_page and not args.county:  # the page writes sessions and audit rows: pages.py times it there
        print("\n| page | median ms | p95 ms | queries |\n|---|---:|---:|---:|")
        for label, median, p95, queries in measure_page(office, round_, big, args.runs):
            print(f"| {label} | {median:.1f} | {p95:.1f} | {queries} |")
    if args.skip_pdf:
        return 0
    print(f"\nCHUNK_ROWS {getattr(ledger_jobs, 'CHUNK_ROWS', '-')}, "
          f"load {os.getloadavg()[0]:.1f}")
    print("\n| PDF job | rows | wall s | rows/s | CPU s (job) | CPU s (children) | MB | pages |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, village in (("one village", big), ("the whole round", None)):
        if village is None and args.skip_round_pdf:
            continue
        r = run_job(office, round_, village)
        print(f"| {label} | {r['rows']} | {r['wall']:.1f} | {r['rows_per_s']:.0f} | {r['cpu_parent']:.1f} | "
              f"{r['cpu_children']:.1f} | {r['mb']:.1f} | {r['pages']} |", flush=True)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak resident size: this process {self_mb:.0f} MB (Django, the rows, the PDF; and the page runs unless "
          f"--county or --skip-page); the largest child process {child_mb:.0f} MB (the WeasyPrint parts were rendered "
          f"each in a forked child, two at once; since fpdf2 the only child is fc-match, which looks the fonts up: "
          f"forked from this process, it counts this process's pages until it execs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
