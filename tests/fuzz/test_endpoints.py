"""Endpoints without a form (any POST body) and the pages that read the query string."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from .checks import assert_no_500, clean_state, client_for, send
from .strategies import EXTRA_KEY, SCALAR, fuzz_settings, fuzzed

pytestmark = pytest.mark.django_db


# =============================================================================== endpoints without a form

@fuzz_settings(8)
@given(data=st.data(), which=st.sampled_from(["dispatch", "confirm", "logout", "id_number"]))
def test_posts_without_a_form_ignore_any_body(office, round_, notice, vetting_req, draft, data, which):
    """A POST to an endpoint that takes no input: whatever the body, never a 500."""
    url = {"dispatch": reverse("vetting:dispatch_round", args=[round_.pk]),
           "confirm": reverse("publicity:notice_confirm", args=[notice.pk]),
           "logout": reverse("logout"),
           "id_number": reverse("candidates:nomination_id_number", args=[draft.pk])}[which]
    body = data.draw(fuzzed({}, ["round", "next", "notice"]), label="body")
    with clean_state():
        client = client_for(office)
        response = send(client, url, body)
        assert_no_500(response, f"POST {url} {body!r}")
        if response.status_code == 302:
            assert_no_500(client.get(response["Location"]), f"after POST {url}")


@fuzz_settings(12)
@given(query=st.dictionaries(st.sampled_from(["round", "start", "village", "person", "user", "date_from", "date_to",
                                              "action", "page"]) | EXTRA_KEY, SCALAR, max_size=4),
       name=st.sampled_from(["publicity:notice_period", "publicity:notice_new", "inspection:session_new",
                             "inspection:meeting_new", "village_list", "publicity:notice_list",
                             "candidates:nomination_new", "audit_log", "audit_export"]))
def test_query_strings_fuzz(office, village_a_user, round_, approved, query, name):
    """The pages that read the query string (the round picker, the live period, a preselected village, the audit
    log's filter form)."""
    user = village_a_user if name == "candidates:nomination_new" else office
    with clean_state():
        response = client_for(user).get(reverse(name), query)
        assert_no_500(response, f"GET {name} {query!r}")
