"""Background jobs (reserve/jobs.py): starting one (once), running it (once, idempotently), its progress and failure,
what 我的文件 shows and to whom, the retention purge, and the audit-log export as a job (reserve/views_audit.py)."""

import datetime
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reserve import audit, jobs
from reserve.models import AuditEntry, Job
from tests.factories import UserFactory
from tests.helpers import page

A = AuditEntry.Action


def write_lines(job, out, progress):
    """A test kind: one line per item, with progress."""
    items = job.params.get("items", 3)
    for i in range(items):
        out.write(f"line {i}\n".encode())
        progress(i + 1, items)
    return "测试文件.txt"


def refuse(job, out, progress):
    out.write(b"partial")
    raise jobs.JobRefused("无权生成此文件。")


def crash(job, out, progress):
    out.write(b"partial")
    raise RuntimeError("boom")


def owner_still_reads(job):
    if job.owner.last_name == "已调离":
        raise jobs.JobRefused("已无权查看。")


@pytest.fixture(autouse=True)
def test_kinds():
    jobs.register("test.lines", run=write_lines, check=owner_still_reads)
    jobs.register("test.refuse", run=refuse, check=owner_still_reads)
    jobs.register("test.crash", run=crash, check=owner_still_reads)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Starts made inside `with run_jobs():` run when they commit (the tests' django-q2 runs in sync mode)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def start(user, kind="test.lines", params=None):
    return jobs.start(user, kind, title="测试文件", params={"items": 3} if params is None else params)


def stored_files(media_root):
    return sorted(p.relative_to(media_root).as_posix() for p in (media_root / "jobs").rglob("*") if p.is_file()) \
        if (media_root / "jobs").exists() else []


# --------------------------------------------------------------------------- starting and running

def test_a_job_runs_into_a_stored_file(office, run_jobs, media_root):
    with run_jobs():
        job = start(office)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.finished_at and job.started_at
    assert job.filename == "测试文件.txt"
    assert job.attempts == 1 and job.done == job.total == 3
    now = timezone.localtime()
    assert job.file.name.startswith(f"jobs/{now:%Y}/{now:%m}/") and job.file.name.endswith(".txt")
    with job.file.open("rb") as stored:
        assert stored.read() == b"line 0\nline 1\nline 2\n"
    assert stored_files(media_root) == [job.file.name]


def test_a_second_start_while_the_first_is_unfinished_gives_the_first(office, committee):
    first = start(office, params={"items": 3, "village": 1})  # not committed in a test: stays queued
    assert start(office, params={"village": 1, "items": 3}).pk == first.pk  # the same params, another order
    assert start(office, params={"items": 4, "village": 1}).pk != first.pk
    assert start(committee, params={"items": 3, "village": 1}).pk != first.pk  # another user's is not shared
    assert jobs.start(office, "test.refuse", title="x", params={"items": 3, "village": 1}).pk != first.pk
    Job.objects.filter(pk=first.pk).update(status=Job.Status.RUNNING)
    assert start(office, params={"items": 3, "village": 1}).pk == first.pk
    Job.objects.filter(pk=first.pk).update(status=Job.Status.DONE)
    assert start(office, params={"items": 3, "village": 1}).pk != first.pk  # a finished one is asked again


def test_a_stale_unfinished_job_is_not_given_back(office):
    first = start(office)
    Job.objects.filter(pk=first.pk).update(created_at=timezone.now() - jobs.stale_after() - datetime.timedelta(1))
    assert start(office).pk != first.pk


def test_an_unknown_kind_cannot_be_started(office):
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.start(office, "no.such.kind", title="x", params={})
    assert not Job.objects.exists()


def test_a_refusal_is_shown_and_leaves_no_file(office, run_jobs, media_root, client):
    with run_jobs():
        job = jobs.start(office, "test.refuse", title="测试文件", params={})
    job.refresh_from_db()
    assert (job.status, job.message, job.file.name) == (Job.Status.FAILED, "无权生成此文件。", "")
    assert stored_files(media_root) == []
    client.force_login(office)
    html = page(client.get(job.get_absolute_url()))
    assert "生成失败" in html and "无权生成此文件。" in html and 'http-equiv="refresh"' not in html
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_a_crash_is_a_generic_message_and_logged(office, run_jobs, media_root, caplog):
    with run_jobs():
        job = jobs.start(office, "test.crash", title="测试文件", params={})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "请稍后重新生成" in job.message and "boom" not in job.message
    assert "boom" in caplog.text
    assert stored_files(media_root) == []


def test_a_failed_store_removes_the_stored_file(office, media_root, monkeypatch):
    """The file is stored, then marking the job done fails: the stored copy is removed."""
    job = start(office)
    real_update = QuerySet.update

    def update(self, **values):
        if values.get("status") == Job.Status.DONE:
            raise RuntimeError("database gone")
        return real_update(self, **values)

    monkeypatch.setattr(QuerySet, "update", update)
    assert jobs.execute(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.file.name == ""
    assert stored_files(media_root) == []


# --------------------------------------------------------------------------- idempotence and attempts

def test_a_finished_job_is_not_run_again(office, run_jobs, media_root):
    with run_jobs():
        job = start(office)
    assert jobs.execute(job.pk) == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1 and len(stored_files(media_root)) == 1


def test_a_job_handed_out_again_after_its_worker_died_runs_afresh(office, media_root):
    job = start(office)
    # The first worker took it and died mid-run: running, one attempt, progress half-way, no file.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1, done=1, total=3)
    assert jobs.execute(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done, job.total) == (Job.Status.DONE, 2, 3, 3)
    assert stored_files(media_root) == [job.file.name]


def test_a_job_out_of_attempts_is_failed_not_run(office, media_root):
    job = start(office)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=3)
    assert jobs.execute(job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.message, job.attempts) == (Job.Status.FAILED, "生成中断，请重新生成", 3)
    assert stored_files(media_root) == []


def test_a_job_unfinished_for_too_long_is_shown_interrupted(office, client):
    job = start(office)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING,
                                         created_at=timezone.now() - jobs.stale_after() - datetime.timedelta(1))
    client.force_login(office)
    html = page(client.get(job.get_absolute_url()))
    assert "生成中断，请重新生成" in html and 'http-equiv="refresh"' not in html
    assert "生成失败" in page(client.get(reverse("job_list")))


# --------------------------------------------------------------------------- progress

def test_progress_is_saved_at_most_once_a_second(office, monkeypatch):
    job = start(office)
    clock = iter([100.0, 100.2, 100.9, 101.1, 101.5])
    monkeypatch.setattr(jobs, "monotonic_now", lambda: next(clock))
    progress = jobs.Progress(job)
    saved = []
    for done in range(1, 6):
        progress(done, 10)
        saved.append(Job.objects.values_list("done", flat=True).get(pk=job.pk))
    assert saved == [1, 1, 1, 4, 4]
    assert (progress.done, progress.total) == (5, 10)


def test_the_page_of_a_running_job_shows_its_progress_and_refreshes(office, client):
    job = start(office)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=30, total=120)
    client.force_login(office)
    html = page(client.get(job.get_absolute_url()))
    assert "生成中" in html and 'value="25"' in html and "30 / 120" in html
    assert '<meta http-equiv="refresh" content="3">' in html


# --------------------------------------------------------------------------- 我的文件: scope, list, download

def test_another_users_job_is_a_404_and_not_listed(office, committee, other_office, run_jobs, client):
    with run_jobs():
        job = start(office)
    for user in (committee, other_office):
        client.force_login(user)
        assert client.get(job.get_absolute_url()).status_code == 404
        assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
        assert "测试文件" not in page(client.get(reverse("job_list")))
    client.force_login(office)
    assert client.get(reverse("job_detail", args=[job.pk + 1000])).status_code == 404


def test_the_download_is_the_owners_streamed_and_audited(office, run_jobs, client):
    with run_jobs():
        job = start(office)
    client.force_login(office)
    assert "测试文件" in page(client.get(reverse("job_list")))
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == b"line 0\nline 1\nline 2\n"
    assert "测试文件.txt" in unquote(response["Content-Disposition"]) and "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.filter(action=A.DOWNLOAD).latest("id")
    assert (entry.user_id, entry.detail, entry.object_id) == (office.pk, {"file": "test.lines"}, str(job.pk))


def test_a_file_is_not_handed_out_once_its_owner_may_no_longer_read_it(office, run_jobs, client):
    """A role lost or a town changed after the file was made: its kind's check refuses the download (404), as the
    run would have been refused."""
    with run_jobs():
        job = start(office)
    client.force_login(office)
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 200
    office.last_name = "已调离"
    office.save()
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_every_kind_says_who_may_read_its_file():
    jobs.discover_kinds()
    app_kinds = {"vetting.ledger_pdf", "assessment.priority_pdf", "dossier.zip", "audit_log_xlsx",
                 "inspection.ballot_pdf", "inspection.tally_sheet_pdf"}
    assert app_kinds <= set(jobs._RUNNERS)
    assert set(jobs._CHECKS) == set(jobs._RUNNERS) and all(callable(c) for c in jobs._CHECKS.values())


def test_a_purged_file_is_a_404(office, run_jobs, client):
    with run_jobs():
        job = start(office)
    job.refresh_from_db()
    job.file.storage.delete(job.file.name)
    client.force_login(office)
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_the_list_is_paged_newest_first_in_constant_queries(office, client):
    client.force_login(office)

    def listed(n):
        made = [start(office, params={"items": i}) for i in range(n)]
        client.get(reverse("job_list"))  # the session's writes, once
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("job_list"))
        return made, list(response.context["page"].object_list), len(queries)

    made, shown, few = listed(3)
    assert [j.pk for j in shown] == [j.pk for j in reversed(made)]
    made, shown, many = listed(27)
    assert len(shown) == 25 and shown[0].pk == made[-1].pk  # 30 jobs: the newest 25
    assert few == many and few <= 12


# --------------------------------------------------------------------------- retention

def test_purge_jobs_deletes_old_files_and_rows(office, run_jobs, media_root, settings):
    settings.JOB_RETENTION_DAYS = 7
    with run_jobs():
        old = start(office, params={"items": 1})
        recent = start(office, params={"items": 2})
    old.refresh_from_db()
    recent.refresh_from_db()
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    out = io.StringIO()
    call_command("purge_jobs", "--dry-run", stdout=out)
    assert "将删除 1 份" in out.getvalue() and Job.objects.count() == 2
    call_command("purge_jobs", stdout=out)
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    assert stored_files(media_root) == [recent.file.name]


# --------------------------------------------------------------------------- the audit-log export

def _export_rows(content: bytes) -> list:
    return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True))


def test_a_small_audit_export_answers_at_once(office, client, settings):
    settings.EXPORT_INLINE_ROWS = 10
    for _i in range(3):
        audit.record(A.VIEW, user=office, obj=office)
    client.force_login(office)  # a LOGIN entry too
    response = client.get(reverse("audit_export"))
    assert response.status_code == 200 and len(_export_rows(b"".join(response.streaming_content))) == 4
    assert not Job.objects.exists()
    assert AuditEntry.objects.filter(action=A.EXPORT).latest("id").detail["rows"] == 4


def test_a_large_audit_export_is_a_job_with_the_same_rows(office, other_office, client, settings, run_jobs):
    settings.EXPORT_INLINE_ROWS = 2
    for _i in range(4):
        audit.record(A.VIEW, user=office, obj=office, detail={"note": "=1+2"})
    audit.record(A.VIEW, user=other_office, obj=other_office)  # another town's: not exported
    client.force_login(office)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with run_jobs(), CaptureQueriesContext(connection) as asked_queries:
        response = client.get(reverse("audit_export"), {"action": "view"})
    job = Job.objects.get()
    # The request counted at most EXPORT_INLINE_ROWS + 1 rows (LIMIT 3), not the whole log; the job counts them all.
    counts = [q["sql"] for q in asked_queries.captured_queries if "COUNT(" in q["sql"] and "reserve_auditentry" in q["sql"]]
    assert any("LIMIT 3" in sql for sql in counts)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.params, job.owner_id) == ("audit_log_xlsx", {"query": {"action": "view"}}, office.pk)
    # Audited when asked (the job's number: the rows are not counted in the request) and when written (the rows).
    asked, written = AuditEntry.objects.filter(action=A.EXPORT).order_by("id")
    assert asked.detail == {"page": "audit_log", "filters": {"action": "view"}, "job": job.pk}
    assert asked.username == "office" and asked.path == reverse("audit_export")
    assert written.detail == {"page": "audit_log", "filters": {"action": "view"}, "rows": 4, "job": job.pk}
    assert written.username == "office" and written.user_id == office.pk
    assert job.title == "审计日志导出（2条以上）"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.filename.startswith("审计日志-") and job.done == job.total == 4
    html = page(client.get(job.get_absolute_url()))
    assert reverse("job_download", args=[job.pk]) in html
    rows = _export_rows(b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content))
    assert len(rows) == 4 and {r[1] for r in rows} == {"office"} and {r[4] for r in rows} == {"查看敏感信息"}
    settings.EXPORT_INLINE_ROWS = 100
    inline = _export_rows(b"".join(client.get(reverse("audit_export"), {"action": "view"}).streaming_content))
    assert rows == inline  # the same columns, values and masking as the export made at once


def test_an_export_job_rechecks_the_owners_role(office, run_jobs):
    job = jobs.start(office, "audit_log_xlsx", title="审计日志导出", params={"query": {}})
    office.groups.clear()
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, "您已无权导出审计日志。")


def test_an_export_job_refuses_bad_filters(office):
    job = jobs.start(office, "audit_log_xlsx", title="审计日志导出", params={"query": {"date_from": "2026-13-40"}})
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "筛选条件有误" in job.message


def test_a_user_of_no_role_has_an_empty_list(client, db):
    user = UserFactory(username="nobody_here")
    client.force_login(user)
    assert "还没有生成的文件" in page(client.get(reverse("job_list")))


@pytest.mark.parametrize("query", [{"user": "a\x00b"}, {"date_from": "2026-13-40"}, {"action": "bogus"},
                                   {"person": "x" * 5000}])
@pytest.mark.parametrize("limit", [2, 100])  # over the inline limit (a job) and under it (at once)
def test_an_export_with_wrong_filters_exports_nothing(office, client, settings, query, limit):
    """Wrong filters are refused with the audit log's page to correct them: not the whole log exported in place of
    what was asked, nor a job of filters that cannot be stored (a NUL byte: PostgreSQL's JSON refuses it; found by
    the review of session 9)."""
    settings.EXPORT_INLINE_ROWS = limit
    for _i in range(4):
        audit.record(A.VIEW, user=office, obj=office)
    client.force_login(office)
    response = client.get(reverse("audit_export"), query)
    assert response.status_code == 302 and response["Location"].startswith(reverse("audit_log") + "?")
    assert not Job.objects.exists() and not AuditEntry.objects.filter(action=A.EXPORT).exists()
    page_after = client.get(response["Location"])
    assert page_after.status_code == 200 and "筛选条件有误，未导出" in page(page_after)
