"""Inputs the property tests of the forms (tests/fuzz) found, kept as plain tests (组织考察).

Each was a failing example of the properties there. They run through the same checks, so that they are tried on
every run (hypothesis meets a given one only now and then).
"""

import pytest
from django.urls import reverse

from tests.fuzz.checks import Body, client_for, post_and_check
from tests.fuzz.forms import check_talks, talk_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_found_talk_dated_in_the_future_or_year_one(day, office, inspected):
    """BUG (invalid input accepted): the record of an individual talk dated 9999-12-31 (or 0001-01-01) is saved:
    TalkForm and services.talk_add check no date, though a talk is recorded after it took place, in the round."""
    post_and_check(client_for(office), reverse("inspection:talk_new", args=[inspected.pk]),
                   Body(talk_body() | {"date": day}), accepted=lambda o: check_talks(o, inspected))


def test_found_talk_dated_2000_01_01_before_its_round(office, inspected):
    """Fixed (issue 9, services.check_talk_date): test_talk_fuzz (tests/fuzz/test_inspection.py) found a talk dated 2000-01-01,
    years before the round's nomination began, saved; this is its failing example as Hypothesis shrank it:

        Body({'date': '2000/1/1', 'place': '村部', 'talkers': '张三、李四', 'interviewee': '0',
              'category': TalkCategory.COMMITTEE, 'content': '该同志工作积极。'}, urlencoded=False)

    ('2000/1/1' is one of the zh-hans input formats of a date). check_talks refuses it: a talk is recorded after it
    took place, during the round: talk_add now refuses a date before the round's nomination began."""
    body = Body(talk_body() | {"date": "2000/1/1", "interviewee": "0"})
    post_and_check(client_for(office), reverse("inspection:talk_new", args=[inspected.pk]), body,
                   accepted=lambda o: check_talks(o, inspected))
