"""The ledger's per-nomination summary (VettingSummary, issue 13 §2): kept by the vetting services in the
transaction that changes the requests, it always equals a recomputation from the requests; the ledger filters
and counts by it alone (no request of the round is read to filter or count)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates import services as candidate_services
from vetting import services
from vetting.models import VettingRequest, VettingSummary
from vetting.selectors import ledger_counts, ledger_nominations

from . import joint_vetting_support as jv
from .joint_vetting_support import CONFIRMED, OVERRULED, accepted, answer, decide, dispatch, reload, today
from .test_issue9 import proxy

nom, vetting_nom, req_x, req_y = jv.nom, jv.vetting_nom, jv.req_x, jv.req_y

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PENDING = VettingRequest.Status.PENDING


def recomputed(nomination) -> tuple:
    """(open, problem, next deadline) straight from the requests, by the ledger's rule: open = not answered;
    a problem = an answer that flags one (whatever the office decided); the next deadline = the earliest of
    the open requests'."""
    requests = list(VettingRequest.objects.filter(nomination=nomination))
    open_ = [r for r in requests if r.status == PENDING]
    return (len(open_), sum(1 for r in requests if r.answered and r.flagged),
            min((r.deadline for r in open_), default=None))


def summary_of(nomination) -> tuple:
    s = VettingSummary.objects.get(nomination=nomination)
    assert s.round_id == nomination.round_id
    return s.open_count, s.problem_count, s.next_deadline


def first_item(req) -> int:
    return jv.items_of(req)[0].number


def flag_x(u):
    answer(u["x"], u["req_x"], flag=(first_item(u["req_x"]),))


def _sync(u):
    round_ = reload(u["req_x"]).nomination.round
    candidate_services.round_update(actor=u["office"], round_id=round_.pk, review_end=round_.review_end + 10 * DAY)
    assert services.sync_open_deadlines(actor=u["office"], round_id=round_.pk) >= 1


# Each kind of change, as steps on a dispatched nomination (纪委 = x, 派出所 = y), with the (open, problem)
# expected after them; the next deadline is checked against the recomputation.
CHANGES = {
    "dispatched": ([], (2, 0)),
    "answered clear": ([lambda u: answer(u["x"], u["req_x"])], (1, 0)),
    "answered with a problem": ([flag_x], (1, 1)),
    "an answer corrected to clear": ([flag_x, lambda u: answer(u["x"], u["req_x"])], (1, 0)),
    "every department answered": ([lambda u: answer(u["x"], u["req_x"]), lambda u: answer(u["y"], u["req_y"])],
                                  (0, 0)),
    "paper answer entered by the office": (
        [lambda u: proxy(u["office"], u["req_y"], flag=(first_item(u["req_y"]),))], (1, 1)),
    "deadline extended": ([lambda u: services.extend_request(
        actor=u["office"], request_id=u["req_x"].pk, deadline=today() + 40 * DAY, reason="部门申请延期")], (2, 0)),
    "deadlines synchronised with the round's": ([lambda u: answer(u["y"], u["req_y"]), _sync], (1, 0)),
    "a problem overruled": ([flag_x, lambda u: decide(u["office"], u["req_x"], OVERRULED)], (1, 1)),
    "a problem confirmed": ([flag_x, lambda u: decide(u["office"], u["req_x"], CONFIRMED)], (1, 1)),
    "reopened after a confirmation": ([flag_x, lambda u: decide(u["office"], u["req_x"], CONFIRMED),
                                       lambda u: services.reopen_request(actor=u["office"], request_id=u["req_x"].pk,
                                                                         reason="纪委来函更正")], (2, 0)),
    "reopened, then answered clear": ([lambda u: answer(u["x"], u["req_x"]), lambda u: answer(u["y"], u["req_y"]),
                                       lambda u: services.reopen_request(actor=u["office"], request_id=u["req_y"].pk,
                                                                         reason="补充核查"),
                                       lambda u: answer(u["y"], u["req_y"])], (0, 0)),
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_summary_equals_a_recomputation_after_each_kind_of_change(change, office, vetting_nom, req_x, req_y,
                                                                      dept_x_user, dept_y_user):
    steps, (open_count, problem_count) = CHANGES[change]
    actors = {"office": office, "x": dept_x_user, "y": dept_y_user, "req_x": req_x, "req_y": req_y}
    for step in steps:
        step(actors)
        assert summary_of(vetting_nom) == recomputed(vetting_nom), change
    assert summary_of(vetting_nom)[:2] == (open_count, problem_count)
    assert summary_of(vetting_nom) == recomputed(vetting_nom)


def test_the_deadline_moves_with_the_earliest_open_request(office, vetting_nom, req_x, req_y, dept_x_user):
    later = today() + 40 * DAY
    services.extend_request(actor=office, request_id=req_y.pk, deadline=later, reason="部门申请延期")
    assert summary_of(vetting_nom)[2] == reload(req_x).deadline < later
    answer(dept_x_user, req_x)  # the earliest answered: the next is 派出所's extended one
    assert summary_of(vetting_nom)[2] == later


def test_a_nomination_not_dispatched_has_no_summary(nom):
    assert not VettingSummary.objects.filter(nomination=nom).exists()
    services.refresh_summary(nom)  # no requests: none written
    assert not VettingSummary.objects.filter(nomination=nom).exists()


def test_refreshing_takes_two_queries(django_assert_num_queries, vetting_nom):
    with django_assert_num_queries(2):  # the aggregate of the requests, the upsert
        services.refresh_summary(vetting_nom)


def test_the_round_is_rebuilt_and_the_migration_fills_the_same(office, round_, village_b, vetting_nom, req_x,
                                                               dept_x_user):
    second = dispatch(office, accepted(round_, village_b))
    answer(dept_x_user, req_x, flag=(first_item(req_x),))
    kept = {n.pk: summary_of(n) for n in (vetting_nom, second)}
    VettingSummary.objects.all().delete()
    assert services.rebuild_round_summaries(round_) == 2
    assert {n.pk: summary_of(n) for n in (vetting_nom, second)} == kept
    VettingSummary.objects.all().delete()
    importlib.import_module("vetting.migrations.0006_fill_vetting_summary").fill(apps, None)
    assert {n.pk: summary_of(n) for n in (vetting_nom, second)} == kept


def test_the_ledger_filters_and_counts_by_the_summary_alone(office, round_, vetting_nom, req_x, dept_x_user):
    with CaptureQueriesContext(connection) as queries:
        counts = ledger_counts(office, round_, today=today())
        rows = list(ledger_nominations(office, round_, today=today(), state="pending"))
    assert len(queries) == 2 and not any("vetting_vettingrequest" in q["sql"] for q in queries.captured_queries)
    assert counts["all"] == counts["pending"] == 1 and counts["answered"] == 0 and rows == [vetting_nom]
    answer(dept_x_user, req_x, flag=(first_item(req_x),))
    counts = ledger_counts(office, round_, today=today())
    assert (counts["pending"], counts["flagged"], counts["answered"]) == (1, 1, 0)
    assert list(ledger_nominations(office, round_, today=today(), state="flagged")) == [vetting_nom]


def test_an_overdue_request_is_counted_until_it_is_answered(office, round_, vetting_nom, req_x, req_y, dept_x_user):
    VettingRequest.objects.filter(pk=req_x.pk).update(deadline=today() - 2 * DAY)
    services.refresh_summary(vetting_nom)  # as a service changing the deadline would
    assert ledger_counts(office, round_, today=today())["overdue"] == 1
    answer(dept_x_user, req_x)
    assert ledger_counts(office, round_, today=today())["overdue"] == 0
    assert summary_of(vetting_nom) == recomputed(vetting_nom)


def test_the_county_generator_writes_each_summary_as_the_services_would():
    """benchmarks/county.py writes the requests in bulk (COPY): it writes their summaries alongside."""
    from benchmarks import county
    from candidates.models import Nomination

    county.County(county.SCALES["tiny"], verbose=False).build()
    dispatched = Nomination.objects.filter(vetting_requests__isnull=False).distinct()
    assert dispatched.exists()
    assert VettingSummary.objects.count() == dispatched.count()
    for nomination in dispatched:
        assert summary_of(nomination) == recomputed(nomination), nomination.pk
