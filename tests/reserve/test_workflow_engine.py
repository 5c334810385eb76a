"""The workflow engine (reserve/workflow.py) and the scope object (reserve/scope.py), on the tables
and declarations the apps register: one table row and one action per step, one scope entry per rule."""

import pytest
from django.db import transaction

from candidates.models import Nomination, Status
from candidates.workflow import NOMINATION_WORKFLOW
from inspection.models import AppraisalSession, CommitteeMeeting
from publicity.models import Notice, Objection
from publicity.workflow import OBJECTION_WORKFLOW
from reserve import events
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import Event, User, Village
from reserve.roles import Role
from reserve.scope import Scope, rule_for
from reserve.workflow import Transition, Workflow
from tests.factories import NominationFactory, VillageFactory
from training.models import Reserve
from vetting.models import NegativeItem, VettingRequest
from vetting.workflow import REQUEST_WORKFLOW

# --------------------------------------------------------------------------- the registries are filled


def test_later_stages_fill_the_nominations_table_from_their_app_configs():
    """Each later stage's guard or effect is on the row it belongs to, and nothing is a dotted string."""
    names = {action: ([g.__module__ + "." + g.__name__ for g in NOMINATION_WORKFLOW.guards(action)],
                      [e.__module__ + "." + e.__name__ for e in NOMINATION_WORKFLOW.effects(action)])
             for action in ("dispatch", "vet_clear", "disqualify", "propose", "confirm_reserve")}
    assert names["dispatch"] == (["vetting.services.guard_dispatch"], ["vetting.services.create_requests"])
    assert names["vet_clear"] == ([], ["vetting.workflow.close_answered"])
    assert names["disqualify"] == ([], ["vetting.workflow.close_answered"])
    assert names["propose"] == (["candidates.workflow.guard_still_eligible", "inspection.services.guard_propose"], [])
    assert names["confirm_reserve"][1] == ["training.services.create_reserve"]
    assert "publicity.services.guard_confirm" in names["confirm_reserve"][0]


def test_every_action_of_every_table_has_a_label_for_the_timeline():
    for workflow in (NOMINATION_WORKFLOW, REQUEST_WORKFLOW, OBJECTION_WORKFLOW):
        for transition in workflow.values():
            assert events.label(transition.action) == transition.label
    # Events that are not transitions are registered by the app that writes them.
    assert str(events.label("vetting_answer")) == "联审部门答复"
    assert str(events.label("talk")) == "个别谈话"
    assert str(events.label("objection")) == "收到异议"
    assert events.label("no_such_kind") == "no_such_kind"


def test_an_unknown_action_cannot_be_hooked():
    with pytest.raises(KeyError):
        NOMINATION_WORKFLOW.add_guard("no_such_action", lambda *a: None)


# --------------------------------------------------------------------------- the engine on a table of its own

def _table(**kwargs):
    """A two-row table on Nomination, to test the engine by itself."""
    return Workflow(Nomination, (
        Transition(action="t_move", label="移动", target=Status.SUBMITTED,
                   sources_by_role={Role.VILLAGE: (Status.DRAFT,)}, **kwargs),
        Transition(action="t_auto", label="自动", target=Status.ACCEPTED,
                   sources_by_role={Role.OFFICE: (Status.SUBMITTED,)}, system=True, manual=False),
    ), lock=lambda actor, pk: Scope.for_user(actor).get(Nomination.objects.select_for_update(), pk))


@pytest.fixture
def draft(round_, village_a, village_a_user):
    return NominationFactory(round=round_, village=village_a, created_by=village_a_user)


def test_perform_moves_writes_one_event_and_runs_the_effects(draft, village_a_user):
    ran = []
    table = _table(effect=lambda obj, actor, today: ran.append((obj.status, actor)))
    table.perform(actor=village_a_user, pk=draft.pk, action="t_move", reason="  理由  ")
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert ran == [(Status.SUBMITTED, village_a_user)]
    (event,) = Event.objects.filter(object_id=draft.pk, action="t_move")
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        Status.DRAFT, Status.SUBMITTED, village_a_user, "理由")


@pytest.mark.parametrize("case", ["wrong role", "wrong status", "no reason", "guard", "out of scope"])
def test_every_refusal_changes_nothing(case, draft, village_a_user, village_b_user, office):
    guard = (lambda obj, actor, today: "不行。") if case == "guard" else None
    table = _table(guard=guard, needs_reason=case == "no reason")
    actor = {"wrong role": office, "out of scope": village_b_user}.get(case, village_a_user)
    if case == "wrong status":
        Nomination.objects.filter(pk=draft.pk).update(status=Status.ACCEPTED)
    expected = {"wrong role": NotAllowed, "out of scope": NotFound}.get(case, ActionRefused)
    before = Nomination.objects.get(pk=draft.pk).status
    with pytest.raises(expected) as raised:
        table.perform(actor=actor, pk=draft.pk, action="t_move")
    assert Nomination.objects.get(pk=draft.pk).status == before
    assert not Event.objects.filter(action="t_move").exists()
    if case == "guard":
        assert raised.value.message == "不行。"
    if case == "no reason":
        assert raised.value.message == "请填写移动理由。"


def test_a_system_transition_is_not_a_button_and_checks_no_role(draft, village_a_user):
    table = _table()
    Nomination.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)
    with pytest.raises(ActionRefused):  # not manual: no perform
        table.perform(actor=village_a_user, pk=draft.pk, action="t_auto")
    with transaction.atomic():
        locked = table.lock(village_a_user, draft.pk)
        table.apply(locked, "t_auto", actor=village_a_user)  # the village's action caused it
    assert Nomination.objects.get(pk=draft.pk).status == Status.ACCEPTED


def test_available_actions_and_can_say_why_a_button_is_disabled(draft, village_a_user, office):
    table = _table(guard=lambda obj, actor, today: "尚未上传。" if not obj.id_card_copy else None)
    (row,) = table.available_actions(draft, village_a_user)
    assert (row[0].action, row[1]) == ("t_move", "尚未上传。")
    assert table.can(draft, "t_move", village_a_user) is False
    assert table.available_actions(draft, office) == []


def test_perform_refuses_to_nest_in_another_transaction(draft, village_a_user):
    """perform() is a durable transaction: a caller holding one uses apply() instead."""
    with transaction.atomic(), pytest.raises(RuntimeError):
        _table().perform(actor=village_a_user, pk=draft.pk, action="t_move")


def test_a_stale_version_is_refused_before_anything_else(db, office):
    """A form drawn from an older version of a row is refused, whatever else is wrong with it."""
    request = VettingRequest(version=3, status=VettingRequest.Status.PENDING)
    with pytest.raises(ActionRefused) as raised:
        REQUEST_WORKFLOW.apply(request, "decide", actor=office, reason="理由", version=2)
    assert "已被他人更新" in raised.value.message


# --------------------------------------------------------------------------- a GET writes nothing

def test_the_nomination_page_of_an_accepted_nomination_writes_nothing(client, office, round_, village_a, dept_x):
    """The dispatch guard only reads: before the first dispatch the negative list does not exist, and
    drawing the dispatch button does not make it (the dispatch itself does)."""
    nomination = NominationFactory(round=round_, village=village_a, accepted=True)
    client.force_login(office)
    response = client.get(nomination.get_absolute_url())
    assert response.status_code == 200
    assert 'data-action="dispatch"' in response.content.decode()
    assert not NegativeItem.objects.exists()
    assert not Event.objects.filter(object_id=nomination.pk).exists()
    from candidates import services
    from tests.helpers import every_negative_item_checked

    every_negative_item_checked(round_, dept_x)  # dispatch needs every item of the list checked by someone
    services.perform(actor=office, nomination_id=nomination.pk, action="dispatch")
    assert NegativeItem.objects.filter(round=round_).count() == 13
    assert VettingRequest.objects.filter(nomination=nomination, department=dept_x).exists()


def test_dispatch_is_refused_when_no_department_of_the_default_list_exists(client, office, round_, village_a):
    nomination = NominationFactory(round=round_, village=village_a, accepted=True)
    ((transition, refusal),) = [(t, r) for t, r, _late in NOMINATION_WORKFLOW.available_actions(nomination, office)
                                if t.action == "dispatch"]
    assert "未指定任何审查部门" in refusal


# --------------------------------------------------------------------------- the scope: one entry per model

SCOPE_TABLE = {
    Village: {Role.OFFICE, Role.COMMITTEE, Role.VILLAGE},
    Nomination: {Role.OFFICE, Role.COMMITTEE, Role.VILLAGE},
    VettingRequest: {Role.OFFICE, Role.DEPARTMENT},
    AppraisalSession: {Role.OFFICE, Role.COMMITTEE},
    CommitteeMeeting: {Role.OFFICE, Role.COMMITTEE},
    Notice: {Role.OFFICE, Role.COMMITTEE, Role.VILLAGE},
    Objection: {Role.OFFICE},
    Reserve: {Role.OFFICE, Role.COMMITTEE, Role.VILLAGE, Role.UNIT, Role.MENTOR},
    User: {Role.OFFICE},
}


@pytest.mark.parametrize("model", list(SCOPE_TABLE), ids=lambda m: m.__name__)
def test_which_roles_see_each_model(model):
    """The access rules, as declared: the administrators and roles not named see nothing."""
    assert set(rule_for(model)) == SCOPE_TABLE[model]


def test_the_scope_of_each_role(town, other_town, village_a, village_b, office, village_a_user, dept_x_user,
                                committee, mentor):
    VillageFactory(town=other_town)
    assert set(Scope.for_user(office).filter(Village)) == {village_a, village_b}
    assert set(Scope.for_user(committee).filter(Village)) == {village_a, village_b}
    assert set(Scope.for_user(village_a_user).filter(Village)) == {village_a}
    assert list(Scope.for_user(dept_x_user).filter(Village)) == []
    assert list(Scope.for_user(mentor).filter(Village)) == []
    # A village branch's town is its village's: it sees the town's rounds.
    assert Scope.for_user(village_a_user).town_id == town.pk
    with pytest.raises(NotFound):
        Scope.for_user(village_a_user).require(village_b)
    with pytest.raises(NotFound):
        Scope.for_user(office).get(Village, 10**12)
    with pytest.raises(NotAllowed):
        Scope.for_user(committee).require_role(Role.OFFICE)


def test_a_user_without_a_role_sees_nothing(db, village_a):
    nobody = User.objects.create(username="nobody", town=village_a.town)
    scope = Scope.for_user(nobody)
    assert not scope.roles and list(scope.filter(Village)) == []


@pytest.mark.parametrize("reason, override", [("理" * 1001, ""), ("", "理" * 1001)])
def test_a_reason_over_its_length_is_refused_whatever_calls_the_action(draft, village_a_user, reason, override):
    """The forms cap a reason at 1000 characters; a service called otherwise is held to the same (issue 10 §8)."""
    with pytest.raises(ActionRefused, match="理由不能超过1000字"):
        _table().perform(actor=village_a_user, pk=draft.pk, action="t_move", reason=reason, override=override)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not Event.objects.filter(object_id=draft.pk).exists()


def test_a_reason_of_the_full_length_is_kept(draft, village_a_user):
    _table().perform(actor=village_a_user, pk=draft.pk, action="t_move", reason="理" * 1000)
    assert Event.objects.get(object_id=draft.pk, action="t_move").reason == "理" * 1000
