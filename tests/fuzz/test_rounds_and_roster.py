"""A round's parameters (new, edited) and a village's 两委 roster."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from candidates.models import Round
from reserve.choices import DayKind, Education, Gender, RelaxationCategory, TalkCategory, VoterCategory
from reserve.models import VillageCadre
from tests.helpers import management, today, years_ago

from .checks import (
    Body,
    clean_state,
    client_for,
    error_texts,
    iso,
    nomination_pages,
    page,
    post_and_check,
    round_pages,
    tampered,
)
from .forms import (
    CADRE_FIELDS,
    ROUND_FIELDS,
    check_cadres,
    check_round_rows,
    management_names,
    roster_body,
    roster_pages,
    round_body,
    row_names,
)
from .strategies import PLAIN, VALID, fuzz_settings, fuzzed, names_text

pytestmark = pytest.mark.django_db


@fuzz_settings()
@given(body=fuzzed(round_body(), ROUND_FIELDS))
def test_round_new_fuzz(office, village_a_user, town, round_, body):
    with clean_state():
        post_and_check(client_for(office), reverse("round_new"), body, accepted=lambda o: check_round_rows(o, town),
                       pages=lambda o: [p for r in o.changed(Round) for p in round_pages(office, village_a_user, r)])


@fuzz_settings()
@given(body=fuzzed(round_body(), ROUND_FIELDS))
def test_round_edit_fuzz(office, village_a_user, town, round_, draft, body):
    with clean_state():
        post_and_check(client_for(office), reverse("round_edit", args=[round_.pk]), body, noop_ok=True,
                       accepted=lambda o: check_round_rows(o, town),
                       pages=lambda o: round_pages(office, village_a_user, round_)
                       + nomination_pages(draft, office, village_a_user))


@st.composite
def valid_round(draw):
    start = draw(st.dates(datetime.date(2001, 1, 1), datetime.date(2099, 1, 1)))
    gaps = draw(st.lists(st.integers(0, 60), min_size=7, max_size=7))
    days, day = [], start
    for gap in gaps:
        days.append(day)
        day = day + datetime.timedelta(days=gap)
    days.append(day)
    # nomination_start, nomination_end, review_start, review_end, inspection_start, inspection_end, publicity_start
    ns, ne, rs, re_, is_, ie, ps = days[0], days[1], days[1] + datetime.timedelta(1), days[3], days[4], days[5], days[6]
    min_edu = draw(st.sampled_from(Education.values))
    pass_den = draw(st.integers(1, 100))
    turn_den = draw(st.integers(1, 100))
    quorum_den = draw(st.integers(1, 50))
    return {
        "name": draw(names_text(min_size=2, max_size=20)) + "批次", "year": str(draw(st.integers(2000, 2100))),
        "status": draw(st.sampled_from(Round.Status.values)),
        "reserves_per_village": str(draw(st.integers(1, 20))), "female_extra_reserves": str(draw(st.integers(0, 10))),
        "female_age_limit": str(draw(st.integers(18, 70))), "age_limit": str(draw(st.integers(18, 70))),
        "age_reference_date": iso(draw(st.dates(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)))),
        "min_education": str(min_edu),
        "relaxation_categories": draw(st.lists(st.sampled_from(RelaxationCategory.values), unique=True)),
        "relaxed_min_education": str(draw(st.sampled_from([e for e in Education.values if e <= min_edu]))),
        "relaxed_age_extra": str(draw(st.integers(0, 15))), "negative_since_year": str(draw(st.integers(2000, 2100))),
        "probation_recovery_years": str(draw(st.integers(0, 20))), "expulsion_years": str(draw(st.integers(0, 20))),
        "family_planning_years": str(draw(st.integers(0, 20))),
        "nomination_start": iso(ns), "nomination_end": iso(ne), "review_start": iso(rs),
        "review_end": iso(max(rs, re_)),
        "inspection_start": iso(max(rs, is_)), "inspection_end": iso(max(rs, is_, ie)),
        "publicity_start": iso(max(rs, is_, ie, ps)),
        "publicity_days": str(draw(st.integers(1, 30))),
        "appraisal_pass_numerator": str(draw(st.integers(0, pass_den))), "appraisal_pass_denominator": str(pass_den),
        "appraisal_turnout_numerator": str(draw(st.integers(0, turn_den))),
        "appraisal_turnout_denominator": str(turn_den),
        "publicity_day_kind": draw(st.sampled_from(DayKind.values)),
        "required_talk_categories": draw(st.lists(st.sampled_from(TalkCategory.values), unique=True)),
        "required_appraisal_categories": draw(st.lists(st.sampled_from(VoterCategory.values), unique=True)),
        "committee_quorum_numerator": str(draw(st.integers(0, quorum_den))), "committee_quorum_denominator": str(quorum_den),
    }


@fuzz_settings(VALID)
@given(data=valid_round())
def test_round_new_accepts_valid_input(office, village_a_user, town, data):
    with clean_state():
        o = post_and_check(client_for(office), reverse("round_new"), Body(data), accepted=lambda o: None,
                           pages=lambda o: [p for r in o.changed(Round)
                                            for p in round_pages(office, village_a_user, r)])
        assert o.saved and o.response.status_code == 302, error_texts(page(o.response))
        (r,) = o.added(Round)
        assert (r.name, r.year, r.town_id) == (data["name"], int(data["year"]), town.pk)
        assert r.nomination_end == datetime.date.fromisoformat(data["nomination_end"])
        assert sorted(r.relaxation_categories) == sorted(data["relaxation_categories"])


@fuzz_settings()
@given(data=st.data(), as_village=st.booleans())
def test_roster_fuzz(office, village_a_user, village_a, round_, cadre, other_cadre, draft, data, as_village):
    names = management_names("cadres") + row_names("cadres", CADRE_FIELDS, 3) + ["cadres-0-id", "cadres-5-name"]
    body = data.draw(fuzzed(roster_body(cadre), names), label="body")
    with clean_state():
        post_and_check(client_for(village_a_user if as_village else office),
                       reverse("roster_edit", args=[village_a.pk]), body,
                       silent_ok=tampered(body, roster_body(cadre), "cadres"),
                       accepted=lambda o: check_cadres(o, village_a),
                       pages=lambda o: roster_pages(village_a, office, village_a_user, draft))
        assert VillageCadre.objects.get(pk=other_cadre.pk).village_id != village_a.pk


@fuzz_settings(VALID)
@given(data=st.data(), as_village=st.booleans())
def test_roster_accepts_valid_input(office, village_a_user, village_a, round_, cadre, draft, data, as_village):
    """New members (and changes to the current one) are saved as typed."""
    t = today()
    new = data.draw(st.lists(st.tuples(names_text(), st.sampled_from(Gender.values),
                                       st.dates(years_ago(80, t), years_ago(18, t)),
                                       st.sampled_from(["党支部书记", "村委会主任", "委员", "妇联主席"])
                                       | PLAIN.map(lambda s: s[:50])),
                             min_size=1, max_size=4), label="new members")
    keep = data.draw(st.sampled_from(["keep", "change", "delete"]), label="current member")
    body = {**management("cadres", 1 + len(new), 1), "cadres-0-id": str(cadre.pk), "cadres-0-name": cadre.name,
            "cadres-0-gender": cadre.gender, "cadres-0-birth_date": iso(cadre.birth_date), "cadres-0-post": cadre.post}
    if keep == "change":
        body["cadres-0-post"] = "村委会主任"
    elif keep == "delete":
        body["cadres-0-DELETE"] = "on"
    for i, (name, gender, born, post) in enumerate(new, start=1):
        body.update({f"cadres-{i}-name": name, f"cadres-{i}-gender": gender, f"cadres-{i}-birth_date": iso(born),
                     f"cadres-{i}-post": post})
    with clean_state():
        o = post_and_check(client_for(village_a_user if as_village else office),
                           reverse("roster_edit", args=[village_a.pk]), Body(body),
                           accepted=lambda o: check_cadres(o, village_a),
                           pages=lambda o: roster_pages(village_a, office, village_a_user, draft))
        assert o.saved and o.response["Location"] == village_a.get_absolute_url(), error_texts(page(o.final))
        saved = {(c.name, c.gender, c.birth_date, c.post) for c in VillageCadre.objects.filter(village=village_a)}
        expected = {(n, g, b, p.strip()) for n, g, b, p in new}
        if keep != "delete":
            expected.add((cadre.name, cadre.gender, cadre.birth_date, body["cadres-0-post"]))
        assert saved == expected
