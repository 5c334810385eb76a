"""组织考察 (talks, the report, the appraisal and its tally) and 镇党委研究确定 (meetings and their decisions)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from candidates.models import Nomination, Status
from inspection import appraisal
from inspection.forms import MAX_COUNT, MAX_OPTION_LENGTH, MAX_OPTIONS
from inspection.models import (
    QUALITIES,
    AppraisalSession,
    CommitteeDecision,
    CommitteeMeeting,
    InspectionReport,
    Talk,
    TalkCategory,
    Tally,
    VoterCategory,
)
from tests.helpers import today

from .checks import Body, clean_state, client_for, error_texts, inspection_pages, iso, page, post_and_check
from .forms import TALK_FIELDS, check_talks, talk_body
from .strategies import PLAIN, VALID, fuzz_settings, fuzzed, names_text

pytestmark = pytest.mark.django_db


@fuzz_settings(16)
@given(body=fuzzed(talk_body(), TALK_FIELDS))
def test_talk_fuzz(office, committee, inspected, body):
    with clean_state():
        post_and_check(client_for(office), reverse("inspection:talk_new", args=[inspected.pk]), body,
                       accepted=lambda o: check_talks(o, inspected),
                       pages=lambda o: inspection_pages(inspected, office, committee))


@fuzz_settings(VALID)
@given(days_ago=st.integers(0, 10), place=PLAIN.map(lambda s: s[:80]),
       talkers=PLAIN.map(lambda s: s[:100]), interviewee=names_text(), category=st.sampled_from(TalkCategory.values),
       content=PLAIN)
def test_talk_accepts_valid_input(office, committee, inspected, days_ago, place, talkers, interviewee, category,
                                  content):
    date = today() - datetime.timedelta(days=days_ago)  # the round's nomination began ten days ago
    body = Body({"date": iso(date), "place": place, "talkers": talkers, "interviewee": interviewee,
                 "category": category, "content": content})
    with clean_state():
        o = post_and_check(client_for(office), reverse("inspection:talk_new", args=[inspected.pk]), body,
                           accepted=lambda o: check_talks(o, inspected),
                           pages=lambda o: inspection_pages(inspected, office, committee))
        assert o.saved and o.response["Location"] == reverse("inspection:inspection", args=[inspected.pk])
        (talk,) = o.added(Talk)
        assert (talk.date, talk.interviewee, talk.category) == (date, interviewee.strip(), category)


@fuzz_settings()
@given(body=fuzzed({"text": "王考察同志考察材料\n该同志表现良好。", "inspectors": "张三", "report_date": "2026-05-20"},
                   ["text", "inspectors", "report_date"]))
def test_report_fuzz(office, committee, inspected, body):
    def accepted(o):
        (report,) = o.changed(InspectionReport)
        assert report.nomination_id == inspected.pk and report.text.strip()

    with clean_state():
        post_and_check(client_for(office), reverse("inspection:report_edit", args=[inspected.pk]), body,
                       accepted=accepted, pages=lambda o: inspection_pages(inspected, office, committee))


SESSION_FIELDS = ["village", "date", "place", "options", "pass_options", "entitled_party_member",
                  "entitled_villager_rep", "entitled_committee"]


def check_sessions(o, round_, town):
    for s in o.changed(AppraisalSession):
        assert s.round_id == round_.pk and s.village.town_id == town.pk and s.place.strip()
        assert isinstance(s.options, list) and 2 <= len(s.options) <= MAX_OPTIONS
        assert len(set(s.options)) == len(s.options)
        assert all(isinstance(x, str) and x.strip() and len(x) <= MAX_OPTION_LENGTH for x in s.options)
        assert 1 <= s.pass_options < len(s.options)
        assert all(0 <= s.entitled(c) <= MAX_COUNT for c in VoterCategory.values)


@fuzz_settings()
@given(data=st.data())
def test_session_new_fuzz(office, committee, round_, town, village_a, inspected, other_village, data):
    base = {"village": str(village_a.pk), "date": iso(today()), "place": "村部",
            "options": "优秀、称职、基本称职、不称职", "pass_options": "2", "entitled_party_member": "20",
            "entitled_villager_rep": "10", "entitled_committee": "5"}
    body = data.draw(fuzzed(base, SESSION_FIELDS) | st.just(Body({**base, "village": str(other_village.pk)})),
                     label="body")
    with clean_state():
        post_and_check(client_for(office), reverse("inspection:session_new"), body,
                       accepted=lambda o: check_sessions(o, round_, town),
                       pages=lambda o: inspection_pages(inspected, office, committee))


def tally_names(session):
    width = len(session.options)
    names = []
    for c in VoterCategory.values:
        names += [f"{c}-issued", f"{c}-returned", f"{c}-valid"] + [f"{c}-count_{i}" for i in range(width)]
        names += [f"{c}-q{q}_{i}" for q in range(len(QUALITIES)) for i in range(width)]
    return names


def check_tallies(o, session, nomination):
    for t in o.changed(Tally):
        assert t.session_id == session.pk and t.nomination_id == nomination.pk
        assert len(t.counts) == len(session.options)
        appraisal.check_tally(issued=t.issued, returned=t.returned, valid=t.valid, counts=t.counts,
                              entitled=session.entitled(t.category))  # raises if the numbers do not add up
        for quality, counts in (t.qualities or {}).items():
            assert quality in QUALITIES and len(counts) == len(session.options)
            assert all(isinstance(c, int) and c >= 0 for c in counts) and sum(counts) <= t.valid


@fuzz_settings(16)
@given(data=st.data())
def test_tally_fuzz(office, committee, session, inspected, data):
    base = {"party_member-issued": "20", "party_member-returned": "18", "party_member-valid": "17",
            "party_member-count_0": "10", "party_member-count_1": "4", "party_member-count_2": "2",
            "party_member-count_3": "1", "party_member-q0_0": "12", "party_member-q0_1": "5"}
    body = data.draw(fuzzed(base, tally_names(session)), label="body")
    with clean_state():
        post_and_check(client_for(office), reverse("inspection:tally_edit", args=[session.pk, inspected.pk]), body,
                       accepted=lambda o: check_tallies(o, session, inspected),
                       pages=lambda o: inspection_pages(inspected, office, committee, session))


@st.composite
def composition(draw, total, parts):
    """`parts` non-negative integers adding up to `total`."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


@st.composite
def valid_tally(draw, session):
    width = len(session.options)
    categories = draw(st.lists(st.sampled_from(VoterCategory.values), min_size=1, unique=True))
    body, expected = {}, {}
    for c in categories:
        issued = draw(st.integers(0, session.entitled(c)))
        returned = draw(st.integers(0, issued))
        valid = draw(st.integers(0, returned))
        counts = draw(composition(valid, width))
        body.update({f"{c}-issued": str(issued), f"{c}-returned": str(returned), f"{c}-valid": str(valid)})
        body.update({f"{c}-count_{i}": str(n) for i, n in enumerate(counts)})
        qualities = {}
        for q, quality in enumerate(QUALITIES):
            if draw(st.booleans()):
                q_counts = draw(composition(draw(st.integers(0, valid)), width))
                qualities[quality] = q_counts
                body.update({f"{c}-q{q}_{i}": str(n) for i, n in enumerate(q_counts)})
        expected[c] = (issued, returned, valid, counts, qualities)
    return body, expected


@fuzz_settings(VALID)
@given(data=st.data())
def test_tally_accepts_valid_input(office, committee, session, inspected, data):
    body, expected = data.draw(valid_tally(session), label="tally")
    with clean_state():
        o = post_and_check(client_for(office), reverse("inspection:tally_edit", args=[session.pk, inspected.pk]),
                           Body(body), accepted=lambda o: check_tallies(o, session, inspected),
                           pages=lambda o: inspection_pages(inspected, office, committee, session))
        assert o.saved and o.response["Location"] == session.get_absolute_url(), error_texts(page(o.final))
        saved = {t.category: (t.issued, t.returned, t.valid, t.counts, t.qualities)
                 for t in Tally.objects.filter(session=session, nomination=inspected)}
        assert saved == expected


# =============================================================================== 镇党委研究确定

MEETING_FIELDS = ["date", "members_total", "members_present", "attendees", "minutes_ref"]


def check_meetings(o, round_, user):
    for m in o.changed(CommitteeMeeting):
        assert m.round_id == round_.pk and m.attendees.strip() and m.recorded_by_id == user.pk


@fuzz_settings()
@given(body=fuzzed({"date": timezone.localdate().isoformat(), "members_total": "7", "members_present": "5",
                    "attendees": "张书记、李镇长、王委员、赵委员、钱委员", "minutes_ref": "党委〔2026〕5号"},
                   MEETING_FIELDS),
       as_committee=st.booleans())
def test_meeting_new_fuzz(office, committee, round_, body, as_committee):
    user = committee if as_committee else office
    with clean_state():
        post_and_check(client_for(user), reverse("inspection:meeting_new"), body,
                       accepted=lambda o: check_meetings(o, round_, user),
                       pages=lambda o: [(u, m.get_absolute_url()) for m in o.changed(CommitteeMeeting)
                                        for u in (office, committee)]
                       + [(office, reverse("inspection:meeting_list"))])


def check_decisions(o, meeting, proposed):
    for d in o.changed(CommitteeDecision):
        n = Nomination.objects.get(pk=d.nomination_id)
        assert d.meeting_id == meeting.pk and n.pk == proposed.pk and n.round_id == meeting.round_id
        assert d.outcome in CommitteeDecision.Outcome.values
        assert n.status == (Status.APPROVED if d.outcome == CommitteeDecision.Outcome.APPROVE else Status.REJECTED)
        if d.outcome != CommitteeDecision.Outcome.APPROVE:
            assert d.reason.strip() and len(d.reason) <= 500


def decision_pages(meeting, nomination, office, committee):
    q = f"?round={meeting.round_id}"
    return [(committee, meeting.get_absolute_url()), (office, meeting.get_absolute_url()),
            (office, nomination.get_absolute_url()), (office, reverse("publicity:notice_new") + q),
            (committee, reverse("inspection:meeting_list") + q)]


@fuzz_settings(16)
@given(data=st.data())
def test_meeting_decision_fuzz(office, committee, meeting, proposed, inspected, data):
    body = data.draw(fuzzed({"nomination": str(proposed.pk), "outcome": "approve", "reason": ""},
                            ["nomination", "outcome", "reason"])
                     | st.sampled_from([str(inspected.pk), str(proposed.pk + 10_000)]).map(
                         lambda pk: Body({"nomination": pk, "outcome": "approve"})), label="body")
    with clean_state():
        post_and_check(client_for(committee), reverse("inspection:meeting_detail", args=[meeting.pk]), body,
                       accepted=lambda o: check_decisions(o, meeting, proposed),
                       pages=lambda o: decision_pages(meeting, proposed, office, committee))


@fuzz_settings(VALID)
@given(outcome=st.sampled_from(CommitteeDecision.Outcome.values), reason=PLAIN.map(lambda s: s[:500]),
       with_reason=st.booleans(), as_committee=st.booleans())
def test_meeting_decision_accepts_valid_input(office, committee, meeting, proposed, outcome, reason, with_reason,
                                              as_committee):
    if outcome != CommitteeDecision.Outcome.APPROVE:
        with_reason = True
    body = Body({"nomination": str(proposed.pk), "outcome": outcome, "reason": reason if with_reason else ""})
    with clean_state():
        o = post_and_check(client_for(committee if as_committee else office),
                           reverse("inspection:meeting_detail", args=[meeting.pk]), body,
                           accepted=lambda o: check_decisions(o, meeting, proposed),
                           pages=lambda o: decision_pages(meeting, proposed, office, committee))
        assert o.saved and o.response["Location"] == meeting.get_absolute_url(), error_texts(page(o.final))
        (d,) = o.added(CommitteeDecision)
        assert d.outcome == outcome and d.nomination_id == proposed.pk
