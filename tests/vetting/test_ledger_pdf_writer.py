"""The 资格联审台账 PDF's writer (vetting.ledger_pdf: fpdf2, its own line breaking and pagination; issue 13 §3): an
official ledger — the title, the issuer and the date, every person × every department, the header row and the
village on every page, no row split, 第X页 共Y页 through the document — whose text every reader extracts and whose
rare name characters are drawn with real glyphs, and fast: no database here."""

import io
import re
import time

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from vetting import ledger_pdf
from vetting.ledger_pdf import wrap

DEPARTMENTS = ["纪委", "派出所", "法庭", "检察院", "司法所", "市场监管所", "卫健办", "信访办", "民政办", "自然资源所",
               "税务所", "人社所"]
RARE = "喆堃㛃"  # rare name characters in Noto; 㛃 is U+36C3, CJK Extension A
OUTSIDE_NOTO = "\U0002A6A5"  # 𪚥, CJK Extension B: not in Noto CJK, drawn by BabelStone Han


def ledger(villages, **extra) -> ledger_pdf.Ledger:
    return ledger_pdf.Ledger(
        title="青山镇村级后备干部资格联审台账", subtitle="2026年村级后备干部选拔",
        columns=["序号", "姓名", "村（社区）", *DEPARTMENTS, "联审结果"],
        widths=[9.0, 16.0, 18.0, *(None for _d in DEPARTMENTS), 20.0], villages=villages,
        empty="本批次还没有发起资格联审的人选。", issuer=["制表单位：中共青山镇委员会组织办公室（盖章）", "制表日期：2026年12月7日"],
        continued="%(v)s（续）", footer="第 %(page)d 页 共 %(pages)d 页", centered=frozenset({0}), **extra)


def rows(village, first, count, names=()):
    """Rows whose every department cell names the row (签字007) so that a split row would show on two pages."""
    return [[str(n), names[n - first] if n - first < len(names) else f"{village[:2]}人{n:03d}", village,
             *(f"通过\n签字{n:03d}，12月{d + 1}日" for d in range(len(DEPARTMENTS))), "联审中"]
            for n in range(first, first + count)]


def write(ledger_) -> bytes:
    out = io.BytesIO()
    pages = ledger_pdf.write(ledger_, out)
    pdf = out.getvalue()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == pages
    return pdf


def texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def long_ledger():
    names = ["张喆", "王堃", "李㛃", "王" + OUTSIDE_NOTO]
    return write(ledger([("东山村", rows("东山村", 1, 45, names)), ("西岭村", rows("西岭村", 46, 3))],
                        metadata_title="2026年村级后备干部选拔 资格联审台账（PDF）"))


def test_every_row_is_printed_once_whole_in_order_and_numbered_through(long_ledger):
    pages = texts(long_ledger)
    assert len(pages) >= 4
    for n in range(1, 49):
        on = [number for number, text in enumerate(pages, 1) if f"签字{n:03d}" in text]
        assert len(on) == 1, (n, on)  # a person's row is never split across two pages
        assert pages[on[0] - 1].count(f"签字{n:03d}") == len(DEPARTMENTS)  # every department's answer
    text = "\n".join(pages)
    assert [int(x) for x in re.findall(r"^(\d+) ?(?:东山人|西岭人|张喆|王堃|李㛃|王𪚥)", text, re.M)] == list(range(1, 49))
    assert text.index("东山人045") < text.index("西岭人046")


def test_each_page_has_the_header_the_village_and_its_number_of_the_whole(long_ledger):
    pages = texts(long_ledger)
    for number, text in enumerate(pages, 1):
        assert "序号 姓名 村（社区） 纪委 派出所" in text and "人社所 联审结果" in text, number
        assert f"第 {number} 页 共 {len(pages)} 页" in text, number
    assert "东山村" in pages[0] and "东山村（续）" in pages[1]
    first_west = next(i for i, text in enumerate(pages) if "西岭村" in text)
    assert "东山人" not in pages[first_west]  # a village begins on a new page


def test_the_title_on_the_first_page_the_issuer_and_date_after_the_last_row(long_ledger):
    pages = texts(long_ledger)
    assert "青山镇村级后备干部资格联审台账" in pages[0] and "2026年村级后备干部选拔" in pages[0]
    assert not any("资格联审台账" in text for text in pages[1:])
    assert "制表单位：中共青山镇委员会组织办公室（盖章）" in pages[-1] and "制表日期：2026年12月7日" in pages[-1]
    assert pages[-1].index("西岭人048") < pages[-1].index("制表单位")
    assert not any("制表单位" in text for text in pages[:-1])
    info = PdfReader(io.BytesIO(long_ledger)).metadata
    assert info.title == "2026年村级后备干部选拔 资格联审台账（PDF）"


def test_a4_landscape(long_ledger):
    page = PdfReader(io.BytesIO(long_ledger)).pages[0]
    width, height = (float(v) for v in page.mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)


def test_rare_name_characters_are_real_glyphs_and_extract_as_themselves(long_ledger):
    text = "\n".join(texts(long_ledger))
    for name in ("张喆", "王堃", "李㛃", "王" + OUTSIDE_NOTO):
        assert name in text
    faces = glyph_faces(long_ledger)
    assert {ch: faces.get(ch) for ch in RARE + "王"} == {ch: "Noto Serif CJK SC" for ch in RARE + "王"}
    assert faces[OUTSIDE_NOTO] == "BabelStone Han"
    assert faces["序"] == "Noto Sans CJK SC" and faces["账"] == "Noto Serif CJK SC"  # 黑体 header, 宋体 text


def test_the_fonts_are_subsets_of_the_documents_characters(long_ledger):
    families = {}
    for font in embedded_fonts(long_ledger):
        family, glyphs = font["name"].getBestFamilyName(), len(font.getGlyphOrder())
        families[family] = max(families.get(family, 0), glyphs)
    assert set(families) == {"Noto Serif CJK SC", "Noto Sans CJK SC", "BabelStone Han"}
    assert max(families.values()) < 300  # not the faces' ~65,000 glyphs
    assert len(long_ledger) < 400_000


def test_an_empty_ledger_says_so_on_one_page():
    pages = texts(write(ledger([])))
    assert len(pages) == 1
    assert "本批次还没有发起资格联审的人选。" in pages[0] and "序号" in pages[0] and "制表日期" in pages[0]
    assert "第 1 页 共 1 页" in pages[0]


def test_a_long_cell_wraps_within_its_column_and_the_row_grows():
    one = rows("东山村", 1, 1)
    one[0][3] = "有问题（不影响）\n由组织办代为录入（附纸质回复）\n李经办，12月7日"
    text = texts(write(ledger([("东山村", one)])))[0]
    assert "有问题\n（不影响）" in text
    assert "李经办，\n12月7日" in text or "李经办，12月7日" in text


def test_a_row_costs_about_a_millisecond_not_tens():
    """1,200 rows × 12 departments: ~2.5 s of CPU on the development VM (fonts ~1 s, ~1.2 ms a row; the whole
    7,440-row round in ~10 s, benchmarks/ledger_pdf.py); WeasyPrint took 30–40 ms a row. The bound, 6.7 ms a row
    with the fonts, is the 60 s budget of the largest round on a single core."""
    villages = [(f"第{v}村", rows(f"第{v}村", 1 + (v - 1) * 300, 300)) for v in range(1, 5)]
    started = time.process_time()
    pdf = write(ledger(villages))
    assert time.process_time() - started < 8
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 60  # ~16 rows a page


# --- line breaking ----------------------------------------------------------------------------


def measure(text: str) -> float:
    """A Chinese character 1 wide, an ASCII one ½."""
    return sum(0.5 if c.isascii() else 1.0 for c in text)


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("通过", 6, ["通过"]),
    ("通过\n纪委经办人，12月3日", 20, ["通过", "纪委经办人，12月3日"]),
    ("纪委经办人，12月3日", 6, ["纪委经办人，", "12月3日"]),  # at the comma
    ("有问题（不影响）", 6, ["有问题", "（不影响）"]),  # before the bracket
    ("市场监管所经办人，12月3日", 6, ["市场监管所经", "办人，", "12月3日"]),
    ("由组织办代为录入（附纸质回复）", 6, ["由组织办代为", "录入（附纸质", "回复）"]),  # the bracket would cost a line
    ("甲乙丙丁戊，", 5, ["甲乙丙丁", "戊，"]),  # a comma never begins a line: it takes a character with it
    ("甲乙丙丁《戊己", 5, ["甲乙丙丁", "《戊己"]),  # an opening bracket never ends one
    ("已催办12次", 3.5, ["已催办", "12次"]),  # nor is a number broken
    ("", 5, [""]),
    ("ABCDEFGHIJKL", 3, ["ABCDEF", "GHIJKL"]),  # a unit wider than the cell: between its characters
])
def test_wrap(text, width, lines):
    assert wrap(text, width, measure) == lines


def test_wrapped_lines_fit():
    text = "由组织办代为录入（附纸质回复）\n李经办，12月7日\n有问题（不影响）\n待审（逾期）\n已催办1次"
    for width in (2, 3, 4.5, 7, 11):
        lines = wrap(text, width, measure)
        assert "".join(lines) == text.replace("\n", "")
        assert all(measure(line) <= width for line in lines), (width, lines)


# --- the embedded fonts -----------------------------------------------------------------------


def embedded_fonts(pdf: bytes):
    for _font, _descendant, descriptor in _fonts(pdf):
        yield TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))


def _fonts(pdf: bytes):
    seen = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            yield font, descendant, descendant["/FontDescriptor"].get_object()


def glyph_faces(pdf: bytes) -> dict[str, str]:
    """Each character drawn, and the family of the embedded face whose glyph for it has an outline (the text's
    code → ToUnicode; code → CIDToGIDMap → the glyph)."""
    found = {}
    for font, descendant, descriptor in _fonts(pdf):
        ttfont = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        family, order, glyphs = ttfont["name"].getBestFamilyName(), ttfont.getGlyphOrder(), ttfont.getGlyphSet()
        to_gid = descendant["/CIDToGIDMap"].get_object().get_data()
        cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        for code, text in re.findall(r"<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>", cmap):
            code = int(code, 16)
            gid = int.from_bytes(to_gid[2 * code:2 * code + 2], "big")
            pen = BoundsPen(glyphs)
            glyphs[order[gid]].draw(pen)
            if gid and pen.bounds is not None:
                found.setdefault(bytes.fromhex(text).decode("utf-16-be"), family)
    return found
