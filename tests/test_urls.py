"""Every URL of the project, and how each role answers a GET on it.

The table below is the access contract of the whole site. A URL pattern added without a row makes
`test_every_url_has_a_row` fail; a view that answers a role differently from its row fails
`test_role_answers_get`.

Outcomes:
  ALLOW  200, or a 302 to a page of this site (for a signed-in user: not the sign-in page)
  LOGIN  302 to the sign-in page with ?next=<the requested path> (anonymous only)
  ADMIN_LOGIN  the same, to the admin's sign-in page (Django sets it as the admin views' login_url)
  403 / 404 / 405  that status code
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from candidates import services as candidate_services
from inspection import services as inspection_services
from reserve.models import Job
from reserve.roles import Role
from tests.factories import (
    AssessmentFactory,
    AssessmentRoundFactory,
    DepartmentFactory,
    NominationFactory,
    PersonFactory,
    PoolTermFactory,
    ReserveFactory,
    RoundFactory,
    TownFactory,
    UnitFactory,
    UserFactory,
    VillageFactory,
    png_upload,
)
from tests.helpers import close_response, every_negative_item_checked, rows_made_once
from vetting import services as vetting_services
from vetting.models import Finding, VettingRequest
from vetting.selectors import items_for_department

ALLOW, LOGIN, ADMIN_LOGIN = "allow", "login", "admin-login"
ROLES = ("anonymous", "village", "office", "committee", "department", "mentor", "unit")
AS_MENTOR = "as-mentor"  # a unit's head (Role.UNIT) answered as the mentor is: a row of the selection names neither

# Public views: the only patterns an anonymous visitor may open.
PUBLIC = {"login", "admin:login", "publicity:public_notice", "publicity:public_receipt", "favicon"}


def _row(anonymous, village, office, committee, department, mentor, unit=AS_MENTOR, *, kwargs=None):
    unit = mentor if unit == AS_MENTOR else unit
    return {
        "expect": dict(zip(ROLES, (anonymous, village, office, committee, department, mentor, unit), strict=True)),
        "kwargs": kwargs or (lambda objs, role: {}),
    }


def _round(objs, role):
    return {"pk": objs["round"].pk}


def _village(objs, role):
    # A village account opens its own village; the town roles open a village of their town.
    return {"pk": objs["village"].pk}


def _nomination(objs, role):
    # Village A's nomination: in the village account's scope, and in the town roles' scope.
    return {"pk": objs["nomination"].pk}


def _nomination_action(objs, role):
    return {"pk": objs["nomination"].pk, "action": "submit"}


# --- the objects the URLs name, made once for the module (the fixture `made` below calls each of these) ---

def _job(objs, role):
    """A generated file of the office's (我的文件): its owner opens and downloads it; for anyone else it is a 404."""
    if "job" not in objs:
        job = Job(owner=objs["users"]["office"], kind="audit_log_xlsx", title="审计日志导出", status=Job.Status.DONE,
                  filename="审计日志.xlsx")
        job.file.save("审计日志.xlsx", ContentFile(b"PK test"), save=False)
        job.save()
        objs["job"] = job
    return {"pk": objs["job"].pk}


def _vetting_request_obj(objs):
    """The request to the department user's department (纪委) about an accepted nomination of village A,
    dispatched by the office: in the office's scope and in that department's."""
    if "vetting_request" not in objs:
        users = objs["users"]
        nomination = NominationFactory(round=objs["round"], village=objs["village"], created_by=users["village"],
                                       accepted=True, person=PersonFactory(name="联审人"))
        every_negative_item_checked(objs["round"], users["department"].department)  # dispatch needs every item checked
        candidate_services.perform(actor=users["office"], nomination_id=nomination.pk, action="dispatch")
        objs["vetting_request"] = VettingRequest.objects.get(nomination=nomination,
                                                             department_id=users["department"].department_id)
    return objs["vetting_request"]


def _finding_obj(objs):
    """A finding the department wrote (answer_request), with a small PNG attached to it."""
    if "finding" not in objs:
        req = _vetting_request_obj(objs)
        items = list(items_for_department(req.nomination.round, req.department))
        answers = {item.pk: (Finding.Outcome.CLEAR, "", None) for item in items}
        first = items[0]
        answers[first.pk] = (Finding.Outcome.CLEAR, "",
                             ContentFile(png_upload().read(), name="finding.png"))
        vetting_services.answer_request(actor=objs["users"]["department"], request_id=req.pk,
                                        version=req.version, answers=answers)
        finding = Finding.objects.get(request=req, item=first)
        assert finding.attachment.name.endswith(".png")
        objs["finding"] = finding
    return objs["finding"]


def _paper_request_obj(objs):
    """A request to the department user's department whose answer the office entered from the paper reply."""
    if "paper_request" not in objs:
        users = objs["users"]
        _vetting_request_obj(objs)
        nomination = NominationFactory(round=objs["round"], village=objs["village"], created_by=users["village"],
                                       accepted=True, person=PersonFactory(name="代录人"))
        candidate_services.perform(actor=users["office"], nomination_id=nomination.pk, action="dispatch")
        req = VettingRequest.objects.get(nomination=nomination, department_id=users["department"].department_id)
        items = items_for_department(req.nomination.round, req.department)
        objs["paper_request"] = vetting_services.proxy_answer_request(
            actor=users["office"], request_id=req.pk, version=req.version,
            answers={item.pk: (Finding.Outcome.CLEAR, "", None) for item in items},
            paper_answer=ContentFile(png_upload().read(), name="paper.png"), paper_signer="王经办",
            paper_date=timezone.localdate())
    return objs["paper_request"]


def _paper_request(objs, role):
    return {"pk": _paper_request_obj(objs).pk}


def _session_obj(objs):
    if "session" not in objs:
        objs["session"] = inspection_services.session_create(
            actor=objs["users"]["office"], round_=objs["round"], village=objs["village"],
            date=timezone.localdate(), place="村部")
    return objs["session"]


def _meeting_obj(objs):
    if "meeting" not in objs:
        objs["meeting"] = inspection_services.meeting_create(
            actor=objs["users"]["office"], round_=objs["round"], date=timezone.localdate(), attendees="张书记",
            members_total=1, members_present=1)
    return objs["meeting"]


def _vetting_request(objs, role):
    return {"pk": _vetting_request_obj(objs).pk}


def _finding(objs, role):
    finding = _finding_obj(objs)
    return {"pk": finding.request_id, "finding_pk": finding.pk}


def _session(objs, role):
    return {"pk": _session_obj(objs).pk}


def _tally(objs, role):
    # Village A's nomination in a session of village A and the same round.
    return {**_session(objs, role), "nomination_pk": objs["nomination"].pk}


def _meeting(objs, role):
    return {"pk": _meeting_obj(objs).pk}


def _notice_obj(objs):
    """Village A's published notice (an approved nomination of village A), with one objection recorded by the office."""
    if "notice" not in objs:
        from publicity import services as publicity_services

        users = objs["users"]
        nomination = NominationFactory(round=objs["round"], village=objs["village"], created_by=users["village"],
                                       approved=True, person=PersonFactory(name="公示人"))
        notice = publicity_services.notice_publish(
            actor=users["office"], round_=objs["round"], village=objs["village"], start_date=timezone.localdate(),
            contact_phone="0579-1234", contact_address="镇政府", public_url_for=lambda n: "http://testserver/p/x/")
        objs["notice"] = notice
        objs["objection"] = publicity_services.objection_record(
            actor=users["office"], notice=notice, channel="phone", content="反映", entry=notice.entries.get(
                nomination=nomination))
    return objs["notice"]


def _notice(objs, role):
    return {"pk": _notice_obj(objs).pk}


def _objection(objs, role):
    _notice_obj(objs)
    return {"pk": objs["objection"].pk}


def _pool_obj(objs):
    """The pool's objects: a village reserve of village A paired with the table's mentor (not the unit's), a
    pool meeting and term of the town, a task, a 上派轮训 posting with the reserve enrolled (all made directly)."""
    if "reserve" not in objs:
        import datetime

        from cultivation.models import Course, Enrolment, Task
        from training.models import Mentorship, PoolMeeting

        users, today = objs["users"], timezone.localdate()
        term = PoolTermFactory(town=objs["town"])
        reserve = ReserveFactory(town=objs["town"], term=term, village=objs["village"],
                                 person=PersonFactory(name="库中人"), mentor=users["mentor"])
        Mentorship.objects.create(reserve=reserve, mentor=users["mentor"], start=reserve.start_date,
                                  recorded_by=users["office"])
        objs["pool_meeting"] = PoolMeeting.objects.create(town=objs["town"], date=today, attendees="张书记",
                                                          recorded_by=users["office"])
        objs["pool_term"] = term
        objs["task"] = Task.objects.create(reserve=reserve, title="调解纠纷", content="协助调解", given_by="组织办",
                                           given_on=today, due_on=today, recorded_by=users["office"])
        start = today - datetime.timedelta(days=40)
        course = Course.objects.create(town=objs["town"], kind=Course.Kind.ROTATION, title="镇机关轮训",
                                       organiser="党政办", start=start, end=start + datetime.timedelta(days=20),
                                       subsidy_per_day=20, recorded_by=users["office"])
        objs["course"] = course
        objs["enrolment"] = Enrolment.objects.create(course=course, reserve=reserve, attended=True,
                                                     recorded_by=users["office"])
        objs["reserve"] = reserve
        # Assessment: an open round of the town with the reserve's draft, a 两委 vacancy of village A.
        from assessment.models import Adjustment, Vacancy

        objs["assessment_round"] = AssessmentRoundFactory(town=objs["town"], term=term, opened_by=users["office"])
        objs["assessment"] = AssessmentFactory(round=objs["assessment_round"], reserve=reserve)
        objs["adjustment"] = Adjustment.objects.create(reserve=reserve, cause=Adjustment.Cause.OTHER,
                                                       status=Adjustment.Status.PROPOSED, flagged_on=today,
                                                       reason="不再符合条件", proposed_by=users["office"],
                                                       proposed_on=today)
        objs["vacancy"] = Vacancy.objects.create(village=objs["village"], post="村委会委员", arose_on=today,
                                                 recorded_by=users["office"])
    return objs["reserve"]


def _pool_action(name, action):
    def kwargs(objs, role):
        _pool_obj(objs)
        return {"pk": objs[name].pk, "action": action}
    return kwargs


def _reserve(objs, role):
    return {"pk": _pool_obj(objs).pk}


def _reserve_pk(objs, role):
    return {"reserve_pk": _pool_obj(objs).pk}


def _reserve_action(objs, role):
    return {"pk": _pool_obj(objs).pk, "action": "renew_reserve"}


def _pool(name):
    def kwargs(objs, role):
        _pool_obj(objs)
        return {"pk": objs[name].pk}
    return kwargs


def _subsidy_month(objs, role):
    _pool_obj(objs)
    start = objs["course"].start
    return {"pk": objs["enrolment"].pk, "year": start.year, "month": start.month}


def _public_notice(objs, role):
    return {"token": _notice_obj(objs).token}


def _public_receipt(objs, role):
    return {"token": _notice_obj(objs).token, "receipt": objs["objection"].receipt}


#                                           anon   village office committee dept  mentor [unit: as mentor]
TABLE = {
    "home":                             _row(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "favicon":                          _row(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),   # the site's icon
    "login":                            _row(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "logout":                           _row(LOGIN, 405, 405, 405, 405, 405),   # POST only
    "password_change":                  _row(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "password_change_done":             _row(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    # The second factor: anyone signed in enrols an app; without one, the code page sends them home.
    "otp_setup":                        _row(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "otp_verify":                       _row(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "otp_disable":                      _row(LOGIN, 405, 405, 405, 405, 405),   # POST only
    "round_list":                       _row(LOGIN, 403, ALLOW, ALLOW, 403, 403),
    "round_new":                        _row(LOGIN, 403, ALLOW, 403, 403, 403),
    "round_detail":                     _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, kwargs=_round),
    "round_edit":                       _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_round),
    "village_list":                     _row(LOGIN, 403, ALLOW, ALLOW, 403, 403),
    "village_detail":                   _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403, kwargs=_village),
    "roster_edit":                      _row(LOGIN, ALLOW, ALLOW, 403, 403, 403, kwargs=_village),
    # The audit log: the office reads (and exports) its own town's entries; nobody else.
    "audit_log":                        _row(LOGIN, 403, ALLOW, 403, 403, 403),
    "audit_export":                     _row(LOGIN, 403, ALLOW, 403, 403, 403),
    # 我的文件 (reserve/jobs.py): every signed-in user has a list of their own; a job is its owner's alone.
    "job_list":                         _row(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "job_detail":                       _row(LOGIN, 404, ALLOW, 404, 404, 404, kwargs=_job),
    "job_download":                     _row(LOGIN, 404, ALLOW, 404, 404, 404, kwargs=_job),
    "candidates:nomination_list":       _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403),
    "candidates:nomination_new":        _row(LOGIN, ALLOW, 403, 403, 403, 403),
    "candidates:eligibility_check":     _row(LOGIN, 405, 403, 403, 403, 403),   # POST only
    "candidates:nomination_detail":     _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403, kwargs=_nomination),
    "candidates:nomination_edit":       _row(LOGIN, ALLOW, 403, 403, 403, 403, kwargs=_nomination),
    # The ID-card copy (the full number): the office, and the village while its form is open; not the committee.
    "candidates:nomination_id_card":    _row(LOGIN, ALLOW, ALLOW, 403, 403, 403, kwargs=_nomination),
    "candidates:nomination_action":     _row(LOGIN, 405, 405, 403, 403, 403, kwargs=_nomination_action),
    "candidates:nomination_form_pdf":   _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403, kwargs=_nomination),
    "candidates:nomination_id_number":  _row(LOGIN, 403, 405, 403, 403, 403, kwargs=_nomination),  # POST only
    "candidates:nomination_relaxation": _row(LOGIN, 403, 405, 403, 403, 403, kwargs=_nomination),  # POST only
    "candidates:nomination_identity":   _row(LOGIN, 403, 405, 403, 403, 403, kwargs=_nomination),  # POST only
    # 公示: the office writes; the committee and the notice's village read the notice and its PDF.
    "publicity:notice_list":            _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403),
    "publicity:notice_new":             _row(LOGIN, 403, ALLOW, 403, 403, 403),
    "publicity:notice_period":          _row(LOGIN, 403, ALLOW, 403, 403, 403),
    "publicity:notice_detail":          _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403, kwargs=_notice),
    "publicity:notice_pdf":             _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403, kwargs=_notice),
    "publicity:notice_confirm":         _row(LOGIN, 403, 405, 403, 403, 403, kwargs=_notice),  # POST only
    "publicity:objection_new":          _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_notice),
    "publicity:objection_detail":       _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_objection),
    # The committee's decision on an objection the office found true (the office may record it): POST only.
    "publicity:objection_decide":       _row(LOGIN, 403, 405, 405, 403, 403, kwargs=_objection),
    "publicity:calendar":               _row(LOGIN, 403, ALLOW, 403, 403, 403),
    # The public page of a notice and an objector's receipt: open to anyone, signed in or not.
    "publicity:public_notice":          _row(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, kwargs=_public_notice),
    "publicity:public_receipt":         _row(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, kwargs=_public_receipt),
    # 资格联审: findings are seen only by the office and the department they were sent to.
    "vetting:queue":                    _row(LOGIN, 403, 403, 403, ALLOW, 403),
    "vetting:request_detail":           _row(LOGIN, 403, ALLOW, 403, ALLOW, 403, kwargs=_vetting_request),
    "vetting:request_decide":           _row(LOGIN, 403, 405, 403, 403, 403, kwargs=_vetting_request),  # POST only
    "vetting:request_reopen":           _row(LOGIN, 403, 405, 403, 403, 403, kwargs=_vetting_request),  # POST only
    "vetting:finding_attachment":       _row(LOGIN, 403, ALLOW, 403, ALLOW, 403, kwargs=_finding),
    "vetting:flags":                    _row(LOGIN, 403, ALLOW, 403, 403, 403),
    "vetting:negative_list":            _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_round),
    "vetting:dispatch_round":           _row(LOGIN, 403, 405, 403, 403, 403, kwargs=_round),  # POST only
    "vetting:ledger":                   _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_round),
    "vetting:ledger_pdf":               _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_round),
    "vetting:sheet":                    _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_nomination),
    "vetting:sheet_pdf":                _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_nomination),
    # A late department (the office's only) and a late dispatch.
    "vetting:request_remind":           _row(LOGIN, 403, 405, 403, 403, 403, kwargs=_vetting_request),  # POST only
    "vetting:request_extend":           _row(LOGIN, 403, 405, 403, 403, 403, kwargs=_vetting_request),  # POST only
    "vetting:request_proxy_answer":     _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_vetting_request),
    "vetting:paper_answer":             _row(LOGIN, 403, ALLOW, 403, ALLOW, 403, kwargs=_paper_request),
    "vetting:sync_deadlines":           _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_round),
    "vetting:nomination_dispatch":      _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_nomination),
    # 组织考察: the office writes, the committee reads.
    "inspection:inspection":               _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, kwargs=_nomination),
    "inspection:talk_new":                 _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_nomination),
    "inspection:report_edit":              _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_nomination),
    "inspection:report_print":             _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, kwargs=_nomination),
    "inspection:session_list":             _row(LOGIN, 403, ALLOW, ALLOW, 403, 403),
    "inspection:session_new":              _row(LOGIN, 403, ALLOW, 403, 403, 403),
    "inspection:session_detail":           _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, kwargs=_session),
    "inspection:tally_edit":               _row(LOGIN, 403, ALLOW, 403, 403, 403, kwargs=_tally),
    "inspection:ballot":                   _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, kwargs=_session),
    "inspection:tally_sheet":              _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, kwargs=_session),
    # 镇党委研究确定: the committee records its own meetings.
    "inspection:meeting_list":             _row(LOGIN, 403, ALLOW, ALLOW, 403, 403),
    "inspection:meeting_new":              _row(LOGIN, 403, ALLOW, ALLOW, 403, 403),
    "inspection:meeting_detail":           _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, kwargs=_meeting),
    # The pool (后备干部库): the office runs it, the committee reads (and records its meetings), a village branch and
    # a unit's head see their own reserves (the table's reserve is village A's, paired with the table's mentor).
    "training:pool_list":               _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, ALLOW, ALLOW),
    "training:reserve_detail":          _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, ALLOW, 404, kwargs=_reserve),
    "training:reserve_action":          _row(LOGIN, 403, 405, 403, 403, 403, 403, kwargs=_reserve_action),  # POST only
    "training:reserve_use":             _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_reserve),
    "training:reserve_remove":          _row(LOGIN, 403, 403, ALLOW, 403, 403, 403, kwargs=_reserve),
    "training:reserve_expire":          _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_reserve),
    "training:reserve_change_tier":     _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_reserve),
    "training:reserve_change_post":     _row(LOGIN, ALLOW, ALLOW, 403, 403, 403, 404, kwargs=_reserve),
    "training:reserve_activist":        _row(LOGIN, ALLOW, ALLOW, 403, 403, 403, 404, kwargs=_reserve),
    "training:meeting_list":            _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "training:meeting_new":             _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "training:meeting_detail":          _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403, kwargs=_pool("pool_meeting")),
    "training:entry_new":               _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403, ALLOW),
    "training:review_list":             _row(LOGIN, ALLOW, ALLOW, 403, 403, 403, ALLOW),
    "training:review_decide":           _row(LOGIN, 403, 405, 403, 403, 403, 403, kwargs=_reserve),  # POST only
    "training:term_list":               _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "training:term_new":                _row(LOGIN, 403, ALLOW, 403, 403, 403, 403),
    "training:term_edit":               _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_pool("pool_term")),
    "training:relaxation_new":          _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_reserve),
    "training:followup_new":            _row(LOGIN, ALLOW, ALLOW, 403, 403, 403, 404, kwargs=_reserve),
    "training:mentor_pair":             _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_reserve),
    "training:mentor_list":             _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "training:mentor_unpaired":         _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    # Cultivation: tasks, meetings attended, courses and the rotation subsidy, talks, the mentor's desk.
    "cultivation:task_new":             _row(LOGIN, ALLOW, ALLOW, 403, 403, ALLOW, 404, kwargs=_reserve_pk),
    "cultivation:task_detail":          _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, ALLOW, 404, kwargs=_pool("task")),
    "cultivation:task_overdue":         _row(LOGIN, ALLOW, ALLOW, 403, 403, ALLOW, ALLOW),
    "cultivation:meeting_new":          _row(LOGIN, ALLOW, ALLOW, 403, 403, 403, 404, kwargs=_reserve_pk),
    "cultivation:course_list":          _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "cultivation:course_new":           _row(LOGIN, 403, ALLOW, 403, 403, 403, 403),
    "cultivation:course_detail":        _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403, kwargs=_pool("course")),
    "cultivation:enrolment_edit":       _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_pool("enrolment")),
    "cultivation:subsidy_detail":       _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 404, kwargs=_pool("enrolment")),
    "cultivation:subsidy_pdf":          _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 404, kwargs=_subsidy_month),
    "cultivation:mentor_desk":          _row(LOGIN, 403, 403, ALLOW, 403, ALLOW, 403),
    "cultivation:talk_overdue":         _row(LOGIN, 403, ALLOW, ALLOW, 403, ALLOW, 403),
    "cultivation:talk_missing":         _row(LOGIN, 403, ALLOW, ALLOW, 403, ALLOW, 403),
    "cultivation:talk_list":            _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, ALLOW, 404, kwargs=_reserve),
    "cultivation:talk_new":             _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, ALLOW, 404, kwargs=_reserve),
    "cultivation:due_talk_new":         _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_reserve),
    # Assessment (考核): the office runs the rounds, the committee reads; a village branch, a mentor and a unit's
    # head give their own scores on the assessment of a reserve they see (the unit does not see village A's: 404).
    "assessment:round_list":            _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "assessment:round_new":             _row(LOGIN, 403, ALLOW, 403, 403, 403, 403),
    "assessment:scheme":                _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "assessment:round_detail":          _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403, kwargs=_pool("assessment_round")),
    "assessment:round_add":             _row(LOGIN, 403, 405, 403, 403, 403, 403,
                                             kwargs=_pool("assessment_round")),  # POST only
    "assessment:round_action":          _row(LOGIN, 403, 405, 403, 403, 403, 403,
                                             kwargs=_pool_action("assessment_round", "confirm_round")),  # POST only
    "assessment:assessment_edit":       _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, ALLOW, 404, kwargs=_pool("assessment")),
    "assessment:assessment_action":     _row(LOGIN, 403, 405, 403, 403, 403, 403,
                                             kwargs=_pool_action("assessment", "submit_assessment")),  # POST only
    "assessment:mine":                  _row(LOGIN, ALLOW, 403, 403, 403, ALLOW, ALLOW),
    "assessment:assessment_veto":       _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_pool("assessment")),
    # Removal proposals (调整出库): the office proposes, the committee approves or rejects.
    "assessment:adjustment_list":       _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "assessment:adjustment_detail":     _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403, kwargs=_pool("adjustment")),
    "assessment:adjustment_action":     _row(LOGIN, 403, 405, 405, 403, 403, 403,
                                             kwargs=_pool_action("adjustment", "approve_adjustment")),  # POST only
    "assessment:adjustment_new":        _row(LOGIN, 403, ALLOW, 403, 403, 403, 403, kwargs=_reserve_pk),
    # The one-person file (一人一档): the office and the committee; the ZIP of many, the office.
    "dossier:dossier":                  _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403, kwargs=_reserve),
    "dossier:dossier_pdf":              _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403, kwargs=_reserve),
    "dossier:dossier_zip":              _row(LOGIN, 403, ALLOW, 403, 403, 403, 403),
    # Priority lists (优先使用), 入党积极分子 candidates, 两委 vacancies (village A's).
    "assessment:priority_list":         _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "assessment:priority_use":          _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "assessment:priority_training":     _row(LOGIN, 403, ALLOW, ALLOW, 403, 403, 403),
    "assessment:priority_pdf":          _row(LOGIN, 403, 405, 405, 403, 403, 403),  # POST only (starts a job)
    "assessment:activist_list":         _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403, 403),
    "assessment:vacancy_list":          _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403, 403),
    "assessment:vacancy_new":           _row(LOGIN, ALLOW, ALLOW, 403, 403, 403, 403),
    "assessment:vacancy_detail":        _row(LOGIN, ALLOW, ALLOW, ALLOW, 403, 403, 403, kwargs=_pool("vacancy")),
    "assessment:vacancy_fill":          _row(LOGIN, 403, 405, 403, 403, 403, 403, kwargs=_pool("vacancy")),  # POST only
    # The admin: its index sends an anonymous visitor, and a signed-in non-staff user, to the
    # admin's sign-in page.
    "admin:index":                      _row(ADMIN_LOGIN, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
    "admin:login":                      _row(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW, ALLOW),
}

ADMIN_KEPT = {"admin:index", "admin:login"}


def _walk(patterns, namespace=None, route=""):
    """(name, route, callback) of every URL pattern, through includes."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, ns, route + str(p.pattern))
        elif isinstance(p, URLPattern):
            full_route = route + str(p.pattern)
            if p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
            else:
                name = f"<unnamed {full_route}>"
            yield name, full_route, p.callback


def _project_patterns():
    """The patterns under test: all of them except the admin's own, but for its index and login."""
    found = []
    for name, route, callback in _walk(get_resolver().url_patterns):
        if (route.startswith("admin/") or name.startswith("admin:")) and name not in ADMIN_KEPT:
            continue
        found.append((name, route, callback))
    return found


def test_every_url_has_a_row():
    names = [name for name, _route, _cb in _project_patterns()]
    assert len(names) == len(set(names)), f"duplicate URL names: {sorted(n for n in names if names.count(n) > 1)}"
    assert set(names) == set(TABLE), (
        f"URLs without a row: {sorted(set(names) - set(TABLE))}; rows without a URL: {sorted(set(TABLE) - set(names))}"
    )


def test_admin_index_and_login_are_walked():
    names = {name for name, _route, _cb in _project_patterns()}
    assert ADMIN_KEPT <= names


def test_only_the_allow_list_is_marked_public():
    """A view opts out of the login requirement only if it is on the allow-list (and every listed one does)."""
    public = {name for name, _route, cb in _project_patterns() if not getattr(cb, "login_required", True)}
    assert public == PUBLIC


def test_the_table_lets_anonymous_in_only_on_the_allow_list():
    anonymous_allowed = {
        name for name, row in TABLE.items() if row["expect"]["anonymous"] not in (LOGIN, ADMIN_LOGIN)
    }
    assert anonymous_allowed == PUBLIC


_CONVERTER_SAMPLE = {"int": "1", "slug": "x", "str": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}


def _sample_path(route):
    """A concrete path for a route, with a sample value for each converter (the view is never reached)."""
    def sample(match):
        converter = match.group(1) or "str"
        assert converter in _CONVERTER_SAMPLE, f"no sample value for <{converter}:...> in {route}"
        return _CONVERTER_SAMPLE[converter]

    assert not route.startswith("^"), f"regex pattern {route}: give it a sample path in this test"
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", sample, route)


def test_anonymous_get_of_every_url_goes_to_a_sign_in_page(client, db):
    """For every pattern, with or without a row in the table: an anonymous GET is sent to sign in,
    except on the allow-list. (The middleware answers before the view, so any id will do.)"""
    wrong = []
    for name, route, _callback in _project_patterns():
        path = _sample_path(route)
        response = client.get(path)
        location = urlsplit(response.get("Location", ""))
        if name in PUBLIC:
            # Served without signing in: the page, or 404 for an object that does not exist.
            ok = response.status_code in (200, 404) and "Location" not in response
        else:
            login = reverse("admin:login") if name in ADMIN_KEPT else _login_path()
            ok = (response.status_code == 302 and location.path == login
                  and parse_qs(location.query).get("next") == [path])
        if not ok:
            wrong.append(f"{name} {path}: {response.status_code} {response.get('Location', '')}")
        # Not response.close(): the test client has closed the response already, and closing it again
        # sends request_finished, which closes the test's connection on PostgreSQL (the next view that
        # reads the database would answer 500). A streamed body is closed by reading it to the end.
        if response.streaming:
            b"".join(response.streaming_content)
    assert not wrong, "anonymous GET not sent to sign in:\n" + "\n".join(wrong)


# The town, its people, village A's nomination and the objects the URLs name (above) are made once for the whole
# module: in a transaction rolled back after its last test, each test running in a savepoint of its own inside it
# (tests.helpers.rows_made_once), so that what a view changes is undone after each test.

def make_users(town, village, department) -> dict:
    """One user of each role of the table, in the town (the village's branch, the department's clerk)."""
    return {
        "village": UserFactory(username="cun_a", town=town, village=village, role=Role.VILLAGE),
        "office": UserFactory(username="office", town=town, role=Role.OFFICE),
        "committee": UserFactory(username="committee", town=town, role=Role.COMMITTEE),
        "department": UserFactory(username="dept_x", town=town, department=department, role=Role.DEPARTMENT),
        "mentor": UserFactory(username="mentor", town=town, role=Role.MENTOR),
        "unit": UserFactory(username="unit_a", town=town, unit=UnitFactory(town=town, name="农业服务中心"),
                            role=Role.UNIT),
    }


def make_objs(*, round_, village, users) -> dict:
    """The objects the URLs name: village A's nomination (with an ID-card copy) beside the town's people (`users`,
    by role); the vetting, inspection and publicity objects are made on first use (the functions above)."""
    nomination = NominationFactory(round=round_, village=village, created_by=users["village"],
                                   id_card_copy=png_upload())
    return {"town": village.town, "round": round_, "village": village, "nomination": nomination, "users": users}


@pytest.fixture(autouse=True)
def fields_checked_against_crispy(monkeypatch):
    """Every form field a page of the table renders through reserve.templatetags.crispy_fast (crispy's
    as_crispy_field built in Python) is also rendered by crispy's own template and must give the same HTML:
    every form page, for every role, with the objects it is made for."""
    from crispy_forms.templatetags import crispy_forms_filters
    from django.test.html import parse_html

    from reserve.templatetags import crispy_fast

    fast_field = crispy_fast.fast_field
    checked = []

    def checking(field):
        html = fast_field(field)
        if html is not None:
            crispy = crispy_forms_filters.as_crispy_field(field)
            assert parse_html(str(html)) == parse_html(str(crispy)), f"{field.name}:\n{html}\n---\n{crispy}"
            checked.append(field.name)
        return html

    monkeypatch.setattr(crispy_fast, "fast_field", checking)
    return checked


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    """The uploaded files (the ID-card copy of the rows made once), for every test of the module."""
    return tmp_path_factory.mktemp("urls-media")


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker, media_root):
    with rows_made_once(django_db_blocker, media_root):
        town = TownFactory(name="青山镇")
        village_a = VillageFactory(town=town, name="东山村")
        dept_x = DepartmentFactory(town=town, name="纪委")
        round_ = RoundFactory(town=town)
        objs = make_objs(round_=round_, village=village_a, users=make_users(town, village_a, dept_x))
        for make in (_vetting_request_obj, _finding_obj, _paper_request_obj, _session_obj, _meeting_obj, _notice_obj):
            make(objs)
        yield objs


@pytest.fixture
def town(made):
    return made["town"]


@pytest.fixture
def objs(made):
    return dict(made)


def _login_path():
    return resolve_url(settings.LOGIN_URL)


def _check(response, expected, path, role):
    status = response.status_code
    location = response.get("Location", "")
    if expected in (LOGIN, ADMIN_LOGIN):
        assert status == 302, f"{role} GET {path}: {status}, expected a redirect to the sign-in page"
        parts = urlsplit(location)
        login = _login_path() if expected == LOGIN else reverse("admin:login")
        assert parts.path == login, f"{role} GET {path} redirected to {location}"
        assert parse_qs(parts.query).get("next") == [path]
    elif expected == ALLOW:
        assert status in (200, 302), f"{role} GET {path}: {status}"
        if status == 302:
            parts = urlsplit(location)
            assert not parts.scheme and not parts.netloc and parts.path.startswith("/"), (
                f"{role} GET {path} redirected off site: {location}"
            )
            if role != "anonymous":
                assert parts.path != _login_path(), f"signed-in {role} GET {path} sent to the sign-in page"
    else:
        assert status == expected, f"{role} GET {path}: {status}, expected {expected}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_role_answers_get(client, objs, name, role):
    row = TABLE[name]
    path = reverse(name, kwargs=row["kwargs"](objs, role))
    if role != "anonymous":
        client.force_login(objs["users"][role])
    response = client.get(path)
    try:
        _check(response, row["expect"][role], path, role)
    finally:
        close_response(response)  # not response.close(): it would close the connection, and the module's rows


def test_request_detail_of_another_department_is_404(client, objs, dept_y_user):
    """A department of the same town opens only the requests sent to it: another's is a 404, not a 403."""
    req = _vetting_request_obj(objs)
    assert req.department_id != dept_y_user.department_id
    client.force_login(dept_y_user)
    for name, kwargs in (("vetting:request_detail", {"pk": req.pk}),
                         ("vetting:finding_attachment", _finding(objs, "department"))):
        # Not response.close(): the test client has closed it, and a second close would close the
        # test's database connection (on PostgreSQL) before the next request.
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 404, f"{name}: {response.status_code}"


@pytest.mark.parametrize("name", ["login", "admin:login"])  # the public notice pages are rows of TABLE
def test_public_pages_answer_200_to_anonymous(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200


def test_login_page_redirect_keeps_the_query_string(client, db):
    """The next= of the redirect is the full path, so the user lands where they were going."""
    path = reverse("candidates:nomination_list") + "?status=draft"
    response = client.get(path)
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.path == _login_path()
    assert parse_qs(parts.query)["next"] == [path]


def test_form_fields_are_checked_against_crispys_template(client, objs, fields_checked_against_crispy):
    """The check above runs: a form page's fields go through it (a page without a form would prove nothing)."""
    client.force_login(objs["users"]["office"])
    assert client.get(reverse("round_new")).status_code == 200
    assert len(fields_checked_against_crispy) >= 10
