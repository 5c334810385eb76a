"""The one-person file's pages: the file of a reserve, its A4 PDF, and the files of a batch as one ZIP.

Views parse the request, call one selector or document function and render. The role layer: role_required (the
office and the committee read a file; the office downloads a batch; anyone else 403); scope: a reserve of another
town is a 404 (dossier.selectors). Each showing is audited as a view of personal data, each PDF and each file of
a ZIP as a download.
"""

import dataclasses
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reserve import audit
from reserve.models import Unit, Village
from reserve.pdf import pdf_response
from reserve.permissions import role_required
from reserve.roles import Role
from reserve.scope import Scope

from . import documents, selectors
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
@require_GET
def dossier_zip(request):
    """GET without a filter: the form. With one: the ZIP, streamed; a clear message instead when the filter is
    invalid, finds nobody, or finds more files than a batch holds."""
    user = request.user
    scope = Scope.for_user(user)
    villages = scope.filter(Village.objects.all(), roles=set(selectors.BATCH_ROLES)).order_by("order", "pk")
    units = scope.filter(Unit.objects.all(), roles=set(selectors.BATCH_ROLES)).order_by("order", "pk")
    query = {k: v for k, v in request.GET.items() if k in BatchForm.base_fields}
    form = BatchForm(query or None, villages=villages, units=units)
    if not form.is_bound:
        return _batch_page(request, form)
    if not form.is_valid():
        return _batch_page(request, form, message=_("未下载：请检查筛选条件。"))
    reserves = selectors.batch_reserves(user, **form.filters())
    cap = documents.zip_max()
    found = list(reserves.select_related("town", "term", "village", "unit", "mentor", "person", "meeting", "round",
                                         "nomination")[:cap + 1])
    if not found:
        return _batch_page(request, form, message=_("没有符合条件的后备干部，未生成压缩包。"), count=0)
    if len(found) > cap:
        return _batch_page(request, form, count=reserves.count(), message=_(
            "符合条件的后备干部超过%(n)d人，一次最多下载%(n)d份档案。请缩小范围（按类别、村（社区）或单位分别下载）。")
            % {"n": cap})
    for reserve in found:
        audit.record(audit.AuditEntry.Action.DOWNLOAD, request=request, obj=reserve,
                     detail={"file": "dossier_zip", "files": len(found), "findings": reserve.nomination_id is not None})
    response = StreamingHttpResponse(documents.zip_stream(user, found, request=request),
                                     content_type="application/zip")
    filters = form.filters()
    name = documents.zip_name(
        len(found), village=next((v for v in villages if v.pk == filters["village_id"]), None),
        unit=next((u for u in units if u.pk == filters["unit_id"]), None), tier=filters["tier"],
        status=filters["status"])
    response["Content-Disposition"] = f"attachment; filename=\"dossiers.zip\"; filename*=UTF-8''{quote(name, safe='')}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Accel-Buffering"] = "no"  # nginx passes each file on as it is written
    return response
