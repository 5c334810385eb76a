"""Attacks on the assessment rounds' pages (issue 12, "Bad input and permissions"), through the test client:

- input: scores out of range, negative, "nan", "inf", "1e9", two decimals, huge strings, weights not summing to 100,
  bad bands, too many veto reasons, shares over 100, a veto without a reason or an approver, future dates, a year
  in the future, garbage ids and actions, smuggled fields;
- workflow: a stale version, a second round of the same year, editing a confirmed assessment, a replayed confirm;
- scope: another mentor's reserve, another village's, another town's → 404; a committee member's writes → 403;
- never a 500, nothing half-saved (rows, events and the assessment's fields compared before and after), a Chinese
  message on a refusal.
"""

import datetime
import re

import pytest
from django.urls import reverse

from assessment import rounds
from assessment.models import Assessment, AssessmentRound, Scheme
from reserve.models import Event
from reserve.roles import Role
from training.models import Tier

from ..factories import PoolTermFactory, ReserveFactory, UserFactory
from ..helpers import message_texts, page, today

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
YEAR = today().year - 1
CJK = re.compile(r"[\u4e00-\u9fff]")
HUGE = "9" * 5000
FULL = {"de": "18", "neng": "13", "qin": "13", "ji": "27", "lian": "19"}


def url(name, *args):
    return reverse(f"assessment:{name}", args=args)


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, start=datetime.date(YEAR - 1, 1, 1))


@pytest.fixture
def reserve(town, term, village_a, mentor):
    start = datetime.date(YEAR - 1, 3, 1)
    return ReserveFactory(town=town, term=term, village=village_a, mentor=mentor, start_date=start, term_start=start,
                          term_end=start.replace(year=start.year + 2) - DAY)


@pytest.fixture
def round_(office, term, reserve):
    return rounds.round_open(actor=office, kind="annual", year=YEAR, term_id=term.pk).round


@pytest.fixture
def a(round_):
    return round_.assessments.get()


def snapshot():
    rows = list(Assessment.objects.order_by("pk").values(
        "status", "version", "scores", "mentor_score", "unit_score", "democratic_score", "total", "grade", "comment",
        "veto_reason", "rank"))
    return (AssessmentRound.objects.count(), Scheme.objects.count(), Event.objects.count(), rows,
            list(AssessmentRound.objects.values_list("status", "version")),
            list(Scheme.objects.values_list("items", "bands", "veto_reasons", "bottom_percent", "sub_shares")))


def refused(response, before, *, status=200):
    """The page answered (no 500) with a Chinese message and nothing was written."""
    assert response.status_code == status, response.status_code
    text = page(response) + " ".join(message_texts(response))
    if status in (200, 302):
        assert CJK.search(text)
    assert snapshot() == before


# --------------------------------------------------------------------------- scores


@pytest.mark.parametrize(("field", "value"), [
    ("item_de", "21"), ("item_de", "-1"), ("item_de", "nan"), ("item_de", "NaN"), ("item_de", "inf"),
    ("item_de", "1e9"), ("item_de", "1E1"), ("item_de", "18.55"), ("item_de", HUGE), ("item_de", "十八"),
    ("item_de", "0x10"), ("item_de", "1_8"), ("item_ji", "30.1"), ("democratic", "100.1"), ("democratic", "-0"),
    ("mentor", "-5"), ("unit", "Infinity"), ("comment", "评" * 1001),
])
def test_bad_scores_are_refused(client, office, a, field, value):
    client.force_login(office)
    data = {"version": a.version, **{f"item_{k}": v for k, v in FULL.items()}, field: value}
    before = snapshot()
    response = client.post(url("assessment_edit", a.pk), data)
    if value == "-0":  # -0 is 0: accepted as 0.0
        assert response.status_code == 302
        return
    refused(response, before)


def test_a_smuggled_item_key_or_field_is_ignored_or_refused(client, mentor, a):
    client.force_login(mentor)
    before = snapshot()
    response = client.post(url("assessment_edit", a.pk), {"version": a.version, "mentor": "", "item_de": "20",
                                                            "unit": "99", "democratic": "99", "comment": "x"})
    assert response.status_code == 302
    a = reload(a)
    assert (a.scores, a.unit_score, a.democratic_score, a.comment) == ({}, None, None, "")
    assert snapshot()[0:2] == before[0:2]


@pytest.mark.parametrize("version", ["", "abc", "-1", "99999999999999999999", "1.5"])
def test_a_missing_or_garbage_version_is_a_stale_page(client, office, a, version):
    client.force_login(office)
    before = snapshot()
    data = {"version": version, **{f"item_{k}": v for k, v in FULL.items()}}
    refused(client.post(url("assessment_edit", a.pk), data), before)
    response = client.post(url("assessment_action", a.pk, "submit_assessment"), {"version": version})
    refused(response, before, status=302)


def test_a_stale_form_is_refused(client, office, a):
    client.force_login(office)
    old = a.version
    client.post(url("assessment_edit", a.pk), {"version": old, **{f"item_{k}": v for k, v in FULL.items()}})
    before = snapshot()
    response = client.post(url("assessment_edit", a.pk), {"version": old, "item_de": "1"})
    refused(response, before)
    assert "刷新页面" in page(response)
    response = client.post(url("assessment_action", a.pk, "submit_assessment"), {"version": old})
    refused(response, before, status=302)


def test_editing_a_confirmed_assessment(client, office, a, round_):
    client.force_login(office)
    client.post(url("assessment_edit", a.pk), {"version": a.version, **{f"item_{k}": v for k, v in FULL.items()}})
    client.post(url("assessment_action", a.pk, "submit_assessment"), {"version": reload(a).version})
    client.post(url("round_action", round_.pk, "confirm_round"), {"version": reload(round_).version})
    a = reload(a)
    assert a.status == "confirmed"
    before = snapshot()
    body = page(client.get(url("assessment_edit", a.pk)))
    assert 'id="assessment-form"' not in body and "已锁定" in body
    response = client.post(url("assessment_edit", a.pk), {"version": a.version, "item_de": "1"})
    refused(response, before, status=302)
    for action in ("return_assessment", "submit_assessment", "confirm_assessment"):
        refused(client.post(url("assessment_action", a.pk, action), {"version": a.version, "reason": "x"}), before,
                status=302)
    veto = {"version": a.version, "reason": "违纪违法", "note": "x", "approver": "王", "on": today().isoformat()}
    refused(client.post(url("assessment_veto", a.pk), veto), before)
    # A replayed confirmation of the round.
    refused(client.post(url("round_action", round_.pk, "confirm_round"), {"version": round_.version + 1}), before,
            status=302)


@pytest.mark.parametrize("action", ["nonsense", "veto_assessment", "confirm_round", "a" * 300])
def test_an_unknown_or_wrong_action(client, office, a, round_, action):
    client.force_login(office)
    before = snapshot()
    refused(client.post(url("assessment_action", a.pk, action), {"version": a.version, "reason": "x"}), before,
            status=302)
    if action != "confirm_round":
        refused(client.post(url("round_action", round_.pk, action), {"version": round_.version}), before, status=302)


def test_submit_with_missing_scores_is_refused(client, office, a):
    client.force_login(office)
    before = snapshot()
    response = client.post(url("assessment_action", a.pk, "submit_assessment"), {"version": a.version})
    refused(response, before, status=302)
    assert any("尚未评分" in m for m in message_texts(response))


# --------------------------------------------------------------------------- veto


@pytest.mark.parametrize(("overrides", "message"), [
    ({"reason": ""}, None), ({"reason": "迟到早退"}, None), ({"approver": ""}, None), ({"approver": "王" * 61}, None),
    ({"note": ""}, None), ({"on": (today() + DAY).isoformat()}, "不能晚于今天"),
    ({"on": f"{YEAR - 1}-12-31"}, "不能早于考核年度"), ({"on": "2026-02-30"}, None), ({"on": "99999-01-01"}, None),
    ({"on": ""}, None), ({"note": "说" * 1001}, None),
])
def test_veto_refusals(client, office, a, overrides, message):
    client.force_login(office)
    data = {"version": a.version, "reason": "违纪违法", "note": "受到处分", "approver": "镇党委书记 王某",
            "on": today().isoformat(), **overrides}
    before = snapshot()
    response = client.post(url("assessment_veto", a.pk), data)
    refused(response, before)
    if message:
        assert message in page(response)


def test_a_veto_is_recorded_once(client, office, a):
    client.force_login(office)
    data = {"version": a.version, "reason": "违纪违法", "note": "受到处分", "approver": "王某", "on": today().isoformat()}
    assert client.post(url("assessment_veto", a.pk), data).status_code == 302
    before = snapshot()
    refused(client.post(url("assessment_veto", a.pk), data), before)  # replayed: stale and already vetoed
    refused(client.post(url("assessment_veto", a.pk), {**data, "version": reload(a).version}), before)


# --------------------------------------------------------------------------- the scheme


def scheme_data(**overrides):
    data = {"items-TOTAL_FORMS": "10", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "10", "items-0-name": "德", "items-0-weight": "40", "items-1-name": "绩",
            "items-1-weight": "60", "band_excellent": "90", "band_competent": "75", "band_basic": "60",
            "veto_reasons": "违纪违法", "bottom_percent": "10", "share_mentor": "0", "share_unit": "0",
            "share_democratic": "0", **{f"top_{t.value}": "20" for t in Tier}}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("overrides", "message"), [
    ({"items-1-weight": "59"}, "之和须为100，现为99"),
    ({"items-1-weight": "-60"}, None),
    ({"items-1-weight": "nan"}, None),
    ({"items-1-weight": "1e2"}, None),
    ({"items-1-name": "德"}, "重复"),
    ({"items-1-name": "一二三四五六七八九十一"}, None),
    ({"items-1-name": ""}, None),
    ({"items-0-name": "", "items-0-weight": "", "items-1-name": "", "items-1-weight": ""}, "至少"),
    ({"items-TOTAL_FORMS": "1000"}, None),
    ({"items-TOTAL_FORMS": "abc"}, None),
    ({"band_competent": "90"}, "递减"),
    ({"band_excellent": "101"}, None),
    ({"band_basic": "-1"}, None),
    ({"veto_reasons": "\n".join(f"情形{i}" for i in range(21))}, "不能超过20项"),
    ({"veto_reasons": "违" * 61}, "超过60字"),
    ({"veto_reasons": "甲\n甲"}, "重复"),
    ({"veto_reasons": "  \n "}, None),
    ({"share_mentor": "50", "share_unit": "30", "share_democratic": "21"}, "不能超过100"),
    ({"top_5": "101"}, None),
    ({"bottom_percent": "-1"}, None),
    ({"bottom_percent": HUGE}, None),
])
def test_bad_schemes_are_refused(client, office, town, overrides, message):
    client.force_login(office)
    client.get(url("scheme"))
    before = snapshot()
    response = client.post(url("scheme"), scheme_data(**overrides))
    refused(response, before)
    if message:
        assert message in page(response)


# --------------------------------------------------------------------------- rounds


@pytest.mark.parametrize(("overrides", "message"), [
    ({"year": str(today().year + 1)}, "不能是将来的年度"),
    ({"year": str(YEAR - 2)}, "早于人才库届期"),
    ({"year": "-1"}, None), ({"year": HUGE}, None), ({"year": "nan"}, None),
    ({"term": "999999999"}, None), ({"term": "abc"}, None), ({"term": HUGE}, None),
    ({"kind": "weekly"}, None), ({"title": "名" * 61}, None),
])
def test_bad_rounds_are_refused(client, office, term, reserve, overrides, message):
    client.force_login(office)
    before = snapshot()
    data = {"kind": "annual", "year": str(YEAR), "term": str(term.pk), "title": "", **overrides}
    response = client.post(url("round_new"), data)
    refused(response, before)
    if message:
        assert message in page(response)


def test_a_second_round_of_the_same_year(client, office, term, round_):
    client.force_login(office)
    before = snapshot()
    response = client.post(url("round_new"), {"kind": "annual", "year": str(YEAR), "term": str(term.pk)})
    refused(response, before)
    assert "不能重复发起" in page(response)


def test_another_towns_term_is_not_offered(client, office, other_town, reserve):
    other = PoolTermFactory(town=other_town, start=datetime.date(YEAR - 1, 1, 1))
    client.force_login(office)
    before = snapshot()
    refused(client.post(url("round_new"), {"kind": "annual", "year": str(YEAR), "term": str(other.pk)}), before)


# --------------------------------------------------------------------------- scope


def test_another_mentors_reserve_is_404(client, town, a):
    other = UserFactory(username="mentor2", town=town, role=Role.MENTOR)
    client.force_login(other)
    before = snapshot()
    assert client.get(url("assessment_edit", a.pk)).status_code == 404
    assert client.post(url("assessment_edit", a.pk), {"version": a.version, "mentor": "99"}).status_code == 404
    assert snapshot() == before


def test_another_village_is_404(client, village_b_user, a):
    client.force_login(village_b_user)
    before = snapshot()
    assert client.post(url("assessment_edit", a.pk), {"version": a.version, "unit": "99"}).status_code == 404
    assert snapshot() == before


def test_another_towns_office_is_404_everywhere(client, other_office, a, round_):
    client.force_login(other_office)
    before = snapshot()
    assert client.get(url("round_detail", round_.pk)).status_code == 404
    assert client.post(url("round_action", round_.pk, "confirm_round"), {"version": 0}).status_code == 404
    assert client.post(url("round_add", round_.pk), {"version": 0}).status_code == 404
    assert client.get(url("assessment_edit", a.pk)).status_code == 404
    assert client.post(url("assessment_action", a.pk, "submit_assessment"), {"version": 0}).status_code == 404
    assert client.get(url("assessment_veto", a.pk)).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("pk", ["0", "99999999", "99999999999999999999999"])
def test_garbage_ids_are_404(client, office, pk):
    client.force_login(office)
    for path in (f"/pool/assessment/{pk}/", f"/pool/assessment/entry/{pk}/", f"/pool/assessment/entry/{pk}/veto/"):
        assert client.get(path).status_code == 404


def test_garbage_filters_never_fail(client, office, round_):
    client.force_login(office)
    for query in ("?tier=abc", "?tier=99", "?status=<script>", "?page=-1", "?page=" + HUGE, "?tier=5&status=draft"):
        assert client.get(url("round_detail", round_.pk) + query).status_code == 200
    assert client.get(url("round_list") + "?page=abc").status_code == 200


def test_anonymous_is_sent_to_login(client, a, round_):
    for target in (url("round_list"), url("round_new"), url("scheme"), url("round_detail", round_.pk),
                   url("assessment_edit", a.pk), url("assessment_veto", a.pk)):
        response = client.get(target)
        assert response.status_code == 302 and "login" in response.url
