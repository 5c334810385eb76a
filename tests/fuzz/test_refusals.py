"""An empty POST, and a POST whose hidden fields were tampered with: refused, with a reason on the page."""

import pytest
from django.urls import reverse

from tests.helpers import management

from .checks import chinese_errors, client_for, page, snapshot
from .forms import answer_body, answer_names, roster_body

pytestmark = pytest.mark.django_db


# =============================================================================== an empty POST

EMPTY_POST_URLS = {
    "round_new": lambda f: reverse("round_new"),
    "round_edit": lambda f: reverse("round_edit", args=[f["round_"].pk]),
    "roster_edit": lambda f: reverse("roster_edit", args=[f["village_a"].pk]),
    "nomination_new": lambda f: reverse("candidates:nomination_new"),
    "talk_new": lambda f: reverse("inspection:talk_new", args=[f["inspected"].pk]),
    "session_new": lambda f: reverse("inspection:session_new"),
    "meeting_new": lambda f: reverse("inspection:meeting_new"),
    "calendar": lambda f: reverse("publicity:calendar"),
    "objection_new": lambda f: reverse("publicity:objection_new", args=[f["notice"].pk]),
    "public_notice": lambda f: f["notice"].get_public_url(),
    "otp_setup": lambda f: reverse("otp_setup"),
    "otp_verify": lambda f: reverse("otp_verify"),
}


@pytest.mark.parametrize("name", [
    n for n in EMPTY_POST_URLS])
def test_an_empty_post_is_refused_with_a_reason(request, name, office, village_a_user, round_, village_a, inspected,
                                                notice, otp_user):
    fixtures = {"round_": round_, "village_a": village_a, "inspected": inspected, "notice": notice}
    user = {"nomination_new": village_a_user, "public_notice": None, "otp_verify": otp_user}.get(name, office)
    client = client_for(user)
    before = snapshot()
    response = client.post(EMPTY_POST_URLS[name](fixtures), {})
    assert response.status_code == 200
    assert snapshot() == before
    assert chinese_errors(page(response)), "an empty POST shows the blank form again, without saying why"


# =============================================================================== tampered hidden fields

@pytest.mark.parametrize("case", [
    "answer_without_version",
    "answer_with_a_garbled_version",
    "verify_with_a_garbled_version",
    "conclude_an_unverified_objection_without_reason",
    "meeting_decision_with_a_garbled_nomination",
    "office_decision_with_a_garbled_version",
    "roster_with_a_garbled_member_id",
    "calendar_without_the_id_of_a_row",
])
def test_tampered_hidden_fields_are_refused_with_a_reason(case, office, committee, dept_x_user, vetting_req,
                                                          flagged_req, open_objection, meeting, proposed, village_a,
                                                          cadre, calendar_day):
    items, _names = answer_names(vetting_req)
    answer = answer_body(vetting_req, items)
    user, url, body = {
        "answer_without_version": (dept_x_user, reverse("vetting:request_detail", args=[vetting_req.pk]),
                                   {k: v for k, v in answer.items() if k != "version"}),
        "answer_with_a_garbled_version": (dept_x_user, reverse("vetting:request_detail", args=[vetting_req.pk]),
                                          {**answer, "version": "1x"}),
        "verify_with_a_garbled_version": (office, reverse("publicity:objection_detail", args=[open_objection.pk]),
                                          {"op": "verify", "verify-version": "", "verify-verified_by": "李四",
                                           "verify-verification": "经核实。"}),
        "conclude_an_unverified_objection_without_reason": (
            office, reverse("publicity:objection_detail", args=[open_objection.pk]),
            {"op": "conclude", "conclude-version": str(open_objection.version), "conclude-upheld": "no"}),
        "meeting_decision_with_a_garbled_nomination": (committee,
                                                       reverse("inspection:meeting_detail", args=[meeting.pk]),
                                                       {"nomination": "x", "outcome": "approve"}),
        "office_decision_with_a_garbled_version": (office, reverse("vetting:request_decide", args=[flagged_req.pk]),
                                                   {"version": "x", "decision": "overruled", "reason": "经核实"}),
        "roster_with_a_garbled_member_id": (office, reverse("roster_edit", args=[village_a.pk]),
                                            roster_body(cadre) | {"cadres-0-id": "x"}),
        "calendar_without_the_id_of_a_row": (office, reverse("publicity:calendar"),
                                             {**management("days", 1, 1), "days-0-date": "2026-10-10",
                                              "days-0-note": "改"}),
    }[case]
    client = client_for(user)
    before = snapshot()
    response = client.post(url, body)
    final = client.get(response["Location"]) if response.status_code == 302 else response
    assert snapshot() == before
    assert chinese_errors(page(final)), "refused, but the page does not say why"
