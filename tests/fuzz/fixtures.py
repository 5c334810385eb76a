"""The objects the forms act on, each in the state the form expects (a plugin of tests/conftest.py: fixtures of
every test module)."""

import datetime

import pytest

from candidates import services as candidate_services
from inspection import services as inspection_services
from publicity import services as publicity_services
from reserve.models import CalendarDay
from reserve.roles import Role
from tests.factories import CadreFactory, NominationFactory, PersonFactory, UserFactory
from tests.helpers import every_negative_item_checked, today
from vetting import services as vetting_services
from vetting.models import NegativeItem, VettingRequest
from vetting.selectors import items_for_department

from .forms import CLEAR, FLAGGED


@pytest.fixture
def cadre(village_a):
    return CadreFactory(village=village_a, name="李书记", post="党支部书记")


@pytest.fixture
def other_cadre(village_b):
    return CadreFactory(village=village_b, name="外村委员", post="委员")


@pytest.fixture
def draft(round_, village_a, village_a_user):
    return NominationFactory(round=round_, village=village_a, created_by=village_a_user,
                             person=PersonFactory(name="王草稿"))


@pytest.fixture
def submitted(round_, village_a):
    return NominationFactory(round=round_, village=village_a, submitted=True, person=PersonFactory(name="钱提交"))


@pytest.fixture
def vetting_req(office, round_, village_a, dept_x, dept_y):
    """A pending request to 纪委 (dept_x) about a nomination in vetting."""
    n = NominationFactory(round=round_, village=village_a, accepted=True, person=PersonFactory(name="赵审查"))
    every_negative_item_checked(round_, dept_x)  # dispatch needs every item of the list checked by someone
    candidate_services.perform(actor=office, nomination_id=n.pk, action="dispatch")
    return VettingRequest.objects.get(nomination=n, department=dept_x)


@pytest.fixture
def flagged_req(vetting_req, dept_x_user):
    """vetting_req answered by 纪委, its first item flagged: awaiting the office's decision."""
    items = list(items_for_department(vetting_req.nomination.round, vetting_req.department))
    answers = {i.pk: (FLAGGED, "发现问题", None) if i == items[0] else (CLEAR, "", None) for i in items}
    vetting_services.answer_request(actor=dept_x_user, request_id=vetting_req.pk, version=vetting_req.version,
                                    answers=answers)
    return VettingRequest.objects.get(pk=vetting_req.pk)


@pytest.fixture
def negative_list(round_, dept_x, dept_y, other_town):
    vetting_services.ensure_negative_list(round_)
    return list(NegativeItem.objects.filter(round=round_))


@pytest.fixture
def inspected(round_, village_a):
    return NominationFactory(round=round_, village=village_a, inspection=True,
                             person=PersonFactory(name="王考察"))


@pytest.fixture
def other_village(other_town):
    return other_town.villages.create(name="外镇村")


@pytest.fixture
def session(office, round_, village_a, inspected):
    return inspection_services.session_create(actor=office, round_=round_, village=village_a, date=today(),
                                              place="村部", entitled_party_member=20, entitled_villager_rep=10,
                                              entitled_committee=5)


@pytest.fixture
def meeting(committee, round_):
    return inspection_services.meeting_create(actor=committee, round_=round_, date=today(), attendees="张书记、李镇长",
                                              members_total=3, members_present=2)


@pytest.fixture
def proposed(round_, village_a):
    return NominationFactory(round=round_, village=village_a, proposed=True, person=PersonFactory(name="陈拟定"))


@pytest.fixture
def approved(round_, village_a):
    return NominationFactory(round=round_, village=village_a, approved=True, person=PersonFactory(name="李明"))


@pytest.fixture
def notice(fake_pdf, office, round_, village_a, approved):
    """Village A's notice, in force today, about `approved` (now publicised)."""
    return publicity_services.notice_publish(
        actor=office, round_=round_, village=village_a, start_date=today(), contact_phone="0579-88881234",
        contact_address="青山镇人民政府组织办", public_url_for=lambda n: f"http://testserver/p/{n.token}/")


@pytest.fixture
def open_objection(office, notice):
    return publicity_services.objection_record(actor=office, notice=notice, channel="letter", content="匿名来信反映。")


@pytest.fixture
def verified_objection(office, notice):
    o = publicity_services.objection_record(actor=office, notice=notice, channel="phone", content="反映有违建。",
                                            entry=notice.entries.get())
    return publicity_services.objection_verify(actor=office, objection_id=o.pk, version=o.version,
                                               verified_by="张三", verification="经走访核实。")


@pytest.fixture
def calendar_day(town, other_town):
    CalendarDay.objects.create(town=other_town, date=datetime.date(2026, 10, 11), is_workday=False)
    return CalendarDay.objects.create(town=town, date=datetime.date(2026, 10, 10), is_workday=True, note="调休上班")


@pytest.fixture
def otp_user(town):
    """An office clerk with a confirmed authenticator app (so each session asks for its code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = UserFactory(username="clerk", town=town, role=Role.OFFICE)
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user
