"""我的文件: the documents made in the background for the signed-in user (reserve/jobs.py) — the list, a job's page
(its progress, then the download) and the download. Each user sees only their own: anyone else's is a 404."""

import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import audit, jobs
from .downloads import attachment_disposition
from .models import AuditEntry

PAGE_SIZE = 25
REFRESH_SECONDS = 3


@require_GET
def job_list(request):
    page = Paginator(jobs.jobs_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for job in page.object_list:
        jobs.shown_status(job)
    return render(request, "reserve/jobs/job_list.html", {
        "page": page, "query": "", "retention_days": settings.JOB_RETENTION_DAYS,
    })


@require_GET
def job_detail(request, pk):
    job = jobs.shown_status(jobs.job_of(request.user, pk))
    return render(request, "reserve/jobs/job_detail.html", {
        "job": job, "refresh": REFRESH_SECONDS if job.in_progress else None,
    })


@require_GET
def job_download(request, pk):
    job = jobs.job_of(request.user, pk)
    if job.status != job.Status.DONE or not job.file or not jobs.still_readable(job):
        raise Http404  # not made, or its owner may no longer read what it is about (a role lost since)
    try:
        stored = job.file.storage.open(job.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    audit.record(AuditEntry.Action.DOWNLOAD, request=request, obj=job, detail={"file": job.kind})
    content_type = mimetypes.guess_type(job.filename)[0] or "application/octet-stream"
    response = FileResponse(stored, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(job.filename, extension=PurePath(job.filename).suffix)
    response["Cache-Control"] = "private, no-store"  # personal data: no shared cache keeps it
    response["X-Content-Type-Options"] = "nosniff"
    return response
