"""Talks (谈心谈话) and due talks (四必谈): who records for whom, bad input, the due talks the reserve's moves
make (through the pool's services on the workflow), the due date on the town's working-day calendar (2026's
National Day), answering a due talk, and the office's added due talks."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cultivation import talks
from cultivation.models import DueTalk, HeartTalk, TalkKind
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import CalendarDay, Event
from reserve.roles import Role
from reserve.workdays import add_working_days, official_data_for
from training import services as pool
from training.models import Reserve
from training.panels import reserve_panels, timeline_items

from ..factories import PoolTermFactory, ReserveFactory, UnitFactory, UserFactory
from ..helpers import today

pytestmark = pytest.mark.django_db

D = datetime.timedelta


def at(day: datetime.date, hour=10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def days_ago(n):
    return today() - D(days=n)


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town)


@pytest.fixture
def unit(town):
    return UnitFactory(town=town, name="农业服务中心")


@pytest.fixture
def unit_user(unit):
    return UserFactory(username="unit_head", unit=unit, role=Role.UNIT)


@pytest.fixture
def reserve(town, term, village_a, mentor):
    return ReserveFactory(town=town, term=term, village=village_a, mentor=mentor, name="张村", post="村委会委员")


@pytest.fixture
def unit_reserve(town, term, unit):
    return ReserveFactory(town=town, term=term, unit=unit, tier=4, name="李站")


@pytest.fixture
def other_mentor(town):
    return UserFactory(username="mentor_b", town=town, role=Role.MENTOR)


def record(actor, reserve, held=None, kind=TalkKind.REGULAR, **kw):
    fields = {"place": "村委会", "talker": "王书记", "topic": "工作近况", "content": "谈了工作和思想情况。",
              "follow_up": ""}
    fields.update(kw)
    return talks.record_talk(actor, reserve.pk, held or at(days_ago(1)), fields["place"], fields["talker"], kind,
                             fields["topic"], fields["content"], fields["follow_up"])


# ----------------------------------------------------------------------------- who records


@pytest.mark.parametrize("who,target", [
    ("office", "reserve"), ("committee", "reserve"), ("mentor", "reserve"), ("village_a_user", "reserve"),
    ("unit_user", "unit_reserve"),
])
def test_who_records(request, who, target):
    actor = request.getfixturevalue(who)
    reserve = request.getfixturevalue(target)
    talk = record(actor, reserve)
    assert talk.recorded_by == actor and talk.reserve == reserve
    assert Event.objects.filter(object_id=reserve.pk, action="talk_recorded").count() == 1


@pytest.mark.parametrize("who,target,error", [
    ("other_mentor", "reserve", NotFound),  # a mentor for someone else's reserve
    ("mentor", "unit_reserve", NotFound),
    ("dept_x_user", "reserve", NotAllowed),  # a department never records talks
    ("other_office", "reserve", NotFound),  # another town's office
    ("village_b_user", "reserve", NotFound),
    ("unit_user", "reserve", NotFound),  # a unit account and another unit's (a village's) reserve
])
def test_scope_denials(request, who, target, error):
    actor = request.getfixturevalue(who)
    reserve = request.getfixturevalue(target)
    with pytest.raises(error):
        record(actor, reserve)
    assert not HeartTalk.objects.exists()
    reserve.refresh_from_db()
    assert reserve.last_talk_on is None


def test_garbage_reserve_ids_are_not_found(office):
    for raw in ("abc", 10**30, None, -1):
        with pytest.raises(NotFound):
            talks.record_talk(office, raw, at(days_ago(1)), "a", "b", TalkKind.REGULAR, "c", "d", "")


BAD_INPUT = [
    ("in the future", {"held": lambda r: timezone.now() + D(hours=2)}, "held_at"),
    ("before entering the pool", {"held": lambda r: at(r.start_date - D(days=1))}, "held_at"),
    ("no time", {"held": lambda r: "yesterday"}, "held_at"),
    ("an unknown kind", {"kind": "chat"}, "kind"),
    ("a blank topic", {"topic": " \u200b "}, "topic"),
    ("overlong content", {"content": "长" * 1001}, "content"),
    ("overlong place", {"place": "地" * 101}, "place"),
    ("overlong follow-up", {"follow_up": "跟" * 1001}, "follow_up"),
]


@pytest.mark.parametrize("case,change,field", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_refused_and_nothing_saved(case, change, field, office, reserve):
    change = dict(change)
    held = change.pop("held", None)
    kind = change.pop("kind", TalkKind.REGULAR)
    with pytest.raises(ValidationError) as refused:
        record(office, reserve, held(reserve) if held else None, kind, **change)
    assert field in refused.value.message_dict
    assert not HeartTalk.objects.exists()


def test_a_reserve_removed_gets_no_more_talks_but_an_appointed_one_does(office, reserve):
    Reserve.objects.filter(pk=reserve.pk).update(status=Reserve.Status.REMOVED)
    with pytest.raises(ActionRefused):
        record(office, reserve)
    Reserve.objects.filter(pk=reserve.pk).update(status=Reserve.Status.USED)
    assert record(office, reserve).pk


def test_last_talk_on_keeps_the_latest(office, reserve):
    record(office, reserve, at(days_ago(3)))
    record(office, reserve, at(days_ago(10)))
    reserve.refresh_from_db()
    assert reserve.last_talk_on == days_ago(3)
    record(office, reserve, at(days_ago(1)))
    reserve.refresh_from_db()
    assert reserve.last_talk_on == days_ago(1)


# ----------------------------------------------------------------------------- due talks (四必谈)


def test_change_post_makes_a_post_change_talk_due(office, reserve):
    pool.reserve_change_post(actor=office, reserve_id=reserve.pk, post="村党支部副书记", changed_on=today())
    due = DueTalk.objects.get(reserve=reserve)
    expected = add_working_days(today() + D(days=1), reserve.term.due_talk_working_days, town=reserve.town).end
    assert due.kind == TalkKind.POST_CHANGE and due.arose_on == today() and due.due_on == expected
    assert "村党支部副书记" in due.reason and due.talk is None
    assert Event.objects.filter(object_id=reserve.pk, action="talk_due").exists()


def test_a_post_change_entered_later_is_due_from_the_day_it_happened(office, reserve):
    changed_on = max(days_ago(6), reserve.start_date)
    pool.reserve_change_post(actor=office, reserve_id=reserve.pk, post="村党支部副书记", changed_on=changed_on)
    due = DueTalk.objects.get(reserve=reserve)
    assert due.arose_on == changed_on
    assert due.due_on == add_working_days(changed_on + D(days=1), reserve.term.due_talk_working_days,
                                          town=reserve.town).end


def test_use_reserve_makes_a_promotion_talk_due_from_the_appointment(office, reserve):
    used_on = max(days_ago(5), reserve.start_date)
    pool.reserve_use(actor=office, reserve_id=reserve.pk, post="村委会主任", used_on=used_on)
    due = DueTalk.objects.get(reserve=reserve)
    assert due.kind == TalkKind.PROMOTION and due.arose_on == used_on
    assert due.due_on == add_working_days(used_on + D(days=1), reserve.term.due_talk_working_days,
                                          town=reserve.town).end


def test_a_refused_move_makes_no_due_talk(office, reserve):
    with pytest.raises(ActionRefused):
        pool.reserve_change_post(actor=office, reserve_id=reserve.pk, post=reserve.post, changed_on=today())
    assert not DueTalk.objects.exists()


def test_due_date_across_national_day_2026(reserve):
    """Arisen Tuesday 29 September 2026, due within 15 working days: the National Day holiday (1–7 October 2026,
    Saturday 10 October a working day) is not counted — due Monday 26 October, where Monday–Friday would say
    20 October."""
    reserve.term.due_talk_working_days = 15
    reserve.term.save()
    due = talks.make_talk_due(reserve, TalkKind.ASSESSMENT, "年度考核", datetime.date(2026, 9, 29))
    assert due.due_on == add_working_days(datetime.date(2026, 9, 30), 15, town=reserve.town).end
    assert due.due_on == datetime.date(2026, 10, 26)
    assert due.calendar_note == ""


def test_due_date_follows_the_towns_own_calendar(reserve):
    reserve.term.due_talk_working_days = 15
    reserve.term.save()
    CalendarDay.objects.create(town=reserve.town, date=datetime.date(2026, 10, 26), is_workday=False)
    due = talks.make_talk_due(reserve, TalkKind.SETBACK, "受挫", datetime.date(2026, 9, 29))
    assert due.due_on == datetime.date(2026, 10, 27)


def test_due_date_in_a_year_the_calendar_does_not_know_warns(reserve):
    year = next(y for y in range(2027, 2100) if not official_data_for(y))
    due = talks.make_talk_due(reserve, TalkKind.SETBACK, "受挫", datetime.date(year, 3, 2))
    assert str(year) in due.calendar_note and "请核对" in due.calendar_note
    assert talks.due_talk_note(due) == due.calendar_note


def test_the_same_due_talk_is_not_made_twice(reserve):
    first = talks.make_talk_due(reserve, TalkKind.SETBACK, "受挫", days_ago(2))
    assert talks.make_talk_due(reserve, TalkKind.SETBACK, "受挫", days_ago(2)) == first
    assert DueTalk.objects.count() == 1


def test_a_talk_of_the_kind_answers_the_oldest_open_due_talk(office, mentor, reserve):
    older = talks.make_talk_due(reserve, TalkKind.POST_CHANGE, "岗位调整一", days_ago(20))
    newer = talks.make_talk_due(reserve, TalkKind.POST_CHANGE, "岗位调整二", days_ago(10))
    promotion = talks.make_talk_due(reserve, TalkKind.PROMOTION, "任用", days_ago(10))
    regular = record(mentor, reserve, at(days_ago(1)))
    assert not DueTalk.objects.filter(talk__isnull=False).exists() and regular.answered is None
    talk = record(mentor, reserve, at(days_ago(1)), TalkKind.POST_CHANGE)
    assert talk.answered == older
    for due in (older, newer, promotion):
        due.refresh_from_db()
    assert older.talk == talk and newer.talk is None and promotion.talk is None
    record(mentor, reserve, at(days_ago(1), 15), TalkKind.POST_CHANGE)  # another talk that day (not a double)
    newer.refresh_from_db()
    assert newer.talk is not None


def test_a_talk_before_the_event_does_not_answer_it(office, reserve):
    due = talks.make_talk_due(reserve, TalkKind.SETBACK, "受挫", days_ago(2))
    record(office, reserve, at(days_ago(5)), TalkKind.SETBACK)
    due.refresh_from_db()
    assert due.talk is None


@pytest.mark.parametrize("who,error", [("committee", NotAllowed), ("mentor", NotAllowed),
                                       ("other_office", NotFound)])
def test_only_the_towns_office_adds_a_due_talk(request, who, error, reserve):
    with pytest.raises(error):
        talks.add_due_talk(request.getfixturevalue(who), reserve.pk, TalkKind.SETBACK, "受挫", days_ago(1))
    assert not DueTalk.objects.exists()


@pytest.mark.parametrize("kind,reason,arose,field", [
    (TalkKind.REGULAR, "日常", lambda r: days_ago(1), "kind"),
    ("nonsense", "x", lambda r: days_ago(1), "kind"),
    (TalkKind.SETBACK, "  ", lambda r: days_ago(1), "reason"),
    (TalkKind.SETBACK, "由" * 201, lambda r: days_ago(1), "reason"),
    (TalkKind.SETBACK, "受挫", lambda r: today() + D(days=1), "arose_on"),
    (TalkKind.SETBACK, "受挫", lambda r: r.start_date - D(days=1), "arose_on"),
], ids=["regular", "unknown kind", "no reason", "overlong reason", "future", "before entering"])
def test_added_due_talk_refusals(office, reserve, kind, reason, arose, field):
    with pytest.raises(ValidationError) as refused:
        talks.add_due_talk(office, reserve.pk, kind, reason, arose(reserve))
    assert field in refused.value.message_dict
    assert not DueTalk.objects.exists()


def test_office_adds_a_setback_talk(office, reserve):
    due = talks.add_due_talk(office, reserve.pk, TalkKind.SETBACK, "项目受挫", days_ago(1))
    assert due.kind == TalkKind.SETBACK and due.due_on > due.arose_on


# ----------------------------------------------------------------------------- the reserve's page


def test_panel_and_timeline(office, committee, mentor, other_mentor, dept_x_user, reserve):
    record(mentor, reserve, at(days_ago(2)), topic="谈思想")
    talks.make_talk_due(reserve, TalkKind.SETBACK, "受挫", days_ago(1))
    panel = dict(reserve_panels(reserve, office))["cultivation/talk_panel.html"]
    assert panel["talks_this_year"] == (1 if days_ago(2).year == today().year else 0)
    assert panel["may_record"] and panel["may_add_due"] and len(panel["due_talks"]) == 1
    assert dict(reserve_panels(reserve, mentor))["cultivation/talk_panel.html"]["may_add_due"] is False
    assert "cultivation/talk_panel.html" not in dict(reserve_panels(reserve, other_mentor))
    assert "cultivation/talk_panel.html" not in dict(reserve_panels(reserve, dept_x_user))
    items = [i for i in timeline_items(reserve, committee) if i.label == "谈心谈话"]
    assert len(items) == 1 and "谈思想" in items[0].text
    assert timeline_items(reserve, other_mentor) == []


# ----------------------------------------------------------------------------- double submits


@pytest.mark.parametrize(("change", "twice"), [
    ({}, True),
    ({"place": "镇政府", "content": "另记一遍", "follow_up": "跟进"}, True),  # the same talk, typed again
    ({"held": 11}, False),
    ({"kind": TalkKind.SETBACK}, False),
    ({"topic": "另一主题"}, False),
    ({"talker": "李委员"}, False),
])
def test_the_same_talk_sent_twice_is_recorded_once(office, mentor, reserve, change, twice):
    """Same reserve, time, kind, topic and talker: one talk (it counts once toward the yearly minimum)."""
    record(mentor, reserve)
    events = Event.objects.count()
    change = dict(change)
    held = at(days_ago(1), change.pop("held", 10))
    kind = change.pop("kind", TalkKind.REGULAR)
    if twice:
        with pytest.raises(ActionRefused, match="该次谈话已记录"):
            record(office, reserve, held, kind, **change)
        assert HeartTalk.objects.filter(reserve=reserve).count() == 1 and Event.objects.count() == events
    else:
        record(office, reserve, held, kind, **change)
        assert HeartTalk.objects.filter(reserve=reserve).count() == 2


def test_the_reserves_history_says_what_talk_became_due(client, office, reserve, mentor):
    """A 四必谈 made due shows on the reserve's page with its kind, reason, deadline and whether it was held — not
    the bare event label (found by the first testers)."""
    from django.urls import reverse

    from training.selectors import reserve_history

    talks.add_due_talk(office, reserve.pk, TalkKind.SETBACK, "所办养殖场减产", today())
    rows = [row for row in reserve_history(reserve, office) if row.label == "应谈事项（四必谈）"]
    assert len(rows) == 1
    assert "遇到挫折时必谈：所办养殖场减产" in rows[0].text and "未谈" in rows[0].text
    client.force_login(mentor)
    assert "所办养殖场减产" in client.get(reverse("training:reserve_detail", args=[reserve.pk])).content.decode()
