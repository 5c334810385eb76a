"""A page of a long list in two steps (issue 13 §2): the page's ids and the count from a narrow query that an index
answers, then the page's rows, with what they show, by those ids. A wide select of many joined tables with ORDER BY
and LIMIT lets the planner pick a join order that walks thousands of rows for 25 (the flags awaiting decision: 35
ms at county scale, its ids alone 1 ms); a deep page skips index entries, not whole rows."""

from collections.abc import Callable, Iterable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def page_by_ids(ids: QuerySet, number, per_page: int, rows: Callable[[list], Iterable]) -> Page:
    """Page `number` (as the query string gives it: out of range or not a number, the nearest page) of `ids` (a
    values_list("pk", flat=True) in the list's order), its object_list the rows `rows(ids of the page)` returns,
    put in the page's order."""
    page = Paginator(ids, per_page).get_page(number)
    order = {pk: i for i, pk in enumerate(page.object_list)}
    page.object_list = sorted(rows(list(order)), key=lambda row: order[row.pk])
    return page
