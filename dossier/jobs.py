"""The files of a batch as one ZIP, made by the background worker (reserve.jobs): a batch of up to
DOSSIER_ZIP_MAX PDFs takes about half a second a file, too long to hold a web worker.

The job keeps the batch's filter, not its rows: the run selects the reserves again as its owner may see them then
(a reserve moved to another town meanwhile is not in it; an owner who lost the office's role gets nothing), so
what is written is what the owner could download at that moment. Each file written is audited as a download of
that reserve's file by the owner (the job's page audits the ZIP's download itself).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from reserve import audit, jobs
from reserve.exceptions import NotAllowed
from reserve.models import Unit, Village
from reserve.scope import Scope

from . import documents, selectors

KIND = "dossier.zip"
FETCH = selectors.FETCH  # each file's reserve with what its file reads with it


class BatchRefused(jobs.JobRefused):
    """No ZIP for this filter; `count`: how many the filter found, when it found too many."""

    def __init__(self, message, count=None):
        super().__init__(message)
        self.count = count


def batch_of(user, filters: dict) -> tuple[list, str]:
    """The reserves of a batch and the ZIP's name, or a refusal the user reads: nobody found, or more than a batch
    holds (counted)."""
    reserves = selectors.batch_reserves(user, **filters)
    cap = documents.zip_max()
    found = list(reserves.select_related(*FETCH)[:cap + 1])
    if not found:
        raise BatchRefused(_("没有符合条件的后备干部，未生成压缩包。"), count=0)
    if len(found) > cap:
        raise BatchRefused(
            _("符合条件的后备干部超过%(n)d人，一次最多下载%(n)d份档案。请缩小范围（按类别、村（社区）或单位分别下载）。")
            % {"n": cap}, count=reserves.count())
    scope = Scope.for_user(user)
    roles = set(selectors.BATCH_ROLES)
    village = (scope.filter(Village.objects.all(), roles=roles).filter(pk=filters["village_id"]).first()
               if filters.get("village_id") else None)
    unit = (scope.filter(Unit.objects.all(), roles=roles).filter(pk=filters["unit_id"]).first()
            if filters.get("unit_id") else None)
    name = documents.zip_name(len(found), village=village, unit=unit, tier=filters.get("tier"),
                              status=filters.get("status"))
    return found, name


def may_read(job) -> None:
    """The owner still holds a role that reads the one-person files (selectors.BATCH_ROLES); which reserves the
    batch holds is the run's (batch_of, in the owner's scope when it runs)."""
    try:
        Scope.for_user(job.owner).require_role(*selectors.BATCH_ROLES)
    except NotAllowed:
        raise jobs.JobRefused(_("您已无权查看一人一档。")) from None


def write_zip(job, out, progress) -> str:
    """The runner: the ZIP written member by member into `out`, each member's file audited."""
    may_read(job)
    found, name = batch_of(job.owner, job.params["filters"])
    progress(0, len(found))
    stream = documents.zip_stream(job.owner, found)
    for done, chunk in enumerate(stream):
        out.write(chunk)
        progress(min(done + 1, len(found)), len(found))
    for reserve in found:
        audit.record(audit.AuditEntry.Action.DOWNLOAD, user=job.owner, obj=reserve,
                     detail={"file": "dossier_zip", "files": len(found), "findings": reserve.nomination_id is not None})
    return name


jobs.register(KIND, run=write_zip, check=may_read)
