import datetime
import io

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from candidates.models import Nomination, Person, Round, Status
from reserve import idnumber
from reserve.choices import Education, Gender, PoliticalStatus
from reserve.models import Department, Town, Unit, User, Village, VillageCadre
from training.models import PoolTerm, Reserve, Tier


def make_id(birth: datetime.date, gender: str = Gender.MALE, area: str = "330781", seq: int = 12) -> str:
    """A valid 18-digit ID number for a birth date and gender.

    Different seq (modulo 500) give different numbers for the same birth date and gender; the 17th
    digit is odd for men and even for women.
    """
    digits = "13579" if gender == Gender.MALE else "02468"
    first17 = f"{area}{birth:%Y%m%d}{seq // 5 % 100:02d}{digits[seq % 5]}"
    return first17 + idnumber.check_char(first17)


def png_upload(name="idcard.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 200)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试{n}镇")
    party_committee_name = factory.LazyAttribute(lambda o: f"中共{o.name}委员会")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"第{n}村")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"部门{n}")


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageCadre

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"委员{n}")
    gender = Gender.MALE
    birth_date = datetime.date(1975, 5, 5)
    post = "村委会委员"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("Tusk-Pine-2026")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])  # a flushed DB has none


def _today():
    return timezone.localdate()


class RoundFactory(factory.django.DjangoModelFactory):
    """An open round in which today lies inside the window of every stage of the plan — nomination,
    review, inspection and the planned publicity start behind it — so that a test may take any step
    today without an out-of-time override (RoundFactory(closed=True): a closed one). Tests of the
    stage windows set their own dates."""

    class Meta:
        model = Round

    class Params:
        closed = factory.Trait(status=Round.Status.CLOSED)

    town = factory.SubFactory(TownFactory)
    year = factory.LazyFunction(lambda: _today().year)
    name = factory.Sequence(lambda n: f"测试批次{n}")
    age_reference_date = factory.LazyFunction(_today)
    nomination_start = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10))
    nomination_end = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=10))
    review_start = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=9))
    review_end = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=20))
    inspection_start = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=8))
    inspection_end = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=30))
    publicity_start = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=7))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")
    gender = Gender.MALE
    birth_date = datetime.date(1995, 6, 15)
    id_number = factory.LazyAttributeSequence(lambda o, n: make_id(o.birth_date, o.gender, seq=n))


class NominationFactory(factory.django.DjangoModelFactory):
    """A draft nomination row as the services would leave it.

    A trait per status puts it in that status directly — NominationFactory(submitted=True), (accepted=True),
    (inspection=True), (approved=True) … — as test set-up for the stages after it (the tests of each stage's
    services and pages cover getting there).
    """

    class Meta:
        model = Nomination

    class Params:
        submitted = factory.Trait(status=Status.SUBMITTED)
        returned = factory.Trait(status=Status.RETURNED)
        accepted = factory.Trait(status=Status.ACCEPTED)
        vetting = factory.Trait(status=Status.VETTING)
        vetted = factory.Trait(status=Status.VETTED)
        disqualified = factory.Trait(status=Status.DISQUALIFIED)
        inspection = factory.Trait(status=Status.INSPECTION)
        proposed = factory.Trait(status=Status.PROPOSED)
        approved = factory.Trait(status=Status.APPROVED)
        rejected = factory.Trait(status=Status.REJECTED)
        publicised = factory.Trait(status=Status.PUBLICISED)
        reserve = factory.Trait(status=Status.RESERVE)
        withdrawn = factory.Trait(status=Status.WITHDRAWN)

    round = factory.SubFactory(RoundFactory)
    village = factory.SubFactory(VillageFactory, town=factory.SelfAttribute("..round.town"))
    person = factory.SubFactory(PersonFactory)
    name = factory.SelfAttribute("person.name")  # the name as filed
    political_status = PoliticalStatus.MASSES
    hukou_village = factory.SelfAttribute("village")
    fulltime_education = Education.HIGH_SCHOOL
    work_unit_post = "个体经营"
    phone = "13800000000"
    statement = "热爱农村工作。"
    is_eligible = True
    created_by = factory.SubFactory(UserFactory)


# --------------------------------------------------------------------------- a complete inspection (组织考察)

def complete_inspection(nomination, actor=None, *, day=None, report=True):
    """Record, through the inspection's services, everything its round requires before `propose`: a talk of each
    required category, a passing appraisal by every voter category (a session of the nomination's village, or the
    village's latest one) and, unless report=False, the drafted 考察材料. `actor`: an office user of the town
    (made if not given). Returns the appraisal session."""
    from inspection import services as inspection_services
    from inspection.models import AppraisalSession
    from reserve.choices import TalkCategory
    from reserve.roles import Role

    if actor is None:
        actor = UserFactory(town=nomination.round.town, role=Role.OFFICE)
    day = day or _today()
    for category in nomination.round.required_talk_categories or []:
        inspection_services.talk_add(actor=actor, nomination_id=nomination.pk, date=day, place="村部", talkers="赵、钱",
                                     interviewee=f"{TalkCategory(category).label}代表", category=category,
                                     content="该同志工作积极，群众基础好。")
    session = (AppraisalSession.objects.filter(round=nomination.round, village=nomination.village)
               .order_by("-date", "-id").first())
    if session is None:
        session = inspection_services.session_create(
            actor=actor, round_=nomination.round, village=nomination.village, date=day, place="村部会议室",
            entitled_party_member=20, entitled_villager_rep=10, entitled_committee=5)
    for category, (issued, returned, valid, counts) in {
        "party_member": (20, 18, 17, [10, 4, 2, 1]),
        "villager_rep": (10, 9, 9, [5, 3, 1, 0]),
        "committee": (5, 5, 5, [3, 2, 0, 0]),
    }.items():
        inspection_services.tally_record(actor=actor, session_id=session.pk, nomination_id=nomination.pk,
                                         category=category, issued=issued, returned=returned, valid=valid,
                                         counts=counts)
    if report:
        inspection_services.report_save(actor=actor, nomination_id=nomination.pk, text="考察材料正文。",
                                        inspectors="赵、钱", report_date=day)
    return session


def propose_nomination(nomination, actor=None):
    """A nomination under inspection, its inspection completed and proposed to the committee through the workflow
    (so that its `propose` event carries the day it reached 待党委研究)."""
    from candidates import services as nomination_services
    from candidates.workflow import NOMINATION_WORKFLOW
    from reserve.roles import Role

    if actor is None:
        actor = UserFactory(town=nomination.round.town, role=Role.OFFICE)
    complete_inspection(nomination, actor)
    extra = {}
    outside = getattr(NOMINATION_WORKFLOW, "outside_window", None)
    if outside and outside(nomination, "propose", _today()):  # the round's 组织考察 window is elsewhere
        extra["override"] = "测试：在组织考察时间外提交。"
    nomination_services.perform(actor=actor, nomination_id=nomination.pk, action="propose", **extra)
    nomination.refresh_from_db()
    return nomination


def meeting_for(round_, actor, *, date=None, members_total=5, members_present=4, **fields):
    """A committee meeting with its attendance recorded (default: 4 of 5 members present, above the 2/3 quorum)."""
    from inspection import services as inspection_services

    names = "、".join(f"委员{i}" for i in range(1, (members_present or 0) + 1))
    return inspection_services.meeting_create(actor=actor, round_=round_, date=date or _today(),
                                              attendees=fields.pop("attendees", names), members_total=members_total,
                                              members_present=members_present, **fields)


# --------------------------------------------------------------------------- the pool (training, cultivation)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = Unit.Kind.STATION


class PoolTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolTerm

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"人才库{n}")
    start = factory.LazyFunction(lambda: (_today().replace(day=1) - datetime.timedelta(days=400)).replace(day=1))


class ReserveFactory(factory.django.DjangoModelFactory):
    """An active reserve; a village reserve cadre unless tier and unit say otherwise."""

    class Meta:
        model = Reserve

    town = factory.SubFactory(TownFactory)
    term = factory.SubFactory(PoolTermFactory, town=factory.SelfAttribute("..town"))
    person = factory.SubFactory(PersonFactory)
    name = factory.SelfAttribute("person.name")
    gender = factory.SelfAttribute("person.gender")
    birth_date = factory.SelfAttribute("person.birth_date")
    tier = Tier.VILLAGE
    village = factory.Maybe("unit", yes_declaration=None,
                            no_declaration=factory.SubFactory(VillageFactory, town=factory.SelfAttribute("..town")))
    unit = None
    source = Reserve.Source.SELECTION
    political_status = PoliticalStatus.MASSES
    education = Education.HIGH_SCHOOL
    fulltime_education = Education.HIGH_SCHOOL
    post = "村委会委员"
    meets_conditions = True
    start_date = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=200))
    term_start = factory.SelfAttribute("start_date")
    term_end = factory.LazyAttribute(lambda o: o.term_start.replace(year=o.term_start.year + 2) - datetime.timedelta(1))


class AssessmentRoundFactory(factory.django.DjangoModelFactory):
    """An open annual assessment of last year, with the default scheme copied (made directly, not by the service)."""

    class Meta:
        model = "assessment.AssessmentRound"

    town = factory.SubFactory(TownFactory)
    term = factory.SubFactory(PoolTermFactory, town=factory.SelfAttribute("..town"))
    kind = "annual"
    year = factory.LazyFunction(lambda: _today().year - 1)
    title = factory.LazyAttribute(lambda o: f"{o.year}年度后备干部考核")
    opened_on = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=10))
    items = factory.LazyFunction(lambda: [dict(i) for i in _assessment_defaults().DEFAULT_ITEMS])
    bands = factory.LazyFunction(lambda: [dict(b) for b in _assessment_defaults().DEFAULT_BANDS])
    veto_reasons = factory.LazyFunction(lambda: list(_assessment_defaults().DEFAULT_VETO_REASONS))
    top_percent = factory.LazyFunction(lambda: dict(_assessment_defaults().DEFAULT_TOP_PERCENT))
    bottom_percent = 10
    sub_shares = factory.LazyFunction(lambda: dict(_assessment_defaults().DEFAULT_SUB_SHARES))
    opened_by = factory.SubFactory(UserFactory, town=factory.SelfAttribute("..town"))


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A draft assessment of a reserve in a round (made directly)."""

    class Meta:
        model = "assessment.Assessment"

    round = factory.SubFactory(AssessmentRoundFactory)
    reserve = factory.SubFactory(ReserveFactory, town=factory.SelfAttribute("..round.town"),
                                 term=factory.SelfAttribute("..round.term"))
    kind = factory.SelfAttribute("round.kind")
    year = factory.SelfAttribute("round.year")
    tier = factory.SelfAttribute("reserve.tier")


def _assessment_defaults():
    from assessment import models

    return models
