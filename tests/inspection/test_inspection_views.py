"""The pages of 组织考察 and 镇党委研究确定: who may open and do what, the appraisal tally's refusals
(nothing saved), the wording of a valid tally, the committee's decision, and the printed ballot."""

import datetime

import pytest
from django.urls import reverse

from candidates.models import Status
from candidates.selectors import nomination_timeline
from inspection import services as inspection_services
from inspection.models import AppraisalSession, CommitteeDecision, CommitteeMeeting, InspectionReport, Talk, Tally
from tests.factories import NominationFactory, PersonFactory, VillageFactory, complete_inspection, meeting_for
from tests.helpers import page, pdf_text, today

pytestmark = pytest.mark.django_db

# A day of the round (RoundFactory's nomination began ten days ago), not after today.
DAY = today() - datetime.timedelta(days=2)
ISO = DAY.isoformat()


# --------------------------------------------------------------------------- helpers

def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def nomination(round_, village_a):
    return NominationFactory(round=round_, village=village_a, inspection=True,
                             person=PersonFactory(name="王小明"))


@pytest.fixture
def session(office, round_, village_a):
    return inspection_services.session_create(actor=office, round_=round_, village=village_a, date=DAY,
                                              place="村部会议室", entitled_party_member=20, entitled_villager_rep=10,
                                              entitled_committee=5)


def tally_post(**categories):
    """A tally POST: categories maps a voter category to (issued, returned, valid, [counts])."""
    data = {}
    for category, (issued, returned, valid, counts) in categories.items():
        data[f"{category}-issued"] = str(issued)
        data[f"{category}-returned"] = str(returned)
        data[f"{category}-valid"] = str(valid)
        for i, c in enumerate(counts):
            data[f"{category}-count_{i}"] = str(c)
    return data


def record_passing_tally(office, session, nomination):
    """Every voter category recorded: 32 of 35 entitled returned, 27 of 31 valid 优秀+称职."""
    for category, (issued, returned, valid, counts) in {
        "party_member": (20, 18, 17, [10, 4, 2, 1]),
        "villager_rep": (10, 9, 9, [5, 3, 1, 0]),
        "committee": (5, 5, 5, [3, 2, 0, 0]),
    }.items():
        inspection_services.tally_record(actor=office, session_id=session.pk, nomination_id=nomination.pk,
                              category=category, issued=issued, returned=returned, valid=valid, counts=counts)


# --------------------------------------------------------------------------- access

def test_inspection_page_by_role(client, nomination, office, committee, village_a_user, dept_x_user, other_office):
    url = reverse("inspection:inspection", args=[nomination.pk])
    response = as_user(client, office).get(url)
    assert response.status_code == 200
    assert "尚未记录个别谈话。" in page(response)  # the guard_propose refusal
    assert reverse("inspection:talk_new", args=[nomination.pk]) in page(response)
    assert reverse("inspection:report_edit", args=[nomination.pk]) in page(response)

    response = as_user(client, committee).get(url)
    assert response.status_code == 200
    assert reverse("inspection:talk_new", args=[nomination.pk]) not in page(response)  # the committee only reads

    assert as_user(client, village_a_user).get(url).status_code == 403
    assert as_user(client, dept_x_user).get(url).status_code == 403
    assert as_user(client, other_office).get(url).status_code == 404


def test_inspection_page_hides_edit_links_after_inspection(client, round_, village_a, office):
    n = NominationFactory(round=round_, village=village_a, proposed=True)
    response = as_user(client, office).get(reverse("inspection:inspection", args=[n.pk]))
    assert response.status_code == 200
    assert reverse("inspection:talk_new", args=[n.pk]) not in page(response)


@pytest.mark.parametrize("name", ["talk_new", "report_edit"])
def test_office_only_writes(client, name, nomination, committee, village_a_user, other_office):
    url = reverse(f"inspection:{name}", args=[nomination.pk])
    assert as_user(client, committee).get(url).status_code == 403
    assert as_user(client, village_a_user).get(url).status_code == 403
    assert as_user(client, other_office).get(url).status_code == 404
    assert as_user(client, other_office).post(url, {}).status_code == 404


def test_session_pages_by_role(client, session, nomination, office, committee, village_a_user, dept_x_user,
                               other_office):
    for name, args in [("session_list", []), ("session_detail", [session.pk]), ("ballot", [session.pk]),
                       ("tally_sheet", [session.pk])]:
        url = reverse(f"inspection:{name}", args=args)
        assert as_user(client, office).get(url).status_code == 200, name
        assert as_user(client, committee).get(url).status_code == 200, name
        assert as_user(client, village_a_user).get(url).status_code == 403, name
        assert as_user(client, dept_x_user).get(url).status_code == 403, name
    for name in ("session_detail", "ballot", "tally_sheet"):
        assert as_user(client, other_office).get(reverse(f"inspection:{name}", args=[session.pk])).status_code == 404
    # The other town's office sees an empty list, not this town's session.
    assert "村部会议室" not in page(as_user(client, other_office).get(reverse("inspection:session_list")))

    tally_url = reverse("inspection:tally_edit", args=[session.pk, nomination.pk])
    assert as_user(client, office).get(tally_url).status_code == 200
    assert as_user(client, committee).get(tally_url).status_code == 403
    assert as_user(client, other_office).get(tally_url).status_code == 404
    assert as_user(client, committee).get(reverse("inspection:session_new")).status_code == 403


def test_tally_of_a_nomination_of_another_village_is_404(client, session, round_, village_b, office):
    elsewhere = NominationFactory(round=round_, village=village_b, inspection=True)
    url = reverse("inspection:tally_edit", args=[session.pk, elsewhere.pk])
    assert as_user(client, office).get(url).status_code == 404


def test_meeting_pages_by_role(client, round_, office, committee, village_a_user, dept_x_user, other_office):
    meeting = meeting_for(round_, office, date=DAY)
    for name, args in [("meeting_list", []), ("meeting_new", []), ("meeting_detail", [meeting.pk])]:
        url = reverse(f"inspection:{name}", args=args)
        assert as_user(client, office).get(url).status_code == 200, name
        assert as_user(client, committee).get(url).status_code == 200, name
        assert as_user(client, village_a_user).get(url).status_code == 403, name
        assert as_user(client, dept_x_user).get(url).status_code == 403, name
    url = reverse("inspection:meeting_detail", args=[meeting.pk])
    assert as_user(client, other_office).get(url).status_code == 404
    assert as_user(client, other_office).post(url, {"nomination": "1", "outcome": "approve"}).status_code == 404


# --------------------------------------------------------------------------- talks and the report

def test_office_records_a_talk(client, nomination, office):
    url = reverse("inspection:talk_new", args=[nomination.pk])
    response = as_user(client, office).post(url, {
        "date": ISO, "place": "村部", "talkers": "赵组织委员、钱干事", "interviewee": "孙书记",
        "category": "committee", "content": "该同志工作积极。",
    })
    assert response.status_code == 302
    assert response.url == reverse("inspection:inspection", args=[nomination.pk])
    talk = Talk.objects.get(nomination=nomination)
    assert talk.interviewee == "孙书记" and talk.recorded_by == office
    assert "孙书记" in page(client.get(response.url))


def test_talk_with_bad_input_is_refused_without_500(client, nomination, office):
    url = reverse("inspection:talk_new", args=[nomination.pk])
    response = as_user(client, office).post(url, {"date": "not-a-date", "category": "nobody", "content": ""})
    assert response.status_code == 200
    assert not Talk.objects.exists()


def test_talk_refused_outside_inspection_shows_the_reason(client, round_, village_a, office):
    n = NominationFactory(round=round_, village=village_a, vetted=True)
    response = as_user(client, office).post(reverse("inspection:talk_new", args=[n.pk]), {
        "date": ISO, "place": "村部", "talkers": "赵", "interviewee": "孙", "category": "committee",
        "content": "好。",
    })
    assert response.status_code == 200
    assert "该人选不在组织考察阶段。" in page(response)
    assert not Talk.objects.exists()


def test_report_draft_save_and_print(client, nomination, office, committee, village_a_user, other_office):
    url = reverse("inspection:report_edit", args=[nomination.pk])
    response = as_user(client, office).get(url)
    assert response.status_code == 200
    assert "王小明同志考察材料" in page(response)  # the generated draft
    # Printing before anything is saved sends back to the inspection page.
    assert client.get(reverse("inspection:report_print", args=[nomination.pk])).status_code == 302

    response = client.post(url, {"text": "王小明同志考察材料\n\n第一段。\n第二段。", "inspectors": "赵、钱",
                                 "report_date": ISO})
    assert response.status_code == 302
    report = InspectionReport.objects.get(nomination=nomination)
    assert report.inspectors == "赵、钱" and report.report_date == DAY

    print_url = reverse("inspection:report_print", args=[nomination.pk])
    for user in (office, committee):
        response = as_user(client, user).get(print_url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "王小明同志考察材料" in text and "第二段。" in text
        assert f"{DAY.year}年{DAY.month}月{DAY.day}日" in text
    assert as_user(client, village_a_user).get(print_url).status_code == 403
    assert as_user(client, other_office).get(print_url).status_code == 404


def test_empty_report_is_refused(client, nomination, office):
    response = as_user(client, office).post(reverse("inspection:report_edit", args=[nomination.pk]),
                                            {"text": "   ", "report_date": "xx"})
    assert response.status_code == 200
    assert "考察材料不能为空。" in page(response)
    assert not InspectionReport.objects.exists()


# --------------------------------------------------------------------------- appraisal sessions

def test_office_creates_a_session(client, round_, village_a, office):
    response = as_user(client, office).post(reverse("inspection:session_new"), {
        "village": village_a.pk, "date": ISO, "place": "村部", "options": "优秀,称职、基本称职 不称职",
        "pass_options": "2", "entitled_party_member": "30", "entitled_villager_rep": "12", "entitled_committee": "5",
    })
    assert response.status_code == 302
    session = AppraisalSession.objects.get()
    assert session.options == ["优秀", "称职", "基本称职", "不称职"]
    assert session.round == round_ and session.entitled_party_member == 30
    assert response.url == reverse("inspection:session_detail", args=[session.pk])


@pytest.mark.parametrize("overrides, message", [
    ({"entitled_party_member": "-3"}, None),
    ({"entitled_party_member": "abc"}, None),
    ({"pass_options": "4"}, "计入通过票的选项数须小于选项总数。"),
    ({"options": "优秀"}, "至少需要两个评价选项。"),
    ({"village": "999999"}, None),
    ({"date": ""}, None),
])
def test_session_with_bad_input_is_refused(client, round_, village_a, office, overrides, message):
    data = {"village": village_a.pk, "date": ISO, "place": "村部", "options": "优秀、称职、基本称职、不称职",
            "pass_options": "2", "entitled_party_member": "30", "entitled_villager_rep": "12",
            "entitled_committee": "5", **overrides}
    response = as_user(client, office).post(reverse("inspection:session_new"), data)
    assert response.status_code == 200
    if message:
        assert message in page(response)
    assert not AppraisalSession.objects.exists()


def test_session_of_another_towns_village_is_refused(client, round_, office, other_town):
    foreign = VillageFactory(town=other_town)
    response = as_user(client, office).post(reverse("inspection:session_new"), {
        "village": foreign.pk, "date": ISO, "place": "村部", "options": "优秀、称职、基本称职、不称职",
        "pass_options": "2", "entitled_party_member": "30", "entitled_villager_rep": "0", "entitled_committee": "0",
    })
    assert response.status_code == 200
    assert not AppraisalSession.objects.exists()


def test_session_new_with_another_towns_round_is_404(client, office, other_office, round_):
    url = reverse("inspection:session_new") + f"?round={round_.pk}"
    assert as_user(client, other_office).get(url).status_code == 404
    assert as_user(client, office).get(reverse("inspection:session_new") + "?round=x").status_code == 404


# --------------------------------------------------------------------------- tallies

def test_tally_that_does_not_add_up_is_refused_and_nothing_saved(client, session, nomination, office):
    url = reverse("inspection:tally_edit", args=[session.pk, nomination.pk])
    response = as_user(client, office).post(url, tally_post(party_member=(10, 12, 12, [6, 4, 2, 0])))
    assert response.status_code == 200
    assert "收回票数（12）多于发出票数（10）" in page(response)
    assert not Tally.objects.exists()


def test_a_later_categorys_error_undoes_an_earlier_ones_save(client, session, nomination, office):
    url = reverse("inspection:tally_edit", args=[session.pk, nomination.pk])
    response = as_user(client, office).post(url, tally_post(
        party_member=(20, 18, 17, [10, 4, 2, 1]),           # fine
        villager_rep=(10, 10, 10, [5, 5, 5, 0]),            # 15 votes for 10 valid ballots
    ))
    assert response.status_code == 200
    assert "各选项票数之和（15）不等于有效票数（10）。" in page(response)
    assert not Tally.objects.exists()


@pytest.mark.parametrize("data", [
    {"party_member-issued": "abc", "party_member-returned": "1", "party_member-valid": "1"},
    {"party_member-issued": "-5", "party_member-returned": "1", "party_member-valid": "1"},
    {"party_member-issued": "99999999999999999999", "party_member-returned": "1", "party_member-valid": "1"},
    {"party_member-count_0": "3"},   # counts without issued/returned/valid
    {},                              # nothing at all
])
def test_tally_with_bad_input_is_refused_without_500(client, session, nomination, office, data):
    url = reverse("inspection:tally_edit", args=[session.pk, nomination.pk])
    response = as_user(client, office).post(url, data)
    assert response.status_code == 200
    assert not Tally.objects.exists()


def test_valid_tally_computes_the_wording(client, session, nomination, office, committee):
    url = reverse("inspection:tally_edit", args=[session.pk, nomination.pk])
    data = tally_post(party_member=(20, 18, 17, [10, 4, 2, 1]), committee=(5, 5, 5, [3, 2, 0, 0]))
    data["party_member-q0_0"] = "12"   # 讲政治·优秀
    data["party_member-q0_1"] = "5"
    response = as_user(client, office).post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("inspection:session_detail", args=[session.pk])
    assert Tally.objects.filter(nomination=nomination).count() == 2  # the blank 村民代表 column is skipped
    party = Tally.objects.get(category="party_member")
    assert party.counts == [10, 4, 2, 1] and party.qualities == {"讲政治": [12, 5, 0, 0]}

    # Turnout counts everyone entitled in every category (20+10+5), recorded or not.
    wording = ("应参加35人，共发票25张，收回23张，其中有效票22张。优秀13票、称职6票、基本称职2票、不称职1票；"
               "优秀+称职合计19票，占有效票的86.4%。")
    for name, args in [("session_detail", [session.pk]), ("inspection", [nomination.pk])]:
        text = page(as_user(client, committee).get(reverse(f"inspection:{name}", args=args)))
        assert wording in text, name
    sheet = pdf_text(client.get(reverse("inspection:tally_sheet", args=[session.pk])).content).replace("\n", "")
    assert wording in sheet
    text = page(client.get(reverse("inspection:inspection", args=[nomination.pk])))
    assert "65.7%" in text  # turnout 23/35: below 2/3 until the villager representatives are recorded
    assert "讲政治" in text

    # Correcting a category replaces its tally; the form shows what was recorded.
    response = as_user(client, office).get(url)
    assert 'value="17"' in page(response)


def test_tally_sheet_has_category_and_total_rows(client, session, nomination, office):
    inspection_services.tally_record(actor=office, session_id=session.pk, nomination_id=nomination.pk,
                          category="party_member", issued=20, returned=18, valid=17, counts=[10, 4, 2, 1])
    response = as_user(client, office).get(reverse("inspection:tally_sheet", args=[session.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\n", "")
    assert "东山村村级后备干部人选民主测评计票表" in text
    assert "党员" in text and "合计" in text and "未录入" in text
    assert "应参加20人，共发票20张，收回18张，其中有效票17张" in text  # the party members' row
    assert "应参加35人，共发票20张，收回18张，其中有效票17张" in text  # the total, over everyone entitled


def test_inspection_shows_propose_ready_once_the_inspection_is_complete(client, session, nomination, office):
    complete_inspection(nomination, office, day=DAY)
    text = page(as_user(client, office).get(reverse("inspection:inspection", args=[nomination.pk])))
    assert 'id="propose-ready"' in text
    assert "达到通过条件" in text
    assert 'data-confirm="提交党委研究后，考察环节结束' in text


# --------------------------------------------------------------------------- the ballot

def test_ballot_lists_the_nominations_under_inspection(client, session, nomination, round_, village_a, village_b,
                                                       committee):
    other = NominationFactory(round=round_, village=village_a, inspection=True,
                              person=PersonFactory(name="李小红", gender="F"))
    NominationFactory(round=round_, village=village_a, vetted=True, person=PersonFactory(name="未考察"))
    NominationFactory(round=round_, village=village_b, inspection=True, person=PersonFactory(name="外村人"))
    response = as_user(client, committee).get(reverse("inspection:ballot", args=[session.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\n", "")
    assert "东山村村级后备干部人选民主测评票" in text
    assert "多选或不选为无效票" in text
    assert "王小明" in text and other.person.name in text
    assert "未考察" not in text and "外村人" not in text
    for option in ("优秀", "称职", "基本称职", "不称职"):
        assert option in text
    assert "1995.06" in text  # 出生年月
    for quality in ("讲政治", "守规矩", "重品行", "有本事", "敢担当"):
        assert quality in text


# --------------------------------------------------------------------------- the committee's decision

@pytest.fixture
def meeting(committee, round_):
    return meeting_for(round_, committee, date=DAY)


def test_committee_registers_a_meeting(client, round_, committee):
    response = as_user(client, committee).post(reverse("inspection:meeting_new"), {
        "date": ISO, "members_total": "5", "members_present": "4", "attendees": "张书记、李镇长、王委员、赵委员",
        "minutes_ref": "2026-7"})
    assert response.status_code == 302
    meeting = CommitteeMeeting.objects.get()
    assert meeting.round == round_ and meeting.recorded_by == committee
    assert (meeting.members_total, meeting.members_present) == (5, 4)
    response = client.post(reverse("inspection:meeting_new"), {"date": "", "attendees": ""})
    assert response.status_code == 200
    assert CommitteeMeeting.objects.count() == 1


def test_committee_approves_a_proposed_nomination(client, meeting, round_, village_a, committee):
    n = NominationFactory(round=round_, village=village_a, proposed=True, person=PersonFactory(name="周同意"))
    url = reverse("inspection:meeting_detail", args=[meeting.pk])
    assert "周同意" in page(as_user(client, committee).get(url))
    response = client.post(url, {"nomination": n.pk, "outcome": "approve", "reason": ""})
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.status == Status.APPROVED
    decision = CommitteeDecision.objects.get(nomination=n)
    assert decision.meeting == meeting and decision.outcome == "approve"
    event = nomination_timeline(n).get(action="approve")
    assert event.to_status == Status.APPROVED and event.data["meeting"] == meeting.pk
    text = page(client.get(url))
    assert 'id="decisions"' in text and "周同意" in text and "同意" in text


def test_committee_rejects_with_a_reason(client, meeting, round_, village_a, committee):
    n = NominationFactory(round=round_, village=village_a, proposed=True)
    url = reverse("inspection:meeting_detail", args=[meeting.pk])
    response = as_user(client, committee).post(url, {"nomination": n.pk, "outcome": "reject", "reason": ""})
    assert response.status_code == 200
    assert "请填写党委研究不同意理由。" in page(response)
    n.refresh_from_db()
    assert n.status == Status.PROPOSED and not CommitteeDecision.objects.exists()

    response = client.post(url, {"nomination": n.pk, "outcome": "reject", "reason": "群众基础较弱。"})
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.status == Status.REJECTED
    assert CommitteeDecision.objects.get(nomination=n).reason == "群众基础较弱。"
    assert nomination_timeline(n).get(action="reject").reason == "群众基础较弱。"


@pytest.mark.parametrize("data", [
    {"nomination": "abc", "outcome": "approve"},
    {"nomination": "", "outcome": "approve"},
    {"outcome": "maybe"},
    {},
])
def test_decision_with_bad_input_is_refused_without_500(client, meeting, committee, data):
    response = as_user(client, committee).post(reverse("inspection:meeting_detail", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert "请检查填写的研究结果。" in page(response)
    assert not CommitteeDecision.objects.exists()


def test_decision_on_a_nomination_not_proposed_is_refused(client, meeting, nomination, committee):
    response = as_user(client, committee).post(reverse("inspection:meeting_detail", args=[meeting.pk]),
                                               {"nomination": nomination.pk, "outcome": "approve"})
    assert response.status_code == 200
    assert "不能党委研究同意" in page(response)
    nomination.refresh_from_db()
    assert nomination.status == Status.INSPECTION


def test_decision_on_another_towns_nomination_is_404(client, meeting, committee, other_town):
    foreign = NominationFactory(round__town=other_town, proposed=True)
    response = as_user(client, committee).post(reverse("inspection:meeting_detail", args=[meeting.pk]),
                                               {"nomination": foreign.pk, "outcome": "approve"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.PROPOSED
