"""The one-person file's pages: the file of a reserve, its A4 PDF, and the files of a batch as one ZIP.

Views parse the request, call one selector or document function and render. The role layer: role_required (the
office and the committee read a file; the office downloads a batch; anyone else 403); scope: a reserve of another
town is a 404 (dossier.selectors). Each showing is audited as a view of personal data, each PDF and each file of
a ZIP as a download. A batch's ZIP is made by the background worker (dossier.jobs): the page starts it.
"""

import dataclasses

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reserve import audit, jobs
from reserve.models import Unit, Village
from reserve.pdf import pdf_response
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.scope import Scope

from . import documents, selectors
from . import jobs as batch_jobs
from .forms import BatchForm


@role_required(*selectors.READERS)
@require_GET
def dossier(request, pk):
    reserve = selectors.get_reserve_for_dossier_or_404(request.user, pk)
    d = selectors.dossier_of(request.user, reserve)
    audit.record(audit.AuditEntry.Action.VIEW, request=request, obj=reserve,
                 detail={"page": "dossier", "findings": bool(d.vetting_rows)})
    d, pages = _paged(request, d)
    return render(request, "dossier/dossier.html", {
        "d": d, "r": reserve, "title": documents.title_of(reserve), "pages": pages,
        "may_batch": Scope.for_user(request.user).has(*selectors.BATCH_ROLES),
    })


PAGE_ROWS = 25  # rows of a long section on the page, as the pool list


def _paged(request, d):
    """The page's long sections a page at a time (?<section>=N; without it the last page, the newest rows):
    the file with each section cut to its page, and {section: (Page, the query without that section)}."""
    pages, cut = {}, {}
    for name in selectors.LONG_SECTIONS:
        rows = getattr(d, name)
        if len(rows) <= PAGE_ROWS:
            continue
        paginator = Paginator(rows, PAGE_ROWS)
        page = paginator.get_page(request.GET.get(f"p_{name}") or paginator.num_pages)
        query = request.GET.copy()
        query.pop(f"p_{name}", None)
        pages[name] = {"page": page, "query": query.urlencode(), "param": f"p_{name}"}
        cut[name] = list(page.object_list)
    return (dataclasses.replace(d, **cut) if cut else d), pages


@role_required(*selectors.READERS)
@require_GET
def dossier_pdf(request, pk):
    reserve = selectors.get_reserve_for_dossier_or_404(request.user, pk)
    pdf = documents.dossier_pdf(request.user, reserve, request=request)
    # The office's file shows the vetting departments' findings (the committee's, their one-sentence result).
    findings = Scope.for_user(request.user).has(Role.OFFICE) and reserve.nomination_id is not None
    audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=reserve,
                 detail={"file": "dossier_pdf", "findings": findings})
    return pdf_response(pdf, f"{documents.title_of(reserve)}.pdf")


def _batch_page(request, form, *, message="", count=None):
    return render(request, "dossier/batch.html", {"form": form, "message": message, "count": count,
                                                  "cap": documents.zip_max()})


@role_required(*selectors.BATCH_ROLES)
@require_http_methods(["GET", "POST"])
def dossier_zip(request):
    """GET: the form (its fields filled from the query, so a link can preset a filter). POST with a valid filter:
    the ZIP is made by the background worker (dossier.jobs) and the user goes to its page, which shows the progress
    and then the download; a clear message instead when the filter is invalid, finds nobody, or finds more files
    than a batch holds."""
    user = request.user
    scope = Scope.for_user(user)
    villages = scope.filter(Village.objects.all(), roles=set(selectors.BATCH_ROLES)).order_by("order", "pk")
    units = scope.filter(Unit.objects.all(), roles=set(selectors.BATCH_ROLES)).order_by("order", "pk")
    if request.method == "GET":
        query = {k: v for k, v in request.GET.items() if k in BatchForm.base_fields}
        return _batch_page(request, BatchForm(initial=query, villages=villages, units=units))
    form = BatchForm(request.POST, villages=villages, units=units)
    if not form.is_valid():
        return _batch_page(request, form, message=_("未生成：请检查筛选条件。"))
    filters = form.filters()
    try:
        _found, name = batch_jobs.batch_of(user, filters)
    except batch_jobs.BatchRefused as refusal:
        return _batch_page(request, form, message=refusal.message, count=refusal.count)
    job = jobs.start(user, batch_jobs.KIND, title=name.removesuffix(".zip"), params={"filters": filters})
    return redirect(job.get_absolute_url())
