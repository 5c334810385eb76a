"""Inputs the property tests of the forms (tests/fuzz) found, kept as plain tests (公示).

Each was a failing example of the properties there. They run through the same checks, so that they are tried on
every run (hypothesis meets a given one only now and then).
"""

import pytest
from django.urls import reverse

from tests.fuzz.checks import Body, client_for, post_and_check
from tests.fuzz.forms import check_objections

pytestmark = pytest.mark.django_db


def test_found_objection_received_in_year_one(office, notice):
    """Was a 500 (SQLite): an objection recorded as received at 0001-01-01 00:00 local time overflowed when
    converted to UTC; ObjectionRecordForm refused only a time in the future (fixed: not before the notice)."""
    body = Body({"channel": "phone", "received_at": "0001-01-01T00:00", "entry": "", "content": "来电反映。",
                 "name": "", "phone": ""})
    post_and_check(client_for(office), reverse("publicity:objection_new", args=[notice.pk]), body,
                   accepted=lambda o: check_objections(o, notice, online=False))
