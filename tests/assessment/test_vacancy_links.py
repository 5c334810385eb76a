"""A village's page (its 两委 roster) leads to its vacancies and to recording one; the vacancy list filters by
village; the form opens with the village chosen — and none of these takes a foreign or garbage village."""

import datetime

import pytest
from django.urls import reverse

from assessment.models import Vacancy

from ..helpers import page, today

pytestmark = pytest.mark.django_db

LIST = reverse("assessment:vacancy_list")
NEW = reverse("assessment:vacancy_new")


def village_page(village):
    return reverse("village_detail", args=[village.pk])


def vacancy(village, user, post="村委会委员", **kw):
    return Vacancy.objects.create(village=village, recorded_by=user, post=post,
                                  arose_on=today() - datetime.timedelta(days=5), **kw)


@pytest.mark.parametrize("who", ["office", "village_a_user"])
def test_the_village_page_links_its_open_vacancies_and_the_form(client, request, who, office, village_a, village_b):
    vacancy(village_a, office)
    vacancy(village_a, office, post="村党支部委员")
    vacancy(village_a, office, post="村委会主任", filled_on=today(), filled_note="另行选举")
    vacancy(village_b, office)
    client.force_login(request.getfixturevalue(who))
    text = page(client.get(village_page(village_a)))
    assert "“两委”职数空缺2个" in text
    assert f"{LIST}?state=open&amp;village={village_a.pk}" in text
    assert f"{NEW}?village={village_a.pk}" in text


def test_the_committee_reads_the_vacancies_but_is_not_offered_the_form(client, committee, office, village_a):
    vacancy(village_a, office)
    client.force_login(committee)
    text = page(client.get(village_page(village_a)))
    assert "“两委”职数空缺1个" in text and NEW not in text


def test_a_village_without_vacancies_shows_only_the_form(client, office, village_a):
    client.force_login(office)
    text = page(client.get(village_page(village_a)))
    links = text.split('id="village-links"')[1].split("</div>")[0]
    assert "登记职数空缺" in links and "“两委”职数空缺" not in links


def test_the_list_filters_by_village(client, office, village_a, village_b):
    vacancy(village_a, office, post="甲村委员")
    vacancy(village_b, office, post="乙村委员")
    client.force_login(office)
    text = page(client.get(LIST, {"village": village_a.pk}))
    assert "甲村委员" in text and "乙村委员" not in text


@pytest.mark.parametrize("raw", ["abc", "-1", "99999999999999999999999", "１", "0"])
def test_a_garbage_village_is_no_filter_and_no_error(client, office, village_a, raw):
    vacancy(village_a, office, post="甲村委员")
    client.force_login(office)
    response = client.get(LIST, {"village": raw})
    assert response.status_code == 200 and "甲村委员" in page(response)
    assert client.get(NEW, {"village": raw}).status_code == 200


def test_another_towns_village_is_not_chosen_nor_listed(client, office, other_office, village_a):
    from tests.factories import VillageFactory

    foreign = VillageFactory(town=other_office.town)
    vacancy(foreign, other_office, post="外镇委员")
    client.force_login(office)
    assert "外镇委员" not in page(client.get(LIST, {"village": foreign.pk}))
    form = page(client.get(NEW, {"village": foreign.pk}))
    assert f'value="{foreign.pk}" selected' not in form and foreign.name not in form


def test_the_form_opens_with_the_village_chosen(client, office, village_a):
    client.force_login(office)
    form = page(client.get(NEW, {"village": village_a.pk}))
    assert f'<option value="{village_a.pk}" selected>' in form
