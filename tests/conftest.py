import pytest

from reserve.roles import Role

from .factories import DepartmentFactory, RoundFactory, TownFactory, UserFactory, VillageFactory


@pytest.fixture(autouse=True)
def fast_hashing_and_media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media")}},
    }


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counters must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


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
