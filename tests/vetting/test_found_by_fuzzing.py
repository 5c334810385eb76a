"""Inputs the property tests of the forms (tests/fuzz) found, kept as plain tests (资格联审).

Each was a failing example of the properties there. They run through the same checks, so that they are tried on
every run (hypothesis meets a given one only now and then).
"""

import pytest
from django.urls import reverse

from tests.fuzz.checks import Body, client_for, post_and_check, vetting_pages

pytestmark = pytest.mark.django_db


def test_found_negative_item_text_with_an_attribute_placeholder(office, dept_x_user, round_, vetting_req,
                                                                negative_list):
    """Was a 500: '{since_year.x}' (or '{since_year[0]}') in a negative-list item raised AttributeError/TypeError
    in NegativeItem.display_text, which caught only KeyError/IndexError/ValueError (fixed)."""
    item = negative_list[0]
    body = Body({f"n{i.pk}-text": i.text for i in negative_list} | {f"n{item.pk}-text": "{since_year.x}"})
    post_and_check(client_for(office), reverse("vetting:negative_list", args=[round_.pk]), body,
                   pages=lambda o: vetting_pages(vetting_req, office, dept_x_user))


def test_found_department_id_out_of_the_integer_range(office, round_, negative_list):
    """BUG (SQLite only): a department id beyond 64 bits in the negative list's checkboxes (n<id>-departments=
    9223372036854775808) → 500 OverflowError "Python int too large to convert to SQLite INTEGER", raised by
    Django's ModelMultipleChoiceField._check_values (its pk__in query) in NegativeItemForm.departments.
    PostgreSQL refuses it as an invalid choice. Other id fields (ModelChoiceField) are refused on both."""
    item = negative_list[0]
    body = Body({f"n{i.pk}-text": i.text for i in negative_list}
                | {f"n{item.pk}-departments": ["9223372036854775808"]})
    post_and_check(client_for(office), reverse("vetting:negative_list", args=[round_.pk]), body)
