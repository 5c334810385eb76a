"""The 资格联审台账 PDF drawn as a table with fpdf2 (issue 13 §3): the round's every dispatched person × every
department — 7,440 rows × 12 departments, 641 pages, in ~8 s of one core and ~250 MB (fonts and file included).

Why not WeasyPrint, as every other document: its layout engine laid the ledger out at ~30–40 ms of CPU a row (a box,
a Pango layout and a line box for each line of each of its 16 cells; profiled in benchmarks/README.md), 150–200 s for
the largest round on two cores. This table needs none of that engine: its columns have fixed widths and its cells
are short plain text, so the lines of a cell are worked out here from the font's advance widths (`wrap`), the rows
are paginated here (a row is never split; the header row and the village's name begin every page) and drawn with
fpdf2's primitives (a rectangle and a line of text at a time).

The look is that of the printed documents (static/css/print.css): A4 landscape, 宋体 (Noto Serif CJK SC) for the
text, its bold face for the title, 黑体 (Noto Sans CJK SC) for the header row, BabelStone Han for a character
Noto lacks (a rare name character, e.g. 𪚥), "第 X 页 共 Y 页" at the foot of every page; the title and the round
on the first page, each village from a new page, the issuer and the date after the last row.

Fonts: Noto CJK's faces are CFF (PostScript) outlines, which fpdf2 embeds with an encoding CMap of its own that
pypdf (and so the app's tests and text checks) cannot read: its text comes out a character at a time with blanks
between. So each face is first cut down (fontTools' subsetter) to the characters this document uses and its
outlines turned into TrueType ones (cubic to quadratic curves, within 1/1000 em: not visible in print), which fpdf2
embeds as Identity-H with a ToUnicode map that every reader extracts. That costs ~1–2 s for a whole round's names.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fontTools import subset as ftsubset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fpdf import FPDF

logger = logging.getLogger(__name__)

PT = 25.4 / 72  # millimetres in a point

# The page (millimetres): A4 landscape; the sizes and spacing of the former print stylesheet of the ledger.
PAGE_W, PAGE_H, MARGIN = 297.0, 210.0, 12.0
BODY_W = PAGE_W - 2 * MARGIN
TABLE_PT, TABLE_LEADING = 7.5, 1.25  # the cells' font size and line height
PAD_X, PAD_Y = 0.8, 0.4  # a cell's padding
BORDER = 0.5 * PT
TITLE_PT, SUBTITLE_PT, HEADING_PT, ISSUER_PT, FOOTER_PT = 18.0, 10.5, 9.0, 9.0, 9.0

# Faces by role: (fontconfig family, bold). The fallback draws what the face of a role lacks.
FACES = {"text": ("Noto Serif CJK SC", False), "title": ("Noto Serif CJK SC", True),
         "head": ("Noto Sans CJK SC", False)}
FALLBACK = ("BabelStone Han", False)

# Line breaking (Chinese 禁则): a mark that may not begin a line joins the unit before it, one that may not end a
# line the unit after it; a run of ASCII letters and digits ("12", "A3") is one unit.
NO_START = frozenset("，。、；：？！）》」』】〕…—·%‰℃,.;:?!)]}>")
NO_END = frozenset("（《「『【〔([{<")
BREAK_AFTER, BREAK_BEFORE = frozenset("，、；：。"), frozenset("（")


class FontMissing(RuntimeError):
    """A face the ledger is printed in is not installed (bin/setup installs them)."""


@dataclass
class Ledger:
    """What the PDF shows. `villages`: (the village's name, its rows: each a list of cell texts, lines split by
    "\\n"), in order; `widths`: each column's width in millimetres, None sharing what the others leave."""
    title: str
    subtitle: str
    columns: list[str]
    widths: list[float | None]
    villages: list[tuple[str, list[list[str]]]]
    empty: str
    issuer: list[str]
    continued: str  # "%(v)s（续）": the village's name on its following pages
    footer: str  # "第 %(page)d 页 共 %(pages)d 页"
    centered: frozenset[int] = field(default_factory=frozenset)  # the columns whose cells are centred
    metadata_title: str = ""

    def texts(self) -> Iterable[str]:
        yield from (self.title, self.subtitle, self.empty, *self.issuer, *self.columns)
        yield self.continued + self.footer + "0123456789"
        for name, rows in self.villages:
            yield name
            for row in rows:
                yield from row


# --------------------------------------------------------------------------------------------- fonts

@functools.cache
def font_file(family: str, bold: bool) -> tuple[str, int]:
    """The file and face index of an installed family (fontconfig's match, checked: fc-match always answers,
    with a substitute if need be)."""
    pattern = f"{family}:weight={'bold' if bold else 'regular'}"
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise FontMissing("fc-match (fontconfig) is not installed")
    found = subprocess.run([fc_match, "--format=%{file}\t%{index}\t%{family}", pattern], capture_output=True,
                           text=True, check=False, timeout=30).stdout.split("\t")
    if len(found) != 3 or family not in found[2].split(","):
        raise FontMissing(f"font {family!r} is not installed (bin/setup installs it)")
    return found[0], int(found[1])


def truetype_subset(path: str, index: int, chars: str, to: Path) -> frozenset[int]:
    """Write to `to` the face cut down to `chars` (those it has) with TrueType outlines; the code points it
    covers."""
    font = TTFont(path, fontNumber=index, lazy=True)
    covered = frozenset(ord(c) for c in chars) & frozenset(font.getBestCmap())
    options = ftsubset.Options()
    options.layout_features, options.name_IDs, options.notdef_outline = [], ["*"], True
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG", "meta"]
    options.desubroutinize = True
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=sorted(covered))
    subsetter.subset(font)
    if "CFF " in font:
        _cff_to_glyf(font)
    font.save(to)
    return covered


def _cff_to_glyf(font: TTFont) -> None:
    """Replace a font's CFF outlines by TrueType ones (fontTools' cu2qu: cubic curves approximated by quadratic
    ones within 1 font unit)."""
    glyphs, order = font.getGlyphSet(), font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    del font["CFF "]
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for name in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                 "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, name, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


class _Fonts:
    """The document's faces, each a subset of the characters it draws, registered with the FPDF."""

    def __init__(self, pdf: FPDF, chars_by_role: dict[str, str], folder: Path):
        self.pdf, self.covered, self.widths = pdf, {}, {}
        self.current: tuple[str, float] | None = None  # the face and size set last (set_font is not free)
        missing = set()
        for role, chars in chars_by_role.items():
            covered = self._add(role, *FACES[role], chars, folder)
            missing |= {c for c in chars if ord(c) not in covered and not c.isspace()}
        self.fallback = False
        if missing:
            try:
                self._add("fallback", *FALLBACK, "".join(sorted(missing)), folder)
                self.fallback = True
            except FontMissing:
                logger.warning("No fallback font for %s in the ledger PDF", "".join(sorted(missing))[:50])

    def _add(self, role, family, bold, chars, folder) -> frozenset[int]:
        path = folder / f"{role}.ttf"
        covered = truetype_subset(*font_file(family, bold), chars, path)
        self.pdf.add_font(role, "", str(path))
        self.covered[role] = covered
        self.widths[role] = self.pdf.fonts[role].cw
        return covered

    def width(self, role: str, text: str, size: float) -> float:
        """The advance of `text` in millimetres."""
        cw = self.widths[role]
        return sum(cw.get(ord(c), 1000) for c in text) * size / 1000 * PT

    def text(self, role: str, size: float, x: float, y: float, text: str) -> None:
        """Draw `text` from (x, baseline y), a character the role's face lacks in the fallback face."""
        covered = self.covered[role]
        if not self.fallback or all(ord(c) in covered for c in text):
            self._use(role, size)
            self.pdf.text(x, y, text)
            return
        for run_role, run in _runs(text, covered, role):
            self._use(run_role, size)
            self.pdf.text(x, y, run)
            x += self.width(run_role, run, size)

    def _use(self, role: str, size: float) -> None:
        if self.current != (role, size):
            self.pdf.set_font(role, size=size)
            self.current = (role, size)


def _runs(text: str, covered: frozenset[int], role: str) -> list[tuple[str, str]]:
    runs: list[tuple[str, str]] = []
    for c in text:
        face = role if ord(c) in covered or c.isspace() else "fallback"
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + c)
        else:
            runs.append((face, c))
    return runs


# --------------------------------------------------------------------------------------------- lines

def _units(line: str) -> list[str]:
    units: list[str] = []
    glue = False
    for c in line:
        if units and (glue or c in NO_START or (_word(c) and _word(units[-1][-1]))):
            units[-1] += c
        else:
            units.append(c)
        glue = c in NO_END
    return units


def _word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _clauses(line: str) -> list[str]:
    """The line cut where it had best break: after a comma or the like, before an opening bracket."""
    clauses, current = [], ""
    for c in line:
        if c in BREAK_BEFORE and current:
            clauses.append(current)
            current = ""
        current += c
        if c in BREAK_AFTER:
            clauses.append(current)
            current = ""
    return [*clauses, current] if current else clauses


def _fill(units: list[str], width: float, measure: Callable[[str], float]) -> list[str]:
    """Units into as few lines as fit, each as full as it can be; a unit wider than a line broken between its
    characters."""
    lines, line = [], ""
    for unit in units:
        if not line or measure(line + unit) <= width:
            line += unit
        else:
            lines.append(line)
            line = unit.lstrip()
        while len(line) > 1 and measure(line) > width:  # one unit wider than the cell
            cut = next(i for i in range(len(line) - 1, 0, -1) if measure(line[:i]) <= width or i == 1)
            lines.append(line[:cut])
            line = line[cut:]
    return [*lines, line]


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """The lines of a cell's text in `width` millimetres: its own lines ("\n"), each broken where a line may
    break in Chinese (between characters, never before a closing mark or after an opening one, never inside a
    number) — at a comma or before a bracket ("纪委经办人，" / "12月3日", "有问题" / "（不影响）") when that takes no
    more lines than filling each line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if measure(paragraph) <= width:
            lines.append(paragraph)
            continue
        filled = _fill(_units(paragraph), width, measure)
        by_clause = [""]
        for clause in _clauses(paragraph):
            if by_clause[-1] and measure(by_clause[-1] + clause) > width:
                by_clause.append("")
            if measure(by_clause[-1] + clause) <= width:
                by_clause[-1] += clause
            else:  # a clause wider than a line: filled by units
                head, *rest = _fill(_units(clause), width, measure)
                by_clause[-1:] = [head, *rest]
        lines.extend(by_clause if len(by_clause) <= len(filled) else filled)
    return lines


# --------------------------------------------------------------------------------------------- the document

class _Writer:
    """Lays the ledger out and draws it: pages are made as the rows come, the footers once their count is
    known."""

    def __init__(self, ledger: Ledger, pdf: FPDF, fonts: _Fonts):
        self.ledger, self.pdf, self.fonts = ledger, pdf, fonts
        free = [w for w in ledger.widths if w is not None]
        share = (BODY_W - sum(free)) / max(1, len(ledger.widths) - len(free))
        self.widths = [share if w is None else w for w in ledger.widths]
        self.line = TABLE_PT * TABLE_LEADING * PT
        self.wrapped: dict[tuple[str, int], list[str]] = {}
        self.y = MARGIN
        self.head_lines = [self._lines("head", text, i) for i, text in enumerate(ledger.columns)]
        self.head_height = self._height(self.head_lines)

    def _lines(self, role: str, text: str, column: int) -> list[str]:
        key = (text, column) if role == "text" else (f"\0{role}{text}", column)
        lines = self.wrapped.get(key)
        if lines is None:
            lines = self.wrapped[key] = wrap(text, self.widths[column] - 2 * PAD_X,
                                             lambda s: self.fonts.width(role, s, TABLE_PT))
        return lines

    def _height(self, cells: list[list[str]]) -> float:
        return max(len(lines) for lines in cells) * self.line + 2 * PAD_Y

    def write(self) -> None:
        ledger, pdf = self.ledger, self.pdf
        pdf.add_page()
        self._title()
        done = 0
        if not any(rows for _name, rows in ledger.villages):
            self._heading(ledger.villages[0][0] if ledger.villages else "")
            self._header()
            self._span_row(ledger.empty)
        for name, rows in ledger.villages:
            if not rows:
                continue
            if done:  # each village from a new page
                pdf.add_page()
                self.y = MARGIN
            self._heading(name)
            self._header()
            on_page = 0  # the rows on this page
            for row in rows:
                cells = [self._lines("text", text, i) for i, text in enumerate(row)]
                height = self._height(cells)
                if self.y + height > PAGE_H - MARGIN and on_page:  # a row taller than a page is drawn as it is
                    pdf.add_page()
                    self.y, on_page = MARGIN, 0
                    self._heading(ledger.continued % {"v": name})
                    self._header()
                self._row(cells, height, "text")
                done, on_page = done + 1, on_page + 1
        self._issuer()
        self._footers()

    def _title(self) -> None:
        fonts = self.fonts
        size = TITLE_PT * PT
        fonts.text("title", TITLE_PT, (PAGE_W - fonts.width("title", self.ledger.title, TITLE_PT)) / 2,
                   self.y + size * 0.88 + size * 0.2, self.ledger.title)
        self.y += TITLE_PT * 1.4 * PT + 4
        if self.ledger.subtitle:
            size = SUBTITLE_PT * PT
            fonts.text("text", SUBTITLE_PT, (PAGE_W - fonts.width("text", self.ledger.subtitle, SUBTITLE_PT)) / 2,
                       self.y + size * 1.1, self.ledger.subtitle)
            self.y += SUBTITLE_PT * 1.6 * PT + 3

    def _heading(self, text: str) -> None:
        if text:
            self.fonts.text("text", HEADING_PT, MARGIN, self.y + HEADING_PT * PT * 1.05, text)
            self.y += HEADING_PT * 1.6 * PT + 1.5

    def _header(self) -> None:
        self._row(self.head_lines, self.head_height, "head", centred=True)

    def _row(self, cells: list[list[str]], height: float, role: str, centred: bool = False) -> None:
        pdf, fonts, x, y, line = self.pdf, self.fonts, MARGIN, self.y, self.line
        centered = self.ledger.centered
        for column, (width, lines) in enumerate(zip(self.widths, cells, strict=True)):
            pdf.rect(x, y, width, height)
            top = y + (height - len(lines) * line) / 2  # vertically centred, as a table cell
            for k, text in enumerate(lines):
                if text:
                    left = x + PAD_X
                    if centred or column in centered:
                        left = x + (width - fonts.width(role, text, TABLE_PT)) / 2
                    fonts.text(role, TABLE_PT, left, top + k * line + line / 2 + TABLE_PT * PT * 0.36, text)
            x += width
        self.y += height

    def _span_row(self, text: str) -> None:
        lines = wrap(text, BODY_W - 2 * PAD_X, lambda s: self.fonts.width("text", s, TABLE_PT))
        height = len(lines) * self.line + 2 * PAD_Y
        self.pdf.rect(MARGIN, self.y, BODY_W, height)
        for k, line in enumerate(lines):
            self.fonts.text("text", TABLE_PT, MARGIN + PAD_X,
                            self.y + PAD_Y + k * self.line + self.line / 2 + TABLE_PT * PT * 0.36, line)
        self.y += height

    def _issuer(self) -> None:
        """The issuer and the date, right-aligned under the table (kept together: on a new page if need be)."""
        line = ISSUER_PT * 1.8 * PT
        height = 4 + line * len(self.ledger.issuer)
        if self.y + height > PAGE_H - MARGIN:
            self.pdf.add_page()
            self.y = MARGIN
        self.y += 4
        for text in self.ledger.issuer:
            self.fonts.text("text", ISSUER_PT, PAGE_W - MARGIN - self.fonts.width("text", text, ISSUER_PT),
                            self.y + line / 2 + ISSUER_PT * PT * 0.36, text)
            self.y += line

    def _footers(self) -> None:
        pdf, pages = self.pdf, self.pdf.pages_count
        pdf.set_text_color(51)
        for page in range(1, pages + 1):
            pdf.page = page
            pdf.current_font_is_set_on_page = False  # a font chosen on a later page is not set on this one
            text = self.ledger.footer % {"page": page, "pages": pages}
            self.fonts.text("text", FOOTER_PT, (PAGE_W - self.fonts.width("text", text, FOOTER_PT)) / 2,
                            PAGE_H - MARGIN / 2 + FOOTER_PT * PT * 0.36, text)


def write(ledger: Ledger, out) -> int:
    """Write the ledger's PDF to the binary file `out`; its number of pages."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.alias_nb_pages(None)  # the footers are written once the pages are counted
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_line_width(BORDER)
    pdf.set_lang("zh-Hans")
    pdf.set_creator("Reserve")
    pdf.set_producer("Reserve")
    if ledger.metadata_title:
        pdf.set_title(ledger.metadata_title)
    texts = "".join(ledger.texts())
    chars = {"text": "".join(sorted(set(texts))), "title": "".join(sorted(set(ledger.title))),
             "head": "".join(sorted(set("".join(ledger.columns))))}
    with tempfile.TemporaryDirectory(prefix="ledger-fonts-") as folder:
        fonts = _Fonts(pdf, chars, Path(folder))
        _Writer(ledger, pdf, fonts).write()
        out.write(pdf.output())
    return pdf.pages_count
