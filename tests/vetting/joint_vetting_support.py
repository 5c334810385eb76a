"""Shared set-up for the 资格联审 tests (services, views, concurrency).

Only helpers and fixtures: no tests here. Fixtures are imported explicitly by the test modules.
"""

import datetime

import pytest

from candidates import services as candidate_services
from candidates.models import FamilyMember, Nomination
from reserve.roles import Role
from vetting import services
from vetting.models import Finding, NegativeItem, VettingRequest
from vetting.selectors import items_for_department

from ..factories import DepartmentFactory, NominationFactory, PersonFactory, UserFactory
from ..helpers import events_of, every_negative_item_checked, reload, status_of, today  # noqa: F401 — the vetting tests import them from here

CLEAR, FLAGGED = Finding.Outcome.CLEAR, Finding.Outcome.FLAGGED
CONFIRMED, OVERRULED = VettingRequest.Decision.CONFIRMED, VettingRequest.Decision.OVERRULED


def accepted(round_, village, **fields) -> Nomination:
    """Test set-up: a nomination already accepted by the office (the candidates tests cover getting there)."""
    return NominationFactory(round=round_, village=village, accepted=True, **fields)


def dispatch(office, nomination) -> Nomination:
    return candidate_services.perform(actor=office, nomination_id=nomination.pk, action="dispatch")


def request_of(nomination, department) -> VettingRequest:
    return VettingRequest.objects.get(nomination=nomination, department=department)


def actions_of(nomination) -> list[str]:
    return [e.action for e in events_of(nomination)]


def items_of(req) -> list[NegativeItem]:
    return list(items_for_department(req.nomination.round, req.department))


def answers_for(req, *, flag=(), note="核查发现问题") -> dict:
    """A complete answer for a request: every item of its department clear, except the item numbers in flag."""
    return {
        item.pk: ((FLAGGED, f"{note}（第{item.number}项）", None) if item.number in flag else (CLEAR, "", None))
        for item in items_of(req)
    }


def answer(user, req, *, flag=(), version="current", conclusion="", note="核查发现问题"):
    """Answer a request as a department; version defaults to the request's current version."""
    if version == "current":
        version = reload(req).version
    return services.answer_request(actor=user, request_id=req.pk, version=version,
                                   answers=answers_for(req, flag=flag, note=note), conclusion=conclusion)


def decide(office, req, decision, reason="经核实", version="current"):
    if version == "current":
        version = reload(req).version
    return services.decide_flag(actor=office, request_id=req.pk, version=version, decision=decision, reason=reason)


def ledger_pdf_of(client, round_id, capture, **query) -> bytes:
    """The ledger's PDF as the office gets it: the link starts a job (vetting.jobs), run on commit in the tests
    (django-q2 in sync mode; `capture` is pytest-django's django_capture_on_commit_callbacks), then the file."""
    from django.urls import resolve, reverse

    from reserve.models import Job

    with capture(execute=True):
        response = client.get(reverse("vetting:ledger_pdf", args=[round_id]), query)
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(pk=resolve(response["Location"]).kwargs["pk"])
    assert job.status == Job.Status.DONE, job.message
    with job.file.open("rb") as f:
        return f.read()


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def nom(round_, village_a, dept_x, dept_y):
    """An accepted nomination of 东山村 in a town whose departments are 纪委 (dept_x) and 派出所 (dept_y); the
    round's negative list made, the items neither of them is named for given to 纪委 (every item is checked by
    someone)."""
    every_negative_item_checked(round_, dept_x)
    person = PersonFactory(name="赵审查", birth_date=datetime.date(1995, 6, 15))
    return accepted(round_, village_a, person=person, hukou_address="东山村三组18号",
                    statement="自荐理由独有文字：带领村民种植猕猴桃", phone="13912345678")


@pytest.fixture
def vetting_nom(office, nom):
    """nom after dispatch: in vetting, with a request to 纪委 and one to 派出所."""
    dispatch(office, nom)
    return reload(nom)


@pytest.fixture
def req_x(vetting_nom, dept_x):
    return request_of(vetting_nom, dept_x)


@pytest.fixture
def req_y(vetting_nom, dept_y):
    return request_of(vetting_nom, dept_y)


@pytest.fixture
def family_member(nom):
    return FamilyMember.objects.create(nomination=nom, relation="父亲", name="赵家父亲名",
                                       work_unit_post="家属独有单位：县农机站")


@pytest.fixture
def dept_other(town):
    """A department of the town that no default item names."""
    return DepartmentFactory(town=town, name="档案室")


@pytest.fixture
def dept_other_user(dept_other):
    return UserFactory(username="dept_other", town=dept_other.town, department=dept_other, role=Role.DEPARTMENT)


@pytest.fixture
def other_town_dept(other_town):
    """A 纪委 of another town: the same name as dept_x, never the same department."""
    return DepartmentFactory(town=other_town, name="纪委")


@pytest.fixture
def other_town_dept_user(other_town_dept):
    return UserFactory(username="dept_other_town", town=other_town_dept.town, department=other_town_dept,
                       role=Role.DEPARTMENT)
