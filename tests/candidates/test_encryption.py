"""ID numbers encrypted at rest (issue 5 §9): no plain number in the database, a keyed hash for
lookups and uniqueness, key rotation, the keys' checks, masking on every page and printed form, and
the office's audited "显示完整号码"."""

import datetime
import hashlib
import io
import re

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse

from candidates import services
from candidates.models import Nomination, Person
from reserve import checks, crypto, idnumber
from reserve.choices import Education, Gender
from reserve.models import AuditEntry
from tests.factories import PersonFactory, RoundFactory, make_id, png_upload
from tests.helpers import page

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
BIRTH = datetime.date(1990, 4, 12)
NUMBER = make_id(BIRTH, Gender.MALE, seq=171)
NUMBER_X = "11010519491231002X"  # a valid number whose check character is X


def id_numbers_in(text: str) -> list[str]:
    """The valid ID numbers written in a text (a stray run of digits in a hash or token is not one)."""
    return [m for m in ID_LIKE.findall(text) if idnumber.check_char(m[:17]) == m[17].upper()]


def raw_person_row(pk):
    """The stored row as the database has it: (encrypted column, hash column)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted, id_number_hash FROM candidates_person WHERE id = %s", [pk])
        return cursor.fetchone()


def create(actor, round_, village, number=NUMBER, name="王审核"):
    return services.nomination_create(
        actor=actor, round_=round_,
        person_data={"id_number": number, "name": name, "gender": Gender.MALE, "birth_date": BIRTH},
        fields={"political_status": "masses", "hukou_village": village, "fulltime_education": Education.HIGH_SCHOOL,
                "work_unit_post": "个体经营", "phone": "13800000000", "statement": "热爱农村工作。"},
        id_card_copy=png_upload(),
    )


@pytest.fixture
def nomination(round_, village_a, village_a_user):
    return create(village_a_user, round_, village_a)


# ------------------------------------------------------------------------------ storage

def test_no_plain_id_number_anywhere_in_the_database(nomination):
    PersonFactory()
    person = nomination.person
    encrypted, digest = raw_person_row(person.pk)
    assert encrypted.startswith("gAAAA") and NUMBER not in encrypted  # a Fernet token
    assert crypto.decrypt(encrypted) == NUMBER
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    # Every column of every table: no 18-character ID number, this one or any other.
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    text = value.decode(errors="ignore") if isinstance(value, (bytes, memoryview)) else str(value)
                    found += [(table, number) for number in id_numbers_in(text)]
    assert found == []


def test_the_model_reads_and_writes_the_plain_number(db):
    person = Person.objects.create(id_number=NUMBER_X.lower(), name="甲", gender=Gender.FEMALE,
                                   birth_date=datetime.date(1949, 12, 31))
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.id_number == NUMBER_X  # stored normalised
    assert fresh.id_number_hash == crypto.id_hash(NUMBER_X)
    assert list(Person.objects.filter(pk=person.pk).values_list("id_number", flat=True)) == [NUMBER_X]
    # Two encryptions of the same number differ (a random IV): the column says nothing by itself.
    assert crypto.encrypt(NUMBER) != crypto.encrypt(NUMBER)


def test_changing_the_number_keeps_the_hash_in_step(db):
    person = PersonFactory()
    person.id_number = NUMBER
    person.save(update_fields=["id_number"])
    assert raw_person_row(person.pk)[1] == crypto.id_hash(NUMBER)
    assert Person.objects.by_id_number(NUMBER).get() == person


# ------------------------------------------------------------------------------ the keyed hash

def test_the_hash_is_keyed():
    with override_settings(ID_HASH_KEY="first-secret-for-the-id-hash"):
        first = crypto.id_hash(NUMBER)
    with override_settings(ID_HASH_KEY="another-secret-for-the-id-hash"):
        second = crypto.id_hash(NUMBER)
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert first != hashlib.sha256(NUMBER.encode()).hexdigest()  # not a plain hash anyone can recompute


def test_the_hash_is_of_the_normalised_number():
    fullwidth = NUMBER_X[:-1].translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}) + "ｘ"
    assert crypto.id_hash(NUMBER_X) == crypto.id_hash(NUMBER_X.lower()) == crypto.id_hash(fullwidth)
    assert crypto.id_hash(f" {NUMBER_X[:6]} {NUMBER_X[6:]} ") == crypto.id_hash(NUMBER_X)


# ------------------------------------------------------------------------------ lookups and uniqueness

def test_lookups_go_through_the_hash(nomination):
    person = nomination.person
    other = PersonFactory()
    assert Person.objects.by_id_number(NUMBER).get() == person
    assert Person.objects.by_id_number(NUMBER.lower()).exists()
    assert not Person.objects.by_id_number(make_id(BIRTH, Gender.MALE, seq=172)).exists()
    # The field's own exact and in lookups, also across a relation, compare hashes.
    query = Person.objects.filter(id_number=NUMBER)
    assert "id_number_hash" in str(query.query) and list(query) == [person]
    assert Nomination.objects.get(person__id_number=NUMBER) == nomination
    assert set(Person.objects.filter(id_number__in=[NUMBER, other.id_number])) == {person, other}
    assert not Person.objects.filter(id_number__isnull=True).exists()


@pytest.mark.parametrize("lookup", ["icontains", "startswith", "gt", "iexact"])
def test_lookups_that_cannot_work_on_ciphertext_are_refused(db, lookup):
    with pytest.raises(FieldError):
        list(Person.objects.filter(**{f"id_number__{lookup}": "330781"}))


def test_the_hash_keeps_a_number_unique(db):
    PersonFactory(id_number=NUMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(id_number=NUMBER.lower(), name="重复", gender=Gender.MALE, birth_date=BIRTH)


def test_get_or_create_by_id_number(db):
    person, created = Person.objects.get_or_create_by_id_number(
        NUMBER, defaults={"name": "新人", "gender": Gender.MALE, "birth_date": BIRTH})
    assert created and person.id_number == NUMBER
    again, created = Person.objects.get_or_create_by_id_number(NUMBER, defaults={"name": "x"})
    assert not created and again == person and again.name == "新人"


def test_a_person_keeps_identity_across_rounds_and_once_per_round(nomination, village_a_user, village_a, town):
    later = RoundFactory(town=town, name="下一批次")
    second = create(village_a_user, later, village_a, number=NUMBER.lower(), name="王审核")
    assert second.person_id == nomination.person_id
    assert Person.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        create(village_a_user, nomination.round, village_a)
    assert "本批次不能再填写自荐表" in exc.value.message_dict["id_number"][0]


# ------------------------------------------------------------------------------ rotation

def test_rotation_re_encrypts_with_the_first_key(db):
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_a]):
        person = PersonFactory(id_number=NUMBER)
        token, digest = raw_person_row(person.pk)
        assert Fernet(key_a).decrypt(token.encode()).decode() == NUMBER
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_b, key_a]):
        assert Person.objects.get(pk=person.pk).id_number == NUMBER  # the old key still decrypts
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    token, new_digest = raw_person_row(person.pk)
    assert Fernet(key_b).decrypt(token.encode()).decode() == NUMBER
    with pytest.raises(InvalidToken):
        Fernet(key_a).decrypt(token.encode())
    assert new_digest == digest
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_b]):  # the old key can go
        assert Person.objects.get(pk=person.pk).id_number == NUMBER
    with override_settings(FIELD_ENCRYPTION_KEYS=[key_a]):
        with pytest.raises(crypto.DecryptionError):
            Person.objects.get(pk=person.pk)


def test_rotation_applies_a_new_hash_key(db):
    person = PersonFactory(id_number=NUMBER)
    with override_settings(ID_HASH_KEY="a-new-secret-for-the-keyed-hash-0123"):
        assert not Person.objects.by_id_number(NUMBER).exists()
        call_command("rotate_encryption_keys", stdout=io.StringIO())
        assert Person.objects.by_id_number(NUMBER).get() == person


# ------------------------------------------------------------------------------ the keys' checks

def test_development_keys_are_reported_with_debug_off(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.ID_HASH_KEY = ""
    assert {w.id for w in checks.check_development_keys(None)} == {"reserve.W101", "reserve.W102"}
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.ID_HASH_KEY = "a-secret-of-the-environment-0123456789"
    assert checks.check_development_keys(None) == []
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.DEBUG = True
    assert checks.check_development_keys(None) == []


def test_a_malformed_key_is_an_error_that_names_no_key(settings):
    good = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [good, "not-a-fernet-key"]
    errors = checks.check_field_encryption_keys(None)
    assert [e.id for e in errors] == ["reserve.E101"] and "key 2" in errors[0].msg
    assert good not in errors[0].msg and "not-a-fernet-key" not in errors[0].msg


def test_development_keys_are_stable_and_follow_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    first = crypto.development_encryption_key()
    assert crypto.development_encryption_key() == first
    Fernet(first)  # a valid key
    settings.SECRET_KEY = "another-development-secret-key-0123456789abcdef"
    assert crypto.development_encryption_key() != first


# ------------------------------------------------------------------------------ the migration

@pytest.mark.django_db(transaction=True)
# ------------------------------------------------------------------------------ masking

def test_pages_show_the_number_masked(client, nomination, office, committee, village_a_user):
    type(nomination).objects.filter(pk=nomination.pk).update(status="submitted")  # the town lists no draft
    masked = idnumber.mask(NUMBER)
    assert masked == NUMBER[:6] + "*" * 8 + NUMBER[-4:]
    for user in (office, committee, village_a_user):
        client.force_login(user)
        detail = page(client.get(nomination.get_absolute_url()))
        assert NUMBER not in detail and masked in detail, user
        listing = page(client.get(reverse("candidates:nomination_list")))
        assert NUMBER not in listing and "王审核" in listing, user
    client.force_login(office)
    sheet = page(client.get(reverse("vetting:sheet", args=[nomination.pk])))
    assert NUMBER not in sheet and masked in sheet


def test_only_the_office_gets_the_unmask_button(client, nomination, office, committee, village_a_user):
    url = reverse("candidates:nomination_id_number", args=[nomination.pk])
    client.force_login(office)
    assert url in page(client.get(nomination.get_absolute_url()))
    for user in (committee, village_a_user):
        client.force_login(user)
        assert url not in page(client.get(nomination.get_absolute_url()))


def _capture_pdf(monkeypatch, module):
    seen = {}

    def capture(template_name, context, **kwargs):
        seen["html"] = render_to_string(template_name, context)
        return b"%PDF-fake"

    monkeypatch.setattr(module, "render_pdf", capture)
    return seen


def test_the_printed_forms_show_the_number_masked(client, nomination, office, village_a_user, monkeypatch):
    import candidates.views
    import vetting.views

    masked = idnumber.mask(NUMBER)
    seen = _capture_pdf(monkeypatch, candidates.views)
    for user in (office, village_a_user):
        client.force_login(user)
        assert client.get(reverse("candidates:nomination_form_pdf", args=[nomination.pk])).status_code == 200
        assert NUMBER not in seen["html"] and masked in seen["html"]
    seen = _capture_pdf(monkeypatch, vetting.views)
    client.force_login(office)
    assert client.get(reverse("vetting:sheet_pdf", args=[nomination.pk])).status_code == 200
    assert NUMBER not in seen["html"] and masked in seen["html"]


def test_the_village_sees_its_own_typed_number_in_its_edit_form(client, nomination, village_a_user):
    client.force_login(village_a_user)
    assert NUMBER in page(client.get(reverse("candidates:nomination_edit", args=[nomination.pk])))


# ------------------------------------------------------------------------------ the office's unmasking

def test_the_office_unmasks_on_request_and_it_is_audited(client, nomination, office):
    client.force_login(office)
    url = reverse("candidates:nomination_id_number", args=[nomination.pk])
    assert client.get(url).status_code == 405  # POST only
    assert not AuditEntry.objects.filter(action="view").exists()
    response = client.post(url)
    assert response.status_code == 200
    assert NUMBER in page(response)
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="view")
    assert entry.user == office and entry.object_id == str(nomination.pk)
    assert entry.detail == {"field": "身份证号码"}
    for text in (entry.object_repr, str(entry.detail), entry.path):
        assert NUMBER not in text and not id_numbers_in(text)


@pytest.mark.parametrize("who, expected", [
    ("village_b_user", 403), ("village_a_user", 403), ("dept_x_user", 403), ("committee", 403), ("mentor", 403),
    ("other_office", 404),
])
def test_unmasking_is_refused_to_everyone_else(client, request, nomination, who, expected):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("candidates:nomination_id_number", args=[nomination.pk]))
    assert response.status_code == expected
    assert NUMBER not in page(response)
    assert not AuditEntry.objects.filter(action="view").exists()


def test_unmasking_a_nomination_that_does_not_exist_is_404(client, office, db):
    client.force_login(office)
    assert client.post(reverse("candidates:nomination_id_number", args=[999999])).status_code == 404
