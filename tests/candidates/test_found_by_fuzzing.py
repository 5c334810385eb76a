"""Inputs the property tests of the forms (tests/fuzz) found, kept as plain tests (rounds and the 自荐表).

Each was a failing example of the properties there. They run through the same checks, so that they are tried on
every run (hypothesis meets a given one only now and then).
"""

import pytest
from django.urls import reverse

from tests.fuzz.checks import Body, client_for, post_and_check, round_pages
from tests.fuzz.forms import check_nominations, check_round_rows, nomination_body, round_body

pytestmark = pytest.mark.django_db


def test_found_nomination_phone_of_superscript_digits(office, village_a_user, village_a, round_, cadre, draft):
    """Was accepted: the 自荐表 took '²²²²²²²²' as a phone number, NominationForm.clean_phone checking
    str.isdigit(), true for superscripts and other scripts' digits (fixed: ASCII digits only)."""
    body = Body(nomination_body(village_a, cadre) | {"phone": "²²²²²²²²"})
    post_and_check(client_for(village_a_user), reverse("candidates:nomination_new"), body,
                   accepted=lambda o: check_nominations(o, village_a))


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_found_resume_line_in_the_future_or_before_birth(day, village_a_user, village_a, round_, cadre, draft):
    """BUG (invalid input accepted): a 个人简历 line starting on 9999-12-31 (or in year 1, before the person was
    born) is saved: ResumeEntryForm checks only that the end is not before the start."""
    body = Body(nomination_body(village_a, cadre, id_number=draft.person.id_number)
                | {"resume-0-start": day, "resume-0-end": ""})
    post_and_check(client_for(village_a_user), reverse("candidates:nomination_edit", args=[draft.pk]), body,
                   accepted=lambda o: check_nominations(o, village_a))


def test_found_round_with_publicity_at_the_end_of_the_calendar(office, village_a_user, town, round_):
    """Was a 500: a round whose 公示开始 was 9999-12-31 was accepted, and then the publish page (notice_new)
    failed, add_working_days counting past date.max (fixed: a round's dates lie in 2000–2100)."""
    body = Body(round_body() | {"publicity_start": "9999-12-31"})
    post_and_check(client_for(office), reverse("round_edit", args=[round_.pk]), body, noop_ok=True,
                   accepted=lambda o: check_round_rows(o, town),
                   pages=lambda o: round_pages(office, village_a_user, round_))
