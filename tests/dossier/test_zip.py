"""The files of a tier, a village or a unit as one ZIP (issue 12 point 6; made by the background worker since issue
13): written a member at a time, one PDF per reserve of the filter and of the office's town, members named
"<序号>_<姓名>.pdf" safely, capped with a clear message, office only, every file audited as downloaded."""

import io
import zipfile

import pytest
from django.urls import reverse

from dossier import documents
from reserve.models import AuditEntry, Job
from training.models import Reserve, Tier

from ..factories import ReserveFactory, UnitFactory, VillageFactory
from ..helpers import page

pytestmark = pytest.mark.django_db

URL = "/pool/dossiers.zip"


@pytest.fixture
def quick_pdf(monkeypatch):
    """A stub PDF per file (the real render is tested in test_dossier.py and in test_one_real_member)."""
    monkeypatch.setattr(documents, "render_pdf", lambda template, context, **kw: (
        b"%PDF-1.7 " + context["r"].name.encode() + b"\n%%EOF"))


@pytest.fixture
def make_zip(zip_download):
    def make(data) -> zipfile.ZipFile:
        download = zip_download(data)
        assert download.status_code == 200 and download["Content-Type"] == "application/zip"
        return zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))

    return make


def test_a_village_batch_holds_one_pdf_per_reserve_of_the_town(client, office, town, other_town, village_a,
                                                              village_b, quick_pdf, make_zip):
    mine = [ReserveFactory(town=town, village=village_a, person__name=n) for n in ("甲一", "乙二", "丙三")]
    ReserveFactory(town=town, village=village_b)  # another village
    ReserveFactory(town=town, village=village_a, status=Reserve.Status.REMOVED)  # not active
    ReserveFactory(town=other_town)  # another town
    client.force_login(office)
    archive = make_zip({"village": village_a.pk})
    names = archive.namelist()
    assert names == ["001_甲一.pdf", "002_乙二.pdf", "003_丙三.pdf"]
    assert [archive.read(n) for n in names] == [b"%PDF-1.7 " + r.name.encode() + b"\n%%EOF" for r in mine]
    assert archive.testzip() is None
    rows = AuditEntry.objects.filter(action="download", detail__file="dossier_zip")
    assert sorted(int(r.object_id) for r in rows) == sorted(r.pk for r in mine)


def test_a_tier_and_all_statuses(client, office, town, village_a, quick_pdf, make_zip):
    unit = UnitFactory(town=town)
    ReserveFactory(town=town, unit=unit, tier=Tier.FOURTH)
    ReserveFactory(town=town, unit=unit, tier=Tier.FOURTH, status=Reserve.Status.USED)
    ReserveFactory(town=town, village=village_a)
    client.force_login(office)
    assert len(make_zip({"tier": 4}).namelist()) == 1
    assert len(make_zip({"tier": 4, "status": "all"}).namelist()) == 2
    assert len(make_zip({"unit": unit.pk, "status": "used"}).namelist()) == 1


def test_the_stream_yields_after_each_member(office, town, village_a, quick_pdf):
    reserves = [ReserveFactory(town=town, village=village_a) for _ in range(3)]
    stream = documents.zip_stream(office, reserves)
    first = next(stream)
    assert first.startswith(b"PK\x03\x04") and b"001_" in first  # the first file leaves before the others exist
    rest = list(stream)
    assert len(rest) == 3 and rest[-1]  # two more members, then the central directory
    assert zipfile.ZipFile(io.BytesIO(first + b"".join(rest))).testzip() is None


@pytest.mark.parametrize("raw, expected", [
    ("张三", "001_张三.pdf"),
    ("../../etc/passwd", "001_etc_passwd.pdf"),
    ("a/b\\c:d*e?f\"g<h>i|j", "001_a_b_c_d_e_f_g_h_i_j.pdf"),
    ("\x00\x1f名\u202e字", "001_名_字.pdf"),
    ("...", "001_未具名.pdf"),
    ("", "001_未具名.pdf"),
    ("长" * 100, "001_" + "长" * 30 + ".pdf"),
])
def test_member_names_are_safe(raw, expected):
    assert documents.member_name(1, raw) == expected


def test_the_batch_is_capped(client, office, town, village_a, settings, quick_pdf):
    settings.DOSSIER_ZIP_MAX = 2
    for _ in range(3):
        ReserveFactory(town=town, village=village_a)
    client.force_login(office)
    response = client.post(URL, {"village": village_a.pk})
    assert response.status_code == 200
    body = page(response)
    assert "一次最多下载2份档案" in body and "请缩小范围" in body and "符合条件3人" in body
    assert not AuditEntry.objects.filter(action="download", detail__file="dossier_zip").exists()
    assert not Job.objects.exists()


def test_the_worker_checks_the_batch_again(office, town, village_a, settings, quick_pdf):
    """A job started for three files, run after a fourth joined the village while the cap is three: refused with
    the message, nothing stored, nothing audited as downloaded."""
    from dossier import jobs as batch_jobs
    from reserve import jobs

    settings.DOSSIER_ZIP_MAX = 3
    for _ in range(4):
        ReserveFactory(town=town, village=village_a)
    job = Job.objects.create(owner=office, kind=batch_jobs.KIND, title="t",
                             params={"filters": {"tier": None, "village_id": village_a.pk, "unit_id": None,
                                                 "status": "active"}})
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "一次最多下载3份档案" in job.message and not job.file
    assert not AuditEntry.objects.filter(action="download", detail__file="dossier_zip").exists()


@pytest.mark.parametrize("query, message", [
    ({}, None),  # the form
    ({"tier": "abc"}, "请检查筛选条件"),
    ({"tier": "99"}, "请检查筛选条件"),
    ({"village": "x" * 5000}, "请检查筛选条件"),
    ({"village": "-1"}, "请检查筛选条件"),
    ({"unit": "1e309"}, "请检查筛选条件"),
    ({"status": "nonsense", "tier": "5"}, "请检查筛选条件"),
    ({"status": "all"}, "请至少选择"),
    ({"tier": "1"}, "没有符合条件的后备干部"),
])
def test_bad_filters_get_a_clear_message(client, office, query, message):
    client.force_login(office)
    response = client.post(URL, query)
    assert response.status_code == 200
    body = page(response)
    assert 'id="batch-form"' in body
    if message:
        assert message in body
    assert not Job.objects.exists()


def test_a_link_presets_the_form_and_starts_nothing(client, office, village_a):
    client.force_login(office)
    response = client.get(URL, {"village": village_a.pk, "tier": "x"})
    body = page(response)
    assert response.status_code == 200 and f'<option value="{village_a.pk}" selected>' in body
    assert "请检查筛选条件" not in body and not Job.objects.exists()


def test_another_towns_village_is_refused(client, office, other_town, quick_pdf):
    theirs = VillageFactory(town=other_town)
    ReserveFactory(town=other_town, village=theirs)
    client.force_login(office)
    response = client.post(URL, {"village": theirs.pk})
    assert response.status_code == 200 and "请检查筛选条件" in page(response) and not Job.objects.exists()


@pytest.mark.parametrize("who", ["committee", "village_a_user", "unit_user", "mentor", "dept_x_user"])
def test_only_the_office_downloads_a_batch(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL, {"tier": 5}).status_code == 403
    assert client.post(URL, {"tier": 5}).status_code == 403
    assert not Job.objects.exists()


def test_anonymous_goes_to_sign_in(client):
    response = client.post(URL, {"tier": 5})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_one_real_member(client, office, town, village_a, make_zip):
    ReserveFactory(town=town, village=village_a)
    client.force_login(office)
    archive = make_zip({"village": village_a.pk})
    (name,) = archive.namelist()
    assert archive.read(name).startswith(b"%PDF")


def test_a_refused_render_leaves_a_note_and_goes_on(client, office, town, village_a, monkeypatch, make_zip):
    from reserve.pdf import PdfRefused

    reserves = [ReserveFactory(town=town, village=village_a, person__name=n) for n in ("甲", "乙")]

    def render(template, context, **kw):
        if context["r"].pk == reserves[0].pk:
            raise PdfRefused("文档内容过多，无法生成PDF。")
        return b"%PDF-1.7\n%%EOF"

    monkeypatch.setattr(documents, "render_pdf", render)
    client.force_login(office)
    archive = make_zip({"village": village_a.pk})
    assert archive.namelist() == ["001_甲_未生成.txt", "002_乙.pdf"]
    assert "文档内容过多" in archive.read("001_甲_未生成.txt").decode()
