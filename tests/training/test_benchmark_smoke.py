"""The pool pages' benchmark (benchmarks/pool_pages.py) on every test run: every page of the pool has its row
(so a page added to the app is added to the benchmark), and the builder and every row work, at a tiny scale."""

import pytest

from benchmarks import pool_pages
from tests.factories import TownFactory

pytestmark = pytest.mark.django_db


def test_every_pool_page_has_a_row_in_the_benchmark():
    assert pool_pages.coverage_problems() == []


def test_a_page_without_a_row_is_reported(monkeypatch):
    rows = tuple(row for row in pool_pages.PAGES if row.name != "cultivation:talk_overdue")
    monkeypatch.setattr(pool_pages, "PAGES", rows + (pool_pages.Skip("training:no_such_page", "gone"),))
    problems = pool_pages.coverage_problems()
    assert len(problems) == 2
    assert problems[0].startswith("cultivation:talk_overdue: no row")
    assert problems[1].startswith("training:no_such_page: in PAGES but not a URL name")


def test_the_required_names_are_those_without_an_argument_or_with_one():
    found = pool_pages.discovered_names()
    assert found["training:pool_list"] == ()
    assert found["training:reserve_detail"] == ("pk",)
    assert "cultivation:subsidy_pdf" not in pool_pages.pool_page_names()  # three arguments: optional
    assert {"training:pool_list", "training:reserve_detail", "cultivation:mentor_desk",
            "cultivation:course_detail"} <= pool_pages.pool_page_names()


def test_the_builder_at_a_tiny_scale_and_every_page_answers():
    scale = pool_pages.SCALES["tiny"]
    built = pool_pages.build(scale)
    counts = built.counts
    assert counts["towns"] == 1 and counts["reserves"] == scale.reserves and counts["courses"] == scale.courses
    assert counts["talks"] > 0 and counts["tasks"] > 0 and counts["enrolments"] >= counts["reserves"] - 1
    results = pool_pages.measure(built, runs=0, memory=False)
    measured = {(r.name, r.role) for r in results}
    expected = {(row.name, role) for row in pool_pages.PAGES if isinstance(row, pool_pages.Page) for role in row.roles}
    assert measured == expected
    assert [(r.url, r.role, r.status) for r in results if r.status != 200] == []
    assert all(r.queries > 0 for r in results)
    table = pool_pages.table(results, counts)
    assert table.count("\n| ") == len(results) + 1  # the header and a line per result


def test_the_script_refuses_a_database_with_data(monkeypatch, capsys):
    TownFactory()
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/only-checked-to-be-set.sqlite3")
    assert pool_pages.main(["--scale", "tiny"]) == 2
    assert "--reuse" in capsys.readouterr().err
