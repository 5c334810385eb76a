"""资格联审 under concurrent use, on PostgreSQL (real row locks across connections).

Every thread waits at a barrier and then acts at the same moment; each closes its own database
connection when done. SQLite has no row locks (select_for_update is a no-op there), so these tests
only run on PostgreSQL.
"""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from candidates import services as candidate_services
from candidates.models import Status
from reserve.exceptions import ActionRefused
from reserve.models import User
from reserve.roles import Role
from vetting import services
from vetting.models import Finding, NegativeItem, VettingRequest

from ..factories import DepartmentFactory, NominationFactory, RoundFactory, UserFactory
from .joint_vetting_support import (
    CLEAR,
    CONFIRMED,
    accepted,
    answer,
    answers_for,
    dispatch,
    events_of,
    every_negative_item_checked,
    reload,
    request_of,
    status_of,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


@pytest.fixture(autouse=True)
def _postgres_only_and_role_groups(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row-level locks, so concurrent writers cannot be tested "
                    f"(this run uses {connection.vendor})")
    # The role groups come from a data migration and a transactional test flushes every table.
    for name in Role.values:
        Group.objects.get_or_create(name=name)


def run_at_once(jobs):
    """Run the callables in threads released together by a barrier; return [(ok, value or exception)]."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        try:
            prepare = job[0] if isinstance(job, tuple) else None
            act = job[1] if isinstance(job, tuple) else job
            arg = prepare() if prepare else None
            barrier.wait(timeout=30)
            results[i] = (True, act(arg) if prepare else act())
        except Exception as e:  # noqa: BLE001 - collected and asserted on by the test
            results[i] = (False, e)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def fresh(user):
    """The thread's own copy of a user (no role cache shared between threads)."""
    return lambda: User.objects.get(pk=user.pk)


def unexpected(results, *allowed):
    return [r for ok, r in results if not ok and not isinstance(r, allowed)]


# --------------------------------------------------------------------------- (a) every department at once


def test_every_department_answering_at_the_same_moment_vets_once(town, round_, village_a, office):
    departments = [DepartmentFactory(town=town, name=f"联审部门{i:02d}", order=i) for i in range(THREADS)]
    users = [UserFactory(username=f"dept{i:02d}", town=town, department=d, role=Role.DEPARTMENT)
             for i, d in enumerate(departments)]
    services.ensure_negative_list(round_)
    # Every department checks every item (each item is checked by someone): 20 requests for one nomination.
    for item in NegativeItem.objects.filter(round=round_):
        item.departments.set(departments)
        item.suggested_departments.clear()
    nomination = accepted(round_, village_a)
    dispatch(office, nomination)
    requests = [request_of(nomination, d) for d in departments]
    assert len(requests) == THREADS

    def job(user, req):
        answers = answers_for(req)
        return (fresh(user), lambda me: services.answer_request(actor=me, request_id=req.pk, version=1,
                                                                 answers=answers))

    results = run_at_once([job(u, r) for u, r in zip(users, requests, strict=True)])

    assert [r for ok, r in results if not ok] == []
    assert status_of(nomination) == Status.VETTED
    assert len(events_of(nomination, "vet_clear")) == 1
    answers = events_of(nomination, "vetting_answer")
    assert len(answers) == THREADS
    assert sorted(e.data["department"] for e in answers) == sorted(d.name for d in departments)
    for req in requests:
        r = reload(req)
        # Answered (version 2), then locked when the vetting ended (version 3).
        assert (r.status, r.version, r.flagged) == ("locked", 3, False)
        assert Finding.objects.filter(request=r).count() == 13
    # vet_clear is the last event: written after every answer.
    assert [e.action for e in events_of(nomination)][-1] == "vet_clear"


# --------------------------------------------------------------------------- (b) decision against correction


def _flagged_case(round_, village, office, dept_x, dept_y, dept_x_user, dept_y_user):
    every_negative_item_checked(round_, dept_x)
    nomination = accepted(round_, village)
    dispatch(office, nomination)
    req_x, req_y = request_of(nomination, dept_x), request_of(nomination, dept_y)
    answer(dept_y_user, req_y)
    answer(dept_x_user, req_x, flag=(1,))
    return nomination, reload(req_x)


@pytest.mark.parametrize("with_version", [True, False], ids=["form-version", "no-version"])
def test_confirming_a_flag_while_the_department_corrects_it(round_, village_a, office, dept_x, dept_y,
                                                           dept_x_user, dept_y_user, with_version):
    outcomes = set()
    for _attempt in range(6):
        nomination, req = _flagged_case(round_, village_a, office, dept_x, dept_y, dept_x_user, dept_y_user)
        seen = req.version if with_version else None
        correction = answers_for(req)  # all clear

        results = run_at_once([
            (fresh(office), lambda me: services.decide_flag(actor=me, request_id=req.pk, version=seen,
                                                            decision=CONFIRMED, reason="经核实属实")),
            (fresh(dept_x_user), lambda me: services.answer_request(actor=me, request_id=req.pk, version=seen,
                                                                    answers=correction)),
        ])
        (office_ok, office_result), (dept_ok, dept_result) = results
        assert unexpected(results, ActionRefused) == []
        assert office_ok != dept_ok, f"both or neither went through: {results}"

        r = reload(req)
        status = status_of(nomination)
        actions = [e.action for e in events_of(nomination)]
        if office_ok:
            outcomes.add("decision")
            assert status == Status.DISQUALIFIED
            assert (r.decision, r.flagged, r.version) == (CONFIRMED, True, req.version + 1)
            assert r.findings.get(item__number=1).outcome == "flagged"
            assert actions.count("disqualify") == 1 and "vet_clear" not in actions
            assert actions.count("vetting_answer") == 2  # the correction left no trace
        else:
            outcomes.add("correction")
            assert status == Status.VETTED
            # The correction (one version), then locked as the vetting ended (another).
            assert (r.status, r.decision, r.flagged, r.version) == ("locked", "", False, req.version + 2)
            assert {f.outcome for f in r.findings.all()} == {CLEAR}
            assert actions.count("vet_clear") == 1 and "disqualify" not in actions
            assert actions.count("vetting_answer") == 3
        assert actions.count("disqualify") + actions.count("vet_clear") == 1
    # Either order is a valid outcome; which one happened is only reported.
    print("outcomes seen:", sorted(outcomes))


# --------------------------------------------------------------------------- (c) the same action 20 times


def test_twenty_accepts_of_one_nomination_accept_it_once(round_, village_a, office):
    nomination = NominationFactory(round=round_, village=village_a, submitted=True)

    results = run_at_once([
        (fresh(office), lambda me: candidate_services.perform(actor=me, nomination_id=nomination.pk,
                                                              action="accept"))
        for _ in range(THREADS)
    ])

    assert unexpected(results, ActionRefused) == []
    assert sum(ok for ok, _r in results) == 1
    assert status_of(nomination) == Status.ACCEPTED
    assert len(events_of(nomination, "accept")) == 1


def test_twenty_decisions_on_one_flag_decide_it_once(round_, village_a, office, dept_x, dept_y, dept_x_user,
                                                     dept_y_user):
    nomination, req = _flagged_case(round_, village_a, office, dept_x, dept_y, dept_x_user, dept_y_user)

    results = run_at_once([
        (fresh(office), lambda me: services.decide_flag(actor=me, request_id=req.pk, version=req.version,
                                                        decision=CONFIRMED, reason="经核实属实"))
        for _ in range(THREADS)
    ])

    assert unexpected(results, ActionRefused) == []
    assert sum(ok for ok, _r in results) == 1
    assert status_of(nomination) == Status.DISQUALIFIED
    assert len(events_of(nomination, "disqualify")) == 1
    assert reload(req).version == req.version + 1


def test_twenty_overrules_on_one_flag_overrule_it_once(round_, village_a, office, dept_x, dept_y, dept_x_user,
                                                       dept_y_user):
    nomination, req = _flagged_case(round_, village_a, office, dept_x, dept_y, dept_x_user, dept_y_user)

    results = run_at_once([
        (fresh(office), lambda me: services.decide_flag(actor=me, request_id=req.pk, version=None,
                                                        decision="overruled", reason="系同名同姓"))
        for _ in range(THREADS)
    ])

    assert unexpected(results, ActionRefused) == []
    assert sum(ok for ok, _r in results) == 1
    assert status_of(nomination) == Status.VETTED
    assert len(events_of(nomination, "vetting_overrule")) == 1
    assert len(events_of(nomination, "vet_clear")) == 1


def test_twenty_dispatches_of_one_nomination_send_its_requests_once(round_, village_a, office, dept_x, dept_y):
    every_negative_item_checked(round_, dept_x)
    nomination = accepted(round_, village_a)

    results = run_at_once([
        (fresh(office), lambda me: candidate_services.perform(actor=me, nomination_id=nomination.pk,
                                                              action="dispatch"))
        for _ in range(THREADS)
    ])

    assert unexpected(results, ActionRefused) == []
    assert sum(ok for ok, _r in results) == 1
    assert status_of(nomination) == Status.VETTING
    assert VettingRequest.objects.filter(nomination=nomination).count() == 2
    assert len(events_of(nomination, "dispatch")) == 1
    assert NegativeItem.objects.filter(round=round_).count() == 13


# --------------------------------------------------------------------------- the round's first dispatches


@pytest.fixture
def every_default_department(town, dept_x, dept_y):
    """The town has every department the default list names (纪委 and 派出所 among them): a new round's list, made
    by its first dispatch, has every item checked by someone."""
    from reserve.models import DEFAULT_DEPARTMENTS

    for name in DEFAULT_DEPARTMENTS:
        if name not in ("纪委", "派出所"):
            DepartmentFactory(town=town, name=name)
    return len(DEFAULT_DEPARTMENTS)


def _new_round_with_nominations(town, village_a, village_b, count):
    round_ = RoundFactory(town=town)
    return round_, [accepted(round_, village_a if i % 2 else village_b) for i in range(count)]


def _dispatch_job(office, nomination):
    return (fresh(office), lambda me: candidate_services.perform(actor=me, nomination_id=nomination.pk,
                                                                 action="dispatch"))


def _assert_all_dispatched(round_, nominations, results, attempt):
    failures = [r for ok, r in results if not ok]
    assert failures == [], f"attempt {attempt}: {failures!r}"
    assert NegativeItem.objects.filter(round=round_).count() == 13
    for n in nominations:
        assert status_of(n) == Status.VETTING
        assert VettingRequest.objects.filter(nomination=n).count() == 12  # every_default_department


def test_dispatching_several_nominations_of_a_new_round_at_once(town, village_a, village_b, office, dept_x,
                                                               dept_y, every_default_department):
    """The office dispatches two nominations of a round whose negative list does not exist yet (two tabs, or
    two offices): the default list is created once and both dispatches go through — never a 500."""
    for attempt in range(6):
        round_, nominations = _new_round_with_nominations(town, village_a, village_b, 4)
        results = run_at_once([_dispatch_job(office, n) for n in nominations])
        _assert_all_dispatched(round_, nominations, results, attempt)


def test_dispatching_while_the_negative_list_page_is_first_opened(town, village_a, village_b, office, dept_x,
                                                                 dept_y, every_default_department):
    """The negative-list page (vetting.views.negative_list) calls ensure_negative_list outside any transaction;
    a dispatch at the same moment must not see a half-built list ("no department responsible")."""
    for attempt in range(6):
        round_, nominations = _new_round_with_nominations(town, village_a, village_b, 2)
        jobs = [_dispatch_job(office, n) for n in nominations]
        jobs.append((fresh(office), lambda me, r=round_: services.ensure_negative_list(r)))
        results = run_at_once(jobs)
        _assert_all_dispatched(round_, nominations, results, attempt)
