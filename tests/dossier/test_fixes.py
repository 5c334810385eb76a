"""Fixes to the one-person file found by testers: the card's ZIP link gives everyone the village had in the pool and
the ZIP is named after its filter; the résumé's 起止年月 fits its column; the assessments' 考核评语; ZIP member names
without line/paragraph separators; history rows that say what happened; a long-serving reserve's PDF prints (the
long sections cut to their newest rows, the page a page at a time)."""

import dataclasses
import datetime
import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from benchmarks import dossier as bench
from dossier import documents, selectors
from reserve.models import Event
from training.models import Reserve, Tier

from ..factories import AssessmentFactory, ReserveFactory, UnitFactory, UserFactory
from ..helpers import page, pdf_text

pytestmark = pytest.mark.django_db

ZIP_URL = "/pool/dossiers.zip"


@pytest.fixture
def quick_pdf(monkeypatch):
    monkeypatch.setattr(documents, "render_pdf", lambda template, context, **kw: b"%PDF-1.7\n%%EOF")


def _filename(response) -> str:
    match = re.search(r"filename\*=UTF-8''([^;]+)", response["Content-Disposition"], re.IGNORECASE)
    assert match, response["Content-Disposition"]
    return unquote(match.group(1))


def _flat(pdf: bytes) -> str:
    return pdf_text(pdf).replace("\n", "").replace(" ", "")


# ----------------------------------------------------------------------------------------------- 1. the ZIP link


def test_a_removed_reserves_card_gives_everyone_of_the_village(client, office, town, village_a, quick_pdf,
                                                               zip_download):
    gone = ReserveFactory(town=town, village=village_a, person__name="黄志强", status=Reserve.Status.REMOVED)
    ReserveFactory(town=town, village=village_a, person__name="陈宇航")
    ReserveFactory(town=town, village=village_a, person__name="李明", status=Reserve.Status.USED)
    client.force_login(office)
    body = page(client.get(gone.get_absolute_url()))
    href = re.search(r'href="([^"]+)" id="dossier-batch-link"', body).group(1).replace("&amp;", "&")
    assert "status=all" in href
    form = page(client.get(href))  # the batch form, preset: every status of the village
    assert '<option value="all" selected>' in form and f'<option value="{village_a.pk}" selected>' in form
    response = zip_download({"village": village_a.pk, "status": "all"})
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 3 and any("黄志强" in n for n in archive.namelist())
    assert _filename(response) == "东山村一人一档（3份）.zip"
    assert 'filename="' in response["Content-Disposition"]  # an ASCII fallback too


def test_a_units_card_links_all_statuses(client, office, town):
    unit = UnitFactory(town=town)
    reserve = ReserveFactory(town=town, unit=unit, tier=Tier.FOURTH, status=Reserve.Status.EXPIRED)
    client.force_login(office)
    body = page(client.get(reserve.get_absolute_url()))
    assert f"unit={unit.pk}&amp;status=all" in body and "本单位全部档案（ZIP）" in body


@pytest.mark.parametrize("kw, expected", [
    ({"village": "东山村"}, "东山村一人一档（3份）.zip"),
    ({"village": "东山村", "status": "active"}, "东山村（培养中）一人一档（3份）.zip"),
    ({"unit": "绿源公司", "tier": 4}, "绿源公司第四梯队一人一档（3份）.zip"),
    ({"tier": 5, "status": "used"}, "村级后备干部（已任用）一人一档（3份）.zip"),
    ({"village": "东/山\u2028村"}, "东_山_村一人一档（3份）.zip"),
])
def test_zip_names_follow_the_filter(kw, expected):
    @dataclasses.dataclass
    class Named:
        name: str

    village = Named(kw["village"]) if "village" in kw else None
    unit = Named(kw["unit"]) if "unit" in kw else None
    assert documents.zip_name(3, village=village, unit=unit, tier=kw.get("tier"),
                              status=kw.get("status")) == expected


def test_the_zip_is_named_after_its_filter(client, office, town, quick_pdf, zip_download):
    unit = UnitFactory(town=town, name="绿源公司")
    ReserveFactory(town=town, unit=unit, tier=Tier.FOURTH)
    client.force_login(office)
    response = zip_download({"unit": unit.pk, "tier": 4})
    assert _filename(response) == "绿源公司第四梯队（培养中）一人一档（1份）.zip"


# ----------------------------------------------------------------------------------------------- 2. 起止年月


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def test_the_resume_period_fits_its_column(town, office):
    """Laid out by WeasyPrint as the PDF is: "2013.09—2016.07" stays inside its cell (it overlapped the next)."""
    from weasyprint import HTML

    from candidates.models import ResumeEntry
    from reserve.pdf import INTERNAL_BASE_URL, StaticOnlyURLFetcher

    built = bench.build(bench.SCALES["tiny"], town=town, office=office)
    ResumeEntry.objects.filter(nomination=built.reserve.nomination).update(
        start=datetime.date(2013, 9, 1), end=datetime.date(2016, 7, 1))
    html = render_to_string(documents.PDF_TEMPLATE, documents.pdf_context(office, built.reserve))
    assert "col-period" in html and re.search(r"th\.col-period\s*{\s*width:\s*3[2-9]mm", html)
    document = HTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=StaticOnlyURLFetcher(),
                    media_type="print").render()
    found = 0
    for pdf_page in document.pages:
        cell = None
        for box in _boxes(pdf_page._page_box):
            if type(box).__name__ == "TableCellBox":
                cell = box
            elif type(box).__name__ == "TextBox" and box.text == "2013.09—2016.07":
                found += 1
                assert box.position_x + box.width <= cell.content_box_x() + cell.width + 0.01
    assert found == 2


# ----------------------------------------------------------------------------------------------- 3. 考核评语


def test_the_assessment_comment_is_in_the_file(client, town, office, committee):
    assessment = AssessmentFactory(round__town=town, reserve__town=town, status="confirmed", grade="excellent",
                                   comment="工作踏实肯干，群众认可度高。")
    client.force_login(committee)
    body = page(client.get(reverse("dossier:dossier", args=[assessment.reserve_id])))
    assert "考核评语：工作踏实肯干，群众认可度高。" in body
    pdf = client.get(reverse("dossier:dossier_pdf", args=[assessment.reserve_id])).content
    assert "考核评语：工作踏实肯干，群众认可度高。" in _flat(pdf)


# ----------------------------------------------------------------------------------------------- 4. member names


@pytest.mark.parametrize("raw, expected", [
    ("张\u2028三", "001_张_三.pdf"),
    ("张\u2029三", "001_张_三.pdf"),
    ("张\u0085\u2028\u2029三", "001_张_三.pdf"),
    ("\ufeff张三\u2060", "001_张三.pdf"),
    ("张\u200d三\u00ad", "001_张_三.pdf"),
    ("\u2028\u2029", "001_未具名.pdf"),
    ("阿依古丽·买买提", "001_阿依古丽·买买提.pdf"),
    ("𪚥", "001_𪚥.pdf"),
])
def test_member_names_drop_separators_and_controls(raw, expected):
    name = documents.member_name(1, raw)
    assert name == expected
    assert not any(ch in name for ch in "\u2028\u2029\u0085\ufeff\u2060\u200d\u00ad")


def test_a_zip_member_of_a_name_with_separators(client, office, town, village_a, quick_pdf, zip_download):
    ReserveFactory(town=town, village=village_a, person__name="王\u2028小\u2029明")
    client.force_login(office)
    response = zip_download({"village": village_a.pk})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == ["001_王_小_明.pdf"]


# ----------------------------------------------------------------------------------------------- 5. history rows


@pytest.mark.parametrize("text, expected", [
    ("引路人：引路人 郑国华", "引路人：郑国华"),
    ("引路人：引路人 郑国华（村党组织提议）", "引路人：郑国华（村党组织提议）"),
    ("原因：其他；引路人：引路人 张三", "原因：其他；引路人：张三"),
    ("引路人：郑国华", "引路人：郑国华"),
    ("谈话人：引路人 林玉兰", "谈话人：引路人 林玉兰"),
    ("引路人：引路人", "引路人：引路人"),
    ("", ""),
])
def test_a_label_is_not_repeated(text, expected):
    assert selectors._without_repeated_label(text) == expected


def test_history_rows_say_what_happened(town, office, committee):
    from assessment.models import Adjustment
    from cultivation import talks
    from cultivation.models import TalkKind
    from training.models import Mentorship

    today = timezone.localdate()
    reserve = ReserveFactory(town=town, start_date=today - datetime.timedelta(days=400))
    mentor = UserFactory(full_name="引路人 郑国华", town=town)
    Mentorship.objects.create(reserve=reserve, mentor=mentor, start=today - datetime.timedelta(days=300),
                              end=today - datetime.timedelta(days=10), recorded_by=office)
    talks.make_talk_due(reserve, TalkKind.SETBACK, "家庭变故", today - datetime.timedelta(days=20), actor=office)
    adjustment = Adjustment.objects.create(reserve=reserve, cause=Adjustment.Cause.OTHER, status="approved",
                                           flagged_on=today - datetime.timedelta(days=5))
    Event.objects.create(content_type=ContentType.objects.get_for_model(Adjustment), object_id=adjustment.pk,
                         action="approve_adjustment", actor=committee, reason="")
    for user in (office, committee):
        rows = selectors.dossier_of(user, reserve).history
        due = [r for r in rows if r.label == "应谈事项（四必谈）"]
        assert len(due) == 1
        assert "家庭变故" in due[0].text and "应于" in due[0].text and due[0].actor == str(office)
        approved = [r for r in rows if r.url.endswith(f"/adjustments/{adjustment.pk}/")]
        assert approved and all("原因：不再符合后备干部条件" in r.text for r in approved)
        mentors = [r.text for r in rows if "郑国华" in r.text]
        assert mentors and all("引路人：郑国华" in t and "引路人 郑国华" not in t for t in mentors)
        # no row of the pool's without content but its label (the actorless 入库 kinds say it in their label)
        assert all(r.text for r in rows if r.label in ("应谈事项（四必谈）", "批准调整出库"))


def test_the_page_shows_no_bare_link(client, town, office, committee):
    from assessment.models import Adjustment

    reserve = ReserveFactory(town=town)
    adjustment = Adjustment.objects.create(reserve=reserve, cause=Adjustment.Cause.VETO, status="approved",
                                           flagged_on=timezone.localdate())
    Event.objects.create(content_type=ContentType.objects.get_for_model(Adjustment), object_id=adjustment.pk,
                         action="approve_adjustment", actor=committee, reason="")
    client.force_login(office)
    body = page(client.get(reverse("dossier:dossier", args=[reserve.pk])))
    assert ">查看</a>" not in body and "原因：一票否决" in body


# ----------------------------------------------------------------------------------------------- 6. long files


def _long(town, office, **changes):
    scale = dataclasses.replace(bench.SCALES["tiny"], **changes)
    return bench.build(scale, town=town, office=office)


def test_a_reserve_with_300_tasks_prints(client, town, office):
    built = _long(town, office, tasks=300)
    client.force_login(office)
    response = client.get(reverse("dossier:dossier_pdf", args=[built.reserve.pk]))  # the real renderer
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = _flat(response.content)
    assert f"另有{300 - documents.PDF_ROWS}条较早的记录，详见系统" in text
    assert "实践任务300" in text and "实践任务1（" not in text  # the newest rows


def test_long_follow_ups_are_cut_until_the_file_fits(town, office, settings, monkeypatch):
    """300 follow-ups of 1,000 characters: far beyond PDF_MAX_HTML_BYTES whole; the PDF prints fewer rows."""
    from training.models import FollowUpVisit

    built = _long(town, office)
    reserve = built.reserve
    FollowUpVisit.objects.bulk_create([
        FollowUpVisit(reserve=reserve, date=reserve.start_date + datetime.timedelta(days=i), visited_by="组织办",
                      content=f"第{i}次回访" + "情" * 990, recorded_by=office) for i in range(300)])
    whole = render_to_string(documents.PDF_TEMPLATE, {"d": selectors.dossier_of(office, reserve), "r": reserve,
                                                      "title": "x"})
    assert len(whole.encode()) > settings.PDF_MAX_HTML_BYTES
    context = documents.pdf_context(office, reserve)
    assert len(render_to_string(documents.PDF_TEMPLATE, context).encode()) < settings.PDF_MAX_HTML_BYTES
    assert context["d"].omitted["follow_ups"] >= 300 - documents.PDF_ROWS
    assert "第299次回访" in render_to_string(documents.PDF_TEMPLATE, context)
    settings.PDF_RENDER_TIMEOUT = 0
    rendered = {}
    monkeypatch.setattr(documents, "render_pdf", lambda template, ctx, **kw: rendered.update(ctx) or b"%PDF")
    assert documents.dossier_pdf(office, reserve) == b"%PDF" and rendered["d"].omitted


@pytest.mark.parametrize("limit", [40, 3, 0])
def test_newest_cuts_each_long_section(town, office, limit):
    built = _long(town, office, tasks=4)
    d = selectors.dossier_of(office, built.reserve)
    cut = selectors.newest(d, limit)
    for name in selectors.LONG_SECTIONS:
        rows, kept = getattr(d, name), getattr(cut, name)
        n = limit * selectors.HISTORY_FACTOR if name == "history" else limit
        assert kept == rows[max(0, len(rows) - n):]  # the newest, in time order
        assert cut.omitted.get(name, 0) == len(rows) - len(kept)
    assert len(d.tasks) == 4  # the file itself is left whole
    assert cut.omitted.get("tasks", 0) == max(0, 4 - limit)


def test_the_page_shows_a_long_section_a_page_at_a_time(client, town, office):
    built = _long(town, office, tasks=60)
    client.force_login(office)
    url = reverse("dossier:dossier", args=[built.reserve.pk])
    body = page(client.get(url))
    tasks = body.split('id="tasks"')[1].split("</table>")[0]
    assert tasks.count("<tr>") == 1 + 10  # the header, then the newest 10 (60 = 25 + 25 + 10)
    assert "实践任务60" in tasks and "第3/3页，共60条" in body and "p_tasks=2#tasks" in body
    first = page(client.get(url, {"p_tasks": "1"})).split('id="tasks"')[1].split("</table>")[0]
    assert first.count("<tr>") == 1 + 25 and "实践任务1（" in first
    for garbage in ("0", "-1", "abc", "9" * 40, "1e309"):
        assert client.get(url, {"p_tasks": garbage}).status_code == 200


def test_the_page_query_count_is_constant_with_pages(client, town, office):
    few = _long(town, office, tasks=3)
    many = bench.build(dataclasses.replace(bench.SCALES["tiny"], tasks=90), town=town, office=office, name="乙")
    client.force_login(office)

    def count(reserve):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dossier:dossier", args=[reserve.pk])).status_code == 200
        return len(ctx.captured_queries)

    count(few.reserve)
    assert count(few.reserve) == count(many.reserve)
