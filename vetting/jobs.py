"""The round's 资格联审台账 as a PDF, made in the background (reserve.jobs): a round of a county's largest town holds
7,440 candidates × 12 departments, whose single render took 179 s and 3.98 GB (issue 13).

The job renders the ledger village by village — a village of more than PART_ROWS rows in runs of PART_ROWS — each
part one WeasyPrint render through reserve.pdf.html_to_pdf, so each keeps its bounds (PDF_MAX_HTML_BYTES,
PDF_RENDER_TIMEOUT in a forked child); the parts are joined page by page into one PDF with pypdf. A part begins on
a new page with the village's name, and its pages are numbered within it ("东山村 第 1 页 共 3 页"); the rows are
numbered through the whole ledger; the title on the first page, the issuer and date on the last.

The parts are plain PDFs, not PDF/A-3a like the other documents: joining tagged PDFs page by page drops their
structure trees, so a joined file could not claim to be PDF/A (and the tags cost render time).
"""

from __future__ import annotations

import collections
import io
import itertools
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from candidates.selectors import get_round_for_user_or_404
from reserve import audit, jobs
from reserve.exceptions import NotAllowed, NotFound
from reserve.pdf import PdfRefused, html_to_pdf
from reserve.roles import Role
from reserve.scope import Scope
from reserve.selectors import villages_visible_to

from .selectors import issuing_body, ledger_nominations, ledger_rows
from .services import responsible_departments

KIND = "vetting.ledger_pdf"
# The rows of one render at most: a village of 600 candidates is twelve renders. 50 rows × 12 departments make about
# 18 KB of HTML, far under PDF_MAX_HTML_BYTES, and lay out in ~2.5 s of CPU (5 pages; benchmarks/ledger_pdf.py): within
# PDF_RENDER_TIMEOUT (30 s) even on a machine loaded ten times over (100 rows were stopped by it there).
PART_ROWS = 50
# Parts rendered at the same time (each in a child process of its own: a core each).
RENDERS_AT_ONCE = 2
TEMPLATE = "vetting/ledger_pdf.html"


def start(user, round_, village=None):
    """Start (or find running) the job of a round's ledger PDF — of one village, or all — for this user."""
    title = _("%(r)s 资格联审台账（PDF）") % {"r": round_.name}
    if village is not None:
        title = _("%(r)s %(v)s 资格联审台账（PDF）") % {"r": round_.name, "v": village.name}
    return jobs.start(user, KIND, title=title,
                      params={"round": round_.pk, "village": village.pk if village is not None else None})


def _scope_of(job):
    """The round and village of the job, in the owner's scope now (the job may run later than asked)."""
    owner = job.owner
    try:
        Scope.for_user(owner).require_role(Role.OFFICE)
        round_ = get_round_for_user_or_404(owner, job.params.get("round"))
    except (NotFound, NotAllowed):
        raise jobs.JobRefused(_("该批次不存在，或您已无权查看该批次的资格联审台账。")) from None
    village = None
    if job.params.get("village"):
        village = villages_visible_to(owner).filter(pk=job.params["village"]).first()
        if village is None:
            raise jobs.JobRefused(_("该村（社区）不存在，或您已无权查看。"))
    return round_, village


def parts_of(ids_by_village: list[tuple[int, str, list[int]]]) -> list[tuple[str, list[int]]]:
    """The renders: (the part's title, its nomination ids) — a village, or a run of PART_ROWS of a larger one."""
    parts = []
    for _village_id, name, ids in ids_by_village:
        runs = [ids[i:i + PART_ROWS] for i in range(0, len(ids), PART_ROWS)]
        for number, run in enumerate(runs, 1):
            parts.append((name if len(runs) == 1 else f"{name}（{number}/{len(runs)}）", run))
    return parts


def _ids_by_village(owner, round_, village, today) -> list[tuple[int, str, list[int]]]:
    rows = ledger_nominations(owner, round_, today=today, village_id=village.pk if village else None)
    grouped = itertools.groupby(rows.values_list("village_id", "village__name", "pk"), key=lambda r: r[:2])
    return [(village_id, name, [pk for _v, _n, pk in group]) for (village_id, name), group in grouped]


def _parts_html(owner, round_, today, parts, base):
    """The HTML of each part, in order (read and rendered here, in the job's thread: the database is used only
    from it)."""
    done, labels = 0, _labels()
    for index, (title, ids) in enumerate(parts):
        by_pk = ledger_nominations(owner, round_, today=today).filter(pk__in=ids).in_bulk()
        rows = [(n, [cell_text(r, today, labels) for r in cells]) for n, cells in
                ledger_rows(owner, [by_pk[pk] for pk in ids if pk in by_pk], base["departments"])]
        yield len(ids), render_to_string(TEMPLATE, {
            **base, "rows": rows, "first": done + 1, "part_title": title, "first_part": index == 0,
            "last_part": index == len(parts) - 1})
        done += len(ids)


def cell_text(request, today, labels) -> str:
    """A department's cell of the printed ledger as plain text (lines split by "\\n"), as the page shows it: the
    answer (有问题 with the office's decision, or 通过) with who signed and when — or the paper reply the office
    entered —, else 待审 with 逾期 and the reminders. Plain text: a table of many rows lays out faster so, and
    writing it here costs a fraction of the template tags it replaces."""
    if request is None:
        return ""
    if not request.answered:
        text = labels["pending"] + (labels["late"] if request.deadline < today else "")
        if request.reminder_count:
            text += "\n" + labels["reminded"] % {"c": request.reminder_count}
        return text
    text = labels["flagged"] if request.flagged else labels["clear"]
    if request.flagged and request.decision:
        text += f"（{request.get_decision_display()}）"
    if request.entered_by_office:
        return f"{text}\n{labels['proxy']}\n{request.paper_signer}，{_day(request.paper_date)}"
    signer = request.signer_name
    return f"{text}\n{signer}，{_day(request.signed_at)}" if signer else f"{text}\n{_day(request.signed_at)}"


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        value = timezone.localtime(value)
    return f"{value.month}月{value.day}日"


def _labels() -> dict:
    return {"pending": _("待审"), "late": _("（逾期）"), "reminded": _("已催办%(c)s次"), "flagged": _("有问题"),
            "clear": _("通过"), "proxy": _("由组织办代为录入（附纸质回复）")}


def _render(html: str) -> bytes:
    """One part's PDF, within reserve.pdf's bounds (each in a child forked for it): beyond them the job is refused
    with their message (too much content, or a render past PDF_RENDER_TIMEOUT)."""
    try:
        return html_to_pdf(html, archival=False)
    except PdfRefused as refusal:
        raise jobs.JobRefused(refusal.message) from None


def run(job, out, progress) -> str:
    """The job's runner: the ledger, village by village, joined into `out`; returns the download's name. The parts
    are rendered RENDERS_AT_ONCE at a time (each in its own forked child: the layout uses a core each), and joined
    in order as they come back, so that at most RENDERS_AT_ONCE + 1 parts are held at once."""
    round_, village = _scope_of(job)
    owner, today = job.owner, timezone.localdate()
    parts = parts_of(_ids_by_village(owner, round_, village, today)) or [("", [])]
    total = sum(len(ids) for _title, ids in parts)
    base = {"round": round_, "departments": list(responsible_departments(round_)), "today": today,
            "issued_on": today, "issuer": issuing_body(round_.town)}
    writer = PdfWriter()
    done = 0
    progress(done, total)
    # In parallel only when each render has a process of its own (reserve.pdf forks one when it has a timeout).
    at_once = RENDERS_AT_ONCE if getattr(settings, "PDF_RENDER_TIMEOUT", 30) else 1
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        pending = collections.deque()
        for size, html in _parts_html(owner, round_, today, parts, base):
            pending.append((size, pool.submit(_render, html)))
            while len(pending) > at_once:
                done += _join(writer, *pending.popleft())
                progress(done, total)
        while pending:
            done += _join(writer, *pending.popleft())
            progress(done, total)
    writer.add_metadata({"/Title": job.title, "/Producer": "Reserve"})
    writer.write(out)
    audit.record(audit.AuditEntry.Action.EXPORT, user=owner, obj=round_, detail={
        "file": "ledger_pdf", "findings": True, "rows": total, "job": job.pk,
        "village": village.pk if village else None})
    suffix = f"_{village.name}" if village else ""
    return f"资格联审台账_{round_.name}{suffix}.pdf"


def _join(writer, size, future) -> int:
    """Append a rendered part's pages to the joined PDF; the part's row count."""
    for page in PdfReader(io.BytesIO(future.result())).pages:
        writer.add_page(page)
    return size


jobs.register(KIND, run=run)
