"""The nomination pages: who sees and does what (scope by object), the 自荐表 form's refusals, the
ID-card download, and the query count of the lists."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates import services
from candidates.models import Nomination, Person, Round, Status
from candidates.workflow import NOMINATION_WORKFLOW
from reserve import idnumber
from reserve.choices import Education, Gender
from tests.factories import (
    CadreFactory,
    NominationFactory,
    PersonFactory,
    RoundFactory,
    VillageFactory,
    make_id,
    png_upload,
)
from tests.helpers import management, message_texts, page, years_ago

# The person typed into the form in these tests (a birth date no factory uses by default).
BIRTH = datetime.date(1996, 3, 8)
ID_MALE = make_id(BIRTH, Gender.MALE, seq=41)

ACTORS = ("village_a", "village_b", "office", "committee", "dept", "mentor", "unit", "other_office")


# --------------------------------------------------------------------------- helpers

def form_data(village, round_=None, /, **overrides):
    """A complete, valid 自荐表 POST (multipart, with an ID-card copy)."""
    data = {
        "name": "李明", "id_number": ID_MALE, "gender": "", "birth_date": "",
        "ethnicity": "汉族", "native_place": "浙江兰溪", "birthplace": "浙江兰溪",
        "political_status": "masses", "party_join_date": "", "work_start_date": "", "health": "健康",
        "hukou_village": str(village.pk), "hukou_address": "一组12号",
        "fulltime_education": str(Education.HIGH_SCHOOL), "fulltime_school": "兰溪一中",
        "inservice_education": "", "inservice_school": "",
        "work_unit_post": "个体经营", "phone": "13812345678", "speciality": "农技",
        "awards_punishments": "", "statement": "热爱农村工作，愿为村民服务。",
        "relaxation_category": "", "relaxation_note": "",
        "id_card_copy": png_upload(),
        **management("resume"), **management("family"), **management("relatives"),
    }
    if round_ is not None:
        data["round"] = str(round_.pk)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def id_with_birth_digits(digits: str, seq="123") -> str:
    first17 = f"330781{digits}{seq}"
    return first17 + idnumber.check_char(first17)


def counts():
    return Nomination.objects.count(), Person.objects.count()


def stored_files(tmp_path) -> list[Path]:
    """The files stored for nominations (not an ID-card copy kept for a form being corrected: pending_files)."""
    media = tmp_path / "media"
    return [p for p in media.rglob("*") if p.is_file() and "pending" not in p.parts] if media.exists() else []


def pending_files(tmp_path) -> list[Path]:
    """ID-card copies kept (reserve.uploads.stash_pending) while their form is redisplayed with an error."""
    pending = tmp_path / "media" / "pending"
    return [p for p in pending.rglob("*") if p.is_file()] if pending.exists() else []


# --------------------------------------------------------------------------- fixtures

@pytest.fixture
def other_round(other_town):
    return RoundFactory(town=other_town)


@pytest.fixture
def other_village(other_town):
    return VillageFactory(town=other_town, name="外镇村")


@pytest.fixture
def actors(village_a_user, village_b_user, office, committee, dept_x_user, mentor, unit_user, other_office):
    return {
        "village_a": village_a_user, "village_b": village_b_user, "office": office, "committee": committee,
        "dept": dept_x_user, "mentor": mentor, "unit": unit_user, "other_office": other_office,
    }


@pytest.fixture
def nom_a(round_, village_a, village_a_user):
    """Village A's draft, with an ID-card copy, its eligibility evaluated by the services."""
    person = PersonFactory(name="甲村人")
    return services.nomination_create(
        actor=village_a_user, round_=round_,
        person_data={"id_number": person.id_number, "name": person.name, "gender": person.gender,
                     "birth_date": person.birth_date},
        fields={"political_status": "masses", "hukou_village": village_a, "fulltime_education": Education.HIGH_SCHOOL,
                "work_unit_post": "个体经营", "phone": "13800000000", "statement": "热爱农村工作。"},
        id_card_copy=png_upload(),
    )


@pytest.fixture
def nom_b(round_, village_b, village_b_user):
    person = PersonFactory(name="乙村人")
    return services.nomination_create(
        actor=village_b_user, round_=round_,
        person_data={"id_number": person.id_number, "name": person.name, "gender": person.gender,
                     "birth_date": person.birth_date},
        fields={"political_status": "masses", "hukou_village": village_b, "fulltime_education": Education.HIGH_SCHOOL,
                "work_unit_post": "务农", "phone": "13800000001", "statement": "愿意为村里办事。"},
        id_card_copy=png_upload(),
    )


@pytest.fixture
def other_nom(other_round, other_village):
    return NominationFactory(round=other_round, village=other_village, person=PersonFactory(name="外镇人"),
                             submitted=True)


# --------------------------------------------------------------------------- the cross-scope matrix

LIST_SEES = {
    # actor: (status, sees village A's, sees village B's)
    "village_a": (200, True, False),
    "village_b": (200, False, True),
    "office": (200, True, True),
    "committee": (200, True, True),
    "dept": (403, False, False),
    "mentor": (403, False, False),
    "unit": (403, False, False),
    "other_office": (200, False, False),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_nomination_list_scope(client, actors, nom_a, nom_b, other_nom, actor):
    for n, user in ((nom_a, actors["village_a"]), (nom_b, actors["village_b"])):
        services.perform(actor=user, nomination_id=n.pk, action="submit")  # the town sees no draft
    client.force_login(actors[actor])
    response = client.get(reverse("candidates:nomination_list"))
    status, sees_a, sees_b = LIST_SEES[actor]
    assert response.status_code == status
    html = page(response)
    assert ("甲村人" in html) is sees_a
    assert ("乙村人" in html) is sees_b
    assert "外镇人" not in html or actor == "other_office"


def test_other_towns_office_sees_its_own_nominations_only(client, other_office, village_a_user, nom_a, other_nom):
    services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    client.force_login(other_office)
    html = page(client.get(reverse("candidates:nomination_list")))
    assert "外镇人" in html and "甲村人" not in html


# Expected status for village A's nomination, per page and actor.
DETAIL = {"village_a": 200, "village_b": 404, "office": 200, "committee": 200, "dept": 403, "mentor": 403,
          "unit": 403, "other_office": 404}
EDIT = {"village_a": 200, "village_b": 404, "office": 403, "committee": 403, "dept": 403, "mentor": 403,
        "unit": 403, "other_office": 403}
ID_CARD = {**DETAIL, "committee": 403}  # the ID-card copy shows the full number: not for the committee


@pytest.mark.parametrize("actor", ACTORS)
def test_nomination_detail_scope(client, actors, nom_a, actor):
    client.force_login(actors[actor])
    response = client.get(reverse("candidates:nomination_detail", args=[nom_a.pk]))
    assert response.status_code == DETAIL[actor]
    if response.status_code == 200:
        html = page(response)
        assert "甲村人" in html
        assert nom_a.person.id_number not in html  # masked on the page
        # … and not given back by the birth date beside it (the masked digits are the birth date's eight)
        birth = nom_a.person.birth_date
        for shown in (f"{birth:%Y%m%d}", f"{birth.year}年{birth.month}月{birth.day}日", f"{birth:%Y-%m-%d}"):
            assert shown not in html, shown


@pytest.mark.parametrize("actor", ACTORS)
def test_nomination_edit_scope(client, actors, nom_a, actor):
    client.force_login(actors[actor])
    url = reverse("candidates:nomination_edit", args=[nom_a.pk])
    assert client.get(url).status_code == EDIT[actor]
    before = Nomination.objects.values().get(pk=nom_a.pk)
    response = client.post(url, form_data(nom_a.village, name="改名"))
    expected_post = 302 if actor == "village_a" else EDIT[actor]
    assert response.status_code == expected_post
    if actor != "village_a":
        after = Nomination.objects.values().get(pk=nom_a.pk)
        assert after == before
        assert Person.objects.get(pk=nom_a.person_id).name == "甲村人"
        assert not Person.objects.filter(id_number=ID_MALE).exists()


@pytest.mark.parametrize("actor", ACTORS)
def test_nomination_id_card_scope(client, actors, nom_a, actor):
    client.force_login(actors[actor])
    response = client.get(reverse("candidates:nomination_id_card", args=[nom_a.pk]))
    try:
        assert response.status_code == ID_CARD[actor]
    finally:
        response.close()


def test_id_card_of_a_nomination_that_does_not_exist_is_404(client, village_a_user, nom_a):
    client.force_login(village_a_user)
    assert client.get(reverse("candidates:nomination_detail", args=[nom_a.pk + 1000])).status_code == 404
    assert client.get(reverse("candidates:nomination_id_card", args=[nom_a.pk + 1000])).status_code == 404


# action: (status the nomination is put in first, who may take it, target status)
ACTIONS = {
    "submit": (Status.DRAFT, {"village_a"}, Status.SUBMITTED),
    "accept": (Status.SUBMITTED, {"office"}, Status.ACCEPTED),
    "return": (Status.SUBMITTED, {"office"}, Status.RETURNED),
    "withdraw": (Status.SUBMITTED, {"village_a"}, Status.WITHDRAWN),  # the applicant's 撤回
    "revoke": (Status.SUBMITTED, {"office"}, Status.REVOKED),  # the office's 撤销
}


def _action_expectation(action, actor):
    """The status code a POST answers, and whether the action runs."""
    _source, takers, _target = ACTIONS[action]
    if actor in ("village_b", "other_office"):
        return 404, False  # out of scope: the same answer as a nomination that does not exist
    if actor in ("committee", "dept", "mentor", "unit"):
        return 403, False  # roles that take no action on a nomination
    if actor in takers:
        return 302, True
    return 403, False  # village A may not accept or return; the office may not submit


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_nomination_action_scope(client, actors, village_a_user, nom_a, action, actor):
    source, _takers, target = ACTIONS[action]
    if source == Status.SUBMITTED:
        services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    client.force_login(actors[actor])
    response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, action]),
                           {"reason": "测试理由"})
    status, runs = _action_expectation(action, actor)
    assert response.status_code == status
    nom_a.refresh_from_db()
    assert nom_a.status == (target if runs else source)
    if runs:
        assert response["Location"] == nom_a.get_absolute_url()
        assert message_texts(response) == [str(NOMINATION_WORKFLOW[action].done)]


@pytest.mark.parametrize("actor", ACTORS)
def test_unknown_action_answers_by_scope(client, actors, nom_a, actor):
    client.force_login(actors[actor])
    response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, "publish"]))
    expected = {"village_a": 302, "office": 302, "village_b": 404, "other_office": 404,
                "committee": 403, "dept": 403, "mentor": 403, "unit": 403}[actor]
    assert response.status_code == expected
    nom_a.refresh_from_db()
    assert nom_a.status == Status.DRAFT
    if expected == 302:
        assert "未知操作。" in message_texts(response)


def test_action_needing_a_reason_is_refused_without_one(client, office, village_a_user, nom_a):
    services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    client.force_login(office)
    response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, "return"]), {"reason": "  "},
                           follow=True)
    assert "请填写退回理由。" in page(response)
    nom_a.refresh_from_db()
    assert nom_a.status == Status.SUBMITTED


@pytest.mark.parametrize("actor", ACTORS)
def test_eligibility_check_scope(client, actors, round_, village_a, village_b, actor):
    client.force_login(actors[actor])
    response = client.post(reverse("candidates:eligibility_check"), form_data(village_a, round_, id_card_copy=None))
    expected = {"village_a": 200, "village_b": 200}.get(actor, 403)
    assert response.status_code == expected
    if expected == 200:
        html = page(response)
        assert "本村户籍" in html
        # The check is made against the acting account's village, whatever the form says.
        if actor == "village_a":
            assert "户籍在本村（东山村）" in html
        else:
            assert "户籍在东山村，不是西岭村户籍。" in html


def test_eligibility_check_with_another_towns_round_is_404(client, village_a_user, village_a, other_round):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:eligibility_check"),
                           form_data(village_a, other_round, id_card_copy=None))
    assert response.status_code == 404


def test_eligibility_check_refuses_get(client, village_a_user, round_):
    client.force_login(village_a_user)
    assert client.get(reverse("candidates:eligibility_check")).status_code == 405


def test_eligibility_check_shows_a_failed_rule(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    old = make_id(years_ago(50), Gender.MALE, seq=55)
    response = client.post(reverse("candidates:eligibility_check"),
                           form_data(village_a, round_, id_number=old, id_card_copy=None))
    assert response.status_code == 200
    assert "超过35周岁" in page(response)


# --------------------------------------------------------------------------- list filters out of scope

def test_list_with_another_village_is_404_for_a_village_account(client, village_a_user, village_b, nom_a):
    client.force_login(village_a_user)
    assert client.get(reverse("candidates:nomination_list"), {"village": village_b.pk}).status_code == 404


def test_list_with_own_village_is_200_for_a_village_account(client, village_a_user, village_a, nom_a):
    client.force_login(village_a_user)
    response = client.get(reverse("candidates:nomination_list"), {"village": village_a.pk})
    assert response.status_code == 200
    assert "甲村人" in page(response)


def test_list_with_another_towns_village_is_404_for_the_office(client, office, other_village, nom_a):
    client.force_login(office)
    assert client.get(reverse("candidates:nomination_list"), {"village": other_village.pk}).status_code == 404


def test_list_filter_by_village_for_the_office(client, office, village_a_user, village_b_user, village_b, nom_a,
                                               nom_b):
    services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    services.perform(actor=village_b_user, nomination_id=nom_b.pk, action="submit")
    client.force_login(office)
    html = page(client.get(reverse("candidates:nomination_list"), {"village": village_b.pk}))
    assert "乙村人" in html and "甲村人" not in html


# --------------------------------------------------------------------------- the office does not act on drafts

# page: (the village branch sees its draft, the town's roles see it)
DRAFT_PAGES = {
    "nomination_list": lambda n: reverse("candidates:nomination_list"),
    "nomination_list_draft_filter": lambda n: reverse("candidates:nomination_list") + "?status=draft",
    "village_page": lambda n: reverse("village_detail", args=[n.village_id]),
}


@pytest.mark.parametrize("actor, sees", [("village_a", True), ("office", False), ("committee", False)])
@pytest.mark.parametrize("where", sorted(DRAFT_PAGES))
def test_a_draft_is_in_no_list_of_the_town(client, actors, nom_a, where, actor, sees):
    """A village's unsubmitted draft is its own: not in the office's (nor the committee's) lists."""
    client.force_login(actors[actor])
    html = page(client.get(DRAFT_PAGES[where](nom_a)))
    assert ("甲村人" in html) is sees


def test_a_draft_is_not_counted_for_the_town(village_a_user, round_, village_a, nom_a):
    from candidates.quota import quotas_for

    assert quotas_for(round_, [village_a])[village_a.pk].nominations == 0
    services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    assert quotas_for(round_, [village_a])[village_a.pk].nominations == 1


def test_a_draft_offers_the_office_no_button(client, office, village_a_user, nom_a):
    client.force_login(office)
    html = page(client.get(reverse("candidates:nomination_detail", args=[nom_a.pk])))
    assert "data-action=" not in html.replace('data-action="form-pdf"', "").replace(
        'data-action="show-id-number"', "")
    assert services.available_actions(nom_a, office) == []
    services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    nom_a.refresh_from_db()
    offered = [t.action for t, *_rest in services.available_actions(nom_a, office)]
    assert "revoke" in offered and "withdraw" not in offered


@pytest.mark.parametrize("action", ["revoke", "withdraw", "accept", "return"])
def test_the_office_cannot_act_on_a_draft(client, office, nom_a, action):
    client.force_login(office)
    response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, action]), {"reason": "理由"})
    assert response.status_code in (302, 403)
    nom_a.refresh_from_db()
    assert nom_a.status == Status.DRAFT


def test_revoke_is_named_as_the_office_s_own(client, office, village_a_user, nom_a):
    services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    client.force_login(office)
    html = page(client.get(reverse("candidates:nomination_detail", args=[nom_a.pk])))
    assert 'data-action="revoke"' in html and "撤销理由（必填）" in html
    assert 'data-action="withdraw"' not in html
    response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, "revoke"]),
                           {"reason": "本人书面申请退出"}, follow=True)
    html = page(response)
    assert "已撤销该人选，不再参加本批次选拔。" in html
    assert "已撤销" in html  # the status badge
    nom_a.refresh_from_db()
    assert nom_a.status == Status.REVOKED


@pytest.mark.parametrize("actor", ["village_a", "office", "committee"])
def test_list_with_another_towns_round_is_404(client, actors, other_round, nom_a, actor):
    client.force_login(actors[actor])
    assert client.get(reverse("candidates:nomination_list"), {"round": other_round.pk}).status_code == 404


@pytest.mark.parametrize("raw", ["abc", "-1", "99999999"])
def test_list_with_a_bad_round_is_404(client, office, nom_a, raw):
    client.force_login(office)
    assert client.get(reverse("candidates:nomination_list"), {"round": raw}).status_code == 404


def test_village_page_with_another_towns_round_is_404(client, village_a_user, village_a, other_round):
    client.force_login(village_a_user)
    response = client.get(reverse("village_detail", args=[village_a.pk]), {"round": other_round.pk})
    assert response.status_code == 404


def test_new_form_with_another_towns_round_is_404(client, village_a_user, round_, other_round):
    client.force_login(village_a_user)
    assert client.get(reverse("candidates:nomination_new"), {"round": other_round.pk}).status_code == 404


# --------------------------------------------------------------------------- extra POST fields ignored

@pytest.fixture
def closed_round(town):
    """Another round of the same town (last year's, closed): a target a forged POST might aim at."""
    return RoundFactory(town=town, year=timezone.localdate().year - 1, closed=True)


def _forged(village_b, closed_round, office):
    return {
        "village": str(village_b.pk), "status": Status.ACCEPTED, "round": str(closed_round.pk),
        "created_by": str(office.pk), "is_eligible": "on", "submitted_at": "2020-01-01 00:00",
        "eligibility": "[]", "person": "1",
    }


def test_create_ignores_forged_fields(client, village_a_user, village_a, village_b, round_, closed_round, office):
    client.force_login(village_a_user)
    # The person's 户籍 is village B: not eligible for village A, whatever is_eligible says.
    data = form_data(village_b, **_forged(village_b, closed_round, office))
    response = client.post(reverse("candidates:nomination_new"), data)
    assert response.status_code == 302
    n = Nomination.objects.get(person__id_number=ID_MALE)
    assert response["Location"] == n.get_absolute_url()
    assert n.village == village_a
    assert n.status == Status.DRAFT
    assert n.round == round_
    assert n.created_by == village_a_user
    assert n.is_eligible is False
    assert n.submitted_at is None


def test_edit_ignores_forged_fields(client, village_a_user, village_b, nom_a, round_, closed_round, office):
    client.force_login(village_a_user)
    data = form_data(village_b, **_forged(village_b, closed_round, office))
    response = client.post(reverse("candidates:nomination_edit", args=[nom_a.pk]), data)
    assert response.status_code == 302
    n = Nomination.objects.get(pk=nom_a.pk)
    assert n.village == nom_a.village
    assert n.status == Status.DRAFT
    assert n.round == round_
    assert n.created_by == village_a_user
    assert n.is_eligible is False
    assert n.hukou_village == village_b
    assert n.submitted_at is None


def test_hukou_village_of_another_town_is_refused(client, village_a_user, village_a, round_, other_village):
    client.force_login(village_a_user)
    before = counts()
    data = form_data(village_a, hukou_village=str(other_village.pk))
    response = client.post(reverse("candidates:nomination_new"), data)
    assert response.status_code == 200
    assert "选择一个有效的选项" in page(response)
    assert counts() == before


def test_relative_cadre_of_another_village_is_refused(client, village_a_user, village_a, village_b, round_):
    cadre_b = CadreFactory(village=village_b, name="乙村主任")
    client.force_login(village_a_user)
    before = counts()
    data = form_data(village_a, **management("relatives", total=1),
                     **{"relatives-0-cadre": str(cadre_b.pk), "relatives-0-relation": "父子"})
    response = client.post(reverse("candidates:nomination_new"), data)
    assert response.status_code == 200
    assert "选择一个有效的选项" in page(response)
    assert counts() == before


# --------------------------------------------------------------------------- bad input on the 自荐表

def _bad_upload(kind):
    if kind == "jpg_not_image":
        return SimpleUploadedFile("photo.jpg", b"this is not a picture at all " * 20, content_type="image/jpeg")
    if kind == "pdf_text":
        return SimpleUploadedFile("scan.pdf", b"just some text pretending to be a pdf\n" * 20,
                                  content_type="application/pdf")
    raise AssertionError(kind)


BAD_INPUT = {
    # case: (overrides, a message the page must show)
    "checksum": ({"id_number": ID_MALE[:-1] + ("0" if ID_MALE[-1] != "0" else "1")}, "身份证号码校验位不正确"),
    "id_short": ({"id_number": "33078119960308"}, "身份证号码应为18位，现为14位。"),
    "id_impossible_date": ({"id_number": id_with_birth_digits("20260230")},
                           "身份证号码中的出生日期（第7至14位）不是有效日期。"),
    "birth_date_impossible": ({"birth_date": "2026-02-30"}, "输入一个有效的日期。"),
    "work_start_impossible": ({"work_start_date": "2026-02-30"}, "输入一个有效的日期。"),
    "under_18": ({"id_number": make_id(years_ago(17), Gender.MALE, seq=63)}, "自荐人未满18周岁。"),
    "education_missing": ({"fulltime_education": "", "inservice_education": ""},
                          "请至少填写全日制学历或在职学历中的一项。"),
    "jpg_not_image": ({"id_card_copy": "jpg_not_image"}, "文件内容不是 JPG、PNG 或 PDF"),
    "pdf_text": ({"id_card_copy": "pdf_text"}, "文件内容不是 JPG、PNG 或 PDF"),
    "gender_contradicts_id": ({"gender": Gender.FEMALE}, "性别与身份证号码不符（身份证号码显示为男）。"),
    "birth_contradicts_id": ({"birth_date": "1990-01-01"}, "出生日期与身份证号码不符（身份证号码显示为1996-03-08）。"),
    "party_member_without_join_date": ({"political_status": "party_member"}, "党员请填写入党时间。"),
    "bad_phone": ({"phone": "12ab"}, "请填写有效的电话号码"),
    "name_missing": ({"name": ""}, "这个字段是必填项。"),
    "hukou_missing": ({"hukou_village": ""}, "这个字段是必填项。"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(client, village_a_user, village_a, round_, tmp_path,
                                                               case):
    overrides, message = BAD_INPUT[case]
    overrides = dict(overrides)
    if overrides.get("id_card_copy") in ("jpg_not_image", "pdf_text"):
        overrides["id_card_copy"] = _bad_upload(overrides["id_card_copy"])
    client.force_login(village_a_user)
    before = counts()
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, **overrides))
    assert response.status_code == 200
    html = page(response)
    assert message in html
    assert "表单中有错误，请按提示修改后再保存。" in html
    assert counts() == before
    assert stored_files(tmp_path) == []


def test_oversized_file_is_refused(client, village_a_user, village_a, round_, settings, tmp_path):
    settings.UPLOAD_MAX_BYTES = 64
    upload = png_upload()
    assert upload.size > 64
    client.force_login(village_a_user)
    before = counts()
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, id_card_copy=upload))
    assert response.status_code == 200
    assert "文件过大" in page(response)
    assert counts() == before
    assert stored_files(tmp_path) == []


def test_empty_file_is_refused(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    before = counts()
    empty = SimpleUploadedFile("idcard.png", b"", content_type="image/png")
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, id_card_copy=empty))
    assert response.status_code == 200
    assert "所提交的是空文件。" in page(response)  # Django's own check, before ours
    assert counts() == before


# The duplicate's message: neutral, whichever village filed the other nomination (issue 10 §3).
DUPLICATE = "该身份证号码本批次不能再填写自荐表，请核对号码；如有疑问，请联系镇组织办。"


def test_second_nomination_of_the_same_person_in_the_round(client, village_a_user, village_a, round_, tmp_path):
    client.force_login(village_a_user)
    first = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_))
    assert first.status_code == 302
    files_after_first = stored_files(tmp_path)
    before = counts()
    # The same ID number again, under another name: still the same person.
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, name="李明明"))
    assert response.status_code == 200
    assert DUPLICATE in page(response)
    assert counts() == before
    assert Person.objects.get(id_number=ID_MALE).name == "李明"
    assert stored_files(tmp_path) == files_after_first


def test_second_nomination_from_another_village_is_refused(client, village_a_user, village_b_user, village_a,
                                                            village_b, round_):
    client.force_login(village_a_user)
    assert client.post(reverse("candidates:nomination_new"), form_data(village_a, round_)).status_code == 302
    client.force_login(village_b_user)
    before = counts()
    response = client.post(reverse("candidates:nomination_new"), form_data(village_b, round_))
    assert response.status_code == 200
    assert DUPLICATE in page(response)
    assert counts() == before


def test_new_form_in_a_closed_round_is_refused(client, village_a_user, village_a, round_, closed_round):
    client.force_login(village_a_user)
    before = counts()
    response = client.post(reverse("candidates:nomination_new") + f"?round={closed_round.pk}",
                           form_data(village_a, closed_round))
    assert response.status_code == 200
    assert "本批次已结束，不能再填写自荐表。" in page(response)
    assert counts() == before


def test_edit_to_a_person_already_nominated_is_refused(client, village_a_user, nom_a, round_, village_a):
    client.force_login(village_a_user)
    assert client.post(reverse("candidates:nomination_new"), form_data(village_a, round_)).status_code == 302
    before = counts()
    response = client.post(reverse("candidates:nomination_edit", args=[nom_a.pk]), form_data(village_a))
    assert response.status_code == 200
    assert DUPLICATE in page(response)
    assert counts() == before
    nom_a.refresh_from_db()
    assert nom_a.person.name == "甲村人"


def test_valid_post_creates_a_draft_and_redirects(client, village_a_user, village_a, round_, tmp_path):
    client.force_login(village_a_user)
    before_n, before_p = counts()
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_))
    assert response.status_code == 302
    assert counts() == (before_n + 1, before_p + 1)
    n = Nomination.objects.get(person__id_number=ID_MALE)
    assert response["Location"] == n.get_absolute_url()
    assert n.status == Status.DRAFT
    assert n.village == village_a and n.round == round_ and n.created_by == village_a_user
    assert n.person.birth_date == BIRTH and n.person.gender == Gender.MALE
    assert n.is_eligible is True
    # The stored file's name is the server's, not the uploader's.
    assert n.id_card_copy.name.endswith(".png") and "idcard" not in n.id_card_copy.name
    assert len(stored_files(tmp_path)) == 1
    assert "自荐表已保存为草稿" in " ".join(message_texts(response))


def test_valid_post_with_rows_saves_the_rows(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    data = form_data(
        village_a, round_,
        **management("resume", total=1), **management("family", total=1),
        **{"resume-0-start": "2014-09-01", "resume-0-end": "2017-06-30", "resume-0-unit_post": "兰溪一中学生",
           "family-0-relation": "父亲", "family-0-name": "李大", "family-0-birth_date": "1968-02-01",
           "family-0-political_status": "masses", "family-0-work_unit_post": "务农"},
    )
    response = client.post(reverse("candidates:nomination_new"), data)
    assert response.status_code == 302
    n = Nomination.objects.get(person__id_number=ID_MALE)
    assert list(n.resume.values_list("unit_post", flat=True)) == ["兰溪一中学生"]
    assert list(n.family.values_list("name", flat=True)) == ["李大"]


def test_resume_row_ending_before_it_starts_is_refused(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    before = counts()
    data = form_data(village_a, round_, **management("resume", total=1),
                     **{"resume-0-start": "2017-09-01", "resume-0-end": "2014-06-30", "resume-0-unit_post": "学生"})
    response = client.post(reverse("candidates:nomination_new"), data)
    assert response.status_code == 200
    assert "截止时间不能早于起始时间。" in page(response)
    assert counts() == before


def test_new_form_renders_for_the_village(client, village_a_user, round_):
    client.force_login(village_a_user)
    response = client.get(reverse("candidates:nomination_new"))
    assert response.status_code == 200
    assert "村级后备干部人选自荐表" in page(response)


def test_new_form_without_an_open_round_says_so(client, village_a_user, round_):
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.CLOSED)
    client.force_login(village_a_user)
    response = client.get(reverse("candidates:nomination_new"), follow=True)
    assert "当前没有进行中的选拔批次，不能填写自荐表。" in page(response)


def _jpeg_bytes():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buf, format="JPEG")
    return buf.getvalue()


MINIMAL_PDF = (  # one empty page, as a PDF reader (pypdf: reserve.uploads.clean_pdf) finds it
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\n"
    b"trailer<</Root 1 0 R/Size 4>>\nstartxref\n0\n%%EOF\n"
)


@pytest.mark.parametrize("upload, ext", [
    (lambda: SimpleUploadedFile("scan.pdf", MINIMAL_PDF, content_type="application/pdf"), "pdf"),
    # The content decides the type, not the name the uploader gave.
    (lambda: SimpleUploadedFile("photo.png", _jpeg_bytes(), content_type="image/png"), "jpg"),
], ids=["pdf", "jpeg_named_png"])
def test_accepted_uploads_are_stored_by_their_real_type(client, village_a_user, office, village_a, round_, upload,
                                                        ext):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, id_card_copy=upload()))
    assert response.status_code == 302
    n = Nomination.objects.get(person__id_number=ID_MALE)
    assert n.id_card_copy.name.endswith(f".{ext}")
    client.force_login(office)
    download = client.get(reverse("candidates:nomination_id_card", args=[n.pk]))
    try:
        assert download.status_code == 200
        assert download["Content-Type"] == {"pdf": "application/pdf", "jpg": "image/jpeg"}[ext]
    finally:
        download.close()


def test_edit_without_a_new_file_keeps_the_old_one(client, village_a_user, nom_a):
    old = nom_a.id_card_copy.name
    client.force_login(village_a_user)
    data = form_data(nom_a.village, id_number=nom_a.person.id_number, name="甲村人", statement="改过的理由")
    del data["id_card_copy"]
    response = client.post(reverse("candidates:nomination_edit", args=[nom_a.pk]), data)
    assert response.status_code == 302
    nom_a.refresh_from_db()
    assert nom_a.statement == "改过的理由"
    assert nom_a.id_card_copy.name == old


def test_edit_form_shows_the_saved_values(client, village_a_user, nom_a):
    client.force_login(village_a_user)
    html = page(client.get(reverse("candidates:nomination_edit", args=[nom_a.pk])))
    assert "甲村人" in html and nom_a.person.id_number in html


def test_overlong_reason_is_refused(client, village_a_user, nom_a):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, "withdraw"]),
                           {"reason": "长" * 501}, follow=True)
    assert "理由不能超过500字。" in page(response)
    nom_a.refresh_from_db()
    assert nom_a.status == Status.DRAFT


# --------------------------------------------------------------------------- submit outside the window

def test_submit_outside_the_nomination_window_is_refused(client, village_a_user, nom_a, round_):
    today = timezone.localdate()
    Round.objects.filter(pk=round_.pk).update(
        nomination_start=today - datetime.timedelta(days=20), nomination_end=today - datetime.timedelta(days=1),
    )
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, "submit"]), follow=True)
    assert response.status_code == 200
    round_.refresh_from_db()
    expected = f"不在自荐报名时间内（{round_.nomination_start:%Y-%m-%d}至{round_.nomination_end:%Y-%m-%d}），不能提交。"
    assert expected in page(response)
    nom_a.refresh_from_db()
    assert nom_a.status == Status.DRAFT
    assert nom_a.submitted_at is None


def test_submit_before_the_window_opens_is_refused(client, village_a_user, nom_a, round_):
    today = timezone.localdate()
    Round.objects.filter(pk=round_.pk).update(nomination_start=today + datetime.timedelta(days=1))
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, "submit"]), follow=True)
    assert "不在自荐报名时间内" in page(response)
    nom_a.refresh_from_db()
    assert nom_a.status == Status.DRAFT


def test_submit_without_id_card_copy_is_refused(client, village_a_user, village_a, round_):
    n = NominationFactory(round=round_, village=village_a, created_by=village_a_user)
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_action", args=[n.pk, "submit"]), follow=True)
    assert "请先上传身份证复印件。" in page(response)
    n.refresh_from_db()
    assert n.status == Status.DRAFT


def test_submitted_nomination_can_no_longer_be_edited(client, village_a_user, nom_a):
    services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_edit", args=[nom_a.pk]),
                           form_data(nom_a.village, name="改名"), follow=True)
    assert "自荐表已提交，不能修改。" in page(response)
    assert Person.objects.get(pk=nom_a.person_id).name == "甲村人"


# --------------------------------------------------------------------------- the ID-card download

def test_id_card_download_headers(client, office, nom_a):
    client.force_login(office)
    response = client.get(reverse("candidates:nomination_id_card", args=[nom_a.pk]))
    try:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "image/png"
        body = b"".join(response.streaming_content)
        assert body.startswith(b"\x89PNG")
    finally:
        response.close()


def test_id_card_download_without_a_file_is_404(client, office, village_a, round_, village_a_user):
    n = NominationFactory(round=round_, village=village_a, created_by=village_a_user)
    client.force_login(office)
    assert client.get(reverse("candidates:nomination_id_card", args=[n.pk])).status_code == 404


# --------------------------------------------------------------------------- query counts

def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _add_nominations(round_, villages, n):
    for i in range(n):
        NominationFactory(round=round_, village=villages[i % len(villages)], submitted=True)


def test_office_list_query_count_does_not_grow_with_rows(client, office, round_, village_a, village_b):
    client.force_login(office)
    url = reverse("candidates:nomination_list")
    _add_nominations(round_, [village_a, village_b], 3)
    _queries(client, url)  # warm caches (content types, sessions)
    few, r3 = _queries(client, url)
    _add_nominations(round_, [village_a, village_b], 27)
    many, r30 = _queries(client, url)
    assert "共3份" in page(r3)
    assert "共30份" in page(r30)
    assert few == many, f"{few} queries for 3 nominations, {many} for 30"


def test_office_list_query_count_with_a_filter(client, office, round_, village_a, village_b):
    client.force_login(office)
    url = reverse("candidates:nomination_list")
    params = {"village": village_a.pk, "eligible": "yes", "round": round_.pk}
    _add_nominations(round_, [village_a], 3)
    _queries(client, url, **params)
    few, _ = _queries(client, url, **params)
    _add_nominations(round_, [village_a], 27)
    many, _ = _queries(client, url, **params)
    assert few == many, f"{few} queries for 3 nominations, {many} for 30"


def test_village_detail_query_count_does_not_grow_with_rows(client, village_a_user, round_, village_a):
    client.force_login(village_a_user)
    url = reverse("village_detail", args=[village_a.pk])
    _add_nominations(round_, [village_a], 3)
    _queries(client, url)
    few, r3 = _queries(client, url)
    _add_nominations(round_, [village_a], 27)
    _queries(client, url)  # warm again: the new nominations renewed the cached quota counts (candidates.quota)
    many, r30 = _queries(client, url)
    assert page(r30).count("/nominations/") >= 25  # a page of 25 (tests/reserve/test_village_page.py)
    assert few == many, f"{few} queries for 3 nominations, {many} for 30"


def test_nomination_detail_query_count_does_not_grow_with_rows(client, village_a_user, village_a, round_, nom_a):
    from candidates.models import FamilyMember, ResumeEntry

    client.force_login(village_a_user)
    url = reverse("candidates:nomination_detail", args=[nom_a.pk])
    _queries(client, url)
    few, _ = _queries(client, url)
    for i in range(10):
        ResumeEntry.objects.create(nomination=nom_a, start=datetime.date(2010 + i, 1, 1), unit_post=f"单位{i}")
        FamilyMember.objects.create(nomination=nom_a, relation="亲属", name=f"家人{i}")
    many, _ = _queries(client, url)
    assert few == many


# --------------------------------------------------------------------------- town scope of another town

def test_other_towns_office_cannot_act_on_our_nomination(client, other_office, village_a_user, nom_a):
    services.perform(actor=village_a_user, nomination_id=nom_a.pk, action="submit")
    client.force_login(other_office)
    for action in ("accept", "return", "revoke"):
        response = client.post(reverse("candidates:nomination_action", args=[nom_a.pk, action]), {"reason": "x"})
        assert response.status_code == 404
    nom_a.refresh_from_db()
    assert nom_a.status == Status.SUBMITTED


def test_other_town_village_page_is_404_for_the_office(client, office, other_village):
    client.force_login(office)
    assert client.get(reverse("village_detail", args=[other_village.pk])).status_code == 404


def test_office_account_without_a_town_sees_nothing(client, db, round_, nom_a):
    """An account with a role but no unit sees nothing (not the whole site)."""
    from reserve.roles import Role
    from tests.factories import UserFactory

    loose = UserFactory(username="loose_office", role=Role.OFFICE)  # no town
    client.force_login(loose)
    response = client.get(reverse("candidates:nomination_list"))
    assert response.status_code == 200
    assert "甲村人" not in page(response)
    assert client.get(reverse("candidates:nomination_detail", args=[nom_a.pk])).status_code == 404


def test_account_fields_in_a_post_change_nothing(client, village_a_user, village_a, round_, dept_x):
    """is_staff, is_superuser, department, village or groups sent along with a form never reach the account."""
    client.force_login(village_a_user)
    data = form_data(village_a, is_staff="on", is_superuser="on", department=str(dept_x.pk),
                     village=str(village_a.pk + 1000), groups="1", must_change_password="")
    response = client.post(reverse("candidates:nomination_new"), data)
    assert response.status_code == 302
    client.post(reverse("password_change"), {
        "old_password": "Tusk-Pine-2026", "new_password1": "New-Secret-77", "new_password2": "New-Secret-77",
        "is_staff": "on", "is_superuser": "on", "department": str(dept_x.pk),
    })
    village_a_user.refresh_from_db()
    assert village_a_user.is_staff is False and village_a_user.is_superuser is False
    assert village_a_user.department_id is None and village_a_user.village_id == village_a.pk
    assert sorted(village_a_user.groups.values_list("name", flat=True)) == ["village_branch"]
