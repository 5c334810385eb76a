"""The printed 公示 notice (publicity/notice_pdf.html through reserve.pdf): its text as a reader's PDF
tool extracts it, the QR code drawn in it, and that rendering it opens no network connection."""

import datetime
import io
import re

import pytest
import qrcode
from pypdf import PdfReader

from publicity import services
from reserve.choices import Education, Gender, PoliticalStatus
from tests.factories import NominationFactory, PersonFactory
from tests.helpers import pdf_text

PUBLIC_BASE = "https://reserve.example.gov.cn"
START = datetime.date(2026, 9, 29)


@pytest.fixture
def people(office, round_, village_a):
    specs = [
        ("王建国", Gender.MALE, datetime.date(1992, 3, 8), Education.COLLEGE, PoliticalStatus.PARTY_MEMBER,
         "东山村村委会委员"),
        ("李秀英", Gender.FEMALE, datetime.date(1996, 11, 21), Education.BACHELOR, PoliticalStatus.LEAGUE_MEMBER,
         "东山村文书"),
        ("张喆", Gender.MALE, datetime.date(1992, 1, 2), Education.HIGH_SCHOOL, PoliticalStatus.MASSES,
         "个体经营"),
    ]
    return [
        NominationFactory(round=round_, village=village_a, created_by=office, approved=True,
                          person=PersonFactory(name=name, gender=gender, birth_date=birth),
                          fulltime_education=edu, political_status=political, work_unit_post=post)
        for name, gender, birth, edu, political, post in specs
    ]


@pytest.fixture
def notice(office, round_, village_a, people, no_network):
    notice = services.notice_publish(
        actor=office, round_=round_, village=village_a, start_date=START,
        contact_phone="0579-88880000", contact_address="青山镇人民政府组织办（镇政府三楼）",
        public_url_for=lambda n: PUBLIC_BASE + n.get_public_url(), issue_date=datetime.date(2026, 9, 28),
        today=datetime.date(2026, 9, 28),  # entered the day before it starts
    )
    assert no_network == []
    return notice


def pdf_bytes(notice) -> bytes:
    notice.pdf.open("rb")
    try:
        return notice.pdf.read()
    finally:
        notice.pdf.close()


def flat_text(pdf: bytes) -> str:
    """The extracted text without any whitespace (a table cell or a long line may wrap)."""
    return re.sub(r"\s+", "", pdf_text(pdf))


def test_the_pdf_has_the_notice_text(notice):
    text = flat_text(pdf_bytes(notice))
    assert notice.title == "关于东山村村级后备干部人选的公示"
    assert notice.title in text
    assert "公示时间：2026年9月29日至2026年10月10日" in text
    assert "（5个工作日）" in text
    assert "联系电话：0579-88880000" in text
    assert notice.issuer == "中共青山镇委员会" and notice.issuer in text
    assert "2026年9月28日" in text  # the issue date, under the issuer
    for header in ("姓名", "性别", "出生年月", "学历", "政治面貌", "现工作单位及职务"):
        assert header in text


def test_the_pdf_has_every_entrys_six_fields(notice):
    text = flat_text(pdf_bytes(notice))
    entries = list(notice.entries.all())
    assert [e.name for e in entries] == ["王建国", "李秀英", "张喆"]
    assert [(e.gender, e.birth_month, e.education, e.political_status) for e in entries] == [
        ("男", "1992.03", "大专", "中共党员"),
        ("女", "1996.11", "大学本科", "共青团员"),
        ("男", "1992.01", "高中（中专、职高、技校）", "群众"),
    ]
    for e in entries:
        row = "".join(str(getattr(e, f)) for f in e.PUBLIC_FIELDS)
        assert row in text, f"{e.name}'s row not found in order"


def test_the_notice_period_is_stored_with_it(notice):
    assert (notice.start_date, notice.end_date, notice.days, notice.day_kind) == (START, datetime.date(2026, 10, 10), 5, "working")
    assert notice.calendar_note == ""


def _qr_modules(pdf: bytes) -> set[tuple[int, int]]:
    """The dark modules of the QR code as drawn in the page (WeasyPrint draws the SVG's unit squares
    as path segments: x y m, x+1 y l, x+1 y+1 l, x y+1 l, h)."""
    squares = set()
    square = re.compile(rb"(\d+) (\d+) m\n(\d+) (\d+) l\n(\d+) (\d+) l\n(\d+) (\d+) l\nh")
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for m in square.finditer(page.get_contents().get_data()):
            x, y, x1, y1, x2, y2, x3, y3 = map(int, m.groups())
            if (x1, y1, x2, y2, x3, y3) == (x + 1, y, x + 1, y + 1, x, y + 1):
                squares.add((x, y))
    return squares


def test_the_qr_code_is_embedded_and_encodes_the_public_address(notice):
    pdf = pdf_bytes(notice)
    url = PUBLIC_BASE + notice.get_public_url()
    qr = qrcode.QRCode(border=2)
    qr.add_data(url)
    qr.make(fit=True)
    expected = {(x, y) for y, row in enumerate(qr.get_matrix()) for x, dark in enumerate(row) if dark}
    assert len(expected) > 200
    assert _qr_modules(pdf) == expected
    assert "扫码查看公示或在网上反映" in flat_text(pdf)


def test_rendering_a_notice_opens_no_connection(notice, no_network):
    """Publishing (above, under no_network) rendered the PDF; rendering again is still offline,
    and a hostile value in a field is text, not a resource to fetch."""
    entry = notice.entries.first()
    entry.name = '<img src="http://e.cn/a.png">'  # 28 characters (max 30)
    entry.work_unit_post = '<link rel="stylesheet" href="https://example.com/x.css">'
    entry.save()
    pdf = services.render_notice_pdf(notice, public_url=PUBLIC_BASE + notice.get_public_url())
    assert no_network == []
    text = flat_text(pdf)
    assert '<imgsrc="http://e.cn/a.png">' in text
    assert pdf.startswith(b"%PDF")
