"""The priority list of a confirmed round as a PDF, made in the background (reserve.jobs): the list holds every
flagged reserve of the town (a county's largest town: over a thousand rows), and one WeasyPrint render of it took
3.7 s at county scale (issue 13), growing with the pool — too long to hold a web worker.

The job keeps the round and the list, not the rows: the run looks the round up again in its owner's scope (a round
of another town, or an owner who lost the office's and the committee's roles, gets a refusal), so what is written
is what the owner could read at that moment. The request is audited by the page (the download of 我的文件 is
audited by the job's page); the run audits the generation with the rows written.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from reserve import audit, jobs
from reserve.dates import cn_date
from reserve.exceptions import NotAllowed, NotFound
from reserve.pdf import PdfRefused, render_pdf
from reserve.scope import Scope

from . import priority

KIND = "assessment.priority_pdf"
TEMPLATE = "pdf/assessment_priority.html"


def heading_of(town) -> str:
    """The town's party committee as a document's heading (镇党委全称)."""
    return town.party_committee_name or _("中共%(t)s委员会") % {"t": town.name}


def start(user, round_, which: str):
    """Start (or find running) the job of a round's priority list `which` ("all", "use", "training")."""
    title = _("%(t)s-%(r)s（PDF）") % {"t": priority.list_title(which), "r": round_.title}
    return jobs.start(user, KIND, title=title, params={"round": round_.pk, "list": which})


def _scope_of(job):
    """The round and the list of the job, in the owner's scope now (the job may run later than asked)."""
    owner = job.owner
    which = job.params.get("list") or "all"
    try:
        Scope.for_user(owner).require_role(*priority.READERS)
        title = priority.list_title(which)
        round_ = priority.round_for(owner, job.params.get("round"))
    except (NotFound, NotAllowed):
        raise jobs.JobRefused(_("该考核不存在或尚未确认，或您已无权查看其优先使用名单。")) from None
    if round_ is None:
        raise jobs.JobRefused(_("尚无已确认的考核，没有可打印的名单。"))
    return round_, which, title


def run(job, out, progress) -> str:
    """The runner: the list's PDF written into `out`; returns the download's name."""
    round_, which, title = _scope_of(job)
    rows = priority.mark_priority_rows(priority.priority_rows(round_, which), which)
    progress(0, len(rows))
    town = round_.town
    today = timezone.localdate()
    try:
        pdf = render_pdf(TEMPLATE, {
            "round": round_, "rows": rows, "title": title, "which": which, "heading": heading_of(town),
            "town": town, "today": today, "summaries": priority.tier_summaries(round_, which)})
    except PdfRefused as refusal:
        raise jobs.JobRefused(refusal.message) from None
    out.write(pdf)
    progress(len(rows), len(rows))
    audit.record(audit.AuditEntry.Action.EXPORT, user=job.owner, obj=round_,
                 detail={"file": "priority_pdf", "list": which, "rows": len(rows), "job": job.pk})
    return f"{title}-{round_.title}-{cn_date(today)}.pdf"


jobs.register(KIND, run=run, check=_scope_of)
