"""The round pages (office edits, committee reads, villages never), the 两委 roster, the quota on the
village page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates import services
from candidates.forms import RoundForm
from candidates.models import Nomination, Round
from candidates.selectors import nomination_timeline
from reserve.choices import Education, Gender, RelaxationCategory
from reserve.models import VillageCadre
from tests.factories import CadreFactory, PersonFactory, RoundFactory, VillageFactory, png_upload
from tests.helpers import message_texts, page, years_ago


def _value(v):
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return list(v)
    return "" if v is None else str(v)


def _new_round_defaults():
    """A round of this year with the model's defaults, as the office would start from."""
    today = timezone.localdate()
    d = lambda days: today + datetime.timedelta(days=days)  # noqa: E731
    return Round(
        name="2026年村级后备干部选拔", year=today.year, age_reference_date=today,
        nomination_start=d(-5), nomination_end=d(10), review_start=d(11), review_end=d(20),
        inspection_start=d(21), inspection_end=d(30), publicity_start=d(31),
    )


def round_post(round_=None, **overrides):
    """Every field of the round form (whatever fields it has), from a round or from the model's defaults."""
    instance = round_ if round_ is not None else _new_round_defaults()
    data = {}
    for name in RoundForm(instance=instance).fields:
        value = getattr(instance, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = _value(value)
    data.update({k: _value(v) for k, v in overrides.items()})
    return data


def snapshot(round_):
    return Round.objects.values().get(pk=round_.pk)


@pytest.fixture
def users(village_a_user, village_b_user, office, committee, dept_x_user, mentor, other_office):
    return {
        "village": village_a_user, "village_b": village_b_user, "office": office, "committee": committee,
        "dept": dept_x_user, "mentor": mentor, "other_office": other_office,
    }


# --------------------------------------------------------------------------- round create

def test_office_creates_a_round(client, office, town, other_town):
    client.force_login(office)
    assert client.get(reverse("round_new")).status_code == 200
    data = round_post(name="春季选拔", town=str(other_town.pk))  # a forged town is ignored
    response = client.post(reverse("round_new"), data)
    assert response.status_code == 302
    round_ = Round.objects.get(name="春季选拔")
    assert response["Location"] == round_.get_absolute_url()
    assert round_.town == town
    assert round_.age_limit == 35
    assert round_.relaxation_categories == [c.value for c in RelaxationCategory]
    assert "已创建选拔批次“春季选拔”。" in message_texts(response)


INVALID_ROUND = {
    # case: (overrides, a message the page must show)
    "nomination_end_before_start": ({"nomination_end": "2020-01-01", "nomination_start": "2020-01-05"},
                                    "截止日期不能早于开始日期。"),
    "stages_out_of_order": ({"review_start": "2000-01-01"},
                            "各阶段须按 自荐报名、资格审查、组织考察、公示 的顺序安排。"),
    "pass_ratio_over_one": ({"appraisal_pass_numerator": "4", "appraisal_pass_denominator": "3"},
                            "分子不能大于分母。"),
    "zero_denominator": ({"appraisal_turnout_numerator": "0", "appraisal_turnout_denominator": "0"},
                         "分母必须大于0。"),
    "relaxed_above_minimum": ({"relaxed_min_education": str(Education.BACHELOR)},
                              "放宽后的最低学历不能高于一般最低学历。"),
    "year_too_early": ({"year": "1999"}, "确保该值大于或等于2000。"),
    "age_limit_too_low": ({"age_limit": "10"}, "确保该值大于或等于18。"),
    "name_missing": ({"name": ""}, "这个字段是必填项。"),
    "date_impossible": ({"age_reference_date": "2026-02-30"}, "输入一个有效的日期。"),
    "unknown_relaxation": ({"relaxation_categories": ["astronaut"]}, "选择一个有效的选项"),
}


@pytest.mark.parametrize("case", sorted(INVALID_ROUND))
def test_round_create_refuses_bad_input_in_chinese(client, office, town, case):
    overrides, message = INVALID_ROUND[case]
    client.force_login(office)
    before = Round.objects.count()
    response = client.post(reverse("round_new"), round_post(**overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert Round.objects.count() == before


def test_round_create_with_a_name_already_used_this_year(client, office, town):
    RoundFactory(town=town, name="春季选拔", year=timezone.localdate().year)
    client.force_login(office)
    before = Round.objects.count()
    response = client.post(reverse("round_new"), round_post(name="春季选拔"))
    assert response.status_code == 200
    html = page(response)
    assert "已经存在" in html
    assert "alert-danger" in html
    assert Round.objects.count() == before


def test_same_round_name_in_another_town_is_fine(client, office, other_town):
    RoundFactory(town=other_town, name="春季选拔", year=timezone.localdate().year)
    client.force_login(office)
    response = client.post(reverse("round_new"), round_post(name="春季选拔"))
    assert response.status_code == 302
    assert Round.objects.filter(name="春季选拔").count() == 2


# --------------------------------------------------------------------------- round edit

def test_office_edits_a_round(client, office, round_):
    client.force_login(office)
    url = reverse("round_edit", args=[round_.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, round_post(round_, reserves_per_village="3", name="改名后的批次"))
    assert response.status_code == 302
    assert response["Location"] == round_.get_absolute_url()
    round_.refresh_from_db()
    assert round_.reserves_per_village == 3
    assert round_.name == "改名后的批次"
    assert any("已保存批次参数" in m for m in message_texts(response))


@pytest.mark.parametrize("case", sorted(INVALID_ROUND))
def test_round_edit_refuses_bad_input_and_saves_nothing(client, office, round_, case):
    overrides, message = INVALID_ROUND[case]
    client.force_login(office)
    before = snapshot(round_)
    response = client.post(reverse("round_edit", args=[round_.pk]), round_post(round_, **overrides))
    assert response.status_code == 200
    assert message in page(response)
    assert snapshot(round_) == before


def _nominate(user, round_, *, birth, name, gender=Gender.MALE):
    person = PersonFactory(name=name, birth_date=birth, gender=gender)
    return services.nomination_create(
        actor=user, round_=round_,
        person_data={"id_number": person.id_number, "name": name, "gender": gender, "birth_date": birth},
        fields={"political_status": "masses", "hukou_village": user.village,
                "fulltime_education": Education.HIGH_SCHOOL, "work_unit_post": "务农",
                "phone": "13800000000", "statement": "愿为村民服务。"},
        id_card_copy=png_upload(),
    )


def test_round_edit_reevaluates_nominations_and_says_how_many_changed(
        client, office, round_, village_a_user, village_b_user):
    ref = round_.age_reference_date
    a = _nominate(village_a_user, round_, birth=years_ago(33, ref), name="三十三岁甲")
    b = _nominate(village_b_user, round_, birth=years_ago(32, ref), name="三十二岁乙")
    assert a.is_eligible and b.is_eligible
    for n, user in ((a, village_a_user), (b, village_b_user)):  # the office's list shows no drafts
        services.perform(actor=user, nomination_id=n.pk, action="submit")
    client.force_login(office)
    response = client.post(reverse("round_edit", args=[round_.pk]), round_post(round_, age_limit="30"))
    assert response.status_code == 302
    assert "已保存批次参数；重新审核了未结束的自荐表，2份的审核结果有变化。" in message_texts(response)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.is_eligible is False and b.is_eligible is False
    assert any(r["code"] == "age" and r["outcome"] == "fail" for r in a.eligibility)
    assert [e.action for e in nomination_timeline(a)][-1] == "eligibility_changed"
    # And the list shows the new outcome.
    html = page(client.get(reverse("candidates:nomination_list"), {"eligible": "no"}))
    assert "三十三岁甲" in html and "三十二岁乙" in html


def test_round_edit_count_is_of_nominations_whose_outcome_changed(client, office, round_, village_a_user):
    """The message counts the nominations whose result changed (those that get an event), not those
    whose stored explanation was merely re-worded."""
    ref = round_.age_reference_date
    flips = _nominate(village_a_user, round_, birth=years_ago(33, ref), name="会变")
    stays = _nominate(village_a_user, round_, birth=years_ago(25, ref), name="不变")
    client.force_login(office)
    response = client.post(reverse("round_edit", args=[round_.pk]), round_post(round_, age_limit="30"))
    assert response.status_code == 302
    flips.refresh_from_db()
    stays.refresh_from_db()
    assert flips.is_eligible is False and stays.is_eligible is True
    changed_events = sum(
        1 for n in (flips, stays) if any(e.action == "eligibility_changed" for e in nomination_timeline(n))
    )
    assert changed_events == 1
    assert "已保存批次参数；重新审核了未结束的自荐表，1份的审核结果有变化。" in message_texts(response)


def test_round_edit_does_not_touch_closed_nominations(client, office, round_, village_a_user):
    ref = round_.age_reference_date
    withdrawn = _nominate(village_a_user, round_, birth=years_ago(33, ref), name="已撤回")
    services.perform(actor=village_a_user, nomination_id=withdrawn.pk, action="withdraw", reason="本人放弃")
    client.force_login(office)
    response = client.post(reverse("round_edit", args=[round_.pk]), round_post(round_, age_limit="30"))
    assert "0份的审核结果有变化" in " ".join(message_texts(response))
    withdrawn.refresh_from_db()
    assert withdrawn.is_eligible is True


def test_round_edit_without_a_rule_change_changes_nothing(client, office, round_, village_a_user):
    n = _nominate(village_a_user, round_, birth=years_ago(30, round_.age_reference_date), name="某人")
    client.force_login(office)
    response = client.post(reverse("round_edit", args=[round_.pk]), round_post(round_, name="只改名称"))
    assert "0份的审核结果有变化" in " ".join(message_texts(response))
    n.refresh_from_db()
    assert n.is_eligible is True


def test_round_edit_that_relaxes_a_rule_makes_a_nomination_eligible(client, office, round_, village_a_user):
    ref = round_.age_reference_date
    n = _nominate(village_a_user, round_, birth=years_ago(37, ref), name="三十七岁")
    assert n.is_eligible is False
    client.force_login(office)
    response = client.post(reverse("round_edit", args=[round_.pk]), round_post(round_, age_limit="40"))
    assert "1份的审核结果有变化" in " ".join(message_texts(response))
    n.refresh_from_db()
    assert n.is_eligible is True


# --------------------------------------------------------------------------- who may use the round pages

ROUND_PAGES = ("round_list", "round_new", "round_detail", "round_edit")

ROUND_ACCESS = {
    # actor: {page: status of a GET}
    "office": {"round_list": 200, "round_new": 200, "round_detail": 200, "round_edit": 200},
    "committee": {"round_list": 200, "round_new": 403, "round_detail": 200, "round_edit": 403},
    "village": {"round_list": 403, "round_new": 403, "round_detail": 403, "round_edit": 403},
    "dept": {"round_list": 403, "round_new": 403, "round_detail": 403, "round_edit": 403},
    "mentor": {"round_list": 403, "round_new": 403, "round_detail": 403, "round_edit": 403},
    "other_office": {"round_list": 200, "round_new": 200, "round_detail": 404, "round_edit": 404},
}


def _url(name, round_):
    return reverse(name, args=[round_.pk]) if name in ("round_detail", "round_edit") else reverse(name)


@pytest.mark.parametrize("name", ROUND_PAGES)
@pytest.mark.parametrize("actor", sorted(ROUND_ACCESS))
def test_round_pages_by_role(client, users, round_, actor, name):
    client.force_login(users[actor])
    response = client.get(_url(name, round_))
    assert response.status_code == ROUND_ACCESS[actor][name]


@pytest.mark.parametrize("actor", ["committee", "village", "dept", "mentor", "other_office"])
def test_round_edit_post_is_refused_and_changes_nothing(client, users, round_, actor):
    client.force_login(users[actor])
    before = snapshot(round_)
    response = client.post(reverse("round_edit", args=[round_.pk]), round_post(round_, age_limit="40"))
    assert response.status_code == (404 if actor == "other_office" else 403)
    assert snapshot(round_) == before


@pytest.mark.parametrize("actor", ["committee", "village", "dept", "mentor"])
def test_round_create_post_is_refused(client, users, round_, actor):
    client.force_login(users[actor])
    before = Round.objects.count()
    response = client.post(reverse("round_new"), round_post(name="越权批次"))
    assert response.status_code == 403
    assert Round.objects.count() == before


def test_committee_reads_the_round_without_an_edit_button(client, committee, round_):
    client.force_login(committee)
    html = page(client.get(reverse("round_detail", args=[round_.pk])))
    assert round_.name in html
    assert reverse("round_edit", args=[round_.pk]) not in html
    assert round_.name in page(client.get(reverse("round_list")))


def test_round_list_shows_only_the_towns_rounds(client, office, round_, other_town):
    theirs = RoundFactory(town=other_town, name="外镇批次")
    client.force_login(office)
    html = page(client.get(reverse("round_list")))
    assert round_.name in html and theirs.name not in html


# --------------------------------------------------------------------------- the 两委 roster

def roster_post(rows, initial=0):
    data = {"cadres-TOTAL_FORMS": str(len(rows)), "cadres-INITIAL_FORMS": str(initial),
            "cadres-MIN_NUM_FORMS": "0", "cadres-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"cadres-{i}-{k}"] = _value(v)
    return data


NEW_CADRE = {"id": "", "name": "王芳", "gender": Gender.FEMALE, "birth_date": "1992-04-01", "post": "村委会委员"}


def test_village_edits_its_own_roster(client, village_a_user, village_a, village_b, round_):
    client.force_login(village_a_user)
    url = reverse("roster_edit", args=[village_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, roster_post([{**NEW_CADRE, "village": str(village_b.pk)}]))
    assert response.status_code == 302
    assert response["Location"] == village_a.get_absolute_url()
    cadre = VillageCadre.objects.get(name="王芳")
    assert cadre.village == village_a
    assert "已保存“两委”成员名单。" in message_texts(response)


def test_village_updates_and_deletes_its_own_cadres(client, village_a_user, village_a):
    keep = CadreFactory(village=village_a, name="留任")
    gone = CadreFactory(village=village_a, name="离任")
    client.force_login(village_a_user)
    rows = [
        {"id": keep.pk, "name": "留任改名", "gender": keep.gender, "birth_date": keep.birth_date, "post": "书记"},
        {"id": gone.pk, "name": gone.name, "gender": gone.gender, "birth_date": gone.birth_date, "post": gone.post,
         "DELETE": "on"},
    ]
    response = client.post(reverse("roster_edit", args=[village_a.pk]), roster_post(rows, initial=2))
    assert response.status_code == 302
    keep.refresh_from_db()
    assert keep.name == "留任改名" and keep.post == "书记"
    assert not VillageCadre.objects.filter(pk=gone.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_village_b_roster_is_404_for_village_a(client, village_a_user, village_b, method):
    theirs = CadreFactory(village=village_b, name="乙村书记")
    client.force_login(village_a_user)
    url = reverse("roster_edit", args=[village_b.pk])
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, roster_post([NEW_CADRE]))
    assert response.status_code == 404
    assert not VillageCadre.objects.filter(name="王芳").exists()
    assert VillageCadre.objects.get(pk=theirs.pk).name == "乙村书记"


def test_own_roster_form_cannot_reach_another_villages_cadre(client, village_a_user, village_a, village_b):
    """A forged row id naming another village's cadre (Django's formset drops such a row)."""
    theirs = CadreFactory(village=village_b, name="乙村书记")
    client.force_login(village_a_user)
    row = {"id": theirs.pk, "name": "被改了", "gender": Gender.MALE, "birth_date": "1970-01-01", "post": "书记"}
    response = client.post(reverse("roster_edit", args=[village_a.pk]), roster_post([row], initial=1))
    assert response.status_code in (200, 302)
    theirs.refresh_from_db()
    assert theirs.name == "乙村书记" and theirs.village == village_b
    assert not VillageCadre.objects.filter(name="被改了").exists()


def test_roster_bad_input_saves_nothing(client, village_a_user, village_a):
    client.force_login(village_a_user)
    response = client.post(reverse("roster_edit", args=[village_a.pk]),
                           roster_post([{**NEW_CADRE, "birth_date": ""}]))
    assert response.status_code == 200
    assert "这个字段是必填项。" in page(response)
    assert not VillageCadre.objects.exists()


@pytest.mark.parametrize("actor, status", [
    ("office", 200), ("committee", 403), ("dept", 403), ("mentor", 403), ("village_b", 404), ("other_office", 404),
])
def test_roster_of_village_a_by_role(client, users, village_a, actor, status):
    client.force_login(users[actor])
    assert client.get(reverse("roster_edit", args=[village_a.pk])).status_code == status
    response = client.post(reverse("roster_edit", args=[village_a.pk]), roster_post([NEW_CADRE]))
    assert response.status_code == (302 if actor == "office" else status)
    assert VillageCadre.objects.filter(name="王芳").exists() is (actor == "office")


# --------------------------------------------------------------------------- the village page and its quota

@pytest.mark.parametrize("actor, status", [
    ("village", 200), ("village_b", 404), ("office", 200), ("committee", 200), ("dept", 403), ("mentor", 403),
    ("other_office", 404),
])
def test_village_page_by_role(client, users, village_a, round_, actor, status):
    client.force_login(users[actor])
    assert client.get(reverse("village_detail", args=[village_a.pk])).status_code == status


def test_village_home_is_its_own_page(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("village_detail", args=[village_a.pk])


FEMALE_NEEDED = "本村“两委”中没有35周岁以下女干部，可另推选1名女性后备干部。"
FEMALE_NOT_NEEDED = "本村“两委”中有35周岁以下女干部，不需另推选女性后备干部。"


def _village_page(client, user, village):
    response = client.get(reverse("village_detail", args=[village.pk]))
    assert response.status_code == 200
    return page(response)


def test_quota_without_a_roster_asks_for_a_woman(client, village_a_user, village_a, round_):
    client.force_login(village_a_user)
    html = _village_page(client, village_a_user, village_a)
    assert FEMALE_NEEDED in html
    assert "后备干部2名＋女性1名" in html


@pytest.mark.parametrize("gender, age, needed", [
    (Gender.FEMALE, 30, False),
    (Gender.FEMALE, 35, False),  # 35周岁以下 includes 35
    (Gender.FEMALE, 36, True),
    (Gender.FEMALE, 50, True),
    (Gender.MALE, 30, True),
])
def test_quota_female_rule_on_the_village_page(client, village_a_user, village_a, round_, gender, age, needed):
    CadreFactory(village=village_a, gender=gender, birth_date=years_ago(age, round_.age_reference_date))
    client.force_login(village_a_user)
    html = _village_page(client, village_a_user, village_a)
    if needed:
        assert FEMALE_NEEDED in html and FEMALE_NOT_NEEDED not in html
        assert "后备干部2名＋女性1名" in html
    else:
        assert FEMALE_NOT_NEEDED in html and FEMALE_NEEDED not in html
        assert "后备干部2名" in html and "＋女性" not in html


def test_quota_follows_the_rounds_parameters(client, office, village_a_user, village_a, round_):
    CadreFactory(village=village_a, gender=Gender.FEMALE, birth_date=years_ago(40, round_.age_reference_date))
    client.force_login(village_a_user)
    assert FEMALE_NEEDED in _village_page(client, village_a_user, village_a)
    client.force_login(office)
    response = client.post(reverse("round_edit", args=[round_.pk]),
                           round_post(round_, female_age_limit="45", reserves_per_village="3"))
    assert response.status_code == 302
    client.force_login(village_a_user)
    html = _village_page(client, village_a_user, village_a)
    assert "本村“两委”中有45周岁以下女干部，不需另推选女性后备干部。" in html
    assert "后备干部3名" in html


def test_quota_counts_the_villages_nominations(client, village_a_user, village_a, round_):
    n = _nominate(village_a_user, round_, birth=years_ago(30), name="报名者")
    services.perform(actor=village_a_user, nomination_id=n.pk, action="submit")
    _nominate(village_a_user, round_, birth=years_ago(28), name="草稿者")
    client.force_login(village_a_user)
    response = client.get(reverse("village_detail", args=[village_a.pk]))
    quota = response.context["quota"]
    # A draft is the village's own: it counts as a nomination of the village once submitted.
    assert (quota.nominations, quota.in_progress, quota.reserves) == (1, 1, 0)
    html = page(response)
    assert "报名者" in html and "草稿者" in html


def test_village_page_lists_only_its_own_nominations(client, office, village_a_user, village_b_user, village_a,
                                                     round_):
    for user, name in ((village_a_user, "甲村的"), (village_b_user, "乙村的")):
        n = _nominate(user, round_, birth=years_ago(30), name=name)
        services.perform(actor=user, nomination_id=n.pk, action="submit")  # the office sees no drafts
    client.force_login(office)
    html = _village_page(client, office, village_a)
    assert "甲村的" in html and "乙村的" not in html


def test_village_list_shows_the_female_rule_per_village(client, office, village_a, village_b, round_):
    CadreFactory(village=village_b, gender=Gender.FEMALE, birth_date=years_ago(30, round_.age_reference_date))
    client.force_login(office)
    response = client.get(reverse("village_list"))
    assert response.status_code == 200
    rows = {v.pk: q for v, q in response.context["rows"]}
    assert rows[village_a.pk].female_rule_applies is True
    assert rows[village_b.pk].female_rule_applies is False
    assert "另需1名" in page(response)


def test_village_list_shows_only_the_towns_villages(client, office, village_a, round_, other_town):
    VillageFactory(town=other_town, name="外镇的村")
    client.force_login(office)
    html = page(client.get(reverse("village_list")))
    assert village_a.name in html and "外镇的村" not in html


def test_nomination_count_left_unchanged_by_reading_pages(client, committee, village_a_user, round_, village_a):
    _nominate(village_a_user, round_, birth=years_ago(30), name="某甲")
    before = Nomination.objects.values_list("pk", "status", "is_eligible")
    client.force_login(committee)
    for url in (reverse("round_detail", args=[round_.pk]), reverse("village_list"),
                reverse("village_detail", args=[village_a.pk]), reverse("candidates:nomination_list")):
        assert client.get(url).status_code == 200
    assert list(Nomination.objects.values_list("pk", "status", "is_eligible")) == list(before)
