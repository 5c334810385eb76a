"""Signing in, changing one's password, and the second factor (TOTP)."""

import unicodedata

import pytest
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from reserve.models import User
from tests.helpers import PASSWORD

from .checks import (
    assert_no_500,
    chinese_errors,
    clean_state,
    client_for,
    error_texts,
    last,
    page,
    post_and_check,
    send,
)
from .strategies import fuzz_settings, fuzzed

pytestmark = pytest.mark.django_db


NEW_PASSWORD = "Qingshan-2026!"


@fuzz_settings()
@given(body=fuzzed({"username": "office", "password": PASSWORD}, ["username", "password", "next"]))
def test_login_fuzz(office, body):
    def accepted(o):
        # Django's username field strips and NFKC-normalises (so "ｏｆｆｉｃｅ " signs in as office); not the password.
        assert unicodedata.normalize("NFKC", last(body, "username").strip()) == "office"
        assert last(body, "password") == PASSWORD

    with clean_state():
        post_and_check(client_for(), reverse("login"), body, accepted=accepted)


@fuzz_settings()
@given(body=fuzzed({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
                   ["old_password", "new_password1", "new_password2"]))
def test_password_change_fuzz(office, body):
    def accepted(o):
        user = User.objects.get(pk=office.pk)
        new = last(body, "new_password1")
        assert last(body, "old_password") == PASSWORD
        assert new == last(body, "new_password2") and user.check_password(new)
        validate_password(new, user)  # the project's password rules (等保): raises if the new one breaks them

    with clean_state():
        post_and_check(client_for(office), reverse("password_change"), body, accepted=accepted)


# =============================================================================== the second factor (TOTP)

@fuzz_settings()
@given(body=fuzzed({"token": "123456"}, ["token", "next"]), which=st.sampled_from(["setup", "verify", "disable"]))
def test_second_factor_fuzz(office, otp_user, body, which):
    """A code typed into the enrol, verify or remove form: never a 500; a wrong one is refused, in Chinese, and
    changes no device (a right one, 1 in a million by chance, is not generated here)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = office if which == "setup" else otp_user
    url = reverse(f"otp_{which}")

    def devices():
        return sorted(TOTPDevice.objects.filter(confirmed=True).values_list("pk", "user_id"))

    with clean_state():
        client = client_for(user)
        if which == "disable":  # removing the app takes a session that has already given a code
            from django_otp import DEVICE_ID_SESSION_KEY

            session = client.session
            session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=otp_user).persistent_id
            session.save()
        client.get(url if which != "disable" else reverse("otp_setup"))  # the setup page makes the pending device
        before = devices()
        response = send(client, url, body)
        assert_no_500(response, f"POST {url} {body!r}")
        assert devices() == before
        assert response.status_code == 200 and chinese_errors(page(response)), error_texts(page(response))
