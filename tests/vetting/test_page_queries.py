"""The vetting pages at county scale (issue 13 §2): each asks the same queries whatever its rows — the queue's every
tab, the negative list whatever the town's departments, the deadlines to sync (25 a page) and the ledger's hint of
them — and shows the same counts as before."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Status
from vetting.models import VettingRequest
from vetting.services import refresh_summary

from ..factories import DepartmentFactory, NominationFactory
from ..helpers import page, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta
PENDING, ANSWERED = VettingRequest.Status.PENDING, VettingRequest.Status.ANSWERED


def made(round_, village, dept, n, *, status=PENDING, nomination_status=Status.VETTING, deadline=None):
    """n nominations, each with a request to dept (its summary kept as the services keep it)."""
    requests = []
    for _i in range(n):
        nomination = NominationFactory(round=round_, village=village, status=nomination_status)
        requests.append(VettingRequest.objects.create(nomination=nomination, department=dept, status=status,
                                                      deadline=deadline or today() + D(days=5)))
        refresh_summary(nomination)
    return requests


def queries(client, url, query=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(captured), page(response)


@pytest.mark.parametrize("tab, status, nomination_status", [
    ("done", ANSWERED, Status.VETTING), ("ended", PENDING, Status.REJECTED), ("overdue", PENDING, Status.VETTING)])
def test_every_tab_of_the_queue_asks_the_same_queries_for_2_and_40_requests(
        client, round_, village_a, dept_x, dept_x_user, tab, status, nomination_status):
    deadline = today() - D(days=2) if tab == "overdue" else None
    made(round_, village_a, dept_x, 2, status=status, nomination_status=nomination_status, deadline=deadline)
    client.force_login(dept_x_user)
    client.get(reverse("vetting:queue"), {"tab": tab})
    few, _html = queries(client, reverse("vetting:queue"), {"tab": tab})
    made(round_, village_a, dept_x, 38, status=status, nomination_status=nomination_status, deadline=deadline)
    many, html = queries(client, reverse("vetting:queue"), {"tab": tab})
    assert many == few <= 15
    assert html.count("data-request=") == 25 and "第1/2页，共40人" in html


def test_the_queue_counts_each_tab(client, round_, village_a, dept_x, dept_x_user, dept_y):
    made(round_, village_a, dept_x, 3, deadline=today() - D(days=1))  # pending and overdue
    made(round_, village_a, dept_x, 2)  # pending
    made(round_, village_a, dept_x, 4, status=ANSWERED)
    made(round_, village_a, dept_x, 1, status=VettingRequest.Status.LOCKED)  # in no tab
    made(round_, village_a, dept_x, 2, nomination_status=Status.DISQUALIFIED)  # ended
    made(round_, village_a, dept_y, 6)  # another department's
    from vetting.selectors import department_queue_counts

    assert department_queue_counts(dept_x_user, today=today()) == {"pending": 5, "overdue": 3, "ended": 2,
                                                                   "done": 4}


def test_the_negative_list_asks_the_same_queries_whatever_the_towns_departments(client, office, round_, town):
    url = reverse("vetting:negative_list", args=[round_.pk])
    DepartmentFactory(town=town, name="纪委")
    client.force_login(office)
    client.get(url)  # makes the round's list
    few, html = queries(client, url)
    assert "纪委" in html
    for i in range(12):
        DepartmentFactory(town=town, name=f"新设部门{i}")
    client.get(url)  # a department saved empties the accounts' cached facts (read again once, whatever the page)
    many, html = queries(client, url)
    assert many == few <= 15
    assert html.count("新设部门11") == 13  # a box for it in each of the 13 items


def test_a_posted_department_of_another_town_is_refused(client, office, round_, town, other_town):
    url = reverse("vetting:negative_list", args=[round_.pk])
    mine = DepartmentFactory(town=town, name="纪委")
    theirs = DepartmentFactory(town=other_town, name="纪委")
    client.force_login(office)
    client.get(url)
    from vetting.models import NegativeItem

    items = list(NegativeItem.objects.filter(round=round_))
    body = {f"n{i.pk}-text": i.text for i in items} | {f"n{i.pk}-departments": [mine.pk] for i in items}
    body[f"n{items[0].pk}-departments"] = [theirs.pk]
    client.post(url, body)
    assert not items[0].departments.filter(pk=theirs.pk).exists()
    assert not NegativeItem.objects.filter(departments=theirs).exists()


def test_the_deadlines_to_sync_page_by_25_in_the_same_queries(client, office, round_, village_a, village_b, dept_x):
    round_.review_end = today() + D(days=30)
    round_.save(update_fields=["review_end"])
    url = reverse("vetting:sync_deadlines", args=[round_.pk])
    made(round_, village_a, dept_x, 2)
    made(round_, village_b, dept_x, 3, nomination_status=Status.REJECTED)  # ended: not moved
    made(round_, village_b, dept_x, 2, deadline=round_.review_end + D(days=3))  # later already: not moved
    client.force_login(office)
    client.get(url)
    few, html = queries(client, url)
    assert html.count("data-request=") == 2 and "将把2条未答复请求" in html
    made(round_, village_a, dept_x, 28)
    many, html = queries(client, url)
    assert many == few <= 15
    assert html.count("data-request=") == 25 and "第1/2页，共30条" in html and "将把30条未答复请求" in html
    assert page(client.get(url, {"page": 2})).count("data-request=") == 5


def test_the_ledgers_hint_of_deadlines_to_sync_asks_the_same_queries(client, office, round_, village_a, dept_x):
    from tests.helpers import every_negative_item_checked

    every_negative_item_checked(round_, dept_x)
    round_.review_end = today() + D(days=30)
    round_.save(update_fields=["review_end"])
    url = reverse("vetting:ledger", args=[round_.pk])
    made(round_, village_a, dept_x, 2)
    client.force_login(office)
    client.get(url)
    few, html = queries(client, url)
    assert "有2条未答复请求的答复期限早于该日期" in html
    made(round_, village_a, dept_x, 40)
    made(round_, village_a, dept_x, 5, deadline=round_.review_end + D(days=1))  # later already
    many, html = queries(client, url)
    assert many == few <= 15
    assert "有42条未答复请求的答复期限早于该日期" in html


def _same_markup(html) -> str:
    import re

    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*([<>])\s*", r"\1", html).replace(' "', '"').strip()


def _boxes_both_ways(form) -> tuple[str, str]:
    """The negative list's department boxes as the app draws them (reserve.templatetags.crispy_fast) and as
    crispy's own template does."""
    from django.template import Context, Template

    crispy = Template("{% load crispy_forms_tags %}{% load crispy_forms_filters %}"
                      "{{ f.departments|as_crispy_field }}").render(Context({"f": form}))
    fast = Template("{% load crispy_fast %}{{ f.departments|as_crispy_field }}").render(Context({"f": form}))
    return fast, crispy


@pytest.mark.parametrize("posted", [None, {"n-text": "x"}, {"n-text": "x", "n-departments": ["1"]}])
def test_the_department_boxes_are_crispys_markup(round_, town, posted):
    """The negative list's boxes are drawn as crispy's as_crispy_field draws them: unbound (ticked as saved), and
    posted (with the error of no box ticked)."""
    from vetting.forms import NegativeItemForm
    from vetting.models import NegativeItem
    from vetting.selectors import town_departments

    first = DepartmentFactory(town=town, name="纪委")
    DepartmentFactory(town=town, name="派出所<b>")
    item = NegativeItem.objects.create(round=round_, number=1, text="条目")
    item.departments.set([first])
    if posted and "n-departments" in posted:
        posted["n-departments"] = [str(first.pk)]
    form = NegativeItemForm(posted, instance=item, prefix="n", town_id=town.pk,
                            departments=town_departments(town.pk))
    if posted:
        form.is_valid()
    fast, crispy = _boxes_both_ways(form)
    assert _same_markup(fast) == _same_markup(crispy)
    assert "派出所&lt;b&gt;" in fast
    assert ("checked" in fast) == (posted is None or "n-departments" in posted)


def test_the_department_boxes_of_a_town_without_departments(round_, town):
    """Found by the fuzz tests in CI: a round of a town with no vetting department drew no box and failed (500)."""
    from vetting.forms import NegativeItemForm
    from vetting.models import NegativeItem
    from vetting.selectors import town_departments

    item = NegativeItem.objects.create(round=round_, number=1, text="条目")
    for posted in (None, {"n-text": "x"}):
        form = NegativeItemForm(posted, instance=item, prefix="n", town_id=town.pk,
                                departments=town_departments(town.pk))
        if posted:
            form.is_valid()
        fast, crispy = _boxes_both_ways(form)
        assert _same_markup(fast) == _same_markup(crispy)
