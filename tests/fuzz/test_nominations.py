"""The 自荐表 (new, edited, the live check), the actions on a nomination, and the list's filter."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from candidates.models import Nomination, Person, Status
from candidates.workflow import TRANSITIONS
from reserve.choices import Education, Gender, PoliticalStatus, RelaxationCategory
from reserve.dates import age_on
from reserve.roles import Role
from tests.factories import make_id
from tests.helpers import management, today, years_ago

from .checks import (
    CJK,
    Body,
    assert_no_500,
    clean_state,
    client_for,
    error_texts,
    iso,
    last,
    nomination_pages,
    page,
    post_and_check,
    send,
    snapshot,
)
from .forms import NOMINATION_POST_NAMES, PARTY, check_nominations, nomination_body
from .strategies import EXTRA_KEY, PLAIN, SCALAR, VALID, _png, fuzz_settings, fuzzed, names_text

pytestmark = pytest.mark.django_db


@fuzz_settings(16)
@given(data=st.data())
def test_nomination_new_fuzz(office, village_a_user, village_a, round_, cadre, other_cadre, draft, data):
    body = data.draw(fuzzed(nomination_body(village_a, cadre), NOMINATION_POST_NAMES + ["round"],
                            file_fields=("id_card_copy",)), label="body")
    with clean_state():
        post_and_check(client_for(village_a_user), reverse("candidates:nomination_new"), body,
                       accepted=lambda o: check_nominations(o, village_a),
                       pages=lambda o: [p for n in o.added(Nomination)
                                        for p in nomination_pages(n, office, village_a_user)])


@fuzz_settings(16)
@given(data=st.data())
def test_nomination_edit_fuzz(office, village_a_user, village_a, round_, cadre, other_cadre, draft, data):
    base = nomination_body(village_a, cadre, id_number=draft.person.id_number)
    body = data.draw(fuzzed(base, NOMINATION_POST_NAMES, file_fields=("id_card_copy",)), label="body")
    with clean_state():
        post_and_check(client_for(village_a_user), reverse("candidates:nomination_edit", args=[draft.pk]), body,
                       noop_ok=True, accepted=lambda o: check_nominations(o, village_a),
                       pages=lambda o: nomination_pages(draft, office, village_a_user))


@fuzz_settings()
@given(data=st.data())
def test_eligibility_check_fuzz(village_a_user, village_a, round_, cadre, data):
    """The live check on the form: any input gets the rules' verdict (in Chinese), nothing is saved."""
    body = data.draw(fuzzed(nomination_body(village_a, cadre), NOMINATION_POST_NAMES + ["round"]), label="body")
    with clean_state():
        client = client_for(village_a_user)
        before = snapshot()
        response = send(client, reverse("candidates:eligibility_check"), body)
        assert_no_500(response, f"eligibility check {body!r}")
        assert response.status_code in (200, 404) and CJK.search(page(response))
        assert snapshot() == before


ID_SPELLINGS = [
    lambda s: s, lambda s: s.lower(), lambda s: f" {s[:6]} {s[6:14]} {s[14:]} ",
    lambda s: s.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
]


@st.composite
def valid_nomination(draw, village, cadres, round_):
    """A 自荐表 a village branch may save: a valid ID number of someone of eligible age, and rows that agree."""
    t = today()
    ref = round_.age_reference_date
    birth = draw(st.dates(years_ago(round_.age_limit + 1, t) + datetime.timedelta(days=1), years_ago(18, t)))
    assume(18 <= age_on(birth, t) and age_on(birth, ref) <= round_.age_limit)
    gender = draw(st.sampled_from(Gender.values))
    number = make_id(birth, gender, seq=draw(st.integers(0, 499)))
    status = draw(st.sampled_from(PoliticalStatus.values))
    adult = years_ago(-18, birth)
    join = draw(st.dates(adult, t)) if status in PARTY else draw(st.none() | st.dates(adult, t))
    category = draw(st.sampled_from(["", *RelaxationCategory.values]))
    body = {
        "name": draw(names_text()), "id_number": draw(st.sampled_from(ID_SPELLINGS))(number),
        "gender": draw(st.sampled_from(["", gender])), "birth_date": draw(st.sampled_from(["", iso(birth)])),
        "ethnicity": draw(st.sampled_from(["汉族", "畲族", "回族"])), "native_place": draw(PLAIN.map(lambda s: s[:50])),
        "birthplace": "", "political_status": status, "party_join_date": iso(join) if join else "",
        "work_start_date": iso(draw(st.dates(birth, t))) if draw(st.booleans()) else "",
        "health": "健康", "hukou_village": str(village.pk), "hukou_address": draw(PLAIN),
        "fulltime_education": str(draw(st.sampled_from(Education.values))), "fulltime_school": "",
        "inservice_education": draw(st.sampled_from(["", *map(str, Education.values)])), "inservice_school": "",
        "work_unit_post": draw(PLAIN), "statement": draw(PLAIN),
        "phone": draw(st.from_regex(r"1[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8}", fullmatch=True)),
        "speciality": "", "awards_punishments": draw(st.sampled_from(["", "2020年获县级优秀青年"])),
        "relaxation_category": category,
        "relaxation_note": draw(PLAIN) if category == RelaxationCategory.SPECIAL else "",
    }
    resume = draw(st.lists(st.tuples(st.dates(birth, t), st.integers(0, 3000), PLAIN), max_size=2))
    body.update(management("resume", len(resume)))
    for i, (start, length, unit) in enumerate(resume):
        end = start + datetime.timedelta(days=length)
        body.update({f"resume-{i}-start": iso(start), f"resume-{i}-end": iso(end) if end <= t else "",
                     f"resume-{i}-unit_post": unit})
    family = draw(st.lists(st.tuples(st.sampled_from(["父亲", "母亲", "配偶", "子女"]), names_text(),
                                     st.none() | st.dates(datetime.date(1930, 1, 1), t)), max_size=2))
    body.update(management("family", len(family)))
    for i, (relation, name, born) in enumerate(family):
        body.update({f"family-{i}-relation": relation, f"family-{i}-name": name,
                     f"family-{i}-birth_date": iso(born) if born else ""})
    relatives = draw(st.lists(st.sampled_from(cadres), unique=True, max_size=len(cadres)))
    body.update(management("relatives", len(relatives)))
    for i, c in enumerate(relatives):
        body.update({f"relatives-{i}-cadre": str(c.pk),
                     f"relatives-{i}-relation": draw(st.sampled_from(["叔侄", "父子"]))})
    if draw(st.booleans()):
        body["id_card_copy"] = SimpleUploadedFile("身份证.png", _png(), content_type="image/png")
    return number, Body(body)


@fuzz_settings(VALID)
@given(data=st.data())
def test_nomination_new_accepts_valid_input(office, village_a_user, village_a, round_, cadre, draft, data):
    number, body = data.draw(valid_nomination(village_a, [cadre], round_), label="body")
    assume(not person_exists(number))
    with clean_state():
        o = post_and_check(client_for(village_a_user), reverse("candidates:nomination_new"), body,
                           accepted=lambda o: check_nominations(o, village_a),
                           pages=lambda o: [p for n in o.added(Nomination)
                                            for p in nomination_pages(n, office, village_a_user)])
        assert o.saved, error_texts(page(o.response))
        (n,) = o.added(Nomination)
        assert o.response["Location"] == n.get_absolute_url()
        assert n.person.id_number == number and n.status == Status.DRAFT
        assert {r["code"]: r["outcome"] for r in n.eligibility}["age"] == "pass"
        assert n.resume.count() == int(body["resume-TOTAL_FORMS"])
        assert n.family.count() == int(body["family-TOTAL_FORMS"])
        assert n.committee_relatives.count() == int(body["relatives-TOTAL_FORMS"])
        assert bool(n.id_card_copy) == ("id_card_copy" in body)


def person_exists(number) -> bool:
    if hasattr(Person.objects, "by_id_number"):  # the ID number is stored encrypted, found by its hash
        return Person.objects.by_id_number(number).exists()
    return Person.objects.filter(id_number=number).exists()


ACTIONS = [t for t in TRANSITIONS] + ["", "delete", "submit ", "SUBMIT"]


@fuzz_settings(16)
@given(data=st.data())
def test_nomination_action_fuzz(office, village_a_user, round_, village_a, draft, submitted, data):
    actor, nomination = data.draw(st.sampled_from([(village_a_user, draft), (office, submitted),
                                                   (office, draft), (village_a_user, submitted)]), label="who")
    action = data.draw(st.sampled_from(ACTIONS) | st.from_regex(r"[-a-zA-Z0-9_]{1,30}", fullmatch=True),
                       label="action")
    body = data.draw(fuzzed({"reason": "情况有变"}, ["reason"]), label="body")
    assume(action.strip() == action and action)
    before_status = nomination.status

    def accepted(o):
        n = Nomination.objects.get(pk=nomination.pk)
        transition = TRANSITIONS[action]
        roles = {Role.VILLAGE} if actor == village_a_user else {Role.OFFICE}
        assert transition.manual and before_status in transition.allowed_sources(roles)
        assert n.status == transition.target
        reason = last(body, "reason") or ""
        if transition.needs_reason:
            assert reason.strip() and len(reason) <= 500

    with clean_state():
        post_and_check(client_for(actor), reverse("candidates:nomination_action", args=[nomination.pk, action]),
                       body, accepted=accepted, pages=lambda o: nomination_pages(nomination, office, village_a_user))


@fuzz_settings(12)
@given(query=st.dictionaries(st.sampled_from(["q", "village", "status", "eligible", "round", "page"]) | EXTRA_KEY,
                             SCALAR, max_size=5),
       who=st.sampled_from(["office", "village_a_user", "committee"]))
def test_nomination_list_filter_fuzz(office, village_a_user, committee, round_, draft, query, who):
    """The list's filter form (GET): any query string gets a page, never a 500."""
    user = {"office": office, "village_a_user": village_a_user, "committee": committee}[who]
    with clean_state():
        client = client_for(user)
        response = client.get(reverse("candidates:nomination_list"), query)
        assert_no_500(response, f"GET nomination list {query!r}")
        assert response.status_code in (200, 400, 404)
