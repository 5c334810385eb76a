"""reserve.paging.page_by_ids: a page's ids from one query, its rows from another, in the ids' order (issue 13)."""

import pytest

from reserve.models import Village
from reserve.paging import page_by_ids

from ..factories import VillageFactory


@pytest.fixture
def villages(town):
    return [VillageFactory(town=town, name=f"村{i:02d}") for i in range(23)]


def _rows(asked):
    def rows(ids):
        asked.append(ids)
        return Village.objects.filter(pk__in=ids).order_by("?")  # any order: the page puts them in its own
    return rows


@pytest.mark.parametrize(("number", "shown"), [(1, 1), ("2", 2), (3, 3), (99, 3), ("x", 1), (None, 1), (-1, 3)])
def test_a_page_of_rows_in_the_order_of_the_ids(town, villages, number, shown):
    ordered = Village.objects.filter(town=town).order_by("-name").values_list("pk", flat=True)
    asked = []
    page = page_by_ids(ordered, number, 10, _rows(asked))
    names = [f"村{i:02d}" for i in range(22, -1, -1)]
    assert page.number == shown and page.paginator.count == 23
    assert [v.name for v in page.object_list] == names[(shown - 1) * 10:shown * 10]
    assert asked == [[v.pk for v in page.object_list]]  # only the page's rows are read


def test_an_empty_list_is_one_empty_page(town):
    page = page_by_ids(Village.objects.none().values_list("pk", flat=True), 1, 10, _rows([]))
    assert page.number == 1 and list(page.object_list) == []
