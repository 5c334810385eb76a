"""Regression found by fuzzing (tests/fuzz): a sign-in name longer than any account's answered 500 on
PostgreSQL (django-axes keeps 255 characters of it)."""

import pytest
from django.urls import reverse

from reserve.models import AuditEntry


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_an_overlong_name_is_refused_like_a_wrong_password(client, db, length):
    response = client.post(reverse("login"), {"username": "0" * length, "password": "Test-pass-2026"})
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.non_field_errors().as_data()] == ["invalid_login"]
    assert not response.wsgi_request.user.is_authenticated


def test_a_name_of_the_longest_allowed_length_still_reaches_the_lockout(client, db):
    """150 characters is a possible account name: the failure is counted and audited as before."""
    from axes.models import AccessAttempt

    client.post(reverse("login"), {"username": "0" * 150, "password": "Test-pass-2026"})
    assert AccessAttempt.objects.filter(username="0" * 150).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).exists()
