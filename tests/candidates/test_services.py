"""Writes on nominations through their public services: nomination_create, perform (submit, accept,
return, withdraw) and the re-evaluation that round_update triggers."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from candidates import services
from candidates.models import CommitteeRelative, FamilyMember, Nomination, Person, ResumeEntry, Round, Status
from candidates.services import round_update
from reserve.choices import Education, Gender, PoliticalStatus
from reserve.exceptions import ActionRefused, NotFound
from reserve.models import Event

from ..factories import CadreFactory, RoundFactory, make_id, png_upload

pytestmark = pytest.mark.django_db

D = datetime.date
REF = D(2026, 6, 30)
M, F = Gender.MALE, Gender.FEMALE


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def person_data(*, birth=D(1995, 6, 15), gender=M, seq=1, name="李明"):
    return {"id_number": make_id(birth, gender, seq=seq), "name": name, "gender": gender, "birth_date": birth}


def nomination_fields(hukou_village, **overrides):
    fields = {
        "political_status": PoliticalStatus.MASSES,
        "hukou_village": hukou_village,
        "fulltime_education": Education.HIGH_SCHOOL,
        "work_unit_post": "个体经营",
        "phone": "13900002222",
        "statement": "热心村务，带头发展产业。",
    }
    fields.update(overrides)
    return fields


def create(user, round_, *, person=None, upload=True, resume=(), family=(), relatives=(), **fields):
    return services.nomination_create(
        actor=user,
        round_=round_,
        person_data=person or person_data(),
        fields=nomination_fields(fields.pop("hukou_village", user.village), **fields),
        resume=resume,
        family=family,
        relatives=relatives,
        id_card_copy=png_upload() if upload else None,
    )


def events_of(nomination, action=None):
    qs = Event.objects.filter(content_type=ContentType.objects.get_for_model(Nomination), object_id=nomination.pk)
    if action:
        qs = qs.filter(action=action)
    return list(qs.order_by("id"))


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Person, Nomination, ResumeEntry, FamilyMember, CommitteeRelative, Event)
    }


def status_of(nomination):
    return Nomination.objects.get(pk=nomination.pk).status


def set_status(nomination, status):
    """Test set-up only: put a nomination in a status the tested services do not reach."""
    Nomination.objects.filter(pk=nomination.pk).update(status=status)


@pytest.fixture
def draft(village_a_user, round_):
    return create(village_a_user, round_)


@pytest.fixture
def submitted(village_a_user, draft):
    return services.perform(actor=village_a_user, nomination_id=draft.pk, action="submit")


# ---------------------------------------------------------------------------------------------
# nomination_create
# ---------------------------------------------------------------------------------------------


def test_create_makes_a_draft_with_eligibility_and_event(village_a_user, round_, village_a):
    resume = [{"start": D(2013, 9, 1), "end": D(2016, 6, 30), "unit_post": "县第一中学学生"},
              {"start": D(2016, 7, 1), "end": None, "unit_post": "个体经营"}]
    family = [{"relation": "父亲", "name": "李大山", "birth_date": D(1968, 1, 1),
               "political_status": PoliticalStatus.MASSES, "work_unit_post": "务农"}]
    nomination = create(village_a_user, round_, resume=resume, family=family)
    nomination.refresh_from_db()
    assert nomination.status == Status.DRAFT
    assert nomination.village == village_a
    assert nomination.created_by == village_a_user
    assert nomination.person.id_number == person_data()["id_number"]
    assert nomination.person.name == "李明"
    assert nomination.is_eligible is True
    assert [r["code"] for r in nomination.eligibility] == ["hukou", "age", "education", "relatives"]
    assert nomination.id_card_copy
    assert nomination.resume.count() == 2
    assert nomination.family.count() == 1
    (event,) = events_of(nomination)
    assert (event.action, event.actor, event.from_status, event.to_status) == ("create", village_a_user, "",
                                                                               Status.DRAFT)


def test_create_stores_an_ineligible_nomination_with_the_reasons(village_a_user, round_, village_b):
    nomination = create(village_a_user, round_, hukou_village=village_b)
    nomination.refresh_from_db()
    assert nomination.is_eligible is False
    hukou = next(r for r in nomination.eligibility if r["code"] == "hukou")
    assert hukou["outcome"] == "fail"
    assert "西岭村" in hukou["message"] and "东山村" in hukou["message"]


def test_create_with_declared_relative_is_eligible_with_a_warning(village_a_user, round_, village_a):
    cadre = CadreFactory(village=village_a, name="李大山", post="党支部书记")
    nomination = create(village_a_user, round_, relatives=[{"cadre": cadre, "relation": "父子"}])
    nomination.refresh_from_db()
    assert nomination.is_eligible is True
    relatives = next(r for r in nomination.eligibility if r["code"] == "relatives")
    assert relatives["outcome"] == "warn"
    assert "李大山（党支部书记）（父子）" in relatives["message"]
    (row,) = nomination.committee_relatives.all()
    assert (row.cadre, row.cadre_name, row.relation) == (cadre, "李大山（党支部书记）", "父子")


@pytest.mark.parametrize("user_fixture", ["office", "committee", "dept_x_user", "mentor"])
def test_create_refused_for_other_roles(request, user_fixture, round_, village_a):
    user = request.getfixturevalue(user_fixture)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.nomination_create(actor=user, round_=round_, person_data=person_data(),
                                   fields=nomination_fields(village_a))
    assert counts() == before


def test_create_refused_for_a_round_of_another_town(village_a_user, other_town):
    other_round = RoundFactory(town=other_town)
    before = counts()
    with pytest.raises(NotFound):
        create(village_a_user, other_round)
    assert counts() == before


def test_create_refused_in_a_closed_round(village_a_user, town):
    closed = RoundFactory(town=town, closed=True)
    before = counts()
    with pytest.raises(ValidationError):
        create(village_a_user, closed)
    assert counts() == before


def test_second_nomination_of_the_same_person_in_a_round_is_refused_whole(village_a_user, round_):
    first = create(village_a_user, round_, resume=[{"start": D(2016, 7, 1), "end": None, "unit_post": "个体"}])
    before = counts()
    with pytest.raises(ValidationError) as exc:
        create(
            village_a_user, round_,
            person=person_data(name="李明明"),  # the same ID number under another name
            resume=[{"start": D(2014, 1, 1), "end": None, "unit_post": "务农"},
                    {"start": D(2015, 1, 1), "end": None, "unit_post": "务工"}],
            family=[{"relation": "母亲", "name": "王兰", "birth_date": None, "political_status": "",
                     "work_unit_post": ""}],
        )
    assert "id_number" in exc.value.message_dict
    assert "本批次不能再填写自荐表" in exc.value.message_dict["id_number"][0]  # neutral: names no village
    assert counts() == before
    # The person row is not half-updated either.
    assert Person.objects.get(pk=first.person_id).name == "李明"


def test_same_person_refused_from_another_village_in_the_same_round(village_a_user, village_b_user, round_):
    create(village_a_user, round_)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        create(village_b_user, round_)
    assert "id_number" in exc.value.message_dict
    assert counts() == before


def test_database_constraint_backs_the_duplicate_check(village_a_user, round_, monkeypatch):
    """Two submissions racing past the check: the unique constraint decides, with the same error."""
    create(village_a_user, round_)
    monkeypatch.setattr(services, "_check_duplicate", lambda *a, **k: None)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        create(village_a_user, round_, resume=[{"start": D(2014, 1, 1), "end": None, "unit_post": "务农"}])
    assert "id_number" in exc.value.message_dict
    assert counts() == before


def test_same_person_in_another_round_reuses_the_person(village_a_user, round_, town):
    first = create(village_a_user, round_)
    later_round = RoundFactory(town=town)
    persons = Person.objects.count()
    second = create(village_a_user, later_round)
    assert Person.objects.count() == persons
    assert second.person_id == first.person_id
    assert second.round_id == later_round.pk
    assert Nomination.objects.filter(person=first.person).count() == 2


def test_withdrawn_nomination_does_not_block_a_new_one(village_a_user, round_):
    first = create(village_a_user, round_)
    services.perform(actor=village_a_user, nomination_id=first.pk, action="withdraw", reason="本人放弃")
    second = create(village_a_user, round_)
    assert second.pk != first.pk
    assert second.person_id == first.person_id
    assert set(Nomination.objects.filter(round=round_, person=first.person).values_list("status", flat=True)) == {
        Status.WITHDRAWN, Status.DRAFT,
    }
    # ...but the new one blocks a third.
    with pytest.raises(ValidationError):
        create(village_a_user, round_)


# ---------------------------------------------------------------------------------------------
# perform: allowed moves, each with its event
# ---------------------------------------------------------------------------------------------


def assert_moved(nomination, action, actor, before, after, reason=""):
    assert status_of(nomination) == after
    event = events_of(nomination, action)[-1]
    assert event.actor == actor
    assert event.from_status == before
    assert event.to_status == after
    assert event.reason == reason


def test_submit_by_the_village_branch(village_a_user, draft):
    result = services.perform(actor=village_a_user, nomination_id=draft.pk, action="submit")
    assert result.status == Status.SUBMITTED
    assert_moved(draft, "submit", village_a_user, Status.DRAFT, Status.SUBMITTED)
    assert Nomination.objects.get(pk=draft.pk).submitted_at is not None


def test_accept_by_the_office(office, submitted):
    services.perform(actor=office, nomination_id=submitted.pk, action="accept")
    assert_moved(submitted, "accept", office, Status.SUBMITTED, Status.ACCEPTED)


def test_return_by_the_office_then_resubmit(office, village_a_user, submitted):
    services.perform(actor=office, nomination_id=submitted.pk, action="return", reason="  请补充学历证明。 ")
    assert_moved(submitted, "return", office, Status.SUBMITTED, Status.RETURNED, reason="请补充学历证明。")
    services.perform(actor=village_a_user, nomination_id=submitted.pk, action="submit")
    assert_moved(submitted, "submit", village_a_user, Status.RETURNED, Status.SUBMITTED)


@pytest.mark.parametrize("start", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED])
def test_withdraw_by_the_village_branch(village_a_user, draft, start):
    set_status(draft, start)
    services.perform(actor=village_a_user, nomination_id=draft.pk, action="withdraw", reason="外出务工")
    assert_moved(draft, "withdraw", village_a_user, start, Status.WITHDRAWN, reason="外出务工")


@pytest.mark.parametrize("start", [Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.VETTING,
                                   Status.VETTED, Status.INSPECTION, Status.PROPOSED, Status.APPROVED,
                                   Status.PUBLICISED])
def test_revoke_by_the_office(office, draft, start):
    """The office's own withdrawal is 撤销 (revoke), with a reason, from submitted … publicised."""
    set_status(draft, start)
    services.perform(actor=office, nomination_id=draft.pk, action="revoke", reason="本人书面申请退出")
    assert_moved(draft, "revoke", office, start, Status.REVOKED, reason="本人书面申请退出")


def test_a_revoked_nomination_does_not_block_a_new_one(office, village_a_user, round_):
    first = create(village_a_user, round_)
    set_status(first, Status.SUBMITTED)
    services.perform(actor=office, nomination_id=first.pk, action="revoke", reason="书面申请退出")
    second = create(village_a_user, round_)
    assert second.person_id == first.person_id


# ---------------------------------------------------------------------------------------------
# perform: refusals
# ---------------------------------------------------------------------------------------------


def assert_unchanged(nomination, status, events):
    assert status_of(nomination) == status
    assert len(events_of(nomination)) == events


@pytest.mark.parametrize(
    "user_fixture, action, start",
    [
        ("office", "submit", Status.DRAFT),
        ("committee", "submit", Status.DRAFT),
        ("village_a_user", "accept", Status.SUBMITTED),
        ("committee", "accept", Status.SUBMITTED),
        ("village_a_user", "return", Status.SUBMITTED),
        ("committee", "return", Status.SUBMITTED),
        ("committee", "withdraw", Status.SUBMITTED),
        ("office", "withdraw", Status.SUBMITTED),  # the office revokes; 撤回 is the applicant's
        ("village_a_user", "revoke", Status.SUBMITTED),
        ("committee", "revoke", Status.SUBMITTED),
    ],
)
def test_wrong_role_is_denied(request, draft, user_fixture, action, start):
    set_status(draft, start)
    user = request.getfixturevalue(user_fixture)
    n_events = len(events_of(draft))
    with pytest.raises(PermissionDenied):
        services.perform(actor=user, nomination_id=draft.pk, action=action, reason="理由")
    assert_unchanged(draft, start, n_events)


@pytest.mark.parametrize(
    "user_fixture, action, start",
    [
        ("village_b_user", "submit", Status.DRAFT),
        ("village_b_user", "withdraw", Status.DRAFT),
        ("other_office", "accept", Status.SUBMITTED),
        ("other_office", "return", Status.SUBMITTED),
        ("other_office", "withdraw", Status.SUBMITTED),
        ("dept_x_user", "accept", Status.SUBMITTED),  # a vetting department sees no 自荐表 here
    ],
)
def test_nomination_outside_the_scope_is_not_found(request, draft, user_fixture, action, start):
    set_status(draft, start)
    user = request.getfixturevalue(user_fixture)
    n_events = len(events_of(draft))
    with pytest.raises(NotFound):
        services.perform(actor=user, nomination_id=draft.pk, action=action, reason="理由")
    assert_unchanged(draft, start, n_events)


def test_missing_nomination_is_not_found(office):
    with pytest.raises(NotFound):
        services.perform(actor=office, nomination_id=999999, action="accept")


@pytest.mark.parametrize(
    "user_fixture, action, start",
    [
        ("village_a_user", "submit", Status.SUBMITTED),
        ("village_a_user", "submit", Status.ACCEPTED),
        ("village_a_user", "submit", Status.WITHDRAWN),
        ("office", "accept", Status.DRAFT),
        ("office", "accept", Status.RETURNED),
        ("office", "accept", Status.ACCEPTED),
        ("office", "return", Status.DRAFT),
        ("office", "return", Status.ACCEPTED),
        ("village_a_user", "withdraw", Status.ACCEPTED),  # past the village's hands
        ("village_a_user", "withdraw", Status.WITHDRAWN),
        ("office", "revoke", Status.DRAFT),  # a draft is still the village's
        ("office", "revoke", Status.RESERVE),
        ("office", "revoke", Status.WITHDRAWN),
        ("office", "revoke", Status.REVOKED),
        ("office", "revoke", Status.REJECTED),
        ("office", "revoke", Status.DISQUALIFIED),
    ],
)
def test_wrong_status_is_refused(request, draft, user_fixture, action, start):
    set_status(draft, start)
    user = request.getfixturevalue(user_fixture)
    n_events = len(events_of(draft))
    with pytest.raises(ActionRefused) as exc:
        services.perform(actor=user, nomination_id=draft.pk, action=action, reason="理由")
    assert str(Status(start).label) in exc.value.message
    assert_unchanged(draft, start, n_events)


def test_unknown_action_is_refused(office, submitted):
    with pytest.raises(ActionRefused):
        services.perform(actor=office, nomination_id=submitted.pk, action="promote")
    assert_unchanged(submitted, Status.SUBMITTED, 2)


@pytest.mark.parametrize(
    "offset, allowed",
    [
        (-11, False),  # the day before the window (RoundFactory: today-10 … today+10)
        (-10, True),  # first day
        (0, True),
        (10, True),  # last day
        (11, False),  # the day after
    ],
)
def test_submit_only_within_the_nomination_window(village_a_user, draft, offset, allowed):
    today = services.local_today() + datetime.timedelta(days=offset)
    if allowed:
        services.perform(actor=village_a_user, nomination_id=draft.pk, action="submit", today=today)
        assert status_of(draft) == Status.SUBMITTED
    else:
        with pytest.raises(ActionRefused) as exc:
            services.perform(actor=village_a_user, nomination_id=draft.pk, action="submit", today=today)
        assert "不在自荐报名时间内" in exc.value.message
        assert f"{draft.round.nomination_start:%Y-%m-%d}" in exc.value.message
        assert f"{draft.round.nomination_end:%Y-%m-%d}" in exc.value.message
        assert_unchanged(draft, Status.DRAFT, 1)


def test_submit_refused_after_the_window_set_on_the_round(village_a_user, town):
    today = services.local_today()
    late = RoundFactory(town=town, nomination_start=today - datetime.timedelta(days=20),
                        nomination_end=today - datetime.timedelta(days=1))
    nomination = create(village_a_user, late)
    with pytest.raises(ActionRefused):
        services.perform(actor=village_a_user, nomination_id=nomination.pk, action="submit")
    assert_unchanged(nomination, Status.DRAFT, 1)


def test_submit_refused_in_a_closed_round(village_a_user, draft):
    Round.objects.filter(pk=draft.round_id).update(status=Round.Status.CLOSED)
    with pytest.raises(ActionRefused):
        services.perform(actor=village_a_user, nomination_id=draft.pk, action="submit")
    assert_unchanged(draft, Status.DRAFT, 1)


def test_submit_refused_without_id_card_copy(village_a_user, round_):
    nomination = create(village_a_user, round_, upload=False)
    with pytest.raises(ActionRefused) as exc:
        services.perform(actor=village_a_user, nomination_id=nomination.pk, action="submit")
    assert "身份证复印件" in exc.value.message
    assert_unchanged(nomination, Status.DRAFT, 1)


def test_accept_refused_for_an_ineligible_nomination(village_a_user, office, round_, village_b):
    nomination = create(village_a_user, round_, hukou_village=village_b)
    assert nomination.is_eligible is False
    services.perform(actor=village_a_user, nomination_id=nomination.pk, action="submit")
    with pytest.raises(ActionRefused) as exc:
        services.perform(actor=office, nomination_id=nomination.pk, action="accept")
    assert "不符合基本条件" in exc.value.message
    assert_unchanged(nomination, Status.SUBMITTED, 2)
    # It can be returned with a reason instead.
    services.perform(actor=office, nomination_id=nomination.pk, action="return", reason="非本村户籍")
    assert status_of(nomination) == Status.RETURNED


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
@pytest.mark.parametrize(
    "user_fixture, action",
    [("office", "return"), ("office", "revoke"), ("village_a_user", "withdraw")],
)
def test_return_and_withdraw_need_a_reason(request, submitted, user_fixture, action, reason):
    user = request.getfixturevalue(user_fixture)
    with pytest.raises(ActionRefused) as exc:
        services.perform(actor=user, nomination_id=submitted.pk, action=action, reason=reason)
    assert "理由" in exc.value.message
    assert_unchanged(submitted, Status.SUBMITTED, 2)


# ---------------------------------------------------------------------------------------------
# round_update re-evaluates the open nominations
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def ref_round(town):
    return RoundFactory(town=town, age_reference_date=REF, age_limit=35)


def _eligibility_changed(nomination):
    return events_of(nomination, "eligibility_changed")


def test_raising_the_age_limit_flips_open_nominations_only(village_a_user, office, ref_round):
    old = create(village_a_user, ref_round, person=person_data(birth=D(1988, 1, 1), seq=1, name="老王"))  # 38
    young = create(village_a_user, ref_round, person=person_data(birth=D(1996, 1, 1), seq=2, name="小李"))  # 30
    gone = create(village_a_user, ref_round, person=person_data(birth=D(1988, 2, 2), seq=3, name="老张"))  # 38
    services.perform(actor=village_a_user, nomination_id=old.pk, action="submit")
    services.perform(actor=village_a_user, nomination_id=gone.pk, action="withdraw", reason="放弃")
    gone_before = Nomination.objects.get(pk=gone.pk)
    assert (old.is_eligible, young.is_eligible, gone_before.is_eligible) == (False, True, False)

    updated = round_update(actor=office, round_id=ref_round.pk, age_limit=40)

    assert Round.objects.get(pk=ref_round.pk).age_limit == 40
    old.refresh_from_db()
    assert old.is_eligible is True
    assert old.status == Status.SUBMITTED
    age = next(r for r in old.eligibility if r["code"] == "age")
    assert age["outcome"] == "pass" and "40周岁" in age["message"]
    (event,) = _eligibility_changed(old)
    assert event.actor == office
    assert (event.from_status, event.to_status) == (Status.SUBMITTED, Status.SUBMITTED)
    assert event.data == {"eligible": True}

    young.refresh_from_db()
    assert young.is_eligible is True
    assert _eligibility_changed(young) == []

    gone = Nomination.objects.get(pk=gone.pk)
    assert gone.is_eligible is False
    assert gone.eligibility == gone_before.eligibility
    assert _eligibility_changed(gone) == []

    (round_event,) = Event.objects.filter(action="round_update", object_id=ref_round.pk,
                                          content_type=ContentType.objects.get_for_model(Round))
    assert round_event.actor == office
    assert round_event.data["changed"]["age_limit"] == ["35", "40"]
    # One nomination changed outcome (and has an event); the count reported back says so.
    assert updated.reevaluated_changes == 1

    # Now eligible, the old candidate can be accepted.
    services.perform(actor=office, nomination_id=old.pk, action="accept")
    assert status_of(old) == Status.ACCEPTED


def test_lowering_the_age_limit_makes_open_nominations_ineligible(village_a_user, office, ref_round):
    nomination = create(village_a_user, ref_round, person=person_data(birth=D(1996, 1, 1)))  # 30
    services.perform(actor=village_a_user, nomination_id=nomination.pk, action="submit")
    services.perform(actor=office, nomination_id=nomination.pk, action="accept")
    round_update(actor=office, round_id=ref_round.pk, age_limit=29)
    nomination.refresh_from_db()
    assert nomination.is_eligible is False
    assert nomination.status == Status.ACCEPTED
    (event,) = _eligibility_changed(nomination)
    assert event.data == {"eligible": False}
    assert (event.from_status, event.to_status) == (Status.ACCEPTED, Status.ACCEPTED)


@pytest.mark.parametrize("closed_status", [Status.WITHDRAWN, Status.RESERVE, Status.DISQUALIFIED, Status.REJECTED])
def test_closed_nominations_are_not_re_evaluated(village_a_user, office, ref_round, closed_status):
    nomination = create(village_a_user, ref_round, person=person_data(birth=D(1996, 1, 1)))  # 30
    set_status(nomination, closed_status)
    before = Nomination.objects.get(pk=nomination.pk)
    round_update(actor=office, round_id=ref_round.pk, age_limit=29)
    after = Nomination.objects.get(pk=nomination.pk)
    assert (after.is_eligible, after.eligibility, after.status) == (True, before.eligibility, closed_status)
    assert _eligibility_changed(nomination) == []


def test_a_parameter_no_rule_reads_changes_no_nomination(village_a_user, office, ref_round, village_a):
    cadre = CadreFactory(village=village_a, name="李大山", post="党支部书记")
    nomination = create(village_a_user, ref_round, relatives=[{"cadre": cadre, "relation": "父子"}])
    before = Nomination.objects.get(pk=nomination.pk).eligibility
    updated = round_update(actor=office, round_id=ref_round.pk, publicity_days=7)
    assert updated.reevaluated_changes == 0
    assert Nomination.objects.get(pk=nomination.pk).eligibility == before
    assert _eligibility_changed(nomination) == []


def test_changing_relaxation_categories_re_evaluates(village_a_user, office, ref_round):
    nomination = create(village_a_user, ref_round, fulltime_education=Education.JUNIOR_HIGH,
                        relaxation_category="veteran")
    education = next(r for r in nomination.eligibility if r["code"] == "education")
    assert "须经镇组织办决定" in education["message"]  # a claim waits for the office's decision
    round_update(actor=office, round_id=ref_round.pk, relaxation_categories=["returning_graduate"])
    nomination.refresh_from_db()
    assert nomination.is_eligible is False
    education = next(r for r in nomination.eligibility if r["code"] == "education")
    assert "本批次不对“优秀退伍军人”放宽条件" in education["message"]


def _snapshot(round_):
    r = Round.objects.get(pk=round_.pk)
    return {f.attname: getattr(r, f.attname) for f in Round._meta.concrete_fields}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"nomination_end": REF - datetime.timedelta(days=400)}, "nomination_end"),  # before the start
        ({"appraisal_pass_numerator": 4, "appraisal_pass_denominator": 3}, "appraisal_pass_numerator"),
        ({"appraisal_turnout_numerator": 5, "age_limit": 40}, "appraisal_turnout_numerator"),
        ({"appraisal_pass_denominator": 0, "age_limit": 40}, "appraisal_pass_denominator"),
        ({"relaxed_min_education": Education.COLLEGE, "age_limit": 40}, "relaxed_min_education"),
        ({"relaxation_categories": ["astronaut"], "age_limit": 40}, "relaxation_categories"),
    ],
)
def test_invalid_round_params_change_nothing(village_a_user, office, ref_round, params, field):
    nomination = create(village_a_user, ref_round, person=person_data(birth=D(1988, 1, 1)))  # 38: ineligible
    round_before = _snapshot(ref_round)
    events_before = Event.objects.count()
    with pytest.raises(ValidationError) as exc:
        round_update(actor=office, round_id=ref_round.pk, **params)
    assert field in exc.value.message_dict
    assert _snapshot(ref_round) == round_before
    assert Event.objects.count() == events_before
    assert Nomination.objects.get(pk=nomination.pk).is_eligible is False


@pytest.mark.parametrize("user_fixture", ["village_a_user", "committee", "dept_x_user", "mentor", "other_office"])
def test_round_update_refused_for_non_office_users(request, village_a_user, ref_round, user_fixture):
    nomination = create(village_a_user, ref_round, person=person_data(birth=D(1988, 1, 1)))
    user = request.getfixturevalue(user_fixture)
    round_before = _snapshot(ref_round)
    events_before = Event.objects.count()
    # Another town's office: the round is not in its scope; every other role may never change one.
    with pytest.raises(NotFound if user_fixture == "other_office" else PermissionDenied):
        round_update(actor=user, round_id=ref_round.pk, age_limit=40)
    assert _snapshot(ref_round) == round_before
    assert Event.objects.count() == events_before
    assert Nomination.objects.get(pk=nomination.pk).is_eligible is False


def test_round_update_without_changes_writes_nothing(office, ref_round):
    events_before = Event.objects.count()
    updated = round_update(actor=office, round_id=ref_round.pk, age_limit=ref_round.age_limit)
    assert updated.reevaluated_changes == 0
    assert Event.objects.count() == events_before
