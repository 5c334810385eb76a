"""资格联审: a department's answer, the office's decision on a flag and its reopening, the negative list."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from vetting.models import NegativeItem, VettingRequest

from .checks import Body, clean_state, client_for, error_texts, is_int, last, page, post_and_check, vetting_pages
from .forms import CLEAR, FLAGGED, answer_body, answer_names, check_answer
from .strategies import PLAIN, VALID, _png, fuzz_settings, fuzzed

pytestmark = pytest.mark.django_db


@fuzz_settings(16)
@given(data=st.data())
def test_department_answer_fuzz(office, dept_x_user, vetting_req, data):
    items, names = answer_names(vetting_req)
    body = data.draw(fuzzed(answer_body(vetting_req, items), names,
                            file_fields=tuple(n for n in names if n.endswith("attachment"))), label="body")
    with clean_state():
        post_and_check(client_for(dept_x_user), reverse("vetting:request_detail", args=[vetting_req.pk]), body,
                       silent_ok=not is_int(last(body, "version")),
                       accepted=lambda o: check_answer(o, vetting_req, items, dept_x_user),
                       pages=lambda o: vetting_pages(vetting_req, office, dept_x_user))


@fuzz_settings(VALID)
@given(data=st.data())
def test_department_answer_accepts_valid_input(office, dept_x_user, vetting_req, data):
    items, _names = answer_names(vetting_req)
    body = {"version": str(vetting_req.version),
            "conclusion": data.draw(st.sampled_from([""]) | PLAIN, label="conclusion")}
    for item in items:
        outcome = data.draw(st.sampled_from([CLEAR, FLAGGED]), label=f"item {item.number}")
        body[f"item{item.pk}-outcome"] = outcome
        body[f"item{item.pk}-note"] = data.draw(PLAIN if outcome == FLAGGED else st.just("") | PLAIN)
        if data.draw(st.booleans()):
            body[f"item{item.pk}-attachment"] = SimpleUploadedFile("证明.png", _png(), content_type="image/png")
    with clean_state():
        o = post_and_check(client_for(dept_x_user), reverse("vetting:request_detail", args=[vetting_req.pk]),
                           Body(body), accepted=lambda o: check_answer(o, vetting_req, items, dept_x_user),
                           pages=lambda o: vetting_pages(vetting_req, office, dept_x_user))
        assert o.saved and o.response["Location"] == reverse("vetting:queue"), error_texts(page(o.final))
        r = VettingRequest.objects.get(pk=vetting_req.pk)
        assert {f.item_id: f.outcome for f in r.findings.all()} == {i.pk: body[f"item{i.pk}-outcome"] for i in items}


@fuzz_settings()
@given(data=st.data())
def test_office_decision_on_a_flag_fuzz(office, dept_x_user, flagged_req, data):
    body = data.draw(fuzzed({"version": str(flagged_req.version), "decision": "overruled", "reason": "经核实不属实"},
                            ["version", "decision", "reason"]), label="body")

    def accepted(o):
        r = VettingRequest.objects.get(pk=flagged_req.pk)
        assert r.decision in (VettingRequest.Decision.CONFIRMED, VettingRequest.Decision.OVERRULED)
        assert r.decision_reason.strip() and len(r.decision_reason) <= 1000
        assert int(last(body, "version")) == flagged_req.version

    with clean_state():
        post_and_check(client_for(office), reverse("vetting:request_decide", args=[flagged_req.pk]), body,
                       accepted=accepted, pages=lambda o: vetting_pages(flagged_req, office, dept_x_user))


@fuzz_settings()
@given(data=st.data())
def test_office_reopen_fuzz(office, dept_x_user, flagged_req, data):
    body = data.draw(fuzzed({"reopen-reason": "部门要求更正"}, ["reopen-reason"]), label="body")

    def accepted(o):
        r = VettingRequest.objects.get(pk=flagged_req.pk)
        assert r.status == VettingRequest.Status.PENDING
        assert (last(body, "reopen-reason") or "").strip()

    with clean_state():
        post_and_check(client_for(office), reverse("vetting:request_reopen", args=[flagged_req.pk]), body,
                       accepted=accepted, pages=lambda o: vetting_pages(flagged_req, office, dept_x_user))


@fuzz_settings()
@given(data=st.data())
def test_negative_list_fuzz(office, dept_x_user, round_, town, dept_x, dept_y, vetting_req, negative_list, data):
    items = list(NegativeItem.objects.filter(round=round_).prefetch_related("departments"))
    base = {}
    for i in items:
        base[f"n{i.pk}-text"] = i.text
        base[f"n{i.pk}-departments"] = [str(d.pk) for d in i.departments.all()]
    body = data.draw(fuzzed(base, list(base)), label="body")

    def accepted(o):
        for item in o.changed(NegativeItem):
            assert item.text.strip()
            item.display_text  # noqa: B018 — shown on the list, the vetting pages and the sheets: must not raise
            assert all(d.town_id == town.pk for d in item.departments.all())

    with clean_state():
        post_and_check(client_for(office), reverse("vetting:negative_list", args=[round_.pk]), body, noop_ok=True,
                       accepted=accepted, pages=lambda o: vetting_pages(vetting_req, office, dept_x_user))
