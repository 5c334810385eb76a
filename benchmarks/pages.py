"""Time every GET page of the app against a generated county (benchmarks/county.py), in-process, as its users.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_county .venv/bin/python benchmarks/pages.py \
        --scale county [--runs 20] [--only URLNAME ...] [--heavy]

Every page of every namespace — the core's own URL names (rounds, villages, the audit log …), candidates:, vetting:,
inspection:, publicity: (the public notice page asked anonymously), dossier:, and the pool's pages of
benchmarks/pool_pages.PAGES (training:, cultivation:, assessment:) — is asked with Django's test client through the
whole middleware, as the account of the role that uses it (town 1's, the county's largest town: its open round holds
12,000 nominations at county scale): one warm request, then --runs timed ones (median and p95), and one under
CaptureQueriesContext (the query count). For a list page, in the same run:

- the same rows through a plain Django admin changelist (ModelAdmin with the list's columns, filters and page size,
  on a benchmark-only AdminSite mounted at /bench-admin/: the app's own admin registers no candidate data), asked as
  a superuser — "admin ms";
- the page's own SQL: each SELECT the page sent, re-run with cursor.execute, summed, --runs times — "SQL ms"; "beyond
  SQL" is the page's median minus that median (what the page spends outside the database: Python, templates,
  middleware, writes such as the session and the audit row); the slowest of them is the list's main query, and its
  EXPLAIN (ANALYZE, BUFFERS) is kept in the JSON.

Budgets (issue 13 §2), flagged per row: median ≤ 50 ms, p95 ≤ 150 ms, ≤ 15 queries, beyond SQL ≤ 30 ms, a list no
slower than its admin changelist. Documents that grow with the data (the round's 台账 PDF, the audit Excel) are asked
at county scale only with --heavy (at demo scale always), each row marked. Every URL name needs a row or a Skip
with the reason (as pool_pages does): the run fails otherwise, and on a page answering other than its expected
status. Writes benchmarks/results/<date>-<scale>.json and .md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

from benchmarks import county, pool_pages  # noqa: E402

NAMESPACES = (None, "candidates", "vetting", "inspection", "publicity", "dossier")
RESULTS = BASE / "benchmarks" / "results"
BUDGET = {"median_ms": 50, "p95_ms": 150, "queries": 15, "beyond_ms": 30}
ADMIN_PREFIX = "/bench-admin/"


@dataclass(frozen=True)
class Page:
    """One row: a URL name, the keys of its arguments (Objects), the query string, who asks, the label; the
    expected status; for a list, the admin changelist of the same rows (model label, query string); document: a PDF,
    a print page or an export (DOCUMENT_RUNS timed requests, not --runs); heavy: a document that grows with the data
    (asked at county scale only with --heavy)."""

    name: str
    args: tuple[str, ...] = ()
    query: str = ""
    roles: tuple[str, ...] = ("office",)
    label: str = ""
    status: int | tuple[int, ...] = 200  # a tuple: any of these (e.g. an export inline when small, else a job)
    admin: tuple[str, str] | None = None
    heavy: bool = False
    document: bool = False


Skip = pool_pages.Skip
DOCUMENT_RUNS = 3
SLOW_MS = 5000  # a page whose warm request takes longer is timed DOCUMENT_RUNS times

PAGES: tuple = (
    # the core (reserve/urls.py)
    Page("home", roles=("office", "village", "department", "committee"), label="首页（转到各自的起始页）", status=302),
    Page("favicon", roles=("anon",), label="favicon.ico"),
    Page("login", roles=("anon",), label="登录页"),
    Skip("logout", "POST only (Django's LogoutView)"),
    Page("password_change", label="修改密码"),
    Page("password_change_done", label="密码已修改"),
    Page("otp_setup", label="绑定验证器"),
    Skip("otp_verify", "asked only in a session signed in with a password and a device, before its code"),
    Skip("otp_disable", "POST only (a button of otp_setup)"),
    Page("round_list", label="选拔批次", admin=("candidates.round", "town__id__exact={town}")),
    Page("round_new", label="新建批次（表单）"),
    Page("round_detail", ("round",), label="批次页面（进行中）"),
    Page("round_detail", ("closed_round",), label="批次页面（已结束）"),
    Page("round_edit", ("round",), label="修改批次参数（表单）"),
    Page("village_list", label="村（社区）一览", admin=("reserve.village", "town__id__exact={town}")),
    Page("village_detail", ("village",), roles=("office", "village"), label="村（社区）页面",
         admin=("candidates.nomination", "village__id__exact={village}&round__id__exact={round}")),
    Page("roster_edit", ("village",), roles=("village",), label="两委成员（表单）"),
    Page("audit_log", roles=("office", "audit"), label="审计日志 第1页", admin=("reserve.auditentry", "")),
    Page("audit_log", query="?page=500", label="审计日志 第500页", admin=("reserve.auditentry", "p=499")),
    Page("audit_export", label="审计日志导出（Excel；行多时转后台生成）", status=(200, 302), document=True),
    Skip("admin_password_change", "a redirect to password_change (measured above)"),
    Page("job_list", label="我的文件（后台生成）"),
    Skip("job_detail", "a background job's page: the generated county holds no job (one is made by asking a document)"),
    Skip("job_download", "a generated file's download: the generated county holds no job"),
    # selection (candidates/urls.py)
    Page("candidates:nomination_list", roles=("office", "village", "committee"), label="自荐表一览 第1页",
         admin=("candidates.nomination", "round__id__exact={round}")),
    Page("candidates:nomination_list", query="?page=400", label="自荐表一览 第400页",
         admin=("candidates.nomination", "round__id__exact={round}&p=399")),
    Page("candidates:nomination_list", query="?status=vetting", label="自荐表一览 · 资格审查中",
         admin=("candidates.nomination", "round__id__exact={round}&status__exact=vetting")),
    Page("candidates:nomination_list", query="?q=王", label="自荐表一览 · 姓名搜索",
         admin=("candidates.nomination", "round__id__exact={round}&q=王")),
    Page("candidates:nomination_new", roles=("village",), label="填写自荐表（表单）"),
    Skip("candidates:eligibility_check", "POST only (the form's live check)"),
    Page("candidates:nomination_detail", ("nomination",), roles=("office", "village"), label="自荐表页面（资格审查中）"),
    Page("candidates:nomination_detail", ("reserve_nomination",), label="自荐表页面（已入库）"),
    Page("candidates:nomination_edit", ("draft",), roles=("village",), label="修改自荐表（表单）"),
    Skip("candidates:nomination_id_card", "no ID-card image is generated (a file download, not a page)"),
    Page("candidates:nomination_form_pdf", ("nomination",), label="自荐表（PDF）", document=True),
    Skip("candidates:nomination_id_number", "POST only (shows the whole ID number, audited)"),
    Skip("candidates:nomination_relaxation", "POST only (a form on the nomination's page)"),
    Skip("candidates:nomination_identity", "POST only (a form on the nomination's page)"),
    Skip("candidates:nomination_action", "POST only (a workflow action's button)"),
    # joint vetting (vetting/urls.py)
    Page("vetting:queue", roles=("department",), label="联审部门待办（待审查）",
         admin=("vetting.vettingrequest", "department__id__exact={department}&status__exact=pending")),
    Page("vetting:queue", query="?tab=done", roles=("department",), label="联审部门待办（已答复）",
         admin=("vetting.vettingrequest", "department__id__exact={department}&status__exact=answered")),
    Page("vetting:request_detail", ("request",), roles=("department", "office"), label="联审请求页面"),
    Skip("vetting:request_decide", "POST only (the office's decision on a flag)"),
    Skip("vetting:request_reopen", "POST only"),
    Skip("vetting:request_remind", "POST only"),
    Skip("vetting:request_extend", "POST only"),
    Page("vetting:request_proxy_answer", ("pending_request",), label="代为录入部门答复（表单）"),
    Page("vetting:paper_answer", ("request",), label="纸质回复扫描件", status=404),
    Skip("vetting:finding_attachment", "no attachment is generated (a file download, not a page)"),
    Page("vetting:flags", label="待处理的问题答复",
         admin=("vetting.vettingrequest", "status__exact=answered&flagged__exact=1&nomination__round__id__exact={round}"
                "&nomination__status__exact=vetting")),
    Page("vetting:negative_list", ("round",), label="负面清单"),
    Skip("vetting:dispatch_round", "POST only (dispatch every accepted nomination)"),
    Page("vetting:sync_deadlines", ("round",), label="同步调整截止日期（确认页）"),
    Page("vetting:ledger", ("round",), label="资格联审台账",
         admin=("vetting.vettingrequest", "nomination__round__id__exact={round}")),
    Page("vetting:ledger_pdf", ("round",), label="资格联审台账（PDF；大的转后台生成）", status=(200, 302), heavy=True,
         document=True),
    Page("vetting:nomination_dispatch", ("accepted",), label="发起资格联审（表单）"),
    Page("vetting:sheet", ("nomination",), label="资格审查表"),
    Page("vetting:sheet_pdf", ("nomination",), label="资格审查表（PDF）", document=True),
    # inspection (inspection/urls.py)
    Page("inspection:inspection", ("inspected",), label="组织考察"),
    Page("inspection:talk_new", ("inspected",), label="个别谈话（表单）"),
    Page("inspection:report_edit", ("inspected",), label="考察材料（表单）"),
    Page("inspection:report_print", ("inspected",), label="考察材料（打印）", document=True),
    Page("inspection:session_list", label="民主测评一览",
         admin=("inspection.appraisalsession", "round__town__id__exact={town}")),
    Page("inspection:session_new", label="民主测评（表单）"),
    Page("inspection:session_detail", ("session",), label="民主测评页面"),
    Page("inspection:tally_edit", ("session", "inspected"), label="测评计票（表单）"),
    Page("inspection:ballot", ("session",), label="测评票（打印；人多转后台生成）", status=(200, 302), document=True),
    Page("inspection:tally_sheet", ("session",), label="计票表（打印；人多转后台生成）", status=(200, 302), document=True),
    Page("inspection:meeting_list", roles=("office", "committee"), label="党委会议一览",
         admin=("inspection.committeemeeting", "round__town__id__exact={town}")),
    Page("inspection:meeting_new", label="党委会议（表单）"),
    Page("inspection:meeting_detail", ("meeting",), roles=("office", "committee"), label="党委会议页面"),
    # publicity (publicity/urls.py)
    Page("publicity:notice_list", roles=("office", "village"), label="公示一览",
         admin=("publicity.notice", "round__town__id__exact={town}")),
    Page("publicity:notice_new", label="发布公示（表单）"),
    Page("publicity:notice_period", query="?round={round}&start={today}", label="公示期计算"),
    Page("publicity:notice_detail", ("notice",), roles=("office", "committee", "village"), label="公示页面（30人）"),
    Page("publicity:notice_pdf", ("notice",), label="公示（PDF）", status=404, document=True),
    Skip("publicity:notice_confirm", "POST only (confirm the notice's people into the pool)"),
    Page("publicity:objection_new", ("notice",), label="登记异议（表单）"),
    Page("publicity:objection_detail", ("objection",), label="异议页面"),
    Skip("publicity:objection_decide", "POST only (the committee's decision)"),
    Page("publicity:calendar", label="工作日调整"),
    Page("publicity:public_notice", ("token",), roles=("anon",), label="公示网页（公众）"),
    Page("publicity:public_receipt", ("token", "receipt"), roles=("anon",), label="异议回执（公众）"),
    # the one-person file (dossier/urls.py)
    Page("dossier:dossier", ("reserve",), label="一人一档"),
    Page("dossier:dossier_pdf", ("reserve",), label="一人一档（PDF）", document=True),
    # A reserve who came through a selection round: the file adds the nomination, its vetting, appraisal, decision
    # and notice (the pool's reserve above has none).
    Page("dossier:dossier", ("selected_reserve",), label="一人一档（经选拔入库）"),
    Page("dossier:dossier_zip", query="?town={town}", label="一人一档（ZIP，全镇，至多100份）", heavy=True, document=True),
)


def pool_rows() -> tuple:
    """pool_pages.PAGES as rows of this benchmark (their arguments are the pool's objects, their pool list's
    admin changelist the town's reserves)."""
    rows = []
    for row in pool_pages.PAGES:
        if isinstance(row, Skip):
            rows.append(row)
            continue
        admin = ("training.reserve", "town__id__exact={town}") if row.name == "training:pool_list" and not row.query \
            else None
        rows.append(Page(row.name, (f"pool:{row.arg}",) if row.arg else (), row.query, row.roles, row.label,
                         admin=admin, document=row.name.endswith("_pdf")))
    return tuple(rows)


def all_rows() -> tuple:
    return PAGES + pool_rows()


def coverage_problems() -> list[str]:
    """URL names of this benchmark's namespaces without a row (or naming no URL), and the pool's own check."""
    listed = {row.name for row in PAGES}
    known = pool_pages.discovered_names(NAMESPACES)
    problems = [f"{name}: no row in benchmarks/pages.py PAGES (measure it, or Skip it with the reason)"
                for name in sorted(set(known) - listed)]
    problems += [f"{name}: in PAGES but not a URL name of the app" for name in sorted(listed - set(known))]
    return problems + pool_pages.coverage_problems()


# ----------------------------------------------------------------------------------------------- the objects


@dataclass
class Objects:
    users: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)  # key -> pk or text
    pool: object = None  # pool_pages.Built

    def arg(self, key):
        if key.startswith("pool:"):
            return self.pool.args(key[5:])
        return [self.values[key]]


def find_objects() -> Objects:
    """Town 1's accounts and the objects its pages are asked for, found in the generated county."""
    from django.utils import timezone

    from candidates.models import Nomination, Round
    from inspection.models import AppraisalSession, CommitteeMeeting
    from publicity.models import Notice, Objection
    from reserve.models import Town, User
    from reserve.roles import Role
    from training.models import Reserve
    from vetting.models import VettingRequest

    town = Town.objects.filter(name=f"{pool_pages.TOWN_PREFIX}1镇").get()
    pool = pool_pages.reuse()
    users = dict(pool.users)
    users["department"] = User.objects.filter(town=town, groups__name=Role.DEPARTMENT).order_by("pk").first()
    users["audit"] = User.objects.get(username="sjgl")
    users["super"] = User.objects.get(username=county.SUPERUSER)
    users["anon"] = None
    open_round = Round.objects.get(town=town, status="open")
    closed_round = Round.objects.filter(town=town, status="closed").order_by("year").first()
    village = users["village"].village
    in_round = Nomination.objects.filter(round=open_round, village=village).order_by("pk")
    nomination = (in_round.filter(status="vetting", vetting_requests__department=users["department"].department,
                                  vetting_requests__status="answered").first()
                  or in_round.filter(status="vetting").first())
    notice = Notice.objects.filter(round=open_round, village=village).order_by("pk").first()
    objection = Objection.objects.filter(notice=notice).order_by("pk").first()
    session = AppraisalSession.objects.filter(round=open_round, village=village).order_by("pk").first()
    values = {
        "town": town.pk, "round": open_round.pk, "closed_round": closed_round.pk, "village": village.pk,
        "nomination": nomination.pk, "draft": in_round.filter(status="draft").first().pk,
        "accepted": in_round.filter(status="accepted").first().pk,
        "inspected": in_round.filter(status="inspection", tallies__session=session).first().pk,
        "reserve_nomination": Nomination.objects.filter(round__town=town, status="reserve").order_by("pk").first().pk,
        "request": VettingRequest.objects.get(nomination=nomination, department=users["department"].department).pk,
        "pending_request": VettingRequest.objects.filter(nomination__round=open_round, nomination__status="vetting",
                                                         status="pending").order_by("pk").first().pk,
        "department": users["department"].department_id,
        "session": session.pk,
        "meeting": CommitteeMeeting.objects.filter(round=open_round).order_by("pk").first().pk,
        "notice": notice.pk, "token": notice.token, "objection": objection.pk, "receipt": objection.receipt,
        "reserve": pool.objects["reserve"].pk, "today": timezone.localdate().isoformat(),
        "selected_reserve": Reserve.objects.filter(town=town, nomination__isnull=False).order_by("pk").first().pk,
    }
    return Objects(users=users, values=values, pool=pool)


# ----------------------------------------------------------------------------------------------- the admin side


ADMIN_COLUMNS = {  # the columns each list shows, as a plain ModelAdmin would list them
    "candidates.nomination": (("name", "village", "status", "is_eligible", "submitted_at"), ("round", "village", "status"),
                              ("name",)),
    "candidates.round": (("name", "year", "status", "nomination_start", "publicity_start"), ("town",), ()),
    "reserve.village": (("name", "kind", "order"), ("town",), ()),
    "reserve.auditentry": (("at", "username", "roles", "action", "object_repr", "address"), ("action",), ()),
    "vetting.vettingrequest": (("nomination", "department", "deadline", "status", "flagged", "signed_at"),
                               ("department", "status", "flagged", "nomination__round", "nomination__status"), ()),
    "inspection.appraisalsession": (("village", "date", "place"), ("round__town",), ()),
    "inspection.committeemeeting": (("date", "members_present", "minutes_ref"), ("round__town",), ()),
    "publicity.notice": (("title", "village", "start_date", "end_date"), ("round__town",), ()),
    "training.reserve": (("name", "tier", "village", "unit", "status", "start_date", "mentor"), ("town",), ()),
}
ADMIN_PAGE_SIZE = 25


def bench_admin_site():
    """A plain AdminSite with a ModelAdmin per list (the list's columns, filters, page size 25)."""
    from django.apps import apps
    from django.contrib import admin

    site = admin.AdminSite(name="bench_admin")
    for label, (columns, filters, search) in ADMIN_COLUMNS.items():
        model = apps.get_model(label)
        site.register(model, type(f"{model.__name__}BenchAdmin", (admin.ModelAdmin,), {
            "list_display": columns, "list_filter": filters, "search_fields": search,
            "list_per_page": ADMIN_PAGE_SIZE, "show_full_result_count": True}))
    return site


def __getattr__(name):  # this module as a URLconf for the admin rows (override_settings(ROOT_URLCONF=...))
    if name == "urlpatterns":
        from django.urls import include, path

        global _URLPATTERNS
        if "_URLPATTERNS" not in globals():
            _URLPATTERNS = [path(ADMIN_PREFIX.strip("/") + "/", bench_admin_site().urls),
                            path("", include("reserve.urls"))]
        return _URLPATTERNS
    raise AttributeError(name)


# ----------------------------------------------------------------------------------------------- measuring


@dataclass
class Result:
    label: str
    name: str
    role: str
    url: str
    status: int
    expected: int | tuple
    first_ms: float
    median_ms: float
    p95_ms: float
    queries: int
    kb: float
    sql_ms: float | None = None
    beyond_ms: float | None = None
    admin_url: str = ""
    admin_ms: float | None = None
    admin_queries: int | None = None
    main_query: str = ""
    main_query_ms: float | None = None
    explain: str = ""
    heavy: bool = False
    document: bool = False
    misses: list = field(default_factory=list)


def _p95(times: list[float]) -> float:
    if len(times) < 2:
        return times[0] if times else 0.0
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def _timed(get, runs: int) -> tuple[list[float], object]:
    times, response = [], None
    for _i in range(runs):
        t0 = time.perf_counter()
        response = get()
        times.append((time.perf_counter() - t0) * 1000)
    return times, response


@dataclass
class _Answer:
    ms: float
    response: object
    queries: list | None  # the SQL it sent, when captured


def _asked(get, capture: bool) -> _Answer:
    """One request, timed; with capture, under CaptureQueriesContext (its queries kept)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not capture:
        t0 = time.perf_counter()
        response = get()
        return _Answer((time.perf_counter() - t0) * 1000, response, None)
    with CaptureQueriesContext(connection) as captured:
        t0 = time.perf_counter()
        response = get()
        ms = (time.perf_counter() - t0) * 1000
    return _Answer(ms, response, [q["sql"] for q in captured.captured_queries])


def _client(user):
    from django.test import Client

    client = Client(raise_request_exception=False)  # a page's error is a row's status (500), not the run's end
    if user is not None:
        client.force_login(user)
    return client


def _get(client, url):
    response = client.get(url)
    if response.streaming:
        response.content_bytes = b"".join(response.streaming_content)
    else:
        response.content_bytes = response.content
    return response


def _own_sql(queries: list[str], runs: int) -> tuple[float, str, float, str]:
    """The page's SELECTs re-run `runs` times: (median ms of their sum, the slowest one, its ms, its EXPLAIN)."""
    from django.db import connection

    selects = [q for q in queries if q.lstrip().upper().startswith("SELECT")]
    totals, each = [], {}
    with connection.cursor() as cursor:
        for _i in range(max(runs, 1)):
            total = 0.0
            for k, sql in enumerate(selects):
                t0 = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                ms = (time.perf_counter() - t0) * 1000
                each.setdefault(k, []).append(ms)
                total += ms
            totals.append(total)
        if not selects:
            return 0.0, "", 0.0, ""
        slowest = max(each, key=lambda k: statistics.median(each[k]))
        plan = ""
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + selects[slowest])
            plan = "\n".join(r[0] for r in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + selects[slowest])
            plan = "\n".join(str(r) for r in cursor.fetchall())
    return statistics.median(totals), selects[slowest], statistics.median(each[slowest]), plan


def url_of(row: Page, objects: Objects) -> str:
    from django.urls import reverse

    args = [a for key in row.args for a in objects.arg(key)]
    return reverse(row.name, args=args) + row.query.format(**objects.values)


def admin_url_of(row: Page, objects: Objects) -> str:
    label, query = row.admin
    app, model = label.split(".")
    query = query.format(**objects.values)
    return f"{ADMIN_PREFIX}{app}/{model}/" + (f"?{query}" if query else "")


def measure(objects: Objects, rows, *, runs: int = 20, heavy: bool = True, log=None) -> list[Result]:
    import logging

    from django.core.signals import got_request_exception
    from django.test.utils import override_settings

    errors: list[str] = []

    def remember(sender, request=None, **kwargs):
        error = sys.exc_info()[1]
        errors.append(f"{type(error).__name__}: {str(error)[:200]}")

    got_request_exception.connect(remember, dispatch_uid="bench_pages_errors")
    logging.getLogger("django.request").disabled = True  # a 500's traceback would flood the output
    results, clients = [], {}
    for row in rows:
        if isinstance(row, Skip) or (row.heavy and not heavy):
            continue
        url = url_of(row, objects)
        n = min(runs, DOCUMENT_RUNS) if row.document else runs
        for role in row.roles:
            if role not in clients:
                clients[role] = _client(objects.users[role])
            client = clients[role]

            def get(client=client, url=url):
                return _get(client, url)

            errors.clear()
            answered = _asked(get, n == 0)
            first, response = answered.ms, answered.response
            ok = response.status_code < 500 and answered_as_expected(response.status_code, row.status)
            if not ok:
                n = 0  # an error, or not the page expected: asked once, reported
            elif first > SLOW_MS:
                n = min(n, DOCUMENT_RUNS)  # a page of seconds: a few runs say enough, and keep the run bounded
            times, _r = _timed(get, n)
            queries = answered.queries if answered.queries is not None else _asked(get, True).queries
            result = Result(row.label or row.name, row.name, role, url, response.status_code, row.status, first,
                            statistics.median(times) if times else first, _p95(times) if times else first,
                            len(queries), len(response.content_bytes) / 1024, heavy=row.heavy, document=row.document)
            if errors:
                result.misses.append(errors[0])
            if row.admin and ok:
                sql_ms, main, main_ms, plan = _own_sql(queries, n)
                result.sql_ms, result.main_query, result.main_query_ms, result.explain = sql_ms, main, main_ms, plan
                result.beyond_ms = result.median_ms - sql_ms
                result.admin_url = admin_url_of(row, objects)
                if "super" not in clients:
                    clients["super"] = _client(objects.users["super"])
                with override_settings(ROOT_URLCONF="benchmarks.pages"):
                    def admin_get(url=result.admin_url):
                        return _get(clients["super"], url)
                    admin_first = _asked(admin_get, n == 0)
                    admin_times, _r = _timed(admin_get, n)
                    admin_queries = (admin_first.queries if admin_first.queries is not None
                                     else _asked(admin_get, True).queries)
                if admin_first.response.status_code == 200:
                    result.admin_ms = statistics.median(admin_times) if admin_times else admin_first.ms
                    result.admin_queries = len(admin_queries)
                else:
                    result.misses.append(f"admin changelist answered {admin_first.response.status_code}")
            result.misses += budget_misses(result)
            results.append(result)
            if log:
                log(f"{result.median_ms:8.1f} ms {result.queries:3d} q  {row.name} as {role} {url}")
    return results


def answered_as_expected(status: int, expected) -> bool:
    return status in expected if isinstance(expected, (tuple, list)) else status == expected


def budget_misses(r: Result) -> list[str]:
    misses = []
    if r.median_ms > BUDGET["median_ms"]:
        misses.append(f"median {r.median_ms:.0f} ms > {BUDGET['median_ms']}")
    if r.p95_ms > BUDGET["p95_ms"]:
        misses.append(f"p95 {r.p95_ms:.0f} ms > {BUDGET['p95_ms']}")
    if r.queries > BUDGET["queries"]:
        misses.append(f"{r.queries} queries > {BUDGET['queries']}")
    if r.beyond_ms is not None and r.beyond_ms > BUDGET["beyond_ms"]:
        misses.append(f"beyond SQL {r.beyond_ms:.0f} ms > {BUDGET['beyond_ms']}")
    if r.admin_ms is not None and r.median_ms > r.admin_ms:
        misses.append(f"slower than the admin changelist ({r.median_ms:.0f} > {r.admin_ms:.0f} ms)")
    return misses


# ----------------------------------------------------------------------------------------------- the report


def machine() -> dict:
    from django.db import connection

    info = {"host": platform.node(), "cores": os.cpu_count(), "python": platform.python_version(),
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), pg_size_pretty(pg_database_size(current_database()))")
            version, size = cursor.fetchone()
        info["database"] = version.split(" on ")[0]
        info["database_size"] = size
    else:
        import sqlite3

        info["database"] = f"SQLite {sqlite3.sqlite_version}"
    try:
        info["commit"] = subprocess.run(["git", "-C", str(BASE), "rev-parse", "--short", "HEAD"], capture_output=True,
                                        text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(BASE), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=False).stdout.strip()
        info["commit"] += " (+ uncommitted changes)" if dirty else ""
    except OSError:
        info["commit"] = "?"
    import django

    info["django"] = django.get_version()
    return info


def header(scale: str, runs: int, info: dict) -> str:
    return (f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · scale {scale} · {info.get('database')} "
            f"(database {info.get('database_size', '?')}) · {info['host']} · {info['cores']} CPU "
            f"{info.get('cpu', '')} · {info.get('ram_gb', '?')} GB RAM · load average {info['load']}\n"
            f"# git {info.get('commit')} · Python {info['python']} · Django {info['django']} · {runs} timed "
            f"requests per row after a warm one (documents, and pages over {SLOW_MS / 1000:.0f} s warm: "
            f"{DOCUMENT_RUNS}) · in-process test client, whole middleware")


def _ms(value) -> str:
    return "—" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


ROLE_LABELS = {**pool_pages.ROLE_LABELS, "department": "联审部门", "audit": "审计管理员", "anon": "公众（未登录）"}


def markdown(results: list[Result], info: dict, scale: str, runs: int, skipped: list[str]) -> str:
    lines = [header(scale, runs, info), "",
             "| page | URL name | as | status | median ms | p95 ms | queries | KB | SQL ms | beyond SQL ms | admin ms "
             "| budgets missed |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r.label}{' (document)' if r.document else ''} | {r.name} | {ROLE_LABELS.get(r.role, r.role)} | "
                     f"{r.status} | {_ms(r.median_ms)} | {_ms(r.p95_ms)} | {r.queries} | {r.kb:.0f} | {_ms(r.sql_ms)} "
                     f"| {_ms(r.beyond_ms)} | {_ms(r.admin_ms)} | {'; '.join(r.misses) or 'ok'} |")
    lines.append("")
    lines += [f"- not measured: {s}" for s in skipped]
    return "\n".join(lines)


def write(results: list[Result], info: dict, scale: str, runs: int, skipped: list[str], counts: dict,
          suffix: str = "") -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{datetime.date.today():%Y-%m-%d}-{scale}{suffix}"
    md, js = RESULTS / f"{stem}.md", RESULTS / f"{stem}.json"
    md.write_text(markdown(results, info, scale, runs, skipped) + "\n", encoding="utf-8")
    js.write_text(json.dumps({"machine": info, "scale": scale, "runs": runs, "budget": BUDGET, "rows": counts,
                              "skipped": skipped, "results": [asdict(r) for r in results]},
                             ensure_ascii=False, indent=1), encoding="utf-8")
    return md, js


def skipped_rows(rows, heavy: bool) -> list[str]:
    out = [f"{row.name} — {row.reason}" for row in rows if isinstance(row, Skip)]
    out += [f"{row.name} — a document that grows with the data: asked only with --heavy" for row in rows
            if isinstance(row, Page) and row.heavy and not heavy]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(county.SCALES), default="demo",
                        help="the scale of the county in DATABASE_URL (generated first if the database is empty)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", action="append", default=[], help="a URL name to measure (repeatable)")
    parser.add_argument("--heavy", action="store_true", help="also the heavy documents at county scale")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to the database of a generated county (benchmarks/county.py).", file=sys.stderr)
        return 2
    pool_pages.setup_django()
    problems = coverage_problems()
    if problems:
        print("Pages without a row:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    from django.core.management import call_command

    if not pool_pages.has_data():
        call_command("migrate", verbosity=0)
        generator, seconds = county.generate(args.scale)
        print(county.report(generator, seconds), file=sys.stderr)
    elif not county.generated():
        print("The database holds data but no generated county.", file=sys.stderr)
        return 2
    heavy = args.heavy or args.scale != "county"
    rows = [r for r in all_rows() if not args.only or r.name in args.only]
    objects = find_objects()
    results = measure(objects, rows, runs=args.runs, heavy=heavy,
                      log=lambda text: print(text, file=sys.stderr, flush=True))
    info = machine()
    md, js = write(results, info, args.scale, args.runs, skipped_rows(rows, heavy), county.table_counts(),
                   suffix="-only" if args.only else "")
    print(md.read_text(encoding="utf-8"))
    print(f"# report: {md} and {js}", file=sys.stderr)
    failed = [r for r in results if not answered_as_expected(r.status, r.expected)]
    if failed:
        print("Pages not answering their expected status:\n  " + "\n  ".join(
            f"{r.url} as {r.role}: {r.status} (expected {r.expected})" for r in failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
