"""Personal data in selection (issue 10 §3, §16): a 自荐表 never rewrites the shared person row — only the office of
the town holding the person's current records corrects an identity, audited with the old value — a nomination
keeps the name as filed, the duplicate message names nobody, and joint vetting's findings, the office's reasons
and the clerks' names stay with the office."""

import datetime

import pytest
from django.urls import reverse

from candidates import services
from candidates.models import Nomination, Person
from reserve.exceptions import ActionRefused, NotAllowed
from reserve.models import AuditEntry
from vetting.models import Finding, NegativeItem, VettingRequest

from ..factories import (
    DepartmentFactory,
    NominationFactory,
    PersonFactory,
    RoundFactory,
    UserFactory,
    VillageFactory,
)
from ..helpers import events_of, page, pdf_text, reload
from .test_views import DUPLICATE, form_data

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1996, 3, 8)


@pytest.fixture
def elsewhere(other_town, other_office):
    """A person nominated (and publicised) in another town under the name 原名甲."""
    round_ = RoundFactory(town=other_town)
    village = VillageFactory(town=other_town, name="西岭村")
    person = PersonFactory(name="原名甲", birth_date=BIRTH)
    return NominationFactory(round=round_, village=village, person=person, approved=True, created_by=other_office)


def file_as(client, user, village, round_, person, name):
    client.force_login(user)
    return client.post(reverse("candidates:nomination_new"),
                       form_data(village, round_, name=name, id_number=person.id_number))


# --------------------------------------------------------------------------- §3 the shared person row

def test_a_village_cannot_rename_a_person_of_another_town(client, village_a_user, village_a, round_, elsewhere):
    response = file_as(client, village_a_user, village_a, round_, elsewhere.person, "新名乙")
    assert response.status_code == 302
    mine = Nomination.objects.get(village=village_a)
    assert mine.person_id == elsewhere.person_id
    assert mine.name == "新名乙"  # this round shows the name as filed
    assert reload(elsewhere.person).name == "原名甲"  # the shared row is untouched
    assert reload(elsewhere).name == "原名甲"


def test_the_other_towns_notice_keeps_the_filed_name(client, village_a_user, village_a, round_, elsewhere,
                                                     other_office, fake_pdf):
    from publicity import services as publicity

    file_as(client, village_a_user, village_a, round_, elsewhere.person, "新名乙")
    from inspection.models import CommitteeDecision

    from ..factories import meeting_for

    meeting = meeting_for(elsewhere.round, other_office)
    CommitteeDecision.objects.create(meeting=meeting, nomination=elsewhere, outcome="approve")
    notice = publicity.notice_publish(actor=other_office, round_=elsewhere.round, village=elsewhere.village,
                                      contact_phone="0579-1", contact_address="镇政府",
                                      start_date=datetime.date.today(),
                                      public_url_for=lambda n: "https://example.invalid/p/x/")
    assert [e.name for e in notice.entries.all()] == ["原名甲"]
    text = page(client.get(notice.get_public_url()))
    assert "原名甲" in text and "新名乙" not in text


def test_an_earlier_round_keeps_its_filed_name(client, village_a_user, village_a, town, round_, office):
    earlier = NominationFactory(round=RoundFactory(town=town, year=round_.year - 2, closed=True), village=village_a,
                                person=PersonFactory(name="旧名丙", birth_date=BIRTH), approved=True,
                                created_by=office)
    assert file_as(client, village_a_user, village_a, round_, earlier.person, "新名丁").status_code == 302
    assert reload(earlier).name == "旧名丙"
    assert reload(earlier.person).name == "旧名丙"
    client.force_login(office)
    listed = page(client.get(reverse("candidates:nomination_list") + f"?round={earlier.round_id}"))
    assert "旧名丙" in listed and "新名丁" not in listed
    detail = page(client.get(earlier.get_absolute_url()))
    assert "旧名丙" in detail and "新名丁" not in detail


def test_the_filed_name_is_what_the_forms_pdf_and_lists_show(client, village_a_user, village_a, round_, office):
    person = PersonFactory(name="档案名", birth_date=BIRTH)
    NominationFactory(round=RoundFactory(town=round_.town, year=round_.year - 1, closed=True), village=village_a,
                      person=person, created_by=office, submitted=True)
    assert file_as(client, village_a_user, village_a, round_, person, "填报名").status_code == 302
    mine = Nomination.objects.get(round=round_)
    pdf = client.get(reverse("candidates:nomination_form_pdf", args=[mine.pk]))
    assert "填报名" in pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    listed = page(client.get(reverse("candidates:nomination_list") + f"?round={round_.pk}&q=填报名"))
    assert mine.get_absolute_url() in listed
    form = page(client.get(reverse("candidates:nomination_edit", args=[mine.pk])))
    assert 'value="填报名"' in form


def test_the_duplicate_message_names_neither_village_nor_person(client, village_a_user, village_b_user, village_a,
                                                                village_b, round_):
    client.force_login(village_a_user)
    assert client.post(reverse("candidates:nomination_new"), form_data(village_a, round_)).status_code == 302
    theirs = file_as(client, village_b_user, village_b, round_, Person.objects.get(), "李明")
    ours = file_as(client, village_a_user, village_a, round_, Person.objects.get(), "李明")
    for response in (theirs, ours):
        text = page(response)
        assert DUPLICATE in text
        assert "已有自荐表" not in text
    # The same words whichever village holds the other nomination: the answer tells village B nothing about A.
    assert theirs.context["form"].errors["id_number"] == ours.context["form"].errors["id_number"] == [DUPLICATE]


# --------------------------------------------------------------------------- §3 the office's correction

def test_the_holding_towns_office_corrects_an_identity_with_the_old_value_audited(office, village_a, round_):
    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="错名", birth_date=BIRTH),
                                   submitted=True)
    number = nomination.person.id_number
    services.person_correct_identity(actor=office, nomination_id=nomination.pk, name="正名", id_number=number)
    assert reload(nomination.person).name == "正名"
    assert reload(nomination).name == "正名"
    entry = AuditEntry.objects.filter(action="update", object_id=str(nomination.person_id)).get()
    assert entry.detail["changed"] == {"name": ["错名", "正名"]}
    assert entry.user == office


def test_a_corrected_id_number_is_audited_masked(office, village_a, round_):
    from ..factories import make_id

    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(birth_date=BIRTH),
                                   submitted=True)
    old = nomination.person.id_number
    new = make_id(datetime.date(1996, 3, 9), seq=77)
    services.person_correct_identity(actor=office, nomination_id=nomination.pk, name=nomination.name, id_number=new)
    person = reload(nomination.person)
    assert person.id_number == new and person.birth_date == datetime.date(1996, 3, 9)
    entry = AuditEntry.objects.filter(action="update", object_id=str(person.pk)).get()
    text = str(entry.detail)
    assert old not in text and new not in text
    assert old[:6] + "********" + old[-4:] in text


def test_only_the_office_of_the_town_holding_the_current_records_corrects(office, other_office, village_a, round_,
                                                                           elsewhere):
    # The person's latest nomination is now in this town: the other town's office may no longer change them.
    mine = NominationFactory(round=round_, village=village_a, person=elsewhere.person, name="原名甲", submitted=True)
    mine.round.year = elsewhere.round.year + 1
    mine.round.save()
    with pytest.raises(ActionRefused):
        services.person_correct_identity(actor=other_office, nomination_id=elsewhere.pk, name="另名",
                                         id_number=elsewhere.person.id_number)
    services.person_correct_identity(actor=office, nomination_id=mine.pk, name="正名",
                                     id_number=elsewhere.person.id_number)
    assert reload(elsewhere.person).name == "正名"
    assert reload(elsewhere).name == "原名甲"  # the other town's nomination keeps its filed name


def test_a_village_or_committee_cannot_correct_an_identity(village_a_user, committee, village_a, round_):
    nomination = NominationFactory(round=round_, village=village_a, submitted=True)
    for actor in (village_a_user, committee):
        with pytest.raises(NotAllowed):
            services.person_correct_identity(actor=actor, nomination_id=nomination.pk, name="改名",
                                             id_number=nomination.person.id_number)
    assert reload(nomination.person).name == nomination.name


# --------------------------------------------------------------------------- §16 vetting stays with the office

FINDING = "FINDING-受过拘留-7731"
REASON = "REASON-引用部门结论-8842"
CLERK = "CLERK-王经办-9953"
OVERRULE = "OVERRULE-不予采纳理由-1164"


@pytest.fixture
def vetted_out(office, village_a, round_, town):
    """A nomination the office disqualified on one department's flag, after overruling another's: each flag quotes
    FINDING, each decision gives its own reason, each clerk signs with a distinctive name."""
    from reserve.roles import Role
    from vetting import services as vetting

    nomination = NominationFactory(round=round_, village=village_a, vetting=True, created_by=office)
    item = NegativeItem.objects.create(round=round_, number=1, text="受过刑事处罚的")
    requests = []
    for name in ("司法所", "公安派出所"):
        dept = DepartmentFactory(town=town, name=name)
        item.departments.add(dept)
        clerk = UserFactory(town=town, department=dept, full_name=f"{CLERK}{dept.pk}", role=Role.DEPARTMENT)
        request = VettingRequest.objects.create(nomination=nomination, department=dept, deadline=round_.review_end)
        vetting.answer_request(actor=clerk, request_id=request.pk, version=request.version,
                               answers={item.pk: ("flagged", FINDING, None)}, conclusion=FINDING)
        requests.append(request)
    for request, decision, reason in ((requests[0], "overruled", OVERRULE), (requests[1], "confirmed", REASON)):
        request.refresh_from_db()
        vetting.decide_flag(actor=office, request_id=request.pk, version=request.version, decision=decision,
                            reason=reason)
    nomination = reload(nomination)
    assert nomination.status == "disqualified"
    assert Finding.objects.filter(note=FINDING).count() == 2
    return nomination


def _seen(client, user, nomination):
    client.force_login(user)
    texts = [page(client.get(nomination.get_absolute_url()))]
    pdf = client.get(reverse("candidates:nomination_form_pdf", args=[nomination.pk]))
    texts.append(pdf_text(pdf.content))
    return "\n".join(texts)


@pytest.mark.parametrize("who", ["village_a_user", "committee"])
def test_a_village_or_committee_sees_the_outcome_not_why(client, vetted_out, who, request):
    text = _seen(client, request.getfixturevalue(who), vetted_out)
    assert "资格审查未通过" in text  # the outcome is there
    for secret in (FINDING, REASON, OVERRULE, CLERK, "公安派出所", "司法所"):
        assert secret not in text, secret


def test_the_office_keeps_the_whole_record(client, vetted_out, office):
    text = _seen(client, office, vetted_out)
    for shown in (REASON, OVERRULE, CLERK):
        assert shown in text, shown


def test_the_office_corrects_an_identity_on_the_nominations_page(client, office, village_a_user, village_a, round_):
    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="错名", birth_date=BIRTH),
                                   submitted=True)
    url = reverse("candidates:nomination_identity", args=[nomination.pk])
    client.force_login(village_a_user)
    assert 'id="identity-correction"' not in page(client.get(nomination.get_absolute_url()))
    assert client.post(url, {"name": "村改名", "id_number": nomination.person.id_number}).status_code == 403
    client.force_login(office)
    assert 'id="identity-correction"' in page(client.get(nomination.get_absolute_url()))
    response = client.post(url, {"name": "正名", "id_number": nomination.person.id_number}, follow=True)
    assert "已更正身份信息" in page(response)
    assert reload(nomination.person).name == "正名"
    refused = client.post(url, {"name": "x" * 31, "id_number": "123"}, follow=True)
    assert "未更正身份信息" in page(refused)
    assert reload(nomination.person).name == "正名"


def test_editing_a_draft_renames_only_a_person_no_other_nomination_refers_to(client, village_a_user, village_a,
                                                                               round_, office, town):
    shared = PersonFactory(name="共用名", birth_date=BIRTH)
    NominationFactory(round=RoundFactory(town=town, year=round_.year - 2, closed=True), village=village_a,
                      person=shared, submitted=True, created_by=office)
    assert file_as(client, village_a_user, village_a, round_, shared, "共用名").status_code == 302
    draft = Nomination.objects.get(round=round_)
    edited = client.post(reverse("candidates:nomination_edit", args=[draft.pk]),
                         form_data(village_a, name="改后名", id_number=shared.id_number))
    assert edited.status_code == 302
    assert reload(draft).name == "改后名"
    assert reload(shared).name == "共用名"  # another nomination refers to the person: untouched

    from ..factories import make_id

    number = make_id(BIRTH, seq=88)
    client.post(reverse("candidates:nomination_new"), form_data(village_a, round_, name="笔误名", id_number=number))
    mine = Nomination.objects.get(person__in=Person.objects.by_id_number(number))
    client.post(reverse("candidates:nomination_edit", args=[mine.pk]),
                form_data(village_a, name="正确名", id_number=number))
    assert reload(mine).name == "正确名"
    assert reload(mine.person).name == "正确名"  # created by this draft alone: the village may still correct it


def test_the_committees_meeting_and_inspection_pages_show_no_finding(client, office, committee, village_a, round_,
                                                                      town):
    """A candidate before the committee whose flag the office overruled: the committee reads the vetting's outcome
    in counts, never the finding, the office's reason or who answered."""
    from ..factories import meeting_for, propose_nomination

    nomination = NominationFactory(round=round_, village=village_a, inspection=True, created_by=office)
    dept = DepartmentFactory(town=town, name="公安派出所")
    clerk = UserFactory(town=town, department=dept, full_name=CLERK)
    item = NegativeItem.objects.create(round=round_, number=1, text="受过刑事处罚的")
    request = VettingRequest.objects.create(
        nomination=nomination, department=dept, deadline=round_.review_end, status="locked", flagged=True,
        conclusion=FINDING, signed_by=clerk, decision="overruled", decision_reason=OVERRULE, decided_by=office)
    Finding.objects.create(request=request, item=item, outcome="flagged", note=FINDING)
    propose_nomination(nomination, office)
    meeting = meeting_for(round_, office)
    client.force_login(committee)
    pages = [page(client.get(meeting.get_absolute_url())),
             page(client.get(reverse("inspection:inspection", args=[nomination.pk]))),
             page(client.get(nomination.get_absolute_url()))]
    assert "报告问题1个" in pages[0]  # the outcome, in counts
    for text in pages:
        for secret in (FINDING, OVERRULE, CLERK, "公安派出所"):
            assert secret not in text, secret


# --------------------------------------------------------------------------- the correction, as a new user tried it

def _old_birth():
    """A birth date that makes the person 41 on a factory round's reference date (today)."""
    from ..helpers import years_ago

    return years_ago(41) - datetime.timedelta(days=10)


def _values(detail):
    """Every scalar value of an audit detail, however nested."""
    if isinstance(detail, dict):
        return [v for value in detail.values() for v in _values(value)]
    if isinstance(detail, (list, tuple)):
        return [v for value in detail for v in _values(value)]
    return [detail]


def test_a_corrected_birth_date_re_evaluates_every_open_nomination_of_the_person(client, office, village_a, round_,
                                                                                 town):
    from ..factories import make_id

    person = PersonFactory(name="林晓宇", birth_date=BIRTH)  # 30: eligible
    mine = NominationFactory(round=round_, village=village_a, person=person, submitted=True, created_by=office)
    other_open = NominationFactory(round=RoundFactory(town=town, year=round_.year - 1), village=village_a,
                                   person=person, accepted=True, created_by=office)
    closed = NominationFactory(round=RoundFactory(town=town, year=round_.year - 2, closed=True), village=village_a,
                               person=person, reserve=True, created_by=office)
    for n in (mine, other_open, closed):
        services._apply_eligibility(n)
        n.save()
    closed_before = reload(closed).eligibility
    assert reload(mine).is_eligible and reload(other_open).is_eligible

    services.person_correct_identity(actor=office, nomination_id=mine.pk, name="",
                                     id_number=make_id(_old_birth(), seq=31))

    for n in (mine, other_open):  # every open nomination of the person, in the same transaction
        n = reload(n)
        age = next(r for r in n.eligibility if r["code"] == "age")
        assert n.is_eligible is False
        assert age["outcome"] == "fail" and "年满41周岁" in age["message"]
    assert (reload(closed).is_eligible, reload(closed).eligibility) == (True, closed_before)  # its history kept
    client.force_login(office)
    detail = page(client.get(mine.get_absolute_url()))
    assert 'data-eligible="no"' in detail and "年满31周岁" not in detail
    listed = page(client.get(reverse("candidates:nomination_list") + f"?round={round_.pk}&eligible=no"))
    assert mine.get_absolute_url() in listed
    with pytest.raises(ActionRefused, match="不符合基本条件"):
        services.perform(actor=office, nomination_id=mine.pk, action="accept")
    assert reload(mine).status == "submitted"


def test_accept_evaluates_the_basic_conditions_afresh(office, village_a, round_):
    # The stored result says eligible, the person is 41: the office cannot accept on the stored result.
    stale = NominationFactory(round=round_, village=village_a, person=PersonFactory(birth_date=_old_birth()),
                              submitted=True, is_eligible=True, created_by=office)
    with pytest.raises(ActionRefused, match="不符合基本条件"):
        services.perform(actor=office, nomination_id=stale.pk, action="accept")
    assert reload(stale).status == "submitted"


def test_the_audit_of_a_correction_keeps_no_birth_date_or_gender(office, village_a, round_):
    """The masked number shows all but the 8 digits of the birth date: with the birth date beside it the whole
    number could be read back."""
    from ..factories import make_id

    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="错名", birth_date=BIRTH),
                                   submitted=True)
    old = nomination.person.id_number
    new_birth = datetime.date(1996, 3, 9)
    new = make_id(new_birth, gender="F", seq=78)
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    services.person_correct_identity(actor=office, nomination_id=nomination.pk, name="正名", id_number=new)
    entries = AuditEntry.objects.exclude(pk__in=before)
    assert entries.exists()
    for entry in entries:
        values = [str(v) for v in _values(entry.detail)]
        for secret in (BIRTH, new_birth):
            assert not any(secret.isoformat() in v or f"{secret:%Y%m%d}" in v for v in values), entry.detail
        assert "M" not in values and "F" not in values and "男" not in values and "女" not in values, entry.detail
    entry = entries.get(action="update", object_id=str(nomination.person_id))
    assert entry.detail["fields"] == ["name", "id_number", "gender", "birth_date"]
    assert entry.detail["changed"] == {"name": ["错名", "正名"],
                                       "id_number": [old[:6] + "********" + old[-4:], new[:6] + "********" + new[-4:]]}


def test_the_correction_is_an_event_of_the_nominations_history(client, office, village_a_user, committee, village_a,
                                                               round_):
    from ..factories import make_id

    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="错名", birth_date=BIRTH),
                                   submitted=True)
    old = nomination.person.id_number
    new = make_id(BIRTH, seq=79)
    services.person_correct_identity(actor=office, nomination_id=nomination.pk, name="正名", id_number=new)
    (event,) = events_of(nomination, "identity_correct")
    assert event.actor == office
    assert event.data["name"] == ["错名", "正名"]
    assert event.data["id_number"] == [old[:6] + "********" + old[-4:], new[:6] + "********" + new[-4:]]
    assert event.data["eligible"] is True
    client.force_login(office)
    timeline = page(client.get(nomination.get_absolute_url())).split('id="timeline"')[1]
    assert "组织办更正身份信息" in timeline and "错名 → 正名" in timeline
    assert old[:6] + "********" + old[-4:] in timeline
    for other in (village_a_user, committee):  # they see that it was corrected, not the old values nor by whom
        client.force_login(other)
        text = page(client.get(nomination.get_absolute_url()))
        assert "组织办更正身份信息" in text
        assert "错名" not in text and old[:6] + "********" + old[-4:] not in text


def test_a_name_alone_is_corrected_without_typing_the_id_number(client, office, village_a, round_):
    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="错名", birth_date=BIRTH),
                                   submitted=True)
    number = nomination.person.id_number
    client.force_login(office)
    response = client.post(reverse("candidates:nomination_identity", args=[nomination.pk]),
                           {"name": "正名", "id_number": ""})
    assert response.status_code == 302
    person = reload(nomination.person)
    assert (person.name, person.id_number, reload(nomination).name) == ("正名", number, "正名")


def test_an_id_number_alone_is_corrected_and_the_names_stay(office, village_a, round_):
    from ..factories import make_id

    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="档案名", birth_date=BIRTH),
                                   name="填报名", submitted=True)
    new = make_id(BIRTH, seq=80)
    services.person_correct_identity(actor=office, nomination_id=nomination.pk, name="", id_number=new)
    person = reload(nomination.person)
    assert (person.name, person.id_number, reload(nomination).name) == ("档案名", new, "填报名")


def test_a_correction_with_neither_field_is_refused(client, office, village_a, round_):
    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="错名"), submitted=True)
    with pytest.raises(ActionRefused, match="姓名或身份证号码"):
        services.person_correct_identity(actor=office, nomination_id=nomination.pk, name=" ", id_number="")
    client.force_login(office)
    response = client.post(reverse("candidates:nomination_identity", args=[nomination.pk]), {"name": "", "id_number": ""})
    assert response.status_code == 200 and "姓名或身份证号码" in page(response)
    assert reload(nomination.person).name == "错名"


def test_a_refused_correction_keeps_what_was_typed_and_the_panel_open(client, office, village_a, round_):
    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="错名", birth_date=BIRTH),
                                   submitted=True)
    someone_else = PersonFactory(name="另一人")
    url = reverse("candidates:nomination_identity", args=[nomination.pk])
    client.force_login(office)
    bad = client.post(url, {"name": "正名", "id_number": "123"})
    assert bad.status_code == 200
    text = page(bad)
    assert 'id="identity-correction" open' in text
    assert 'value="正名"' in text and 'value="123"' in text
    assert "身份证号码应为18位" in text and "未更正身份信息" in text
    # A refusal of the service (the number is another person's) the same way, in words the office can act on.
    taken = client.post(url, {"name": "", "id_number": someone_else.id_number})
    assert taken.status_code == 200
    text = page(taken)
    assert 'id="identity-correction" open' in text and f'value="{someone_else.id_number}"' in text
    assert "该身份证号码已属于系统中的另一人，请核对号码。" in text
    assert "系统管理员" not in text
    assert reload(nomination.person).name == "错名"


def test_a_number_of_another_person_is_refused_with_words_the_office_can_act_on(office, village_a, round_):
    nomination = NominationFactory(round=round_, village=village_a, submitted=True)
    with pytest.raises(ActionRefused) as refused:
        services.person_correct_identity(actor=office, nomination_id=nomination.pk, name="",
                                         id_number=PersonFactory().id_number)
    assert refused.value.message == "该身份证号码已属于系统中的另一人，请核对号码。"


def test_the_downloads_are_named_with_the_filed_name(client, office, village_a_user, village_a, round_, monkeypatch):
    from urllib.parse import quote

    from candidates import views

    from ..factories import png_upload

    monkeypatch.setattr(views, "render_pdf", lambda *a, **k: b"%PDF-1.7 test\n%%EOF")
    nomination = NominationFactory(round=round_, village=village_a, person=PersonFactory(name="档案名"),
                                   name="填报名", submitted=True, id_card_copy=png_upload())
    client.force_login(village_a_user)
    pdf = client.get(reverse("candidates:nomination_form_pdf", args=[nomination.pk]))
    assert quote("自荐表-填报名.pdf") in pdf["Content-Disposition"]
    assert quote("档案名") not in pdf["Content-Disposition"]
    client.force_login(office)
    copy = client.get(reverse("candidates:nomination_id_card", args=[nomination.pk]))
    assert copy.status_code == 200
    assert quote("身份证复印件-填报名.png") in copy["Content-Disposition"]
    assert quote("档案名") not in copy["Content-Disposition"]
