"""Issue 9 in the inspection stage: dates tell the truth (talks, meetings, decisions), a meeting's attendance and
quorum, the inspection complete before the committee, a repeated appraisal only for a recorded reason, the quota
checked where the committee approves, what the committee reads before deciding, and the documents as A4 PDFs."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from candidates import services as nomination_services
from candidates.eligibility import Applicant, evaluate
from candidates.models import Status
from inspection import documents
from inspection import services as inspection_services
from inspection.models import AppraisalSession, CommitteeDecision, Talk
from inspection.selectors import appraisal_results, quorum_met
from reserve.exceptions import ActionRefused
from reserve.models import AuditEntry
from tests.factories import (
    NominationFactory,
    PersonFactory,
    ReserveFactory,
    RoundFactory,
    complete_inspection,
    meeting_for,
    propose_nomination,
)
from tests.helpers import events_of, page, pdf_text, reload, today

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def nomination(round_, village_a):
    return NominationFactory(round=round_, village=village_a, inspection=True, person=PersonFactory(name="王小明"))


def talk(office, nomination, category="committee", day=None):
    return inspection_services.talk_add(actor=office, nomination_id=nomination.pk, date=day or today(), place="村部",
                                        talkers="赵、钱", interviewee="孙", category=category, content="好。")


def session_for(office, nomination, *, day=None, party=20, villager=10, committee=5, **kw):
    return inspection_services.session_create(actor=office, round_=nomination.round, village=nomination.village,
                                              date=day or today(), place="村部", entitled_party_member=party,
                                              entitled_villager_rep=villager, entitled_committee=committee, **kw)


PASSING = {"party_member": (20, 18, 17, [10, 4, 2, 1]), "villager_rep": (10, 9, 9, [5, 3, 1, 0]),
           "committee": (5, 5, 5, [3, 2, 0, 0])}
FAILING = {"party_member": (20, 18, 17, [2, 3, 10, 2]), "villager_rep": (10, 9, 9, [1, 2, 6, 0]),
           "committee": (5, 5, 5, [1, 1, 3, 0])}


def tally(office, session, nomination, ballots):
    for category, (issued, returned, valid, counts) in ballots.items():
        inspection_services.tally_record(actor=office, session_id=session.pk, nomination_id=nomination.pk,
                                         category=category, issued=issued, returned=returned, valid=valid,
                                         counts=counts)


# =============================================================================== 2. dates and attendance

@pytest.mark.parametrize("which, delta, error", [
    ("start", -ONE_DAY, "不能早于本批次自荐报名开始日期"),
    ("start", datetime.timedelta(0), None),
    ("today", datetime.timedelta(0), None),
    ("today", ONE_DAY, "不能晚于今天"),
])
def test_a_talk_is_dated_within_its_round_and_not_after_today(office, nomination, which, delta, error):
    day = (nomination.round.nomination_start if which == "start" else today()) + delta
    if error is None:
        assert talk(office, nomination, day=day).date == day
        return
    with pytest.raises(ValidationError) as e:
        talk(office, nomination, day=day)
    assert error in " ".join(e.value.message_dict["date"])
    assert not Talk.objects.exists()


def test_the_talk_form_shows_the_date_refusal(client, office, nomination):
    client.force_login(office)
    day = nomination.round.nomination_start - ONE_DAY
    response = client.post(reverse("inspection:talk_new", args=[nomination.pk]), {
        "date": day.isoformat(), "place": "村部", "talkers": "赵", "interviewee": "孙", "category": "committee",
        "content": "好。"})
    assert response.status_code == 200
    assert "谈话时间不能早于本批次自荐报名开始日期" in page(response)
    assert not Talk.objects.exists()


@pytest.mark.parametrize("day, total, present, names, error", [
    ("today", 5, 4, 4, None),
    ("today", 5, 3, 3, None),                  # below the quorum: recorded as it happened, but decides nothing
    ("tomorrow", 5, 4, 4, "date"),             # not in the future
    ("before_round", 5, 4, 4, "date"),
    ("today", 5, 6, 6, "members_present"),     # 实到 more than 应到
    ("today", 0, 0, 1, "members_total"),
    ("today", None, 4, 4, "members_total"),    # attendance not recorded
    ("today", 5, None, 4, "members_present"),
    ("today", 5, 4, 3, "attendees"),           # three names for four present
    ("today", 5, 4, 0, "attendees"),
])
def test_a_meeting_is_dated_truly_and_records_its_attendance(office, round_, day, total, present, names, error):
    date = {"today": today(), "tomorrow": today() + ONE_DAY,
            "before_round": round_.nomination_start - ONE_DAY}[day]
    attendees = "、".join(f"委员{i}" for i in range(names))
    make = lambda: inspection_services.meeting_create(  # noqa: E731
        actor=office, round_=round_, date=date, attendees=attendees, members_total=total, members_present=present)
    if error is None:
        meeting = make()
        assert (meeting.members_total, meeting.members_present) == (total, present)
        return
    with pytest.raises(ValidationError) as e:
        make()
    assert error in e.value.message_dict


@pytest.mark.parametrize("total, present, quorum, met", [
    (9, 6, (2, 3), True),
    (9, 5, (2, 3), False),
    (5, 4, (2, 3), True),
    (5, 3, (2, 3), False),   # 3/5 < 2/3
    (3, 2, (2, 3), True),    # exactly 2/3
    (4, 3, (3, 4), True),
    (4, 2, (1, 2), True),
    (4, 1, (1, 2), False),
])
def test_quorum_is_the_towns_share_of_members(town, office, total, present, quorum, met):
    r = RoundFactory(town=town, committee_quorum_numerator=quorum[0], committee_quorum_denominator=quorum[1])
    meeting = meeting_for(r, office, members_total=total, members_present=present)
    assert quorum_met(meeting) is met


def test_no_decision_without_a_quorum(office, committee, round_, nomination):
    proposed = propose_nomination(nomination, office)
    meeting = meeting_for(round_, committee, members_total=5, members_present=3)
    with pytest.raises(ActionRefused) as e:
        inspection_services.decide(actor=committee, meeting=meeting, nomination_id=proposed.pk, outcome="approve")
    assert "到会人数未达规定比例" in e.value.message and "应到委员5人，实到3人" in e.value.message
    assert reload(proposed).status == Status.PROPOSED and not CommitteeDecision.objects.exists()


def test_the_meeting_page_without_a_quorum_offers_no_decision(client, committee, round_, nomination, office):
    propose_nomination(nomination, office)
    meeting = meeting_for(round_, committee, members_total=5, members_present=3)
    client.force_login(committee)
    text = page(client.get(meeting.get_absolute_url()))
    assert 'id="no-quorum"' in text and "记录研究结果</button>" not in text


def test_a_meeting_decides_only_on_candidates_proposed_by_its_date(office, committee, round_, nomination):
    proposed = propose_nomination(nomination, office)  # proposed today
    earlier = meeting_for(round_, committee, date=today() - ONE_DAY)
    with pytest.raises(ActionRefused) as e:
        inspection_services.decide(actor=committee, meeting=earlier, nomination_id=proposed.pk, outcome="approve")
    assert "晚于本次会议日期" in e.value.message
    assert reload(proposed).status == Status.PROPOSED

    same_day = meeting_for(round_, committee, date=today())
    decision = inspection_services.decide(actor=committee, meeting=same_day, nomination_id=proposed.pk,
                                          outcome="approve")
    assert reload(proposed).status == Status.APPROVED
    # The decision is dated by its meeting.
    assert decision.date == same_day.date
    assert events_of(proposed, "approve")[-1].data["meeting_date"] == f"{same_day.date:%Y-%m-%d}"


# =============================================================================== 5. inspection complete

def build(office, nomination, parts):
    """The inspection with only `parts` done: talks ("talks": all four; "talks-3": no 退职村干部), the appraisal
    ("appraisal": passing; "appraisal-failed"; "appraisal-no-villagers": party members and committee only), the
    report."""
    if "talks" in parts:
        for c in ("committee", "former_cadre", "party_rep", "masses_rep"):
            talk(office, nomination, c)
    if "talks-3" in parts:
        for c in ("committee", "party_rep", "masses_rep"):
            talk(office, nomination, c)
    if "appraisal" in parts:
        tally(office, session_for(office, nomination), nomination, PASSING)
    if "appraisal-failed" in parts:
        tally(office, session_for(office, nomination), nomination, FAILING)
    if "appraisal-no-villagers" in parts:
        s = session_for(office, nomination, villager=0)
        tally(office, s, nomination, {k: v for k, v in PASSING.items() if k != "villager_rep"})
    if "report" in parts:
        inspection_services.report_save(actor=office, nomination_id=nomination.pk, text="考察材料正文。")


@pytest.mark.parametrize("parts, missing", [
    ({"appraisal", "report"}, ["尚未记录个别谈话。"]),
    ({"talks-3", "appraisal", "report"}, ["个别谈话尚缺以下对象类别：退职村干部。"]),
    ({"talks", "report"}, ["尚未录入民主测评结果。"]),
    ({"talks", "appraisal-no-villagers", "report"}, ["缺少以下投票人类别的测评票：村民代表。"]),
    ({"talks", "appraisal-failed", "report"}, ["最近一次民主测评未达到通过条件"]),
    ({"talks", "appraisal"}, ["尚未起草考察材料。"]),
    (set(), ["尚未记录个别谈话。", "尚未录入民主测评结果。", "尚未起草考察材料。"]),  # all of it, at once
    ({"talks", "appraisal", "report"}, []),
])
def test_propose_needs_the_inspection_complete(office, nomination, parts, missing):
    build(office, nomination, parts)
    if not missing:
        nomination_services.perform(actor=office, nomination_id=nomination.pk, action="propose")
        assert reload(nomination).status == Status.PROPOSED
        return
    with pytest.raises(ActionRefused) as e:
        nomination_services.perform(actor=office, nomination_id=nomination.pk, action="propose")
    for text in missing:
        assert text in e.value.message
    assert reload(nomination).status == Status.INSPECTION


def test_the_round_names_the_talk_and_voter_categories_it_requires(office, town, village_a):
    r = RoundFactory(town=town, required_talk_categories=["committee"], required_appraisal_categories=["party_member"])
    n = NominationFactory(round=r, village=village_a, inspection=True)
    talk(office, n, "committee")
    s = session_for(office, n, villager=0, committee=0)
    tally(office, s, n, {"party_member": PASSING["party_member"]})
    inspection_services.report_save(actor=office, nomination_id=n.pk, text="考察材料正文。")
    nomination_services.perform(actor=office, nomination_id=n.pk, action="propose")
    assert reload(n).status == Status.PROPOSED


# --------------------------------------------------------------------------- a repeated appraisal

def test_a_second_session_needs_the_offices_reason_and_both_stay_on_record(client, office, nomination, village_b):
    first = session_for(office, nomination, day=today() - ONE_DAY)
    tally(office, first, nomination, FAILING)
    with pytest.raises(ValidationError) as e:
        session_for(office, nomination)
    assert "再次测评须填写理由" in " ".join(e.value.message_dict["repeat_reason"])
    assert AppraisalSession.objects.count() == 1

    second = session_for(office, nomination, repeat_reason="首次测评时正值农忙，参评率偏低，经镇党委同意重新测评。")
    assert second.repeat_reason.startswith("首次测评时正值农忙")
    (event,) = events_of_session(second)
    assert event.action == "session_repeat" and event.reason == second.repeat_reason
    assert event.data["earlier"] == [first.pk]
    assert AuditEntry.objects.filter(detail__event="session_repeat").exists()
    # Another village's first session needs no reason.
    other = inspection_services.session_create(actor=office, round_=nomination.round, village=village_b,
                                               date=today(), place="村部", entitled_party_member=3)
    assert other.repeat_reason == ""

    tally(office, second, nomination, PASSING)
    assert [s.pk for s, _r in appraisal_results(nomination)] == [second.pk, first.pk]  # both, newest first
    draft = documents.draft_report(nomination, appraisal_results(nomination), list(nomination.talks.all()))
    assert "共组织民主测评2次" in draft and "第1次：" in draft and "第2次：" in draft
    assert "未达到通过条件。" in draft and "再次测评理由：首次测评时正值农忙" in draft
    # The printed 考察材料 carries both sessions, whatever the office's text says.
    inspection_services.report_save(actor=office, nomination_id=nomination.pk, text="考察材料正文。")
    client.force_login(office)
    text = pdf_text(client.get(reverse("inspection:report_print", args=[nomination.pk])).content).replace("\n", "")
    assert "附：民主测评记录（共2次）" in text and "再次测评理由：首次测评时正值农忙" in text


def events_of_session(session):
    from django.contrib.contenttypes.models import ContentType

    from reserve.models import Event

    return list(Event.objects.filter(content_type=ContentType.objects.get_for_model(AppraisalSession),
                                     object_id=session.pk))


@pytest.mark.parametrize("first, second, may_propose", [
    (FAILING, PASSING, True),    # the latest counts, the failed one stays on record
    (PASSING, FAILING, False),
])
def test_the_latest_session_counts(office, nomination, first, second, may_propose):
    build(office, nomination, {"talks", "report"})
    tally(office, session_for(office, nomination, day=today() - ONE_DAY), nomination, first)
    tally(office, session_for(office, nomination, repeat_reason="重新测评。"), nomination, second)
    refusal = inspection_services.guard_propose(nomination, office, today())
    assert (refusal is None) is may_propose


def test_the_session_form_asks_for_the_reason_of_a_second_session(client, office, nomination):
    session_for(office, nomination)
    client.force_login(office)
    data = {"village": nomination.village_id, "date": today().isoformat(), "place": "村部",
            "options": "优秀、称职、基本称职、不称职", "pass_options": "2", "entitled_party_member": "20",
            "entitled_villager_rep": "10", "entitled_committee": "5"}
    response = client.post(reverse("inspection:session_new"), data)
    assert response.status_code == 200 and "再次测评须填写理由" in page(response)
    assert AppraisalSession.objects.count() == 1
    response = client.post(reverse("inspection:session_new"), data | {"repeat_reason": "首次测评无效。"})
    assert response.status_code == 302
    assert "再次测评理由：首次测评无效。" in page(client.get(response.url))


# =============================================================================== 6. the quota at approval

def fill_pool(round_, village, n, *, earlier_round=True):
    """n people of the village in the pool, from an earlier round of the town."""
    source = RoundFactory(town=round_.town, year=round_.year - 2, closed=True) if earlier_round else round_
    for _i in range(n):
        nomination = NominationFactory(round=source, village=village, reserve=True)
        # In the pool: the quota counts the pool's active village reserves (training's counter).
        ReserveFactory(town=round_.town, village=village, person=nomination.person, nomination=nomination,
                       round=source)


@pytest.mark.parametrize("in_pool, approved_already, needs_reason", [
    (0, 0, False),
    (2, 0, False),   # target 3 (2 + the woman: the village's 两委 has no young woman): one place left
    (3, 0, True),    # the pool of an earlier round has filled it
    (2, 1, True),    # one approved this round, on the way into the pool
])
def test_approving_beyond_the_villages_places_needs_a_reason(office, committee, round_, village_a, nomination,
                                                            in_pool, approved_already, needs_reason):
    fill_pool(round_, village_a, in_pool)
    for _i in range(approved_already):
        NominationFactory(round=round_, village=village_a, approved=True)
    proposed = propose_nomination(nomination, office)
    meeting = meeting_for(round_, committee)
    if not needs_reason:
        inspection_services.decide(actor=committee, meeting=meeting, nomination_id=proposed.pk, outcome="approve")
        assert reload(proposed).status == Status.APPROVED
        return
    with pytest.raises(inspection_services.QuotaExceeded) as e:
        inspection_services.decide(actor=committee, meeting=meeting, nomination_id=proposed.pk, outcome="approve")
    assert "推选名额3名" in e.value.message and "剩余0名" in e.value.message
    assert f"已入库{in_pool}名" in e.value.message and f"已同意待入库{approved_already}名" in e.value.message
    assert reload(proposed).status == Status.PROPOSED and not CommitteeDecision.objects.exists()

    decision = inspection_services.decide(actor=committee, meeting=meeting, nomination_id=proposed.pk,
                                          outcome="approve", quota_reason="该村产业发展需要，经党委会议研究同意。")
    assert reload(proposed).status == Status.APPROVED
    assert decision.quota_reason.startswith("该村产业发展需要")
    assert decision.quota_numbers["remaining"] == 0 and decision.quota_numbers["target"] == 3
    event = events_of(proposed, "approve")[-1]
    assert event.data["over_quota"]["reserves"] == in_pool and event.data["quota_reason"] == decision.quota_reason


def test_rejecting_needs_no_quota_reason(office, committee, round_, village_a, nomination):
    fill_pool(round_, village_a, 3)
    proposed = propose_nomination(nomination, office)
    inspection_services.decide(actor=committee, meeting=meeting_for(round_, committee), nomination_id=proposed.pk,
                               outcome="reject", reason="群众基础较弱。")
    assert reload(proposed).status == Status.REJECTED


def test_the_meeting_page_warns_of_the_quota_and_asks_the_reason(client, office, committee, round_, village_a,
                                                               nomination):
    fill_pool(round_, village_a, 3)
    proposed = propose_nomination(nomination, office)
    meeting = meeting_for(round_, committee)
    client.force_login(committee)
    text = page(client.get(meeting.get_absolute_url()))
    assert "东山村推选名额3名" in text and "同意将超出名额，须填写理由" in text
    response = client.post(meeting.get_absolute_url(), {"nomination": proposed.pk, "outcome": "approve"})
    assert response.status_code == 200 and "请填写超出名额的理由" in page(response)
    assert reload(proposed).status == Status.PROPOSED
    response = client.post(meeting.get_absolute_url(), {"nomination": proposed.pk, "outcome": "approve",
                                                        "quota_reason": "确有需要。"})
    assert response.status_code == 302
    assert reload(proposed).status == Status.APPROVED
    assert "下一步：由组织办发布公示" in page(client.get(response.url))


# =============================================================================== 4. what the committee reads

def test_the_meeting_page_shows_current_conditions_and_the_vetting_result(client, office, committee, round_,
                                                                         nomination, dept_x):
    from vetting.models import VettingRequest

    VettingRequest.objects.create(nomination=nomination, department=dept_x, deadline=today(),
                                  status=VettingRequest.Status.LOCKED, signed_by=office)
    proposed = propose_nomination(nomination, office)
    meeting = meeting_for(round_, committee)
    client.force_login(committee)
    text = page(client.get(meeting.get_absolute_url()))
    for rule in evaluate(Applicant.from_nomination(proposed), proposed.round).rules:
        assert rule.message in text
    assert "1个部门，已答复1个，均无问题。联审通过。" in text
    assert 'data-confirm="研究结果记录后不能修改' in text
    assert "应到委员5人，实到4人" in text


def test_the_meeting_page_shows_a_condition_no_longer_met(client, office, committee, round_, village_a):
    proposed = propose_nomination(NominationFactory(round=round_, village=village_a, inspection=True), office)
    # Since proposed, the person no longer meets the age condition (e.g. a corrected birth date).
    proposed.person.birth_date = today().replace(year=today().year - 60, day=1)
    proposed.person.save()
    client.force_login(committee)
    text = page(client.get(meeting_for(round_, committee).get_absolute_url()))
    assert "不符合" in text and "未发起资格联审。" in text
    assert proposed.person.name in text


# =============================================================================== 19. the documents as A4 PDFs

A4 = (595, 842)


def page_size(pdf: bytes) -> tuple[int, int]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


@pytest.mark.parametrize("name, landscape", [("ballot", False), ("tally_sheet", True)])
def test_ballot_and_tally_sheet_are_a4_pdfs(client, office, nomination, name, landscape):
    session = session_for(office, nomination)
    tally(office, session, nomination, PASSING)
    client.force_login(office)
    response = client.get(reverse(f"inspection:{name}", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert page_size(response.content) == (A4[::-1] if landscape else A4)
    assert "王小明" in pdf_text(response.content)


def test_the_report_is_an_a4_pdf_and_its_draft_has_no_stray_spaces(client, office, nomination):
    complete_inspection(nomination, office)
    draft = documents.draft_report(nomination, appraisal_results(nomination), list(nomination.talks.all()))
    assert " " not in draft and "  " not in draft
    client.force_login(office)
    response = client.get(reverse("inspection:report_print", args=[nomination.pk]))
    assert response["Content-Type"] == "application/pdf" and page_size(response.content) == A4
    assert AuditEntry.objects.filter(detail__file="inspection_report_pdf").exists()


# --------------------------------------------------------------------------- found by the attack on issue 9

def test_an_appraisal_session_is_dated_within_its_round_and_not_after_today(office, village_a):
    round_ = RoundFactory(town=village_a.town)
    today = datetime.date.today()
    for day, words in ((today + datetime.timedelta(days=1), "不能晚于今天"),
                       (round_.nomination_start - datetime.timedelta(days=1), "不能早于本批次自荐报名开始日期")):
        with pytest.raises(ValidationError) as refused:
            inspection_services.session_create(actor=office, round_=round_, village=village_a, date=day, place="村部",
                                     entitled_party_member=10, entitled_villager_rep=5, entitled_committee=3,
                                     today=today)
        assert words in str(refused.value)


def test_a_name_listed_twice_is_not_two_members_present(office, village_a):
    round_ = RoundFactory(town=village_a.town)
    with pytest.raises(ValidationError) as refused:
        inspection_services.meeting_create(actor=office, round_=round_, date=round_.nomination_start, attendees="甲、甲、甲、甲",
                                 members_total=5, members_present=4)
    assert "重复的姓名：甲" in str(refused.value)
