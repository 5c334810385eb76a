"""The worker (`manage.py qcluster`, django-q2 on the app's database) as production runs it: a job whose worker is
killed mid-run (SIGKILL: the machine restarted, the process was OOM-killed) is handed out again to the next
worker after Q_CLUSTER["retry"] seconds, runs again from the start and completes once — attempts 2, one file.

Runs manage.py in subprocesses on a database of its own (tests/reserve/databases.py)."""

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from .databases import BASE_DIR, environment, manage, new_database, query

pytestmark = pytest.mark.subprocess

RETRY = 6  # seconds before a job whose worker died is handed out again
START_JOB = """
from reserve import jobs
from reserve.models import User
owner = User.objects.create(username="office")
job = jobs.start(owner, "test.wait_for_release", title="等待释放", params={"release": %r})
print("JOB", job.pk)
"""


@contextlib.contextmanager
def worker(env, log_path):
    """`manage.py qcluster` running until the block ends (or the test kills it)."""
    with open(log_path, "a") as log:
        process = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=BASE_DIR, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def job_row(kind, locator, pk):
    return query(kind, locator, f"SELECT status, attempts, file, done, total FROM reserve_job WHERE id = {pk}")[0]


def wait_for(what, check, log_path, timeout=90):
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s\n{log_path.read_text()}"
        time.sleep(0.2)
    return value


def test_a_job_whose_worker_was_killed_completes_once_on_the_next_worker(tmp_path):
    media = tmp_path / "media"
    release = tmp_path / "release"
    log_path = tmp_path / "qcluster.log"
    with new_database(tmp_path, prefix="worker") as (kind, locator, url):
        env = environment(url, media)
        env.update(JOB_TIMEOUT="5", JOB_RETRY=str(RETRY), JOB_MODULES="tests.reserve.jobs_for_worker",
                   JOB_SYNC="false", LOG_LEVEL="INFO")
        manage("migrate", "-v0", env=env)
        out = manage("shell", "-v0", "-c", START_JOB % str(release), env=env).stdout
        pk = int(out.split("JOB")[-1])
        assert job_row(kind, locator, pk)[:2] == ("queued", 0)

        with worker(env, log_path) as first:
            wait_for("the first worker runs the job", lambda: job_row(kind, locator, pk)[:2] == ("running", 1),
                     log_path)
            os.killpg(first.pid, signal.SIGKILL)  # the whole cluster dies mid-run
            first.wait(timeout=30)
        assert job_row(kind, locator, pk)[:3] == ("running", 1, "")  # nothing stored by the dead run

        release.touch()
        with worker(env, log_path):
            wait_for("the next worker completes the job", lambda: job_row(kind, locator, pk)[0] == "done",
                     log_path, timeout=RETRY + 90)
            time.sleep(RETRY + 3)  # long enough for a second delivery, were the task not acknowledged
            status, attempts, name, done, total = job_row(kind, locator, pk)
            queued = query(kind, locator, "SELECT COUNT(*) FROM django_q_ormq")[0][0]

    assert (status, attempts, done, total) == ("done", 2, 2, 2)
    assert queued == 0  # acknowledged: handed out no more
    stored = sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())
    assert stored == [name] and name.startswith("jobs/") and name.endswith(".txt")
    assert (media / name).read_bytes() == b"attempt 2\n"  # the second run wrote it from scratch
