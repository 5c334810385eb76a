"""The round's 资格联审台账 as a PDF, made in the background (reserve.jobs): a round of a county's largest town holds
7,440 candidates × 12 departments, whose single WeasyPrint render took 179 s and 3.98 GB (issue 13), and rendered in
parts of 50 rows two at a time still ~150–200 s.

The job reads the ledger's nominations (one query) and their requests CHUNK_ROWS nominations at a time (a query
each), writes each department's cell as plain text (cell_text) and draws the whole table with vetting.ledger_pdf
(fpdf2, no layout engine: the largest round's 7,440 rows in ~14 s of CPU and ~240 MB, reading included;
benchmarks/README.md): one document, its pages numbered through it ("第 3 页 共 641 页"), the title and the round on
the first page, each village from a new page with its name at the top of each of its
pages, the header row on every page, a person's row never split, the rows numbered through the whole ledger, the
issuer and the date after the last row.
"""

from __future__ import annotations

import itertools

from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.selectors import get_round_for_user_or_404
from reserve import audit, jobs
from reserve.dates import cn_date, cn_month_day
from reserve.exceptions import NotAllowed, NotFound
from reserve.roles import Role
from reserve.scope import Scope
from reserve.selectors import villages_visible_to

from . import ledger_pdf
from .selectors import issuing_body, ledger_nominations, ledger_rows
from .services import responsible_departments

KIND = "vetting.ledger_pdf"
# The nominations read at a time (their requests in one query): 1,000 × 12 departments hold ~10 MB of rows.
CHUNK_ROWS = 1000


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


def _villages(owner, round_, village, today, departments, progress) -> list[tuple[str, list[list[str]]]]:
    """The ledger's rows by village: (the village's name, its rows, each a list of cell texts: the number through
    the ledger, the name, the village, each department's cell, the status); the nominations in one query, their
    requests CHUNK_ROWS nominations at a time. `progress(rows read, total)`."""
    nominations = list(ledger_nominations(owner, round_, today=today, village_id=village.pk if village else None))
    labels, rows = _labels(), []
    progress(0, len(nominations))
    for start in range(0, len(nominations), CHUNK_ROWS):
        for n, requests in ledger_rows(owner, nominations[start:start + CHUNK_ROWS], departments):
            rows.append((n.village_id, n.village.name, [
                str(len(rows) + 1), n.name, n.village.name, *(cell_text(r, today, labels) for r in requests),
                n.get_status_display()]))
        progress(len(rows), len(nominations))
    by_village = itertools.groupby(rows, key=lambda row: row[:2])
    return [(name, [cells for _v, _n, cells in group]) for (_village_id, name), group in by_village]


def cell_text(request, today, labels) -> str:
    """A department's cell of the printed ledger as plain text (lines split by "\\n"), as the page shows it: the
    answer (有问题 with the office's decision, or 通过) with who signed and when — or the paper reply the office
    entered —, else 待审 with 逾期 and the reminders (drawn as it is by vetting.ledger_pdf)."""
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
        return f"{text}\n{labels['proxy']}\n{request.paper_signer}，{cn_month_day(request.paper_date)}"
    signer = request.signer_name
    day = cn_month_day(request.signed_at)
    return f"{text}\n{signer}，{day}" if signer else f"{text}\n{day}"


def _labels() -> dict:
    return {"pending": _("待审"), "late": _("（逾期）"), "reminded": _("已催办%(c)s次"), "flagged": _("有问题"),
            "clear": _("通过"), "proxy": _("由组织办代为录入（附纸质回复）")}


def ledger(round_, departments, villages, today, title) -> ledger_pdf.Ledger:
    """What the PDF shows: the title, the columns, the rows by village, the issuer and the date."""
    columns = [_("序号"), _("姓名"), _("村（社区）"), *(d.name for d in departments), _("联审结果")]
    issuer = _("制表单位：%(b)s（盖章）\n制表日期：%(d)s") % {"b": issuing_body(round_.town), "d": cn_date(today)}
    return ledger_pdf.Ledger(
        title=_("%(t)s村级后备干部资格联审台账") % {"t": round_.town.name}, subtitle=round_.name,
        columns=columns, widths=[9.0, 16.0, 18.0, *(None for _d in departments), 20.0],
        villages=villages, empty=_("本批次还没有发起资格联审的人选。"), issuer=issuer.split("\n"),
        continued=_("%(v)s（续）"), footer=_("第 %(page)d 页 共 %(pages)d 页"), centered=frozenset({0}),
        metadata_title=title)


def run(job, out, progress) -> str:
    """The job's runner: the ledger's rows read (the progress shown: rows read), then its PDF drawn into `out`;
    returns the download's name."""
    round_, village = _scope_of(job)
    owner, today = job.owner, timezone.localdate()
    departments = list(responsible_departments(round_))
    villages = _villages(owner, round_, village, today, departments, progress)
    ledger_pdf.write(ledger(round_, departments, villages, today, job.title), out)
    total = sum(len(rows) for _name, rows in villages)
    audit.record(audit.AuditEntry.Action.EXPORT, user=owner, obj=round_, detail={
        "file": "ledger_pdf", "findings": True, "rows": total, "job": job.pk,
        "village": village.pk if village else None})
    suffix = f"_{village.name}" if village else ""
    return f"资格联审台账_{round_.name}{suffix}.pdf"


jobs.register(KIND, run=run, check=_scope_of)
