"""Each form's valid body, and the rules of what it may save (checked independently of the form code)."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from candidates.models import Nomination, Round, Status
from inspection.models import Talk, TalkCategory
from publicity import services as publicity_services
from publicity.forms_public import MAX_NAME, MAX_PHONE
from publicity.models import Objection
from reserve import idnumber
from reserve.choices import Gender, PoliticalStatus, RelaxationCategory
from reserve.dates import age_on
from reserve.models import VillageCadre
from tests.factories import make_id
from tests.helpers import management, today
from vetting.models import Finding, VettingRequest
from vetting.selectors import items_for_department

from .checks import iso, management_names, row_names

# =============================================================================== rounds and the roster

ROUND_FIELDS = [
    "name", "year", "status", "reserves_per_village", "female_extra_reserves", "female_age_limit",
    "age_limit", "age_reference_date", "min_education", "relaxation_categories", "relaxed_min_education",
    "relaxed_age_extra", "negative_since_year", "probation_recovery_years", "expulsion_years",
    "family_planning_years", "nomination_start", "nomination_end", "review_start", "review_end",
    "inspection_start", "inspection_end", "publicity_start", "publicity_days",
    "appraisal_pass_numerator", "appraisal_pass_denominator", "appraisal_turnout_numerator",
    "appraisal_turnout_denominator", "publicity_day_kind", "required_talk_categories",
    "required_appraisal_categories", "committee_quorum_numerator", "committee_quorum_denominator",
]


def round_body(name="2027年村级后备干部选拔", year=2027, start=datetime.date(2027, 3, 1)):
    d = lambda n: iso(start + datetime.timedelta(days=n))  # noqa: E731
    return {
        "name": name, "year": str(year), "status": "open", "reserves_per_village": "2",
        "female_extra_reserves": "1", "female_age_limit": "35", "age_limit": "35", "age_reference_date": d(0),
        "min_education": "30", "relaxation_categories": ["returning_graduate", "veteran"],
        "relaxed_min_education": "20", "relaxed_age_extra": "0", "negative_since_year": "2023",
        "probation_recovery_years": "3", "expulsion_years": "5", "family_planning_years": "5",
        "nomination_start": d(0), "nomination_end": d(10), "review_start": d(11), "review_end": d(20),
        "inspection_start": d(21), "inspection_end": d(30), "publicity_start": d(31), "publicity_days": "5",
        "appraisal_pass_numerator": "2", "appraisal_pass_denominator": "3",
        "appraisal_turnout_numerator": "2", "appraisal_turnout_denominator": "3",
        "publicity_day_kind": "working", "required_talk_categories": ["committee", "former_cadre", "party_rep", "masses_rep"],
        "required_appraisal_categories": ["party_member", "villager_rep"],
        "committee_quorum_numerator": "2", "committee_quorum_denominator": "3",
    }


def check_round_rows(o, town):
    """The rules of a round (village plan §三): stages in order, ratios that are fractions of at most 1."""
    for r in o.changed(Round):
        assert r.town_id == town.pk
        assert r.name.strip() and r.status in Round.Status.values
        assert r.nomination_start <= r.nomination_end and r.review_start <= r.review_end
        assert r.inspection_start <= r.inspection_end
        assert r.nomination_start <= r.review_start <= r.inspection_start <= r.publicity_start
        assert 0 < r.committee_quorum_denominator and r.committee_quorum_numerator <= r.committee_quorum_denominator
        assert 0 <= r.appraisal_pass_numerator <= r.appraisal_pass_denominator and r.appraisal_pass_denominator > 0
        assert 0 <= r.appraisal_turnout_numerator <= r.appraisal_turnout_denominator
        assert r.appraisal_turnout_denominator > 0
        assert r.relaxed_min_education <= r.min_education
        assert set(r.relaxation_categories) <= set(RelaxationCategory.values)


CADRE_FIELDS = ["id", "name", "gender", "birth_date", "post", "DELETE"]


def roster_body(cadre):
    return {
        **management("cadres", 3, 1),
        "cadres-0-id": str(cadre.pk), "cadres-0-name": cadre.name, "cadres-0-gender": cadre.gender,
        "cadres-0-birth_date": iso(cadre.birth_date), "cadres-0-post": cadre.post,
        "cadres-1-name": "王新", "cadres-1-gender": "F", "cadres-1-birth_date": "1990-02-03",
        "cadres-1-post": "村委会委员",
    }


def check_cadres(o, village):
    for cadre in o.changed(VillageCadre):
        assert cadre.village_id == village.pk
        assert cadre.name.strip() and cadre.post.strip() and cadre.gender in Gender.values
        # A serving member was born, and after 1900 (the rule of the ID number and of a family member's birth).
        assert 1900 <= cadre.birth_date.year and cadre.birth_date <= today(), f"born {cadre.birth_date}"


def roster_pages(village, office, village_user, draft):
    return [(u, reverse(name, args=[village.pk])) for u in (office, village_user)
            for name in ("village_detail", "roster_edit")] + [
        (village_user, reverse("candidates:nomination_new")),
        (village_user, reverse("candidates:nomination_edit", args=[draft.pk]))]


# =============================================================================== 自荐表

NOMINATION_FIELDS = [
    "name", "id_number", "gender", "birth_date", "ethnicity", "native_place", "birthplace", "political_status",
    "party_join_date", "work_start_date", "health", "hukou_village", "hukou_address", "fulltime_education",
    "fulltime_school", "inservice_education", "inservice_school", "work_unit_post", "phone", "speciality",
    "awards_punishments", "statement", "relaxation_category", "relaxation_note", "id_card_copy",
]
RESUME_FIELDS = ["start", "end", "unit_post", "DELETE"]
FAMILY_FIELDS = ["relation", "name", "birth_date", "political_status", "work_unit_post", "DELETE"]
RELATIVE_FIELDS = ["cadre", "relation", "DELETE"]
NOMINATION_POST_NAMES = (
    NOMINATION_FIELDS + management_names("resume") + management_names("family") + management_names("relatives")
    + row_names("resume", RESUME_FIELDS) + row_names("family", FAMILY_FIELDS) + row_names("relatives", RELATIVE_FIELDS)
)
PARTY = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY)
ASCII_PHONE = re.compile(r"[0-9]+(-[0-9]+)*")


def nomination_body(village, cadre, *, id_number=None):
    return {
        "name": "李小龙", "id_number": id_number or make_id(datetime.date(1996, 4, 2), Gender.MALE, seq=321),
        "gender": "", "birth_date": "", "ethnicity": "汉族", "native_place": "浙江兰溪", "birthplace": "",
        "political_status": "league_member", "party_join_date": "", "work_start_date": "2016-07-01",
        "health": "健康", "hukou_village": str(village.pk), "hukou_address": "东山村一组", "fulltime_education": "30",
        "fulltime_school": "兰溪职高", "inservice_education": "", "inservice_school": "", "work_unit_post": "务农",
        "phone": "13800000000", "speciality": "", "awards_punishments": "", "statement": "热爱农村工作。",
        "relaxation_category": "", "relaxation_note": "",
        **management("resume", 1), "resume-0-start": "2013-09-01", "resume-0-end": "2016-06-30",
        "resume-0-unit_post": "兰溪职高学生",
        **management("family", 1), "family-0-relation": "父亲", "family-0-name": "李大山",
        "family-0-birth_date": "1968-03-01", "family-0-political_status": "masses", "family-0-work_unit_post": "务农",
        **management("relatives", 1), "relatives-0-cadre": str(cadre.pk), "relatives-0-relation": "叔侄",
    }


def check_nominations(o, village):
    t = today()
    for n in o.changed(Nomination):
        person = n.person
        assert n.village_id == village.pk and n.hukou_village.town_id == village.town_id
        parsed = idnumber.parse(person.id_number, today=t)  # raises if a bad ID number was saved
        assert (parsed.birth_date, parsed.gender) == (person.birth_date, person.gender)
        assert age_on(person.birth_date, t) >= 18
        assert person.name.strip() and n.statement.strip() and n.work_unit_post.strip()
        assert ASCII_PHONE.fullmatch(n.phone) and 7 <= len(n.phone.replace("-", "")) <= 13, (
            f"phone saved as {n.phone!r}")
        assert n.fulltime_education is not None or n.inservice_education is not None
        if n.political_status in PARTY:
            assert n.party_join_date is not None
        if n.party_join_date:
            assert n.party_join_date <= t and age_on(person.birth_date, n.party_join_date) >= 18
        if n.work_start_date:
            assert person.birth_date <= n.work_start_date <= t
        if n.relaxation_category == RelaxationCategory.SPECIAL:
            assert n.relaxation_note.strip()
        if n.id_card_copy:
            assert re.fullmatch(r"id_cards/\d{4}/[0-9a-f]{32}\.(jpg|png|pdf)", n.id_card_copy.name), n.id_card_copy.name
        for r in n.resume.all():
            assert r.unit_post.strip() and (r.end is None or r.end >= r.start)
            # A résumé line is the past (or the present): it starts after the birth and not after today.
            assert person.birth_date <= r.start <= t, f"résumé line from {r.start}"
        for f in n.family.all():
            assert f.relation.strip() and f.name.strip() and (f.birth_date is None or f.birth_date <= t)
        for c in n.committee_relatives.all():
            assert c.cadre.village_id == village.pk and c.relation.strip()
        assert Nomination.objects.filter(round=n.round, person=person).exclude(status=Status.WITHDRAWN).count() == 1


# =============================================================================== 资格联审

CLEAR, FLAGGED = Finding.Outcome.CLEAR, Finding.Outcome.FLAGGED


def answer_names(req):
    items = list(items_for_department(req.nomination.round, req.department))
    return items, ["version", "conclusion"] + [f"item{i.pk}-{f}" for i in items
                                               for f in ("outcome", "note", "attachment")]


def answer_body(req, items):
    return {"version": str(req.version), "conclusion": "",
            **{f"item{i.pk}-outcome": CLEAR for i in items}, **{f"item{i.pk}-note": "" for i in items}}


def check_answer(o, req, items, user):
    (r,) = [r for r in o.changed(VettingRequest) if r.pk == req.pk] or [None]
    assert r is not None and r.status == VettingRequest.Status.ANSWERED and r.version == req.version + 1
    assert r.signed_by_id == user.pk and r.conclusion.strip()
    findings = {f.item_id: f for f in r.findings.all()}
    assert set(findings) == {i.pk for i in items}
    for f in findings.values():
        assert f.outcome in Finding.Outcome.values
        if f.outcome == FLAGGED:
            assert f.note.strip()
        if f.attachment:
            assert re.fullmatch(r"vetting/\d{4}/[0-9a-f]{32}\.(jpg|png|pdf)", f.attachment.name), f.attachment.name
    assert r.flagged == any(f.outcome == FLAGGED for f in findings.values())


# =============================================================================== 组织考察

TALK_FIELDS = ["date", "place", "talkers", "interviewee", "category", "content"]


def talk_body():
    return {"date": iso(today()), "place": "村部", "talkers": "张三、李四", "interviewee": "王五",
            "category": TalkCategory.COMMITTEE, "content": "该同志工作积极。"}


def check_talks(o, nomination):
    for talk in o.changed(Talk):
        assert talk.nomination_id == nomination.pk
        assert talk.place.strip() and talk.talkers.strip() and talk.interviewee.strip() and talk.content.strip()
        # The record of a talk that took place, during this round.
        assert nomination.round.nomination_start <= talk.date <= today(), f"talk dated {talk.date}"


# =============================================================================== 公示

OBJECTION_RECORD_FIELDS = ["channel", "received_at", "entry", "content", "name", "phone"]


def check_objections(o, notice, *, online):
    for obj in o.changed(Objection):
        assert obj.notice_id == notice.pk and obj.receipt
        assert obj.content.strip() and len(obj.content) <= publicity_services.MAX_CONTENT
        assert len(obj.name) <= MAX_NAME and len(obj.phone) <= MAX_PHONE
        assert obj.entry_id is None or obj.entry.notice_id == notice.pk
        if online:
            assert obj.channel == Objection.Channel.ONLINE and obj.recorded_by_id is None
            for text in (obj.content, obj.name, obj.phone):
                assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text), text
            assert re.fullmatch(r"[0-9０-９+＋\-－()（）\s转]*", obj.phone), obj.phone
        else:
            assert obj.channel in (Objection.Channel.PHONE, Objection.Channel.LETTER, Objection.Channel.VISIT)
            assert obj.received_at <= timezone.now() + datetime.timedelta(minutes=5)
