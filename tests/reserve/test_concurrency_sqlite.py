"""No save is lost on the embedded database (issue 9 §13): SQLite used by many people at once.

Before reserve/settings.py configured SQLite for concurrent use (WAL journal, a busy timeout, BEGIN IMMEDIATE),
two people saving at once got "OperationalError: database is locked" — a 500 — and of twelve departments
signing their answers together most were lost.

The test builds a SQLite FILE of its own (the test database may be in memory, where no two connections
contend), migrates it and runs the rush in a subprocess with the project's settings: twelve department
clerks answer their vetting requests and two village branches save a 自荐表, all released at the same moment
by a barrier, each thread with its own connection, through the real views (Django's test client). Nothing may
be lost and nothing may answer 500.
"""

import json
import os
import subprocess
import sys
import threading

import pytest

from .databases import BASE_DIR, environment, manage

pytestmark = pytest.mark.subprocess

# The twelve departments are named as the default negative list names them, so that every item of the list
# is checked by one of them and every one of them checks some item: each gets one request per nomination.
DEPARTMENTS = ("纪委", "民政所", "派出所", "司法所", "计生办", "信访办", "经管站", "审计所", "扶贫办", "国土所",
               "环保办", "武装部")
VILLAGES = 2


def test_twelve_departments_and_two_villages_saving_at_once_on_a_sqlite_file(tmp_path):
    database = tmp_path / "concurrent.sqlite3"
    env = environment(f"sqlite:///{database}", tmp_path / "media")
    env.pop("SQLITE_BUSY_TIMEOUT", None)  # the timeout of the settings, whatever the caller's shell says
    manage("migrate", "--noinput", "-v0", env=env)

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
                               "from tests.reserve.test_concurrency_sqlite import rush; rush()"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=240)
    lines = [x for x in result.stdout.splitlines() if x.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stdout[-5000:] + result.stderr[-5000:]
    outcome = json.loads(lines[-1][len("RESULT "):])

    # Every POST answered as a saved form answers (a redirect), none with an error.
    assert outcome["statuses"] == {"department": [302] * len(DEPARTMENTS), "village": [302] * VILLAGES}, (
        "database is locked" if "database is locked" in result.stderr else "", outcome["errors"])
    assert outcome["errors"] == []
    # Every answer is saved: each request answered with a finding for each of its items, the nomination vetted.
    assert outcome["requests"] == {name: {"answered": True, "findings": outcome["items"][name]}
                                   for name in DEPARTMENTS}
    assert outcome["answer_events"] == len(DEPARTMENTS)
    assert outcome["nomination_status"] == "vetted"
    # Both villages' 自荐表 are saved.
    assert outcome["new_nominations"] == VILLAGES
    assert outcome["journal_mode"] == "wal"


# --------------------------------------------------------------------------- run in the subprocess


def rush():
    """Seed a town on the database of DATABASE_URL, fire the fourteen POSTs at once, print what was saved."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from candidates import services as candidate_services
    from candidates.models import Nomination
    from reserve.roles import Role
    from tests.candidates.test_views import BIRTH, form_data
    from tests.factories import (
        DepartmentFactory,
        NominationFactory,
        PersonFactory,
        RoundFactory,
        TownFactory,
        UserFactory,
        VillageFactory,
        make_id,
    )
    from tests.helpers import FAST_HASHERS
    from vetting import services as vetting_services
    from vetting.models import Finding, VettingRequest
    from vetting.selectors import items_for_department

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        town = TownFactory(name="并发镇")
        round_ = RoundFactory(town=town)
        villages = [VillageFactory(town=town, name=f"并发{i}村") for i in range(1, VILLAGES + 1)]
        office = UserFactory(username="office", town=town, role=Role.OFFICE)
        departments = [DepartmentFactory(town=town, name=name, order=i) for i, name in enumerate(DEPARTMENTS)]
        clerks = [UserFactory(username=f"clerk{i:02d}", town=town, department=d, role=Role.DEPARTMENT)
                  for i, d in enumerate(departments)]
        village_users = [UserFactory(username=f"village{i}", town=town, village=v, role=Role.VILLAGE)
                         for i, v in enumerate(villages)]
        vetting_services.ensure_negative_list(round_)
        nomination = NominationFactory(round=round_, village=villages[0], accepted=True,
                                       person=PersonFactory(name="赵并发"))
        candidate_services.perform(actor=office, nomination_id=nomination.pk, action="dispatch")
        requests = {r.department.name: r for r in VettingRequest.objects.filter(nomination=nomination)
                    .select_related("department", "nomination__round")}
    assert sorted(requests) == sorted(DEPARTMENTS), sorted(requests)
    items = {name: [i.pk for i in items_for_department(round_, r.department)] for name, r in requests.items()}
    before = Nomination.objects.count()

    def department_post(clerk, req):
        data = {"version": str(req.version), "conclusion": ""}
        for pk in items[req.department.name]:
            data[f"item{pk}-outcome"] = Finding.Outcome.CLEAR
            data[f"item{pk}-note"] = ""
        return "department", clerk, reverse("vetting:request_detail", args=[req.pk]), data

    def village_post(user, village, seq):
        data = form_data(village, round_, name=f"李并发{seq}", id_number=make_id(BIRTH, seq=300 + seq))
        return "village", user, reverse("candidates:nomination_new"), data

    jobs = [department_post(c, requests[d.name]) for c, d in zip(clerks, departments, strict=True)]
    jobs += [village_post(u, v, i) for i, (u, v) in enumerate(zip(village_users, villages, strict=True))]
    connection.close()  # each thread opens its own

    barrier = threading.Barrier(len(jobs))
    statuses = [None] * len(jobs)
    errors = []

    def worker(i, kind, user, url, data):
        try:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            barrier.wait(timeout=60)
            response = client.post(url, data)
            statuses[i] = response.status_code
            if response.status_code != 302:
                errors.append(f"{kind} {user.username}: {response.status_code} "
                              f"{response.content.decode('utf-8', 'replace')[:2000]}")
        except Exception as e:  # noqa: BLE001 - reported by the test
            errors.append(f"{kind} {user.username}: {type(e).__name__}: {e}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    if any(t.is_alive() for t in threads):
        errors.append("a thread hung")

    saved = {}
    for name, req in requests.items():
        fresh = VettingRequest.objects.get(pk=req.pk)
        saved[name] = {"answered": fresh.signed_at is not None,
                       "findings": sorted(Finding.objects.filter(request=fresh).values_list("item_id", flat=True))}
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    print("RESULT " + json.dumps({
        "errors": errors,
        "statuses": {"department": statuses[:len(DEPARTMENTS)], "village": statuses[len(DEPARTMENTS):]},
        "requests": saved,
        "items": {name: sorted(pks) for name, pks in items.items()},
        "answer_events": len(_events(nomination, "vetting_answer")),
        "nomination_status": Nomination.objects.get(pk=nomination.pk).status,
        "new_nominations": Nomination.objects.count() - before,
        "journal_mode": journal_mode,
    }, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)  # no interpreter shutdown work on the threads' leftovers


def _events(nomination, action):
    from tests.helpers import events_of

    return events_of(nomination, action)
