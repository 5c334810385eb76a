"""Object scope of every object-bearing vetting page, as a matrix.

Each town gets the same set of vetting objects, made through the services by that town's own office
(and the findings by its own departments). Then, for every vetting URL that names an object:

* with this town's objects, every role that passes the view's role check opens it (the control: the
  object and the URL are right, so a 404 below can only come from scope);
* the other town's office opens the other town's objects (the same control, for those objects);
* with the other town's objects, this town's office and committee get a 404 — or the role layer's
  403 where the view refuses the role before looking at the object — and so does a department;
* a department gets a 404 for a request sent to another department of its own town, and for a
  finding reached through a request it does not own;
* a URL that pairs an object of this town with one outside it (a finding of another request, a
  session with a nomination of another village or town) is a 404.

POST-only views are sent a POST (a GET is refused with 405 before the object is looked up).
"""

from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from candidates import services as candidate_services
from inspection import services as inspection_services
from reserve.roles import Role
from vetting import services
from vetting.models import Finding, VettingRequest
from vetting.selectors import items_for_department

from ..factories import (
    DepartmentFactory,
    NominationFactory,
    PersonFactory,
    RoundFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
    png_upload,
)
from ..helpers import every_negative_item_checked, rows_made_once

pytestmark = pytest.mark.django_db

OFFICE, COMMITTEE, DEPARTMENT = "office", "committee", "department"
READERS = frozenset({OFFICE, COMMITTEE})


# --------------------------------------------------------------------------- the objects of one town

def _answer_with_attachment(department_user, req):
    """The department signs off every item clear; the first item's finding carries a small PNG."""
    items = list(items_for_department(req.nomination.round, req.department))
    answers = {item.pk: (Finding.Outcome.CLEAR, "", None) for item in items}
    answers[items[0].pk] = (Finding.Outcome.CLEAR, "", ContentFile(png_upload().read(), name="finding.png"))
    services.answer_request(actor=department_user, request_id=req.pk, version=req.version, answers=answers)
    finding = Finding.objects.get(request=req, item=items[0])
    assert finding.attachment.name.endswith(".png")
    return finding


def _dispatched(office, round_, village, name):
    nomination = NominationFactory(round=round_, village=village, accepted=True, person=PersonFactory(name=name))
    candidate_services.perform(actor=office, nomination_id=nomination.pk, action="dispatch")
    return nomination


def _proxy_answered(office, req):
    """The office enters the department's answer from its paper reply (the scan kept with the request)."""
    items = list(items_for_department(req.nomination.round, req.department))
    services.proxy_answer_request(
        actor=office, request_id=req.pk, version=req.version,
        answers={item.pk: (Finding.Outcome.CLEAR, "", None) for item in items},
        paper_answer=ContentFile(png_upload().read(), name="paper.png"), paper_signer="王经办",
        paper_date=timezone.localdate())
    return VettingRequest.objects.get(pk=req.pk)


def _world(*, office, round_, village, department_users):
    """A town's vetting objects: a nomination under inspection (with a report), one dispatched to the
    departments (a request and an attached finding per department user), a session, a meeting."""
    today = timezone.localdate()
    nomination = NominationFactory(round=round_, village=village, inspection=True,
                                   person=PersonFactory(name=f"考察{village.name}"))
    inspection_services.report_save(actor=office, nomination_id=nomination.pk, text="考察材料正文。")
    # Every item of the round's list checked by someone: those no department of the town is named for go to
    # the first department (the office's step on the negative list page before the first dispatch).
    every_negative_item_checked(round_, next(iter(department_users.values())).department)
    vetting_nomination = _dispatched(office, round_, village, f"联审{village.name}")
    x_department = department_users["x"].department_id
    pending = VettingRequest.objects.get(nomination=_dispatched(office, round_, village, f"待审{village.name}"),
                                         department_id=x_department)
    paper = _proxy_answered(office, VettingRequest.objects.get(
        nomination=_dispatched(office, round_, village, f"代录{village.name}"), department_id=x_department))
    requests, findings = {}, {}
    for key, user in department_users.items():
        req = VettingRequest.objects.get(nomination=vetting_nomination, department_id=user.department_id)
        requests[key] = req
        findings[key] = _answer_with_attachment(user, req)
    return {
        "round": round_, "village": village, "nomination": nomination, "vetting_nomination": vetting_nomination,
        "request": requests["x"], "finding": findings["x"], "requests": requests, "findings": findings,
        "pending_request": pending, "paper_request": paper,
        "session": inspection_services.session_create(actor=office, round_=round_, village=village, date=today,
                                                      place="村部"),
        "meeting": inspection_services.meeting_create(actor=office, round_=round_, date=today, attendees="张书记",
                                                      members_total=1, members_present=1),
    }


# The two towns, their people and their objects are made once for the whole module (they take most of its
# time): in a transaction rolled back after its last test, each test running in a savepoint of its own inside it
# (tests.helpers.rows_made_once). The fixtures below hand each test the same objects the conftest's would make.

@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    """The uploaded files (the findings' attachments) of the rows made once, for every test of the module."""
    return tmp_path_factory.mktemp("scope-matrix-media")


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker, media_root):
    with rows_made_once(django_db_blocker, media_root):
        town, other_town = TownFactory(name="青山镇"), TownFactory(name="绿水镇")
        village_a = VillageFactory(town=town, name="东山村")
        dept_x, dept_y = DepartmentFactory(town=town, name="纪委"), DepartmentFactory(town=town, name="派出所")
        round_ = RoundFactory(town=town)
        office = UserFactory(username="office", town=town, role=Role.OFFICE)
        committee = UserFactory(username="committee", town=town, role=Role.COMMITTEE)
        dept_x_user = UserFactory(username="dept_x", town=town, department=dept_x, role=Role.DEPARTMENT)
        dept_y_user = UserFactory(username="dept_y", town=town, department=dept_y, role=Role.DEPARTMENT)
        other_office = UserFactory(username="office2", town=other_town, role=Role.OFFICE)
        # Another town's 纪委: the same name as dept_x.
        foreign_department = DepartmentFactory(town=other_town, name="纪委")
        foreign_dept_user = UserFactory(username="dept_foreign", town=other_town, department=foreign_department,
                                        role=Role.DEPARTMENT)
        yield SimpleNamespace(
            town=town, other_town=other_town, round_=round_, village_a=village_a, office=office,
            committee=committee, dept_x_user=dept_x_user, dept_y_user=dept_y_user, other_office=other_office,
            # This town (青山镇): 纪委 (dept_x) and 派出所 (dept_y) both get a request and answer it.
            home=_world(office=office, round_=round_, village=village_a,
                        department_users={"x": dept_x_user, "y": dept_y_user}),
            # Another town (绿水镇), every object made by its own office.
            foreign=_world(office=other_office, round_=RoundFactory(town=other_town),
                           village=VillageFactory(town=other_town, name="南湖村"),
                           department_users={"x": foreign_dept_user}),
        )


@pytest.fixture
def town(made):
    return made.town


@pytest.fixture
def other_town(made):
    return made.other_town


@pytest.fixture
def round_(made):
    return made.round_


@pytest.fixture
def office(made):
    return made.office


@pytest.fixture
def committee(made):
    return made.committee


@pytest.fixture
def dept_x_user(made):
    return made.dept_x_user


@pytest.fixture
def dept_y_user(made):
    return made.dept_y_user


@pytest.fixture
def other_office(made):
    return made.other_office


@pytest.fixture
def home(made):
    """This town's objects (青山镇): a request to 纪委 and one to 派出所, both answered."""
    return made.home


@pytest.fixture
def foreign(made):
    """Another town's objects (绿水镇), every one made by its own office."""
    return made.foreign


@pytest.fixture
def users(office, committee, dept_x_user):
    return {OFFICE: office, COMMITTEE: committee, DEPARTMENT: dept_x_user}


# --------------------------------------------------------------------------- the URLs

def _pk(key):
    return lambda w: ({"pk": w[key].pk}, "")


def _round_query(w):
    return {}, f"?round={w['round'].pk}"


# name, method, (world -> (kwargs, query)), the roles (of office, committee, department) the role check lets in
URLS = [
    ("vetting:request_detail", "get", _pk("request"), {OFFICE, DEPARTMENT}),
    ("vetting:request_decide", "post", _pk("request"), {OFFICE}),
    ("vetting:request_reopen", "post", _pk("request"), {OFFICE}),
    ("vetting:finding_attachment", "get",
     lambda w: ({"pk": w["finding"].request_id, "finding_pk": w["finding"].pk}, ""), {OFFICE, DEPARTMENT}),
    ("vetting:request_remind", "post", _pk("pending_request"), {OFFICE}),
    ("vetting:request_extend", "post", _pk("pending_request"), {OFFICE}),
    ("vetting:request_proxy_answer", "get", _pk("pending_request"), {OFFICE}),
    ("vetting:paper_answer", "get", _pk("paper_request"), {OFFICE, DEPARTMENT}),
    ("vetting:negative_list", "get", _pk("round"), {OFFICE}),
    ("vetting:sync_deadlines", "get", _pk("round"), {OFFICE}),
    ("vetting:nomination_dispatch", "get", _pk("vetting_nomination"), {OFFICE}),
    ("vetting:dispatch_round", "post", _pk("round"), {OFFICE}),
    ("vetting:ledger", "get", _pk("round"), {OFFICE}),
    ("vetting:ledger_pdf", "get", _pk("round"), {OFFICE}),
    ("vetting:sheet", "get", _pk("vetting_nomination"), {OFFICE}),
    ("vetting:sheet_pdf", "get", _pk("vetting_nomination"), {OFFICE}),
    ("inspection:inspection", "get", _pk("nomination"), READERS),
    ("inspection:talk_new", "get", _pk("nomination"), {OFFICE}),
    ("inspection:report_edit", "get", _pk("nomination"), {OFFICE}),
    ("inspection:report_print", "get", _pk("nomination"), READERS),
    ("inspection:session_new", "get", _round_query, {OFFICE}),       # ?round= names the round
    ("inspection:session_detail", "get", _pk("session"), READERS),
    ("inspection:tally_edit", "get",
     lambda w: ({"pk": w["session"].pk, "nomination_pk": w["nomination"].pk}, ""), {OFFICE}),
    ("inspection:ballot", "get", _pk("session"), READERS),
    ("inspection:tally_sheet", "get", _pk("session"), READERS),
    ("inspection:meeting_new", "get", _round_query, READERS),        # ?round= names the round
    ("inspection:meeting_detail", "get", _pk("meeting"), READERS),
]
URL_NAMES = [u[0] for u in URLS]
SPEC = {u[0]: u[1:] for u in URLS}


def _url(name, world):
    _method, target, _roles = SPEC[name]
    kwargs, query = target(world)
    return reverse(name, kwargs=kwargs) + query


def _answer(client, user, method, url):
    client.force_login(user)
    response = client.post(url, {}) if method == "post" else client.get(url)
    if response.streaming:
        # Reading it to the end closes the file through the test client, which keeps the test's
        # connection open (a second response.close() would close it, on PostgreSQL).
        b"".join(response.streaming_content)
    return response.status_code, response.get("Location", "")


def _opened(status, location):
    """200, or a redirect within the site that is not the sign-in page."""
    if status == 200:
        return True
    return status == 302 and location.startswith("/") and not location.startswith(reverse("login"))


def test_every_object_bearing_vetting_url_is_in_the_matrix():
    from tests.test_urls import TABLE

    object_free = {"vetting:queue", "vetting:flags", "inspection:session_list", "inspection:meeting_list"}
    named = {name for name in TABLE if name.startswith(("vetting:", "inspection:"))}
    assert named - object_free == set(URL_NAMES)


# --------------------------------------------------------------------------- controls

@pytest.mark.parametrize("role", [OFFICE, COMMITTEE, DEPARTMENT])
@pytest.mark.parametrize("name", URL_NAMES)
def test_this_towns_objects_open_for_the_roles_let_in(client, home, users, name, role):
    method, _target, roles = SPEC[name]
    status, location = _answer(client, users[role], method, _url(name, home))
    if role in roles:
        assert _opened(status, location), f"{role} {method.upper()} {name}: {status} {location}"
    else:
        assert status == 403, f"{role} {method.upper()} {name}: {status}, expected 403 (role)"


@pytest.mark.parametrize("name", URL_NAMES)
def test_the_other_towns_office_opens_its_own_objects(client, foreign, other_office, name):
    method, _target, roles = SPEC[name]
    assert OFFICE in roles
    status, location = _answer(client, other_office, method, _url(name, foreign))
    assert _opened(status, location), f"{method.upper()} {name}: {status} {location}"


# --------------------------------------------------------------------------- another town's objects

@pytest.mark.parametrize("role", [OFFICE, COMMITTEE, DEPARTMENT])
@pytest.mark.parametrize("name", URL_NAMES)
def test_another_towns_object_is_404(client, home, foreign, users, name, role):
    method, _target, roles = SPEC[name]
    expected = 404 if role in roles else 403
    status, location = _answer(client, users[role], method, _url(name, foreign))
    assert status == expected, (
        f"{role} {method.upper()} {name} of another town: {status} {location}, expected {expected}")


def test_nothing_of_another_town_changed(client, home, foreign, users):
    """The refused POSTs left the other town's requests and nominations as they were."""
    before = [(r.status, r.decision, r.version, r.deadline, r.reminder_count) for r in VettingRequest.objects.filter(
        nomination__round=foreign["round"]).order_by("pk")]
    for name in ("vetting:request_decide", "vetting:request_reopen", "vetting:dispatch_round",
                 "vetting:request_remind", "vetting:request_extend"):
        assert _answer(client, users[OFFICE], "post", _url(name, foreign))[0] == 404
    client.force_login(users[OFFICE])
    response = client.post(reverse("vetting:request_decide", args=[foreign["request"].pk]),
                           {"version": str(foreign["request"].version), "decision": "confirmed", "reason": "理由"})
    assert response.status_code == 404
    client.post(reverse("vetting:request_extend", args=[foreign["pending_request"].pk]),
                {"extend-version": str(foreign["pending_request"].version), "extend-reason": "理由",
                 "extend-deadline": "2099-01-01"})
    client.post(reverse("vetting:request_proxy_answer", args=[foreign["pending_request"].pk]), {})
    after = [(r.status, r.decision, r.version, r.deadline, r.reminder_count) for r in VettingRequest.objects.filter(
        nomination__round=foreign["round"]).order_by("pk")]
    assert after == before


# --------------------------------------------------------------------------- another department

@pytest.mark.parametrize("method", ["get", "post"])
def test_a_department_gets_404_for_another_departments_request(client, home, dept_x_user, method):
    req_y = home["requests"]["y"]
    status, _loc = _answer(client, dept_x_user, method, reverse("vetting:request_detail", args=[req_y.pk]))
    assert status == 404


def test_a_department_gets_404_for_another_departments_paper_answer(client, home, dept_x_user, dept_y_user):
    """The scan of a paper answer the office entered opens for the office and the department it answers for."""
    url = reverse("vetting:paper_answer", args=[home["paper_request"].pk])
    assert home["paper_request"].department_id == dept_x_user.department_id
    assert _answer(client, dept_x_user, "get", url)[0] == 200
    assert _answer(client, dept_y_user, "get", url)[0] == 404


@pytest.mark.parametrize("name", ["vetting:request_remind", "vetting:request_extend", "vetting:request_proxy_answer"])
def test_a_department_cannot_chase_or_answer_for_itself_through_the_offices_actions(client, home, dept_x_user, name):
    """Reminding, extending and entering a paper answer are the office's: even the asked department gets 403."""
    req = home["pending_request"]
    assert _answer(client, dept_x_user, "post", reverse(name, args=[req.pk]))[0] == 403
    assert VettingRequest.objects.get(pk=req.pk).version == req.version


def test_a_department_gets_404_for_another_departments_finding(client, home, dept_x_user):
    finding_y = home["findings"]["y"]
    url = reverse("vetting:finding_attachment", args=[finding_y.request_id, finding_y.pk])
    assert _answer(client, dept_x_user, "get", url)[0] == 404


def test_a_department_gets_404_for_another_departments_finding_through_its_own_request(client, home, dept_x_user):
    """Its own request's pk does not open a finding of another request."""
    url = reverse("vetting:finding_attachment", args=[home["request"].pk, home["findings"]["y"].pk])
    assert _answer(client, dept_x_user, "get", url)[0] == 404


def test_a_department_gets_404_for_another_towns_department_of_the_same_name(client, foreign, dept_x_user):
    assert foreign["request"].department.name == dept_x_user.department.name
    for url in (reverse("vetting:request_detail", args=[foreign["request"].pk]),
                reverse("vetting:finding_attachment", args=[foreign["request"].pk, foreign["finding"].pk])):
        assert _answer(client, dept_x_user, "get", url)[0] == 404, url


# --------------------------------------------------------------------------- mixed pairs in one URL

def test_the_office_gets_404_for_a_finding_not_of_the_request(client, home, foreign, office):
    """The finding must belong to the request named in the URL, even when both are in scope."""
    for request_pk, finding in ((home["request"].pk, home["findings"]["y"]),
                                (home["request"].pk, foreign["finding"])):
        url = reverse("vetting:finding_attachment", args=[request_pk, finding.pk])
        assert _answer(client, office, "get", url)[0] == 404, url


def test_tally_edit_pairs_a_session_only_with_a_nomination_of_its_village_and_round(client, home, foreign, office,
                                                                                   round_, village_b):
    other_village = NominationFactory(round=round_, village=village_b, inspection=True)
    for session, nomination in ((home["session"], foreign["nomination"]), (foreign["session"], home["nomination"]),
                                (home["session"], other_village)):
        url = reverse("inspection:tally_edit", args=[session.pk, nomination.pk])
        assert _answer(client, office, "get", url)[0] == 404, url
