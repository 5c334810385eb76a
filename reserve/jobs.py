"""Background jobs: a heavy document (an export, a PDF of a whole round) made by a worker, not in the request.

A kind of job is registered once (register) with the function that writes its document; a view starts a job
(start) and sends the user to the job's page (/files/<pk>/), which shows its progress and then the download.
The worker is django-q2's cluster (`manage.py qcluster`) on the app's own database; it calls execute(job_pk).

Where a kind is registered: at the import of a module of its app — the app's views module or an `<app>/jobs.py`.
A worker that is asked to run a kind it does not know yet imports the URLconf (and so every views module), every
installed app's `jobs` module and the modules named in settings.JOB_MODULES (env JOB_MODULES, comma-separated;
the tests' worker uses it for a kind of their own), then looks again.

execute is idempotent: a job already done or failed is not run again; a job handed out again because its worker
died (django-q2 retries an unacknowledged task after Q_CLUSTER["retry"] seconds) starts afresh into a new
temporary file, and after JOB_MAX_ATTEMPTS runs it is failed. The document is written to a temporary file and
copied by chunks into the default storage (jobs/<yyyy>/<mm>/<uuid>.<ext>); nothing is kept whole in memory.
"""

import importlib
import logging
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import DomainError, NotFound
from .models import Job, User

logger = logging.getLogger(__name__)

Runner = Callable[[Job, BinaryIO, Callable[[int, int], None]], str]
Check = Callable[[Job], object]
_RUNNERS: dict[str, Runner] = {}
_CHECKS: dict[str, Check] = {}
PROGRESS_EVERY = 1.0  # seconds: progress() saves at most this often
monotonic_now = time.monotonic


class JobRefused(DomainError):
    """A run refused for a reason the user should read (the job page shows the message)."""


def register(kind: str, *, run: Runner, check: Check) -> None:
    """Make `kind` a job that `run(job, out, progress)` performs; registering a kind again replaces its runner.
    `check(job)` raises JobRefused when the job's owner may no longer read what it is about (a role lost, a town
    changed): the run calls it first, and the download asks it again (still_readable), so a file made while the
    owner could read it is not handed out after they no longer may."""
    _RUNNERS[kind] = run
    _CHECKS[kind] = check


def still_readable(job: Job) -> bool:
    """Whether the job's owner may still read what it made (its kind's check); an unknown kind may not."""
    if runner(job.kind) is None:
        return False
    try:
        _CHECKS[job.kind](job)
    except JobRefused:
        return False
    return True


def runner(kind: str) -> Runner | None:
    """The function registered for `kind`, looking for registrations once more if it is not known yet."""
    if kind not in _RUNNERS:
        discover_kinds()
    return _RUNNERS.get(kind)


def discover_kinds() -> None:
    """Import the modules that register kinds (see the module's docstring)."""
    importlib.import_module(settings.ROOT_URLCONF)
    autodiscover_modules("jobs")
    for name in getattr(settings, "JOB_MODULES", []):
        importlib.import_module(name)


# --------------------------------------------------------------------------- starting a job

def start(user: User, kind: str, *, title: str, params: dict) -> Job:
    """A job of `kind` for `user`, queued and handed to the worker once the transaction commits. The same user
    asking the same kind with the same params while an earlier one is queued or running gets that one back."""
    if runner(kind) is None:
        raise ValueError(f"unknown job kind {kind!r}")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one start at a time for one user
        earlier = unfinished_twin(user, kind, params)
        if earlier is not None:
            return earlier
        job = Job.objects.create(owner=user, kind=kind, title=str(title)[:200], params=params)
        transaction.on_commit(lambda: enqueue(job))
    return job


def unfinished_twin(user: User, kind: str, params: dict) -> Job | None:
    """The user's queued or running job of this kind with these params (not one already given up as stale)."""
    candidates = Job.objects.filter(owner=user, kind=kind, status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
                                    created_at__gt=timezone.now() - stale_after())
    # A user has few unfinished jobs; params are compared as Python values (JSON key order does not matter).
    return next((job for job in candidates.order_by("-created_at")[:20] if job.params == params), None)


def enqueue(job: Job) -> None:
    from django_q.tasks import async_task

    async_task("reserve.jobs.execute", job.pk, task_name=f"job-{job.pk}", group=job.kind)


# --------------------------------------------------------------------------- running a job (in the worker)

def execute(job_pk: int) -> str:
    """The worker's task: run the job once more unless it is finished; never raises for the job's own failure."""
    job = claim(job_pk)
    if job is None:
        return "skipped"
    run = runner(job.kind)
    if run is None:
        fail(job, _("生成失败：未知的文件类型。"))
        return "failed"
    progress = Progress(job)
    with tempfile.TemporaryFile("w+b") as out:
        try:
            filename = run(job, out, progress)
            store(job, out, filename, progress)
        except JobRefused as refusal:
            fail(job, refusal.message)
            return "refused"
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            fail(job, _("生成失败，请稍后重新生成；如仍失败，请联系系统管理员。"))
            return "failed"
    return "done"


def claim(job_pk: int) -> Job | None:
    """Mark the job running for one more attempt, or None when there is nothing to run: unknown, already finished,
    or out of attempts (then it is failed)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_pk).first()
        if job is None or job.status in (Job.Status.DONE, Job.Status.FAILED):
            return None
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            mark_failed(job, INTERRUPTED)
            return None
        job.attempts += 1
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.done = 0
        job.message = ""
        job.save(update_fields=["attempts", "status", "started_at", "done", "message"])
    return job


class Progress:
    """progress(done, total): saves the counters, at most every PROGRESS_EVERY seconds (the last call of a run
    may be dropped; the job's end sets them)."""

    def __init__(self, job: Job):
        self.job = job
        self.saved_at = 0.0
        self.done = self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = max(0, int(done)), max(0, int(total))
        now = monotonic_now()
        if now - self.saved_at < PROGRESS_EVERY:
            return
        self.saved_at = now
        Job.objects.filter(pk=self.job.pk).update(done=self.done, total=self.total)


def store(job: Job, out: BinaryIO, filename: str, progress: Progress) -> None:
    """Copy the written document into the storage (by chunks) and mark the job done; on any error the stored
    copy is removed."""
    out.flush()
    out.seek(0)
    try:
        job.file.save(filename, File(out, name=filename), save=False)
        job.filename = filename[:200]
        job.status = Job.Status.DONE
        job.finished_at = timezone.now()
        job.done = job.total = max(progress.total, progress.done)
        Job.objects.filter(pk=job.pk).update(file=job.file.name, filename=job.filename, status=job.status,
                                             finished_at=job.finished_at, done=job.done, total=job.total)
    except BaseException:
        delete_file(job)
        raise


def fail(job: Job, message: str) -> None:
    delete_file(job)
    mark_failed(job, message)


def mark_failed(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=str(message)[:500],
                                         finished_at=timezone.now(), file="")
    job.status, job.message = Job.Status.FAILED, message


def delete_file(job: Job) -> None:
    if job.file and job.file.name:
        job.file.storage.delete(job.file.name)
        job.file.name = ""


# --------------------------------------------------------------------------- what the pages show

INTERRUPTED = gettext_lazy("生成中断，请重新生成")


def stale_after() -> timedelta:
    """How long a job may stay unfinished before it counts as interrupted: every attempt's timeout and the
    worker's wait before handing it out again."""
    return timedelta(seconds=settings.Q_CLUSTER["retry"] * settings.JOB_MAX_ATTEMPTS)


def shown_status(job: Job) -> Job:
    """The job as a page shows it: one left queued or running longer than every attempt could take is failed
    ("生成中断，请重新生成") — its worker died for good or it was never handed out."""
    if job.in_progress and job.created_at < timezone.now() - stale_after():
        job.status = Job.Status.FAILED
        job.message = str(INTERRUPTED)
    return job


def jobs_of(user: User) -> QuerySet[Job]:
    """The user's own jobs, newest first (我的文件)."""
    return Job.objects.filter(owner=user).order_by("-created_at", "-id")


def job_of(user: User, pk: int) -> Job:
    """One of the user's own jobs; anyone else's, or none, is a 404."""
    job = jobs_of(user).filter(pk=pk).first()
    if job is None:
        raise NotFound
    return job
