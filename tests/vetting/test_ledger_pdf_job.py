"""The ledger's PDF as a background job (issue 13: one render of a 7,440-candidate round took 179 s and 3.98 GB):
one PDF (vetting.ledger_pdf; its layout in tests/vetting/test_ledger_pdf_writer.py) with every row of the villages
in scope, village by village, read CHUNK_ROWS at a time in queries that do not grow with the rows, the page's
village filter carried over, the owner's scope checked at the start and again when the job runs, and the request
and the generation audited."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from pypdf import PdfReader

from reserve.models import AuditEntry, Job
from vetting import jobs as ledger_jobs

from ..factories import RoundFactory, VillageFactory
from .test_ledger_pages import listed, sent  # noqa: F401 — listed is a fixture

pytestmark = pytest.mark.django_db


def ask(client, round_, capture, **query):
    """GET the ledger's PDF as the page's link does; the job runs on commit (tests run django-q2 in sync mode)."""
    with capture(execute=True):
        response = client.get(reverse("vetting:ledger_pdf", args=[round_.pk]), query)
    return response


def job_of(response) -> Job:
    assert response.status_code == 302
    match = resolve(response["Location"])
    assert match.url_name == "job_detail"
    return Job.objects.get(pk=match.kwargs["pk"])


def pages_of(job) -> list[str]:
    with job.file.open("rb") as f:
        return [p.extract_text() for p in PdfReader(io.BytesIO(f.read())).pages]


@pytest.fixture
def two_villages(round_, village_a, village_b, dept_x, dept_y, dept_x_user, listed):  # noqa: F811
    village_a.order, village_b.order = 1, 2
    village_a.save(), village_b.save()
    return {"a": sent(round_, village_a, [dept_x, dept_y], 5, prefix="东山人"),
            "b": sent(round_, village_b, [dept_x], 3, prefix="西岭人")}


def test_the_job_prints_every_villages_rows_into_one_pdf(client, office, round_, two_villages, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    monkeypatch.setattr(ledger_jobs, "CHUNK_ROWS", 3)  # the requests read in three chunks, one across the villages
    client.force_login(office)
    job = job_of(ask(client, round_, django_capture_on_commit_callbacks))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.filename == f"资格联审台账_{round_.name}.pdf" and (job.done, job.total) == (8, 8)
    pages = pages_of(job)
    assert len(pages) == 2  # each village from a new page
    text = "\n".join(pages)
    for n in two_villages["a"] + two_villages["b"]:
        assert n.name in text, n.name
    assert all(n.name in pages[0] for n in two_villages["a"]) and all(n.name in pages[1] for n in two_villages["b"])
    assert text.index("东山人04") < text.index("西岭人00")  # village by village, in the villages' order
    assert all("序号" in page and "纪委" in page and "派出所" in page for page in pages)  # the header, each department
    assert "东山村" in pages[0] and "西岭村" in pages[1]
    assert "资格联审台账" in pages[0] and "制表日期" in pages[-1] and "制表日期" not in pages[0]
    assert "第 1 页 共 2 页" in pages[0] and "第 2 页 共 2 页" in pages[1]
    numbers = [int(x) for x in re.findall(r"^(\d+)\s*(?:东山人|西岭人)", text, re.M)]
    assert numbers == list(range(1, 9))  # numbered through the whole ledger


def test_the_jobs_queries_do_not_grow_with_its_rows(office, round_, village_a, village_b, dept_x, dept_y, listed,  # noqa: F811
                                                   django_assert_num_queries):
    def run():
        job = Job.objects.create(owner=office, kind=ledger_jobs.KIND, title="x", params={"round": round_.pk})
        out = io.BytesIO()
        ledger_jobs.run(job, out, lambda done, total: None)
        return PdfReader(io.BytesIO(out.getvalue()))

    sent(round_, village_a, [dept_x, dept_y], 2, prefix="东山人")
    run()  # warm: what a process reads once and caches is not counted
    with CaptureQueriesContext(connection) as few:
        run()
    sent(round_, village_a, [dept_x, dept_y], 20, prefix="南坡人")
    sent(round_, village_b, [dept_x], 15, prefix="西岭人")
    with django_assert_num_queries(len(few)):
        pdf = run()
    assert "西岭人14" in "".join(page.extract_text() for page in pdf.pages)


def test_the_pages_village_filter_gives_that_village_only(client, office, round_, village_b, two_villages,
                                                          django_capture_on_commit_callbacks):
    client.force_login(office)
    html = client.get(reverse("vetting:ledger", args=[round_.pk]), {"village": village_b.pk}).content.decode()
    assert f'{reverse("vetting:ledger_pdf", args=[round_.pk])}?village={village_b.pk}' in html
    job = job_of(ask(client, round_, django_capture_on_commit_callbacks, village=village_b.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert "西岭村" in job.title and job.filename.endswith("西岭村.pdf")
    text = "\n".join(pages_of(job))
    assert all(n.name in text for n in two_villages["b"])
    assert not any(n.name in text for n in two_villages["a"])


def test_another_towns_round_is_404_and_starts_nothing(client, other_office, round_, two_villages,
                                                       django_capture_on_commit_callbacks):
    client.force_login(other_office)
    assert ask(client, round_, django_capture_on_commit_callbacks).status_code == 404
    assert not Job.objects.exists()


def test_another_towns_village_is_refused_with_a_message(client, office, round_, two_villages, other_town,
                                                         django_capture_on_commit_callbacks):
    foreign = VillageFactory(town=other_town)
    client.force_login(office)
    response = ask(client, round_, django_capture_on_commit_callbacks, village=foreign.pk)
    assert response.status_code == 302 and response["Location"] == reverse("vetting:ledger", args=[round_.pk])
    assert not Job.objects.exists()


def test_the_runner_checks_the_owners_scope_again(office, other_town, two_villages):
    from reserve import jobs

    foreign_round = RoundFactory(town=other_town)
    job = Job.objects.create(owner=office, kind=ledger_jobs.KIND, title="x", params={"round": foreign_round.pk})
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "无权" in job.message and not job.file


def test_asking_and_generating_are_audited(client, office, round_, two_villages,
                                           django_capture_on_commit_callbacks):
    client.force_login(office)
    job = job_of(ask(client, round_, django_capture_on_commit_callbacks))
    asked = AuditEntry.objects.get(action=AuditEntry.Action.DOWNLOAD, detail__file="ledger_pdf")
    assert (asked.user_id, asked.object_id, asked.detail["job"]) == (office.pk, str(round_.pk), job.pk)
    made = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, detail__file="ledger_pdf")
    assert (made.user_id, made.detail["rows"], made.detail["findings"]) == (office.pk, 8, True)


def test_an_empty_ledger_is_one_page_saying_so(client, office, round_, listed,  # noqa: F811
                                               django_capture_on_commit_callbacks):
    client.force_login(office)
    job = job_of(ask(client, round_, django_capture_on_commit_callbacks))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert "本批次还没有发起资格联审的人选" in "\n".join(pages_of(job))
