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
from reserve.models import Department, Town, User, Village, VillageCadre


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
    password = factory.django.Password("Test-pass-2026")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])  # a flushed DB has none


def _today():
    return timezone.localdate()


class RoundFactory(factory.django.DjangoModelFactory):
    """An open round whose nomination window contains today (RoundFactory(closed=True): a closed one)."""

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
    review_start = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=11))
    review_end = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=20))
    inspection_start = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=21))
    inspection_end = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=30))
    publicity_start = factory.LazyFunction(lambda: _today() + datetime.timedelta(days=31))


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
    political_status = PoliticalStatus.MASSES
    hukou_village = factory.SelfAttribute("village")
    fulltime_education = Education.HIGH_SCHOOL
    work_unit_post = "个体经营"
    phone = "13800000000"
    statement = "热爱农村工作。"
    is_eligible = True
    created_by = factory.SubFactory(UserFactory)
