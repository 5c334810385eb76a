import socket
import urllib.request

import pytest
from hypothesis import settings as hypothesis_settings

from reserve.roles import Role

from . import helpers
from .factories import DepartmentFactory, RoundFactory, TownFactory, UnitFactory, UserFactory, VillageFactory

# The objects the forms act on, each in the state a form expects: for the property tests (tests/fuzz) and the
# inputs they found, kept as plain tests in each app's package (test_found_by_fuzzing.py).
pytest_plugins = ["tests.fuzz.fixtures"]

# --------------------------------------------------------------------------- Hypothesis profiles
# dev (the default): randomized, as hypothesis runs out of the box, with its example database.
# ci (CI=true, as .ci/run is run): the same number of examples, but derandomized — every run of a commit
#   tries the same inputs, so a red CI run is red again on a rerun — and no example database.
# deep (HYPOTHESIS_PROFILE=deep): 1000 examples for every property test (see tests/helpers.examples).
# HYPOTHESIS_PROFILE names a profile explicitly and wins over CI.
_DEFAULT = hypothesis_settings.get_profile("default")  # Hypothesis' own defaults, whatever it loaded itself
hypothesis_settings.register_profile("dev", parent=_DEFAULT)
hypothesis_settings.register_profile("ci", parent=_DEFAULT, derandomize=True, database=None, deadline=None,
                                     print_blob=True)
hypothesis_settings.register_profile("deep", parent=_DEFAULT, max_examples=helpers.DEEP_EXAMPLES, deadline=None,
                                     print_blob=True)
hypothesis_settings.load_profile(helpers.hypothesis_profile())


def pytest_report_header(config):
    return f"hypothesis profile: {helpers.hypothesis_profile()}"


# --------------------------------------------------------------------------- the cache, per test process

def pytest_configure(config):
    """Each test process (each pytest-xdist worker) keeps its keys in the shared Redis under a prefix of its own,
    so that one worker clearing its throttle counters (empty_cache) does not clear another's."""
    from django.conf import settings

    settings.CACHES["default"]["KEY_PREFIX"] = helpers.cache_key_prefix()


@pytest.fixture(scope="session", autouse=True)
def _cache_prefix_emptied_at_the_end():
    yield
    helpers.clear_cache()


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counters must not leak from one test into the next."""
    helpers.clear_cache()
    yield


# --------------------------------------------------------------------------- the test database, at the end

@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, and at the end of the run: no other session left on the PostgreSQL test database.

    A connection that a thread of the tests' live server (tests/browser) or of the threaded tests
    (tests/vetting/test_concurrency.py) has not closed yet makes DROP DATABASE wait five seconds and then fail,
    leaving the database behind; with the tests spread over workers such a test can be among the last of a run.
    """
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


# --------------------------------------------------------------------------- fast hashing, private media

@pytest.fixture
def media_root(tmp_path):
    """Where uploaded files go during a test (a module whose rows are made once overrides it: tests.helpers)."""
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_hashing_and_media(settings, media_root):
    settings.PASSWORD_HASHERS = helpers.FAST_HASHERS
    settings.STORAGES = helpers.storages_in(settings.STORAGES, media_root)


@pytest.fixture(autouse=True)
def jobs_run_at_once(monkeypatch):
    """A background job (reserve.jobs) runs inside async_task, as if a worker took it at once (django-q2's sync
    mode); a job started in a test runs when its transaction commits — wrap the request or the start in
    django_capture_on_commit_callbacks(execute=True)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def fake_pdf(monkeypatch):
    """Publishing without WeasyPrint (slow), for the tests that are not about the PDF: the notice's PDF is a stub."""
    from publicity import services as publicity_services

    monkeypatch.setattr(publicity_services, "render_pdf", lambda *a, **k: b"%PDF-1.7 test\n%%EOF")


@pytest.fixture
def no_network(monkeypatch):
    """Record (and refuse) every attempt to resolve a name or open a connection."""
    attempts = []

    def refuse(what):
        def guard(*args, **kwargs):
            attempts.append((what, args[1:] if what.startswith("socket.connect") else args))
            raise AssertionError(f"network access during a PDF render: {what}{args!r}")
        return guard

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse("urllib OpenerDirector.open"))
    monkeypatch.setattr(urllib.request, "urlopen", refuse("urllib.request.urlopen"))
    return attempts


# --------------------------------------------------------------------------- a town and its people

@pytest.fixture
def town(db):
    return TownFactory(name="青山镇")


@pytest.fixture
def other_town(db):
    return TownFactory(name="绿水镇")


@pytest.fixture
def village_a(town):
    return VillageFactory(town=town, name="东山村")


@pytest.fixture
def village_b(town):
    return VillageFactory(town=town, name="西岭村")


@pytest.fixture
def dept_x(town):
    return DepartmentFactory(town=town, name="纪委")


@pytest.fixture
def dept_y(town):
    return DepartmentFactory(town=town, name="派出所")


@pytest.fixture
def round_(town):
    return RoundFactory(town=town)


@pytest.fixture
def office(town):
    return UserFactory(username="office", town=town, role=Role.OFFICE)


@pytest.fixture
def committee(town):
    return UserFactory(username="committee", town=town, role=Role.COMMITTEE)


@pytest.fixture
def village_a_user(village_a):
    return UserFactory(username="cun_a", town=village_a.town, village=village_a, role=Role.VILLAGE)


@pytest.fixture
def village_b_user(village_b):
    return UserFactory(username="cun_b", town=village_b.town, village=village_b, role=Role.VILLAGE)


@pytest.fixture
def dept_x_user(dept_x):
    return UserFactory(username="dept_x", town=dept_x.town, department=dept_x, role=Role.DEPARTMENT)


@pytest.fixture
def dept_y_user(dept_y):
    return UserFactory(username="dept_y", town=dept_y.town, department=dept_y, role=Role.DEPARTMENT)


@pytest.fixture
def mentor(town):
    return UserFactory(username="mentor", town=town, role=Role.MENTOR)


@pytest.fixture
def other_office(other_town):
    return UserFactory(username="office2", town=other_town, role=Role.OFFICE)


@pytest.fixture
def unit_a(town):
    return UnitFactory(town=town, name="农业服务中心")


@pytest.fixture
def unit_user(unit_a):
    """The head of a unit of the town (Role.UNIT): sees the unit's own reserves."""
    return UserFactory(username="unit_a", town=unit_a.town, unit=unit_a, role=Role.UNIT)
