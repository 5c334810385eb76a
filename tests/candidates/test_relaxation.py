"""Office-decided exceptions (issue 9, item 11): the plan's relaxation (放宽条件) is decided by the organisation
office, recorded on the nomination (category, reason, who approved, date), audited as an event, applied by the one
eligibility evaluation, and shown on the nomination's page and in the 自荐表 PDF."""

import datetime

import pytest
from django.urls import reverse

from candidates import services
from candidates.models import Nomination, Status
from reserve.choices import Education
from reserve.exceptions import ActionRefused, NotAllowed, NotFound
from reserve.models import AuditEntry
from tests.factories import NominationFactory, PersonFactory
from tests.helpers import events_of, message_texts, page, today

pytestmark = pytest.mark.django_db

R = "coop_leader"


@pytest.fixture
def low_education(round_, village_a, village_a_user):
    """A submitted candidate with junior-high education (below the round's 高中), claiming 合作社负责人."""
    person = PersonFactory(name="程放宽")
    n = services.nomination_create(
        actor=village_a_user, round_=round_,
        person_data={"id_number": person.id_number, "name": person.name, "gender": person.gender,
                     "birth_date": person.birth_date},
        fields={"political_status": "masses", "hukou_village": village_a, "fulltime_education": Education.JUNIOR_HIGH,
                "work_unit_post": "东山村果蔬合作社 理事长", "phone": "13800000000", "statement": "带头致富。",
                "relaxation_category": R},
        id_card_copy=None,
    )
    Nomination.objects.filter(pk=n.pk).update(status=Status.SUBMITTED)
    return Nomination.objects.get(pk=n.pk)


def record(actor, n, **overrides):
    params = {"category": R, "reason": "合作社带动30户增收，群众公认。", "approved_by": "镇党委书记 王建华",
              "approved_on": today()}
    params.update(overrides)
    return services.record_relaxation(actor=actor, nomination_id=n.pk, **params)


def test_a_claim_alone_does_not_let_the_office_accept(office, low_education):
    assert low_education.is_eligible is False
    with pytest.raises(ActionRefused):
        services.perform(actor=office, nomination_id=low_education.pk, action="accept")


def test_the_office_records_a_relaxation_and_may_then_accept(office, low_education):
    n = record(office, low_education)
    assert n.is_eligible is True
    assert (n.relaxation_decided, n.relaxation_approved_by, n.relaxation_approved_on, n.relaxation_recorded_by) == (
        R, "镇党委书记 王建华", today(), office)
    education = next(r for r in n.eligibility if r["code"] == "education")
    assert education["outcome"] == "pass" and "组织办决定" in education["message"]
    (event,) = events_of(n, "relaxation")
    assert (event.actor, event.reason, event.data["category"], event.data["approved_by"]) == (
        office, "合作社带动30户增收，群众公认。", R, "镇党委书记 王建华")
    assert AuditEntry.objects.filter(detail__event="relaxation").exists()
    services.perform(actor=office, nomination_id=n.pk, action="accept")
    assert Nomination.objects.get(pk=n.pk).status == Status.ACCEPTED


def test_a_recorded_relaxation_survives_a_re_evaluation(office, low_education, round_):
    record(office, low_education)
    services.round_update(actor=office, round_id=round_.pk, publicity_days=7, age_limit=36)
    assert Nomination.objects.get(pk=low_education.pk).is_eligible is True


# what is changed, the refusal's words
REFUSALS = [
    ({"category": ""}, "请选择放宽条件的类别"),
    ({"category": "astronaut"}, "请选择放宽条件的类别"),
    ({"reason": "  "}, "请填写放宽理由"),
    ({"approved_by": ""}, "请填写批准人"),
    ({"approved_on": today() + datetime.timedelta(days=1)}, "不晚于今天"),
    ({"approved_on": datetime.date(2001, 1, 1)}, "批准日期须在"),
]


@pytest.mark.parametrize("overrides, words", REFUSALS)
def test_a_relaxation_needs_its_particulars(office, low_education, overrides, words):
    with pytest.raises(ActionRefused) as exc:
        record(office, low_education, **overrides)
    assert words in exc.value.message
    n = Nomination.objects.get(pk=low_education.pk)
    assert n.relaxation_decided == "" and n.is_eligible is False and events_of(n, "relaxation") == []


def test_a_category_the_round_does_not_relax_is_refused(office, low_education, round_):
    services.round_update(actor=office, round_id=round_.pk, relaxation_categories=["veteran"])
    with pytest.raises(ActionRefused) as exc:
        record(office, low_education)
    assert "本批次不对“合作社负责人”放宽条件" in exc.value.message


def test_nothing_to_relax_is_refused(office, round_, village_a):
    n = NominationFactory(round=round_, village=village_a, submitted=True)
    services.reevaluate_round(round_, actor=office)
    with pytest.raises(ActionRefused) as exc:
        record(office, n)
    assert "无需记录放宽决定" in exc.value.message


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RESERVE, Status.WITHDRAWN, Status.REVOKED,
                                    Status.REJECTED])
def test_not_on_a_draft_nor_a_closed_nomination(office, low_education, status):
    Nomination.objects.filter(pk=low_education.pk).update(status=status)
    with pytest.raises(ActionRefused):
        record(office, low_education)


@pytest.mark.parametrize("who, error", [("village_a_user", NotAllowed), ("committee", NotAllowed),
                                        ("other_office", NotFound)])
def test_only_the_town_s_office_decides(request, low_education, who, error):
    with pytest.raises(error):
        record(request.getfixturevalue(who), low_education)


def test_the_page_offers_the_form_and_shows_the_decision(client, office, low_education):
    client.force_login(office)
    url = reverse("candidates:nomination_detail", args=[low_education.pk])
    assert 'id="relaxation-decision"' in page(client.get(url))
    response = client.post(reverse("candidates:nomination_relaxation", args=[low_education.pk]), {
        "category": R, "reason": "群众公认", "approved_by": "镇党委会议", "approved_on": today().isoformat()})
    assert response.status_code == 302
    assert message_texts(response) == ["已记录放宽条件的决定，重新审核后符合基本条件，下一步：受理。"]
    html = page(client.get(url))
    assert "组织办决定放宽条件" in html and "镇党委会议" in html and "群众公认" in html


def test_the_page_refuses_a_bad_form_in_chinese(client, office, low_education):
    client.force_login(office)
    response = client.post(reverse("candidates:nomination_relaxation", args=[low_education.pk]),
                           {"category": R, "reason": "", "approved_by": "", "approved_on": "明天"})
    assert response.status_code == 302
    (text,) = message_texts(response)
    assert text.startswith("未记录放宽条件：") and "批准人" in text
    assert Nomination.objects.get(pk=low_education.pk).relaxation_decided == ""


def test_the_village_may_not_post_a_decision(client, village_a_user, low_education):
    client.force_login(village_a_user)
    response = client.post(reverse("candidates:nomination_relaxation", args=[low_education.pk]), {
        "category": R, "reason": "自己批准", "approved_by": "村书记", "approved_on": today().isoformat()})
    assert response.status_code == 403
    assert Nomination.objects.get(pk=low_education.pk).relaxation_decided == ""


def test_the_form_pdf_shows_the_decision(client, office, low_education):
    from tests.helpers import pdf_text

    record(office, low_education)
    client.force_login(office)
    response = client.get(reverse("candidates:nomination_form_pdf", args=[low_education.pk]))
    text = "".join(pdf_text(response.content).split())
    assert "组织办决定放宽" in text and "镇党委书记王建华" in text
