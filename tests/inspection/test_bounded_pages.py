"""The inspection's pages stay bounded as the data grows (issue 13 §2): a meeting's page and a session's page are
paged (a meeting's also filtered by village and outcome, its decision forms working on the page shown), their
query counts do not grow with their rows, and a session's PDFs of many nominations are made in the background."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Status
from inspection import jobs as inspection_jobs
from inspection import services as inspection_services
from inspection import views as inspection_views
from inspection.models import CommitteeDecision, Tally
from reserve.models import Job
from tests.factories import NominationFactory, PersonFactory, VillageFactory, meeting_for
from tests.helpers import page, pdf_text, today

pytestmark = pytest.mark.django_db

DAY = today() - datetime.timedelta(days=2)


def shown_nominations(response, element_id):
    """The data-nomination ids of the list `element_id` of a page, in order."""
    text = page(response)
    start = text.index(f'id="{element_id}"')
    return [int(pk) for pk in re.findall(r'data-nomination="(\d+)"', text[start:text.index("</ul>", start)])]


def decision_names(response):
    text = page(response)
    table = text[text.index('id="decisions"'):text.index("</table>", text.index('id="decisions"'))]
    return re.findall(r'<td data-label="姓名"><a href="[^"]*">([^<]*)</a>', table)


@pytest.fixture
def meeting(committee, round_):
    return meeting_for(round_, committee, date=DAY)


def proposed(round_, village, count, prefix):
    return [NominationFactory(round=round_, village=village, proposed=True, person=PersonFactory(name=f"{prefix}{i}"))
            for i in range(count)]


def decided(meeting, round_, village, count, prefix, outcome="approve"):
    """Decisions recorded as the meeting's (rows only: the service's checks are the subject of other tests)."""
    status = Status.APPROVED if outcome == "approve" else Status.REJECTED
    for i in range(count):
        n = NominationFactory(round=round_, village=village, status=status, person=PersonFactory(name=f"{prefix}{i}"))
        CommitteeDecision.objects.create(meeting=meeting, nomination=n, outcome=outcome,
                                         reason="" if outcome == "approve" else "理由")


# --------------------------------------------------------------------------- the meeting's page

def test_meeting_page_is_paged(client, meeting, round_, village_a, village_b, committee):
    size, decisions_size = inspection_views.AWAITING_PAGE_SIZE, inspection_views.DECISIONS_PAGE_SIZE
    awaiting = proposed(round_, village_a, size + 2, "甲待")
    decided(meeting, round_, village_a, decisions_size + 1, "甲决")
    client.force_login(committee)
    url = reverse("inspection:meeting_detail", args=[meeting.pk])

    first = client.get(url)
    assert shown_nominations(first, "proposed") == [n.pk for n in awaiting[:size]]
    assert len(decision_names(first)) == decisions_size
    assert f"第1/2页，共{size + 2}人" in page(first) and f"第1/2页，共{decisions_size + 1}人" in page(first)
    assert "?decided=1&page=2" in page(first) and "?page=1&decided=2" in page(first)

    second = client.get(url + "?page=2")
    assert shown_nominations(second, "proposed") == [n.pk for n in awaiting[size:]]
    assert decision_names(client.get(url + "?decided=2")) == [f"甲决{decisions_size}"]
    # Out of range or not a number: the nearest page, never an error.
    assert shown_nominations(client.get(url + "?page=99"), "proposed") == [n.pk for n in awaiting[size:]]
    assert client.get(url + "?page=x&decided=-1").status_code == 200


def test_meeting_page_filters_by_village_and_outcome(client, meeting, round_, village_a, village_b, other_town,
                                                     committee):
    in_a = proposed(round_, village_a, 2, "甲待")
    in_b = proposed(round_, village_b, 1, "乙待")
    decided(meeting, round_, village_a, 2, "甲同意")
    decided(meeting, round_, village_a, 1, "甲不同意", outcome="reject")
    decided(meeting, round_, village_b, 1, "乙同意")
    client.force_login(committee)
    url = reverse("inspection:meeting_detail", args=[meeting.pk])

    response = client.get(url + f"?village={village_b.pk}")
    assert shown_nominations(response, "proposed") == [in_b[0].pk]
    assert decision_names(response) == ["乙同意0"]
    response = client.get(url + f"?village={village_a.pk}&outcome=reject")
    assert shown_nominations(response, "proposed") == [n.pk for n in in_a]
    assert decision_names(response) == ["甲不同意0"]
    assert sorted(decision_names(client.get(url + "?outcome=approve"))) == ["乙同意0", "甲同意0", "甲同意1"]
    # Another town's village, or a bad value, is no filter (the whole meeting), never another town's rows.
    other_village = VillageFactory(town=other_town, name="外镇村")
    for query in ("?village=abc&outcome=maybe", f"?village={other_village.pk}"):
        response = client.get(url + query)
        assert response.status_code == 200
        assert len(decision_names(response)) == 4


def test_a_decision_posted_from_a_filtered_page_returns_to_it(client, meeting, round_, village_a, village_b,
                                                              committee):
    size = inspection_views.AWAITING_PAGE_SIZE
    awaiting = proposed(round_, village_a, size + 2, "甲待")
    proposed(round_, village_b, 1, "乙待")
    client.force_login(committee)
    url = reverse("inspection:meeting_detail", args=[meeting.pk])
    query = f"village={village_a.pk}&page=2"
    shown = client.get(f"{url}?{query}")
    target = awaiting[-1]
    assert target.pk in shown_nominations(shown, "proposed")
    assert f'action="?{query.replace("&", "&amp;")}"' in page(shown)  # the forms post to the page as shown

    response = client.post(f"{url}?{query}", {"nomination": target.pk, "outcome": "reject", "reason": ""})
    assert response.status_code == 200  # refused (a reason is required): the same page, the form with its error
    assert target.pk in shown_nominations(response, "proposed")
    assert "请填写党委研究不同意理由。" in page(response)

    response = client.post(f"{url}?{query}", {"nomination": target.pk, "outcome": "reject", "reason": "群众基础较弱。"})
    assert response.status_code == 302 and response["Location"] == f"{url}?{query}"
    target.refresh_from_db()
    assert target.status == Status.REJECTED


def test_meeting_page_queries_do_not_grow_with_its_rows(client, meeting, round_, village_a, village_b, office,
                                                        committee, django_assert_max_num_queries):
    proposed(round_, village_a, 1, "甲待")
    decided(meeting, round_, village_a, 1, "甲决")
    url = reverse("inspection:meeting_detail", args=[meeting.pk])
    for user in (office, committee):
        client.force_login(user)
        client.get(url)  # the session is warm
        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        limit = len(small)  # read now: the next request clears the log it counts from
        assert limit <= 15
        proposed(round_, village_b, 14, f"乙待{user.pk}-")
        decided(meeting, round_, village_b, 30, f"乙决{user.pk}-", outcome="reject")
        client.get(url)  # caches refilled after the writes (e.g. candidates.quota's counts)
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
        filtered = url + f"?village={village_b.pk}&outcome=reject&page=2&decided=2"
        client.get(filtered)  # the caches of its villages filled
        with django_assert_max_num_queries(limit):
            assert client.get(filtered).status_code == 200


# --------------------------------------------------------------------------- the session's page and PDFs

@pytest.fixture
def session(office, round_, village_a):
    return inspection_services.session_create(actor=office, round_=round_, village=village_a, date=DAY,
                                              place="村部会议室", entitled_party_member=20, entitled_villager_rep=10,
                                              entitled_committee=5)


def under_inspection(round_, village, count, prefix, office=None, session=None):
    """Nominations under inspection; with a session, each with the party members' tally recorded in it."""
    nominations = [NominationFactory(round=round_, village=village, inspection=True,
                                     person=PersonFactory(name=f"{prefix}{i}")) for i in range(count)]
    for n in nominations if session is not None else ():
        inspection_services.tally_record(actor=office, session_id=session.pk, nomination_id=n.pk,
                                         category="party_member", issued=20, returned=18, valid=17,
                                         counts=[10, 4, 2, 1])
    return nominations


def test_session_page_is_paged(client, session, round_, village_a, office):
    size = inspection_views.SESSION_PAGE_SIZE
    nominations = under_inspection(round_, village_a, size + 1, "测评", office, session)
    moved_on = nominations[0]  # tallied, then proposed: still on the session's page (after the ballot's people)
    moved_on.status = Status.PROPOSED
    moved_on.save(update_fields=["status"])
    client.force_login(office)
    url = reverse("inspection:session_detail", args=[session.pk])
    first = page(client.get(url))
    shown = [int(pk) for pk in re.findall(r'nomination-tally" data-nomination="(\d+)"', first)]
    assert shown == [n.pk for n in nominations[1:size + 1]]
    assert f"第1/2页，共{size + 1}人" in first
    second = page(client.get(url + "?page=2"))
    assert re.findall(r'nomination-tally" data-nomination="(\d+)"', second) == [str(moved_on.pk)]
    assert "应参加35人，共发票20张，收回18张" in second


def test_session_page_queries_do_not_grow_with_its_rows(client, session, round_, village_a, office,
                                                        django_assert_max_num_queries):
    under_inspection(round_, village_a, 2, "测评", office, session)
    client.force_login(office)
    url = reverse("inspection:session_detail", args=[session.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    limit = len(small)  # read now: the next request clears the log it counts from
    assert limit <= 15
    under_inspection(round_, village_a, 25, "又一", office, session)
    client.get(url)  # caches refilled after the writes
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200
    client.get(url + "?page=3")
    with django_assert_max_num_queries(limit):
        assert client.get(url + "?page=3").status_code == 200


@pytest.mark.parametrize("name", ["ballot", "tally_sheet"])
def test_session_pdf_queries_do_not_grow_with_its_rows(client, session, round_, village_a, office, name,
                                                       django_assert_max_num_queries):
    under_inspection(round_, village_a, 1, "测评", office, session)
    client.force_login(office)
    url = reverse(f"inspection:{name}", args=[session.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url)["Content-Type"] == "application/pdf"
    limit = len(small)  # read now: the next request clears the log it counts from
    under_inspection(round_, village_a, inspection_jobs.INLINE_NOMINATIONS - 1, "又一", office, session)
    client.get(url)  # caches refilled after the writes
    with django_assert_max_num_queries(limit):
        assert client.get(url)["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(("name", "kind"), [("ballot", inspection_jobs.BALLOT),
                                            ("tally_sheet", inspection_jobs.TALLY_SHEET)])
def test_a_session_pdf_of_many_nominations_is_made_in_the_background(client, session, round_, village_a, village_b,
                                                                      office, committee, other_office, name, kind,
                                                                      django_capture_on_commit_callbacks):
    nominations = under_inspection(round_, village_a, inspection_jobs.INLINE_NOMINATIONS + 1, "测评", office, session)
    under_inspection(round_, village_b, 1, "外村人")
    client.force_login(committee)
    url = reverse(f"inspection:{name}", args=[session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    job = Job.objects.get(owner=committee, kind=kind)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.filename.startswith("东山村村级后备干部人选民主测评")
    with job.file.open("rb") as f:
        text = pdf_text(f.read()).replace("\n", "")
    assert all(n.person.name in text for n in nominations)
    assert "外村人" not in text
    # Another town's office cannot start it (404), nor read this one's job.
    client.force_login(other_office)
    assert client.get(url).status_code == 404
    assert client.get(job.get_absolute_url()).status_code == 404


def test_a_job_whose_owner_lost_the_session_is_refused(session, office, round_, village_a):
    job = Job.objects.create(owner=office, kind=inspection_jobs.TALLY_SHEET, title="计票表",
                             params={"session": session.pk + 1000})
    from reserve import jobs

    assert jobs.execute(job.pk) == "refused"
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "无权查看" in job.message
    assert not Tally.objects.exists()


# --------------------------------------------------------------------------- a nomination's inspection page

def test_inspection_page_queries_do_not_grow_with_its_records(client, session, round_, village_a, office, committee,
                                                              django_assert_max_num_queries):
    from tests.factories import complete_inspection

    (n,) = under_inspection(round_, village_a, 1, "考察", office, session)
    url = reverse("inspection:inspection", args=[n.pk])
    limits = {}
    for user in (office, committee):
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        limits[user] = len(small)  # read now: the next request clears the log it counts from
        assert limits[user] <= 15
    complete_inspection(n, office, day=DAY)  # talks, a second session's tallies of every category, the report
    for user in (office, committee):
        client.force_login(user)
        client.get(url)  # caches refilled after the writes
        with django_assert_max_num_queries(limits[user]):
            assert client.get(url).status_code == 200


def test_an_empty_meeting_page_asks_no_count(client, meeting, committee, django_assert_max_num_queries):
    url = reverse("inspection:meeting_detail", args=[meeting.pk])
    client.force_login(committee)
    client.get(url)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert "本批次暂无待党委研究的人选。" in page(response) and "本次会议尚未记录研究结果。" in page(response)
