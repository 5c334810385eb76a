"""Helpers shared by the test modules (fixtures live in tests/conftest.py, factories in tests/factories.py).

Pages and messages, dates, the nominations' status and events, formset management data, signing in through
the login page, the text of a PDF; the test process's cache prefix and how to empty it; the Hypothesis profile;
and rows_made_once, for a module that builds its rows once for all its tests.
"""

import contextlib
import datetime
import io
import os

from django.utils import timezone

PASSWORD = "Tusk-Pine-2026"  # tests.factories.UserFactory's password
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --------------------------------------------------------------------------- pages


def page(response, errors="strict") -> str:
    """The body of a response as text (a byte that is not UTF-8 fails the test, unless errors="replace")."""
    return response.content.decode("utf-8", errors)


def message_texts(response) -> list[str]:
    """The messages (django.contrib.messages) a response's request left for the next page."""
    from django.contrib.messages import get_messages

    return [str(m) for m in get_messages(response.wsgi_request)]


def close_response(response):
    """Close a test client's response without closing the test's database connection.

    HttpResponse.close() sends request_finished, and Django's close_old_connections receiver closes a connection
    inside a transaction (on PostgreSQL: the test's own, and with it the rows its module made once). The test
    client closes each response that way itself; this does the same for a response closed by hand.
    """
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def login(client, username, password=PASSWORD, ip="10.9.8.7"):
    """Sign in through the login page (not force_login), from the address `ip`."""
    from django.urls import reverse

    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as a reader's PDF tool extracts it."""
    from pypdf import PdfReader

    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


def management(prefix, total=0, initial=0) -> dict:
    """A formset's management form."""
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


# --------------------------------------------------------------------------- dates


def today() -> datetime.date:
    return timezone.localdate()


def years_ago(n, on=None) -> datetime.date:
    """The same day n years before `on` (default today); 28 February for a 29 February."""
    on = on or today()
    try:
        return on.replace(year=on.year - n)
    except ValueError:  # 29 February
        return on.replace(year=on.year - n, day=28)


# --------------------------------------------------------------------------- nominations


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def status_of(nomination) -> str:
    from candidates.models import Nomination

    return Nomination.objects.get(pk=nomination.pk).status


def events_of(nomination, action=None) -> list:
    """The nomination's events (reserve.models.Event), oldest first; only those of `action` if given."""
    from django.contrib.contenttypes.models import ContentType

    from candidates.models import Nomination
    from reserve.models import Event

    qs = Event.objects.filter(content_type=ContentType.objects.get_for_model(Nomination), object_id=nomination.pk)
    if action:
        qs = qs.filter(action=action)
    return list(qs.order_by("id"))


# --------------------------------------------------------------------------- the cache of a test process


def cache_key_prefix() -> str:
    """The cache KEY_PREFIX of this test process: one per pytest-xdist worker and per run, so that workers (and
    two runs at once) sharing one Redis database never see, nor clear, each other's throttle counters."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        return f"test-{os.environ.get('PYTEST_XDIST_TESTRUNUID', '')[:12]}-{worker}"
    return f"test-{os.getpid()}"


def clear_cache():
    """Empty this process's cache: on Redis only the keys under its prefix (cache.clear() would FLUSHDB, and with
    it every other worker's counters); the per-process memory cache as a whole."""
    from django.core.cache import cache, caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        cache.clear()
        return
    client = backend._cache.get_client(write=True)
    pattern = _glob_escape(backend.key_prefix) + ":*"
    keys = list(client.scan_iter(match=pattern, count=1000))
    if keys:
        client.delete(*keys)


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


# --------------------------------------------------------------------------- Hypothesis

DEEP_EXAMPLES = 1000


def hypothesis_profile() -> str:
    """The Hypothesis profile of this run (tests/conftest.py registers them): HYPOTHESIS_PROFILE if set, else "ci"
    under CI=true, else "dev"."""
    explicit = os.environ.get("HYPOTHESIS_PROFILE", "").strip()
    if explicit:
        return explicit
    return "ci" if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes") else "dev"


def examples(n: int) -> int:
    """max_examples for a property test that sets its own: n, or DEEP_EXAMPLES on a deep run (a test's own
    max_examples would otherwise win over the profile's)."""
    return max(n, DEEP_EXAMPLES) if hypothesis_profile() == "deep" else n


# --------------------------------------------------------------------------- rows made once per module


def storages_in(storages: dict, media_root) -> dict:
    """STORAGES with the default (uploaded files) storage under media_root."""
    return {**storages, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                    "OPTIONS": {"location": str(media_root)}}}


@contextlib.contextmanager
def rows_made_once(django_db_blocker, media_root):
    """For a module-scoped fixture that makes rows once for all the tests of its module.

    The rows are made in a transaction that is rolled back when the module is done, so they never reach another
    module; each test runs in a savepoint inside it (pytest-django's db fixture nests), so what a test changes is
    undone after it, as with rows made per test. Users get the tests' fast hasher and uploaded files go to
    media_root: the module overrides the media_root fixture with a module-scoped directory, so that its tests
    find the files.
    """
    from django.conf import settings
    from django.db import transaction
    from django.test import override_settings

    outer = transaction.atomic()
    outer._from_testcase = True  # as Django's TestCase marks its own: a service's atomic(durable=True) nests in it
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=FAST_HASHERS, STORAGES=storages_in(settings.STORAGES, media_root)):
        with outer:
            yield
            transaction.set_rollback(True)


# --------------------------------------------------------------------------- the negative list of a test town


def every_negative_item_checked(round_, department):
    """Test set-up: the round's negative list made and every item checked by someone, as the office leaves it on
    the negative list page before the first dispatch (dispatch refuses while an item has no department): the
    suggested departments confirmed, and each item no department of the (small) test town checks given to
    `department`."""
    from vetting.models import NegativeItem
    from vetting.services import ensure_negative_list

    ensure_negative_list(round_)
    for item in NegativeItem.objects.filter(round=round_):
        suggested = list(item.suggested_departments.all())
        if suggested:
            item.departments.add(*suggested)
            item.suggested_departments.clear()
        if not item.departments.exists():
            item.departments.add(department)
