"""The ledger (资格联审台账) at county scale (issue 13: 7,440 candidates × 12 departments rendered on one page took
24–33 s and decrypted 89,280 ID numbers): one page of rows filtered by village and by the answers' state, each
state's count, the same queries for 3 and 60 rows, and no ID number decrypted."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Status
from reserve import crypto
from reserve.models import AuditEntry
from vetting.models import VettingRequest
from vetting.selectors import LEDGER_PAGE_SIZE
from vetting.services import refresh_summary

from ..factories import NominationFactory, PersonFactory
from ..helpers import every_negative_item_checked, page, today

pytestmark = pytest.mark.django_db

D = datetime.timedelta
PENDING, ANSWERED = VettingRequest.Status.PENDING, VettingRequest.Status.ANSWERED


@pytest.fixture
def listed(round_, dept_x, dept_y):
    """The round's negative list names 纪委 and 派出所 (the ledger's two department columns)."""
    every_negative_item_checked(round_, dept_x)
    from vetting.models import NegativeItem

    NegativeItem.objects.get(round=round_, number=1).departments.add(dept_y)


def sent(round_, village, departments, n, *, status=PENDING, flagged=False, days=5, prefix="人选", signer=None):
    """n nominations in vetting, each with a request to every department in the given state."""
    made = []
    for i in range(n):
        nomination = NominationFactory(round=round_, village=village, status=Status.VETTING,
                                       person=PersonFactory(name=f"{prefix}{i:02d}"))
        for d in departments:
            VettingRequest.objects.create(
                nomination=nomination, department=d, status=status, flagged=flagged,
                deadline=today() + D(days=days), signed_by=signer if status != PENDING else None,
                signed_at=timezone.now() if status != PENDING else None)
        refresh_summary(nomination)  # written directly: kept as the services keep it
        made.append(nomination)
    return made


def ledger_url(round_):
    return reverse("vetting:ledger", args=[round_.pk])


def rows_of(html) -> list[str]:
    """The nomination ids of the ledger's rows, in order."""
    import re

    return re.findall(r'<tr data-nomination="(\d+)">', html)


def test_the_ledger_pages_its_rows_in_village_order(client, office, round_, village_a, village_b, dept_x, dept_y,
                                                    listed):
    b = sent(round_, village_b, [dept_x, dept_y], 20, prefix="西岭")
    a = sent(round_, village_a, [dept_x, dept_y], LEDGER_PAGE_SIZE, prefix="东山")
    village_a.order, village_b.order = 1, 2
    village_a.save(), village_b.save()
    client.force_login(office)
    first = page(client.get(ledger_url(round_)))
    assert rows_of(first) == [str(n.pk) for n in a]
    assert f"第1/2页，共{LEDGER_PAGE_SIZE + 20}人" in first
    second = page(client.get(ledger_url(round_), {"page": 2}))
    assert rows_of(second) == [str(n.pk) for n in b]
    assert f"<td>{LEDGER_PAGE_SIZE + 1}</td>" in second  # numbered on from the first page


def test_filter_by_village_and_state_with_each_states_count(client, office, round_, village_a, village_b, dept_x,
                                                            dept_y, dept_x_user, listed):
    waiting = sent(round_, village_a, [dept_x, dept_y], 3, prefix="待答")
    late = sent(round_, village_a, [dept_x], 2, days=-2, prefix="逾期")
    flagged = sent(round_, village_a, [dept_x, dept_y], 1, status=ANSWERED, flagged=True, prefix="有问题",
                   signer=dept_x_user)
    clear = sent(round_, village_a, [dept_x, dept_y], 4, status=ANSWERED, prefix="通过", signer=dept_x_user)
    elsewhere = sent(round_, village_b, [dept_x], 5, prefix="西岭")
    client.force_login(office)

    def shown(**query):
        return set(rows_of(page(client.get(ledger_url(round_), query))))

    def ids(*groups):
        return {str(n.pk) for group in groups for n in group}

    assert shown() == ids(waiting, late, flagged, clear, elsewhere)
    assert shown(village=village_a.pk) == ids(waiting, late, flagged, clear)
    assert shown(village=village_a.pk, state="pending") == ids(waiting, late)
    assert shown(village=village_a.pk, state="overdue") == ids(late)
    assert shown(village=village_a.pk, state="flagged") == ids(flagged)
    assert shown(village=village_a.pk, state="answered") == ids(flagged, clear)
    assert shown(state="pending") == ids(waiting, late, elsewhere)
    html = page(client.get(ledger_url(round_), {"village": village_a.pk, "state": "pending"}))
    # the counts of each state (for the village chosen), and the filter kept on the tabs and the form
    for label, count in (("全部", 10), ("有待答复", 5), ("有逾期未答复", 2), ("有问题反馈", 1), ("已全部答复", 5)):
        assert f"{label}（{count}）" in html, label
    assert f'href="?village={village_a.pk}&amp;state=flagged"' in html
    assert f'<option value="{village_a.pk}" selected>' in html and '<option value="pending" selected>' in html


def test_the_filter_is_kept_across_pages(client, office, round_, village_a, village_b, dept_x, listed):
    sent(round_, village_a, [dept_x], LEDGER_PAGE_SIZE + 3)
    sent(round_, village_b, [dept_x], 2)
    client.force_login(office)
    html = page(client.get(ledger_url(round_), {"village": village_a.pk, "state": "pending"}))
    assert f"?village={village_a.pk}&amp;state=pending&page=2" in html
    second = page(client.get(ledger_url(round_), {"village": village_a.pk, "state": "pending", "page": 2}))
    assert len(rows_of(second)) == 3


@pytest.mark.parametrize("query", [{"state": "nonsense"}, {"village": "abc"}, {"page": "x"},
                                   {"page": "99999999999999999999"}, {"village": "99999999999999999999999"}])
def test_garbage_in_the_query_is_a_page_not_an_error(client, office, round_, village_a, dept_x, listed, query):
    sent(round_, village_a, [dept_x], 2)
    client.force_login(office)
    response = client.get(ledger_url(round_), query)
    assert response.status_code == 200
    assert len(rows_of(page(response))) == 2


def test_another_towns_village_is_refused_in_chinese_and_the_whole_ledger_shown(client, office, round_, village_a,
                                                                              dept_x, listed, other_town):
    from ..factories import VillageFactory

    sent(round_, village_a, [dept_x], 2)
    foreign = VillageFactory(town=other_town)
    client.force_login(office)
    html = page(client.get(ledger_url(round_), {"village": foreign.pk}))
    assert 'id="filter-errors"' in html and "已显示全部人选" in html
    assert len(rows_of(html)) == 2


def test_each_cell_shows_the_departments_answer_as_before(client, office, round_, village_a, dept_x, dept_y,
                                                          dept_x_user, listed):
    dept_x_user.full_name = "钱签字"
    dept_x_user.save()
    (n,) = sent(round_, village_a, [dept_x], 1, status=ANSWERED, flagged=True, signer=dept_x_user)
    VettingRequest.objects.create(nomination=n, department=dept_y, deadline=today() - D(days=1), reminder_count=2)
    client.force_login(office)
    html = page(client.get(ledger_url(round_)))
    row = html.split(f'<tr data-nomination="{n.pk}">')[1].split("</tr>")[0]
    assert "有问题" in row and "钱签字" in row
    assert "待审" in row and "逾期" in row and "已催办2次" in row
    assert row.index("有问题") < row.index("待审")  # 纪委's column before 派出所's, as the list orders them


def test_the_ledger_asks_the_same_queries_for_3_and_60_rows(client, office, round_, village_a, village_b, dept_x,
                                                            dept_y, dept_x_user, listed):
    sent(round_, village_a, [dept_x, dept_y], 2)
    sent(round_, village_b, [dept_x, dept_y], 1, status=ANSWERED, signer=dept_x_user)
    client.force_login(office)
    client.get(ledger_url(round_))
    with CaptureQueriesContext(connection) as few:
        assert len(rows_of(page(client.get(ledger_url(round_))))) == 3
    sent(round_, village_a, [dept_x, dept_y], 40)
    sent(round_, village_b, [dept_x, dept_y], 17, status=ANSWERED, signer=dept_x_user)
    with CaptureQueriesContext(connection) as many:
        assert len(rows_of(page(client.get(ledger_url(round_))))) == LEDGER_PAGE_SIZE
    assert len(many) == len(few) <= 15, [q["sql"] for q in many.captured_queries]
    with CaptureQueriesContext(connection) as filtered:
        client.get(ledger_url(round_), {"village": village_b.pk, "state": "answered", "page": 1})
    assert len(filtered) == len(few)


def test_no_id_number_is_decrypted_to_show_the_ledger(client, office, round_, village_a, dept_x, listed,
                                                      monkeypatch):
    sent(round_, village_a, [dept_x], 4)
    client.force_login(office)
    calls = []
    real = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda value: calls.append(1) or real(value))
    assert len(rows_of(page(client.get(ledger_url(round_))))) == 4
    assert calls == []


def test_the_view_is_audited_with_the_rows_shown(client, office, round_, village_a, dept_x, listed):
    sent(round_, village_a, [dept_x], 3)
    client.force_login(office)
    client.get(ledger_url(round_))
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, detail__page="ledger").get()
    assert entry.detail["rows"] == 3 and entry.detail["findings"] is True


def test_another_towns_round_is_404(client, other_office, round_, village_a, dept_x, listed):
    sent(round_, village_a, [dept_x], 1)
    client.force_login(other_office)
    assert client.get(ledger_url(round_)).status_code == 404
