"""Regression found by fuzzing (tests/fuzz): a sign-in name longer than any account's answered 500 on
PostgreSQL (django-axes keeps 255 characters of it)."""

import pytest
from django.urls import reverse

from reserve.models import AuditEntry


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_an_overlong_name_is_refused_like_a_wrong_password(client, db, length):
    response = client.post(reverse("login"), {"username": "0" * length, "password": "Tusk-Pine-2026"})
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.non_field_errors().as_data()] == ["invalid_login"]
    assert not response.wsgi_request.user.is_authenticated


def test_a_name_of_the_longest_allowed_length_still_reaches_the_lockout(client, db):
    """150 characters is a possible account name: the failure is counted and audited as before."""
    from axes.models import AccessAttempt

    client.post(reverse("login"), {"username": "0" * 150, "password": "Tusk-Pine-2026"})
    assert AccessAttempt.objects.filter(username="0" * 150).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).exists()


# The administrators' sign-in (/admin/login/) is a second login view: a name of 256 characters or more reached
# django-axes' varchar(255) there and answered 500 on PostgreSQL (issue 9 §15). On SQLite, which does not
# enforce a varchar's length, these pass either way: bin/test runs them on PostgreSQL too.
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"], ids=["sign-in", "admin"])
@pytest.mark.parametrize("length", [256, 300, 5000])
def test_an_overlong_name_is_a_failed_login_on_every_sign_in_page(client, db, url, length):
    client.raise_request_exception = False
    response = client.post(url, {"username": "0" * length, "password": "Tusk-Pine-2026"}, REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.non_field_errors().as_data()] == ["invalid_login"]
    assert "密码" in " ".join(form.non_field_errors())  # the failed login's own Chinese message
    assert not response.wsgi_request.user.is_authenticated


def test_the_admin_sign_in_still_counts_a_possible_name(client, db):
    from axes.models import AccessAttempt

    client.post("/admin/login/", {"username": "0" * 150, "password": "Tusk-Pine-2026"}, REMOTE_ADDR="10.7.7.8")
    assert AccessAttempt.objects.filter(username="0" * 150).exists()
