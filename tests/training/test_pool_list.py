"""The pool list (/pool/) and a reserve's page (/pool/<id>/): scope, columns, filters, query counts, bad input."""

import datetime

import pytest
from django.urls import reverse

from reserve.choices import Education, Gender, PoliticalStatus
from reserve.roles import Role
from training.forms import AGE_BANDS
from training.models import Reserve, Tier
from training.selectors import age_band_condition
from training.services import reserve_change_post, reserve_mark_activist, reserve_remove
from training.views import TOWN_ROLES  # noqa: F401  (the page's town roles exist)

from ..factories import PersonFactory, PoolTermFactory, ReserveFactory, UnitFactory, UserFactory
from ..helpers import page, today

pytestmark = pytest.mark.django_db

LIST = reverse("training:pool_list")


def detail(reserve):
    return reverse("training:reserve_detail", args=[reserve.pk])


@pytest.fixture
def term(town):
    return PoolTermFactory(town=town, target_tier1=5, target_tier4=3, renewal_notice_days=60)


@pytest.fixture
def unit(town):
    return UnitFactory(town=town, name="农业服务中心")


@pytest.fixture
def unit_user(unit):
    return UserFactory(username="unit_head", town=unit.town, unit=unit, role=Role.UNIT)


@pytest.fixture
def pool(town, term, village_a, village_b, unit, mentor):
    """A village reserve of each village, a tier-4 reserve of the unit paired with the mentor, another town's."""
    a = ReserveFactory(town=town, term=term, village=village_a, name="甲村民", person=PersonFactory(name="甲村民"))
    b = ReserveFactory(town=town, term=term, village=village_b, name="乙村民", person=PersonFactory(name="乙村民"))
    u = ReserveFactory(town=town, term=term, unit=unit, tier=Tier.FOURTH, name="丙技术", mentor=mentor,
                       person=PersonFactory(name="丙技术"))
    return {"a": a, "b": b, "u": u}


def visible_names(client, user, query=""):
    client.force_login(user)
    response = client.get(LIST + query)
    assert response.status_code == 200
    return {r.name for r in response.context["page"]}


# --- scope ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, names", [
    ("office", {"甲村民", "乙村民", "丙技术"}),
    ("committee", {"甲村民", "乙村民", "丙技术"}),
    ("village_a_user", {"甲村民"}),
    ("village_b_user", {"乙村民"}),
    ("unit_user", {"丙技术"}),
    ("mentor", {"丙技术"}),
    ("other_office", set()),
])
def test_each_role_sees_its_own_reserves(client, request, pool, who, names):
    assert visible_names(client, request.getfixturevalue(who)) == names


@pytest.mark.parametrize("who, reserve, status", [
    ("village_b_user", "a", 404),
    ("other_office", "a", 404),
    ("unit_user", "a", 404),
    ("mentor", "a", 404),
    ("village_a_user", "a", 200),
    ("unit_user", "u", 200),
    ("mentor", "u", 200),
    ("committee", "u", 200),
    ("dept_x_user", "a", 403),
])
def test_a_reserve_page_out_of_scope_is_404(client, request, pool, who, reserve, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(detail(pool[reserve])).status_code == status


def test_another_unit_head_gets_404(client, pool, town):
    other = UnitFactory(town=town, name="规划站")
    client.force_login(UserFactory(town=town, unit=other, role=Role.UNIT))
    assert client.get(detail(pool["u"])).status_code == 404
    assert visible_names(client, UserFactory(town=town, unit=other, role=Role.UNIT)) == set()


def test_a_department_is_refused_the_list(client, dept_x_user):
    client.force_login(dept_x_user)
    assert client.get(LIST).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_unit_account_starts_at_the_pool(client, unit_user):
    from reserve.home import start_page_for

    assert start_page_for(unit_user) == LIST


# --- columns, summary ----------------------------------------------------------------------------------------


def test_columns_renewal_due_and_days_since_talk(client, office, town, term, village_a):
    day = today()
    ReserveFactory(town=town, term=term, village=village_a, name="过期者", person=PersonFactory(name="过期者"),
                   term_start=day - datetime.timedelta(days=800), term_end=day - datetime.timedelta(days=1),
                   last_talk_on=day - datetime.timedelta(days=12))
    ReserveFactory(town=town, term=term, village=village_a, name="新人", person=PersonFactory(name="新人"))
    client.force_login(office)
    text = page(client.get(LIST))
    assert "待续期" in text and 'data-state="renewal_due"' in text
    assert 'data-days="12"' in text and "12天" in text
    assert "从未谈话" in text
    assert "第1届" in text and "东山村" in text


def test_target_against_actual_per_tier(client, office, pool, round_, term):
    ReserveFactory(town=office.town, term=term, unit=pool["u"].unit, tier=Tier.FIRST,
                   status=Reserve.Status.REMOVED)  # removed: not counted
    client.force_login(office)
    response = client.get(LIST)
    tiers = {t.tier: t for t in response.context["summary"].tiers}
    assert (tiers[Tier.FIRST].target, tiers[Tier.FIRST].actual) == (5, 0)
    assert (tiers[Tier.FOURTH].target, tiers[Tier.FOURTH].actual) == (3, 1)
    assert tiers[Tier.VILLAGE].actual == 2
    # two villages of the round's places (per village + the female places where the rule applies)
    assert tiers[Tier.VILLAGE].target >= 2 * round_.reserves_per_village
    assert 'id="pool-summary"' in page(response)


def test_a_village_sees_no_town_summary(client, village_a_user, pool):
    client.force_login(village_a_user)
    response = client.get(LIST)
    assert response.context["summary"] is None and 'id="pool-summary"' not in page(response)


def test_the_renewal_due_filter(client, office, town, term, village_a):
    ReserveFactory(town=town, term=term, village=village_a, name="到期", term_end=today() - datetime.timedelta(days=1))
    ReserveFactory(town=town, term=term, village=village_a, name="未到期", term_end=today())
    ReserveFactory(town=town, term=term, village=village_a, name="已任用", status=Reserve.Status.USED,
                   term_end=today() - datetime.timedelta(days=1))
    assert visible_names(client, office, "?status=renewal_due") == {"到期"}


def test_the_ending_box_counts_and_links(client, office, town, term, village_a):
    day = today()
    ReserveFactory(town=town, term=term, village=village_a, term_end=day + datetime.timedelta(days=30))
    ReserveFactory(town=town, term=term, village=village_a, term_end=day - datetime.timedelta(days=3))
    ReserveFactory(town=town, term=term, village=village_a, term_end=day + datetime.timedelta(days=90))
    client.force_login(office)
    response = client.get(LIST)
    assert response.context["ending_count"] == 2
    assert 'href="?ending=1"' in page(response)
    assert len(client.get(LIST + "?ending=1").context["page"].object_list) == 2


# --- filters -------------------------------------------------------------------------------------------------


@pytest.fixture
def varied(town, term, village_a, unit):
    day = today()
    young = PersonFactory(name="小王", gender=Gender.FEMALE, birth_date=day.replace(year=day.year - 28))
    old = PersonFactory(name="老李", birth_date=day.replace(year=day.year - 50))
    return {
        "young": ReserveFactory(town=town, term=term, village=village_a, person=young, name="小王",
                                gender=Gender.FEMALE, birth_date=young.birth_date, education=Education.BACHELOR,
                                political_status=PoliticalStatus.MASSES, activist_recommended_on=day),
        "old": ReserveFactory(town=town, term=term, unit=unit, tier=Tier.FOURTH, person=old, name="老李",
                              birth_date=old.birth_date, political_status=PoliticalStatus.PARTY_MEMBER,
                              status=Reserve.Status.USED),
    }


@pytest.mark.parametrize("query, names", [
    ("?tier=4", {"老李"}),
    ("?tier=5", {"小王"}),
    ("?gender=F", {"小王"}),
    ("?age=30", {"小王"}),
    ("?age=46", {"老李"}),
    ("?age=36-40", set()),
    ("?education=50", {"小王"}),
    ("?political_status=party_member", {"老李"}),
    ("?status=used", {"老李"}),
    ("?status=active", {"小王"}),
    ("?activist=1", {"小王"}),
    ("?q=老", {"老李"}),
    ("?status=renewal_due", set()),
])
def test_filters(client, office, varied, query, names):
    assert visible_names(client, office, query) == names


def test_unit_and_term_filters(client, office, varied, unit, village_a, town):
    assert visible_names(client, office, f"?unit=u{unit.pk}") == {"老李"}
    assert visible_names(client, office, f"?unit=v{village_a.pk}") == {"小王"}
    other_term = PoolTermFactory(town=town)
    assert visible_names(client, office, f"?term={varied['old'].term_id}") == {"小王", "老李"}
    assert visible_names(client, office, f"?term={other_term.pk}") == set()


@pytest.mark.parametrize("query", [
    "?page=abc", "?page=99999", "?tier=99", "?tier=abc", "?age=x", "?education=zz", "?unit=v999999", "?unit=zz",
    "?term=abc", "?status=nonsense", "?q=" + "长" * 500, "?gender=Q&political_status=%00", "?unit=u",
])
def test_garbage_query_strings_are_no_500(client, office, varied, query):
    client.force_login(office)
    assert client.get(LIST + query).status_code == 200


@pytest.mark.parametrize("value, low, high", [(v, lo, hi) for v, _l, lo, hi in AGE_BANDS])
def test_age_bands_have_sharp_edges(town, term, village_a, value, low, high):
    day = today()

    def born_aged(age, extra_days=0):
        b = day.replace(year=day.year - age) if not (day.month == 2 and day.day == 29) else datetime.date(
            day.year - age, 2, 28)
        return b - datetime.timedelta(days=extra_days)

    inside = [born_aged(low or 20), born_aged(high or 60)]
    outside = [d for d in (born_aged((low or 0) - 1) if low else None,
                            born_aged(high + 1) if high else None) if d]
    made = {ReserveFactory(town=town, term=term, village=village_a, birth_date=b).pk: b for b in inside + outside}
    found = set(Reserve.objects.filter(age_band_condition(low, high, day)).values_list("pk", flat=True))
    assert {made[pk] for pk in found} == set(inside)


# --- query counts ------------------------------------------------------------------------------------------------


def _make(n, town, term, village_a, unit, mentor):
    for i in range(n):
        if i % 2:
            ReserveFactory(town=town, term=term, unit=unit, tier=Tier.FOURTH, mentor=mentor,
                           last_talk_on=today() - datetime.timedelta(days=i))
        else:
            ReserveFactory(town=town, term=term, village=village_a)


@pytest.mark.parametrize("query", ["", "?ending=1&tier=5", "?age=31-35&unit=zz"])
def test_the_list_takes_a_constant_number_of_queries(client, office, town, term, village_a, unit, mentor, round_,
                                                    django_assert_max_num_queries, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _make(3, town, term, village_a, unit, mentor)
    client.force_login(office)
    client.get(LIST)  # the session is warm
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST + query).status_code == 200
    _make(27, town, term, village_a, unit, mentor)
    with django_assert_max_num_queries(len(small)):
        response = client.get(LIST + query)
    assert response.status_code == 200


def test_the_page_size_is_25(client, office, town, term, village_a):
    for _i in range(30):
        ReserveFactory(town=town, term=term, village=village_a)
    client.force_login(office)
    response = client.get(LIST)
    assert len(response.context["page"].object_list) == 25
    assert len(client.get(LIST + "?page=2").context["page"].object_list) == 5


# --- a reserve's page ------------------------------------------------------------------------------------------


def test_the_page_shows_facts_masked_id_and_the_history_in_order(client, office, pool):
    reserve = pool["a"]
    reserve_change_post(actor=office, reserve_id=reserve.pk, post="村党支部委员", changed_on=reserve.start_date)
    reserve_mark_activist(actor=office, reserve_id=reserve.pk, recommended_on=today(), note="表现突出")
    client.force_login(office)
    response = client.get(detail(reserve))
    text = page(response)
    number = reserve.person.id_number
    assert number not in text and number[:4] in text  # masked
    labels = [row.label for row in response.context["timeline"]]
    assert labels.index("岗位调整") < labels.index("推荐为入党积极分子")
    assert "村党支部委员" in text and "表现突出" in text
    assert 'id="terms"' in text and 'id="entry"' in text


def test_the_page_merges_registered_timeline_items(client, office, pool, monkeypatch):
    from training import panels

    reserve = pool["a"]
    item = panels.TimelineItem(when=reserve.start_date - datetime.timedelta(days=1), label="测试来源", text="最早")
    monkeypatch.setattr(panels, "_timeline_sources", [*panels._timeline_sources, lambda r, u: [item]])
    reserve_change_post(actor=office, reserve_id=reserve.pk, post="新岗位", changed_on=reserve.start_date)
    client.force_login(office)
    rows = client.get(detail(reserve)).context["timeline"]
    labels = [r.label for r in rows]
    assert "测试来源" in labels and labels.index("测试来源") < labels.index("岗位调整")


def test_office_buttons_and_refusals(client, office, pool):
    client.force_login(office)
    text = page(client.get(detail(pool["a"])))
    # renew and expire are out of their time (the term ends in more than 60 days): not offered at all, the term's
    # dates say when they will be
    assert 'data-action="renew_reserve"' not in text and 'data-action="expire_reserve"' not in text
    assert "届满前60天内方可续期" not in text
    assert 'data-action="use_reserve"' in text
    assert 'data-action="remove_reserve"' not in text  # the office proposes a removal; the committee removes


def test_the_committee_sees_only_the_removal(client, committee, pool):
    client.force_login(committee)
    text = page(client.get(detail(pool["a"])))
    assert 'data-action="renew_reserve"' not in text and 'data-action="use_reserve"' not in text
    assert 'data-action="remove_reserve"' in text


def test_a_removed_reserve_shows_its_end(client, office, committee, pool):
    reserve_remove(actor=committee, reserve_id=pool["a"].pk, reason="本人申请退出", approver="张书记")
    client.force_login(office)
    text = page(client.get(detail(pool["a"])))
    assert "已调整出库" in text and "本人申请退出" in text and "张书记" in text


def _more_of_everything(town, term, village_a, unit, mentor, n):
    """Rows the list and its summary read, added between two measurements: reserves of every kind, villages with
    两委 members, units, pool terms and rounds."""
    from ..factories import CadreFactory, RoundFactory, VillageFactory

    _make(n, town, term, village_a, unit, mentor)
    for i in range(2):
        village = VillageFactory(town=town, name=f"新村{n}{i}")
        CadreFactory(village=village)
        ReserveFactory(town=town, term=PoolTermFactory(town=town), village=village)
        ReserveFactory(town=town, term=term, unit=UnitFactory(town=town), tier=Tier.SECOND)
        RoundFactory(town=town)


@pytest.mark.parametrize("role", ["office", "committee", "village", "unit", "mentor"])
def test_the_list_stays_within_the_budget_whatever_the_rows(client, office, committee, village_a_user, unit_user,
                                                           mentor, town, term, village_a, unit, round_, role):
    """Issue 13: at most 15 queries, the same for a few rows and for many (and more villages, units, pool terms,
    rounds), for every role that reads the list, with every filter at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = {"office": office, "committee": committee, "village": village_a_user, "unit": unit_user,
             "mentor": mentor}
    _more_of_everything(town, term, village_a, unit, mentor, 3)
    client.force_login(users[role])
    counts = []
    for query in ("", "?tier=4&ending=1&status=renewal_due&activist=1&gender=F&age=31-35&education=50&page=2"):
        client.get(LIST + query)  # the session and the account's facts are warm
        with CaptureQueriesContext(connection) as few:
            assert client.get(LIST + query).status_code == 200
        counts.append(len(few))
    _more_of_everything(town, term, village_a, unit, mentor, 40)
    for i, query in enumerate(("", "?tier=4&ending=1&status=renewal_due&activist=1&gender=F&age=31-35&education=50"
                                   "&page=2")):
        client.get(LIST + query)
        with CaptureQueriesContext(connection) as many:
            assert client.get(LIST + query).status_code == 200
        assert len(many) == counts[i] <= 15, [q["sql"][:120] for q in many]


def test_the_summary_counts_what_it_counted_before(client, office, town, term, village_a, village_b, round_):
    """The targets and actual counts of the summary: tier targets from the pool term, the village reserves' target
    the sum of the villages' places (two each in the round, plus one female place for a village whose 两委 has no
    young woman), the actual the active reserves, the ending box the active whose term ends within the notice."""
    from ..factories import CadreFactory

    round_.reserves_per_village, round_.female_extra_reserves = 2, 1
    round_.save()
    CadreFactory(village=village_a, gender=Gender.FEMALE, birth_date=round_.age_reference_date.replace(
        year=round_.age_reference_date.year - 25))
    ReserveFactory(town=town, term=term, village=village_a, tier=Tier.VILLAGE)
    ReserveFactory(town=town, term=term, village=village_b, tier=Tier.VILLAGE, status=Reserve.Status.USED)
    ReserveFactory(town=town, term=term, village=village_b, tier=Tier.VILLAGE,
                   term_end=today() + datetime.timedelta(days=term.renewal_notice_days))
    ReserveFactory(town=town, term=term, village=village_b, tier=Tier.VILLAGE,
                   term_end=today() + datetime.timedelta(days=term.renewal_notice_days + 1))
    client.force_login(office)
    summary = client.get(LIST).context["summary"]
    village = next(t for t in summary.tiers if t.tier == Tier.VILLAGE)
    assert (village.target, village.actual) == (2 + 3, 3)
    assert next(t for t in summary.tiers if t.tier == Tier.FIRST).target == term.target_tier1
    assert summary.ending == client.get(LIST).context["ending_count"] == 1
