"""The pool terms' page (人才库届期与参数): list, create and edit with validation; an edit re-evaluates the tier
conditions of the term's reserves."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reserve.choices import Education as E
from reserve.exceptions import NotAllowed, NotFound
from reserve.models import Event
from training import entry
from training.forms_entry import PoolTermForm
from training.models import PoolTerm, Reserve, Tier

from ..factories import PoolTermFactory, ReserveFactory, UnitFactory
from ..helpers import page, today, years_ago

pytestmark = pytest.mark.django_db


def values(**changes):
    term = PoolTerm(name="2026—2028年度后备干部人才库", start=datetime.date(2026, 3, 1))
    data = {name: getattr(term, name) for name in entry.TERM_FIELDS}
    data.update(changes)
    return data


def form_data(**changes):
    data = {k: (v.strftime("%Y-%m") if isinstance(v, datetime.date) else v) for k, v in values().items()}
    data.update(changes)
    return data


def test_the_office_creates_a_term_with_a_year_and_month(client, office, town):
    client.force_login(office)
    response = client.post(reverse("training:term_new"), form_data(start="2026-03", target_tier2="25"))
    assert response.status_code == 302, page(response)
    term = PoolTerm.objects.get()
    assert term.town == town and term.start == datetime.date(2026, 3, 1) and term.target_tier2 == 25
    assert Event.objects.filter(action="pool_term_create", object_id=term.pk).exists()
    assert "2026年3月" in page(client.get(reverse("training:term_list")))


@pytest.mark.parametrize(("changes", "field"), [
    ({"period_years_min": 5, "period_years_max": 3}, "period_years_max"),
    ({"age_limit_tier1": 0}, "age_limit_tier1"),
    ({"age_limit_tier3": 99}, "age_limit_tier3"),
    ({"term_years": 0}, "term_years"),
    ({"term_years": 50}, "term_years"),
    ({"tier3_project_amount": 0}, "tier3_project_amount"),
    ({"talks_per_year": 0}, "talks_per_year"),
    ({"renewal_notice_days": 9999}, "renewal_notice_days"),
    ({"rotation_subsidy_per_day": -1}, "rotation_subsidy_per_day"),
    ({"start": datetime.date(2026, 3, 15)}, "start"),
    ({"start": datetime.date(1990, 1, 1)}, "start"),
    ({"name": "  "}, "name"),
])
def test_term_validation_in_the_service(office, changes, field):
    with pytest.raises(ValidationError) as e:
        entry.term_save(actor=office, values=values(**changes))
    assert field in e.value.message_dict
    assert not PoolTerm.objects.exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"period_years_min": "5", "period_years_max": "3"}, "period_years_max"),
    ({"target_tier1": "-1"}, "target_tier1"),
    ({"target_tier4": "99999999999999999999"}, "target_tier4"),
    ({"age_limit_tier2": "abc"}, "age_limit_tier2"),
    ({"start": "2026-13"}, "start"),
    ({"start": ""}, "start"),
    ({"due_talk_working_days": "0"}, "due_talk_working_days"),
])
def test_term_validation_on_the_page(client, office, changes, field):
    client.force_login(office)
    response = client.post(reverse("training:term_new"), form_data(**changes))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not PoolTerm.objects.exists()


def test_a_second_term_starting_the_same_month_is_refused(office, town):
    PoolTermFactory(town=town, start=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError) as e:
        entry.term_save(actor=office, values=values())
    assert "start" in e.value.message_dict


def test_the_form_takes_the_first_of_the_month():
    form = PoolTermForm(data=form_data(start="2027-05"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == datetime.date(2027, 5, 1)


def test_an_edit_re_evaluates_the_active_reserves(client, office, town):
    term = PoolTermFactory(town=town, start=today().replace(day=1))
    unit = UnitFactory(town=town)
    reserve = ReserveFactory(town=town, term=term, unit=unit, tier=Tier.SECOND, birth_date=years_ago(33),
                             education=E.COLLEGE, organ_work_since=years_ago(5), meets_conditions=True,
                             start_date=today())
    used = ReserveFactory(town=town, term=term, unit=unit, tier=Tier.SECOND, birth_date=years_ago(33),
                          education=E.COLLEGE, organ_work_since=years_ago(5), meets_conditions=True,
                          status=Reserve.Status.USED, start_date=today())
    client.force_login(office)
    data = form_data(**{k: v for k, v in values().items() if k not in ("name", "start")})
    data.update(name=term.name, start=term.start.strftime("%Y-%m"), age_limit_tier2="30")
    response = client.post(reverse("training:term_edit", args=[term.pk]), data)
    assert response.status_code == 302, page(response)
    term.refresh_from_db()
    reserve.refresh_from_db()
    used.refresh_from_db()
    assert term.age_limit_tier2 == 30
    assert not reserve.meets_conditions  # 33 > 30
    assert used.meets_conditions  # no longer in the pool: left as it was
    event = Event.objects.get(action="pool_term_update", object_id=term.pk)
    assert event.data["changed"] == ["age_limit_tier2"] and event.data["reevaluated"] == 1


@pytest.mark.parametrize(("who", "url", "status"), [
    ("committee", "list", 200), ("committee", "new", 403), ("committee", "edit", 403),
    ("office", "list", 200), ("office", "new", 200), ("office", "edit", 200),
    ("village_a_user", "list", 403), ("mentor", "list", 403), ("dept_x_user", "list", 403),
    ("other_office", "edit", 404),
])
def test_term_pages_by_role(client, request, town, who, url, status):
    term = PoolTermFactory(town=town)
    client.force_login(request.getfixturevalue(who))
    address = {"list": reverse("training:term_list"), "new": reverse("training:term_new"),
               "edit": reverse("training:term_edit", args=[term.pk])}[url]
    assert client.get(address).status_code == status


def test_service_scope(committee, other_office, town):
    term = PoolTermFactory(town=town)
    with pytest.raises(NotAllowed):
        entry.term_save(actor=committee, values=values(), term_id=term.pk)
    with pytest.raises(NotFound):
        entry.term_save(actor=other_office, values=values(), term_id=term.pk)


def test_term_list_constant_queries(client, office, town):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office)
    url = reverse("training:term_list")

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for i in range(2):
        PoolTermFactory(town=town, start=datetime.date(2020 + i, 1, 1))
    small = count()
    for i in range(2, 25):
        PoolTermFactory(town=town, start=datetime.date(2020 + i, 1, 1))
    assert count() == small
