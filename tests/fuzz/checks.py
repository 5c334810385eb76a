"""The properties every form has (post_and_check), and the pages that show what a form saved."""

import functools
import re
import traceback
from contextlib import contextmanager
from urllib.parse import urlencode

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import event, note
from hypothesis.control import currently_in_test_context

from inspection.models import AppraisalSession
from tests import helpers
from tests.helpers import clear_cache

from .strategies import Body

page = functools.partial(helpers.page, errors="replace")  # a page with a stray byte is still searched for errors


SNAPSHOT_APPS = ("reserve", "candidates", "vetting", "inspection", "publicity", "training", "cultivation")
NOT_SNAPSHOTTED = {"reserve.auditentry"}  # the audit log records refusals too, by design
CJK = re.compile(r"[\u3400-\u9fff]")
ERROR_BLOCK = re.compile(
    r'<(div|p|span|ul|li|strong)\b[^>]*class="[^"]*\b(invalid-feedback|alert-danger|alert-warning|errorlist|errornote)'
    r'\b[^"]*"[^>]*>(.*?)</\1>', re.S)
TAG = re.compile(r"<[^>]+>")


def _models():
    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.app_label in SNAPSHOT_APPS and m._meta.label_lower not in NOT_SNAPSHOTTED]


def snapshot() -> dict:
    """Every row of the project's tables, by table and primary key."""
    return {m._meta.label: {row["pk"]: row for row in m.objects.values("pk", *[
        f.attname for f in m._meta.concrete_fields])} for m in _models()}


def changes(before, after):
    """(label, pk, kind) of every row added, changed or deleted."""
    found = []
    for label, rows in after.items():
        old = before.get(label, {})
        for pk, row in rows.items():
            if pk not in old:
                found.append((label, pk, "added"))
            elif old[pk] != row:
                found.append((label, pk, "changed"))
        found += [(label, pk, "deleted") for pk in old if pk not in rows]
    return found


def error_texts(html: str) -> list[str]:
    return [" ".join(TAG.sub(" ", m.group(3)).split()) for m in ERROR_BLOCK.finditer(html)]


def chinese_errors(html: str) -> list[str]:
    return [t for t in error_texts(html) if CJK.search(t)]


def said_why(final, standing) -> list[str]:
    """The reasons in Chinese on the page after a POST; after a redirect, only those the page does not show
    anyway (a nomination's page lists why each button is refused, whatever was posted)."""
    found = chinese_errors(page(final))
    if standing is not final:
        always = set(chinese_errors(page(standing)))
        found = [t for t in found if t not in always]
    return found


def _traceback(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    return "".join(traceback.format_exception(*exc_info)) if exc_info else ""


def assert_no_500(response, what):
    assert response.status_code < 500, f"{response.status_code} on {what}\n{_traceback(response)}"


@contextmanager
def clean_state():
    """One hypothesis example: an empty cache and a savepoint rolled back at the end."""
    clear_cache()
    savepoint = transaction.atomic()
    savepoint._from_testcase = True  # a test's own block, as Django's TestCase marks them: a service's
    # atomic(durable=True) runs inside it as it does inside the test's transaction
    with savepoint:
        yield
        transaction.set_rollback(True)


def client_for(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def send(client, url, body: Body, **extra):
    if body.urlencoded:
        return client.post(url, urlencode(dict(body), doseq=True), content_type="application/x-www-form-urlencoded",
                           **extra)
    return client.post(url, dict(body), **extra)


class Outcome:
    def __init__(self, response, final, before, after):
        self.response, self.final, self.before, self.after = response, final, before, after
        self.changes = changes(before, after)

    @property
    def saved(self) -> bool:
        return bool(self.changes)

    def added(self, model):
        label = model._meta.label
        return [model.objects.get(pk=pk) for lbl, pk, kind in self.changes if lbl == label and kind == "added"]

    def changed(self, model):
        label = model._meta.label
        return [model.objects.get(pk=pk) for lbl, pk, kind in self.changes
                if lbl == label and kind in ("added", "changed")]


REFUSAL_STATUSES = (400, 403, 404, 405, 413, 429)


def post_and_check(client, url, body, *, accepted=None, pages=None, noop_ok=False, silent_ok=False,
                   **extra) -> Outcome:
    """POST, then check the properties every form has; `accepted(outcome)` checks what was saved, and every
    page of `pages(outcome)` — (user, url) pairs: where what was saved is shown — must open without a 500.

    silent_ok: the body tampers with what a browser sends unchanged (a hidden field, the form a page does not
    show), so a refusal need not say why (test_tampered_hidden_fields_are_refused_with_a_reason covers that).
    """
    in_hypothesis = currently_in_test_context()
    if in_hypothesis:
        note(f"POST {url} {body!r}")
    before = snapshot()
    response = send(client, url, body, **extra)
    assert_no_500(response, f"POST {url} {body!r}")
    final = standing = response
    if response.status_code in (301, 302, 303):
        final = client.get(response["Location"])
        assert_no_500(final, f"GET {response['Location']} after POST {url} {body!r}")
        standing = client.get(response["Location"])  # the page again, without the one-off messages
    after = snapshot()
    outcome = Outcome(response, final, before, after)
    html = page(final)
    if in_hypothesis:
        event(f"{'saved' if outcome.saved else 'refused'} {response.status_code}")
    if not outcome.saved:
        if response.status_code in REFUSAL_STATUSES:
            assert CJK.search(html), f"{response.status_code} without a Chinese explanation: {html[:500]}"
        elif noop_ok and response.status_code == 302 and not said_why(final, standing):
            pass  # nothing to change (an unchanged list saved again): no refusal, nothing saved
        elif silent_ok and response.status_code in (200, 302):
            pass  # a tampered hidden field, refused without a word: see test_tampered_hidden_fields_…
        else:
            assert response.status_code in (200, 302), response.status_code
            assert said_why(final, standing), (
                f"refused without a reason in Chinese ({response.status_code}); errors on the page: "
                f"{error_texts(html)}")
        return outcome
    # Accepted: a redirect, and only valid rows.
    assert response.status_code == 302, (
        f"{response.status_code} but rows were saved: {outcome.changes}; errors {error_texts(html)}")
    for label, pk, kind in outcome.changes:
        if kind == "deleted":
            continue
        model = apps.get_model(label)
        row = outcome.after[label][pk]
        for name, value in row.items():
            assert not (isinstance(value, str) and "\x00" in value), f"NUL saved in {label}.{name}: {value!r}"
        set_by_code = [f.name for f in model._meta.fields if f.null and not f.blank]
        try:
            model.objects.get(pk=pk).full_clean(exclude=set_by_code)
        except ValidationError as e:
            raise AssertionError(f"invalid {label} #{pk} saved ({kind}): {e.message_dict}") from None
    if accepted is not None:
        accepted(outcome)
    clients = {}
    for user, shown in (pages(outcome) if pages else []):
        key = user.pk if user is not None else None
        if key not in clients:
            clients[key] = client_for(user)
        response = clients[key].get(shown)
        assert_no_500(response, f"GET {shown} as {user}, showing what POST {url} {body!r} saved")
    return outcome


def round_pages(office, village_user, round_):
    """The pages that read a round's parameters."""
    q = f"?round={round_.pk}"
    by_office = [
        reverse("round_detail", args=[round_.pk]), reverse("round_edit", args=[round_.pk]), reverse("round_list"),
        reverse("village_list") + q, reverse("publicity:notice_new") + q, reverse("publicity:notice_list") + q,
        reverse("vetting:negative_list", args=[round_.pk]), reverse("vetting:ledger", args=[round_.pk]),
        reverse("inspection:session_list") + q, reverse("inspection:meeting_list") + q,
        reverse("inspection:session_new") + q, reverse("inspection:meeting_new") + q,
        reverse("candidates:nomination_list") + q,
        reverse("publicity:notice_period") + q + f"&start={round_.publicity_start.isoformat()}",
    ]
    by_village = [reverse("candidates:nomination_new") + q,
                  reverse("village_detail", args=[village_user.village_id]) + q]
    return [(office, u) for u in by_office] + [(village_user, u) for u in by_village]


def nomination_pages(nomination, office, village_user):
    by_both = [nomination.get_absolute_url(), reverse("candidates:nomination_list"),
               reverse("village_detail", args=[nomination.village_id])]
    return ([(office, u) for u in by_both] + [(village_user, u) for u in by_both]
            + [(village_user, reverse("candidates:nomination_edit", args=[nomination.pk]))])


def vetting_pages(req, office, dept_user):
    n = req.nomination
    return [(dept_user, req.get_absolute_url()), (dept_user, reverse("vetting:queue")),
            (office, req.get_absolute_url()), (office, reverse("vetting:ledger", args=[n.round_id])),
            (office, reverse("vetting:sheet", args=[n.pk])), (office, n.get_absolute_url()),
            (office, reverse("vetting:flags"))]


def inspection_pages(nomination, office, committee, session=None):
    found = [(u, reverse("inspection:inspection", args=[nomination.pk])) for u in (office, committee)]
    found += [(office, reverse("inspection:report_edit", args=[nomination.pk])),
              (office, reverse("inspection:report_print", args=[nomination.pk])),
              (office, reverse("inspection:talk_new", args=[nomination.pk]))]
    for s in [session] if session else AppraisalSession.objects.filter(round=nomination.round_id):
        found += [(u, reverse(f"inspection:{name}", args=[s.pk])) for u in (office, committee)
                  for name in ("session_detail", "ballot", "tally_sheet")]
        found += [(office, reverse("inspection:tally_edit", args=[s.pk, nomination.pk]))]
    return found


def notice_pages(notice, office, village_user=None):
    found = [(office, notice.get_absolute_url()), (office, reverse("publicity:notice_list")),
             (None, notice.get_public_url())]
    found += [(office, o.get_absolute_url()) for o in notice.objections.all()]
    if village_user is not None:
        found += [(village_user, notice.get_absolute_url())]
    return found


def last(body, key, default=None):
    """The value a view reads for `key` (QueryDict.get: the last of several; files are not in POST)."""
    value = body.get(key, default)
    if isinstance(value, list):
        value = [v for v in value if not isinstance(v, SimpleUploadedFile)]
        return value[-1] if value else default
    return default if isinstance(value, SimpleUploadedFile) else value


def is_int(value) -> bool:
    """Whether a form's IntegerField takes this value."""
    from django import forms

    try:
        return forms.IntegerField().clean(value) is not None
    except ValidationError:
        return False


def tampered(body, base, prefix) -> bool:
    """Whether the body changes a formset's hidden inputs (its management form, a row's id) from `base`."""
    hidden = [k for k in set(body) | set(base)
              if k.startswith(f"{prefix}-") and (k.endswith("-id") or k.endswith("_FORMS"))]
    return any(last(body, k) != last(base, k) for k in hidden)


def management_names(prefix):
    return [f"{prefix}-{n}" for n in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")]


def row_names(prefix, fields, rows=2):
    return [f"{prefix}-{i}-{f}" for i in range(rows) for f in fields]


def iso(day) -> str:
    return day.isoformat()
