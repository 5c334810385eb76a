"""A kind of job for the worker test (tests/reserve/test_jobs_worker.py), registered in the worker through
JOB_MODULES: it writes a line, then waits until the file params["release"] exists, then finishes."""

import time
from pathlib import Path

from reserve import jobs

WAIT_AT_MOST = 120  # seconds


def wait_for_release(job, out, progress):
    out.write(f"attempt {job.attempts}\n".encode())
    progress(1, 2)
    release = Path(job.params["release"])
    deadline = time.monotonic() + WAIT_AT_MOST
    while not release.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("never released")
        time.sleep(0.1)
    progress(2, 2)
    return "等待释放.txt"


jobs.register("test.wait_for_release", run=wait_for_release, check=lambda job: None)
