"""The county benchmark (benchmarks/county.py, benchmarks/pages.py) on every test run: every URL name of the app has a
row (measured, or skipped with the reason), and the generator at a tiny scale builds a county on this database
whose every page answers its expected status, with the plain admin changelists and the raw SQL beside the lists."""

import pytest

from benchmarks import county, pages
from tests.factories import TownFactory

pytestmark = pytest.mark.django_db


def test_every_page_of_the_app_has_a_row_in_the_benchmark():
    assert pages.coverage_problems() == []


def test_a_page_without_a_row_is_reported(monkeypatch):
    rows = tuple(row for row in pages.PAGES if row.name != "vetting:flags")
    monkeypatch.setattr(pages, "PAGES", rows + (pages.Skip("no_such_page", "gone"),))
    problems = pages.coverage_problems()
    assert problems[0].startswith("no_such_page: in PAGES but not a URL name") or problems[1].startswith(
        "no_such_page: in PAGES but not a URL name")
    assert any(p.startswith("vetting:flags: no row") for p in problems)
    assert len(problems) == 2


def test_every_namespace_is_discovered_with_its_arguments():
    found = pages.pool_pages.discovered_names(pages.NAMESPACES)
    assert found["round_list"] == ()
    assert found["inspection:tally_edit"] == ("pk", "nomination_pk")
    assert found["publicity:public_notice"] == ("token",)
    assert not any(name.startswith("admin:") for name in found)


def test_statuses_are_allocated_exactly_and_the_first_village_has_each():
    statuses = county.allocate(12000, county.OPEN_MIX)
    assert len(statuses) == 12000
    assert sum(s in county.DISPATCHED for s in statuses) == 7440  # the largest round
    reordered = county.every_status_in_first_village(statuses, 25)
    assert sorted(reordered) == sorted(statuses)
    assert set(reordered[::25]) == set(statuses)


def test_the_county_at_a_tiny_scale_and_every_page_answers():
    generator = county.County(county.SCALES["tiny"], verbose=False)
    counts = generator.build()
    assert counts["candidates_nomination"] == 40 + 16
    assert counts["vetting_vettingrequest"] > 0 and counts["vetting_finding"] > 0
    assert counts["reserve_auditentry"] > counts["reserve_event"] > 0
    objects = pages.find_objects()
    rows = pages.all_rows()
    results = pages.measure(objects, rows, runs=0)
    expected = {(row.name, role) for row in rows if isinstance(row, pages.Page) for role in row.roles}
    assert {(r.name, r.role) for r in results} == expected
    assert [(r.url, r.role, r.status, r.misses[:1]) for r in results
            if not pages.answered_as_expected(r.status, r.expected)] == []
    lists = [r for r in results if r.admin_url]
    assert lists and all(r.sql_ms is not None and r.explain for r in lists)
    # The same rows through the plain admin (a page number past the last one the admin answers with a redirect).
    assert all(r.admin_ms is not None for r in lists if "p=" not in r.admin_url)
    markdown = pages.markdown(results, pages.machine(), "tiny", 0, pages.skipped_rows(rows, True))
    assert markdown.count("\n| ") == len(results) + 1


def test_the_scripts_refuse_a_database_with_data(monkeypatch, capsys):
    TownFactory()
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/only-checked-to-be-set.sqlite3")
    assert county.main(["--scale", "tiny"]) == 2
    assert "--reuse" in capsys.readouterr().err
    assert pages.main(["--scale", "tiny", "--runs", "0"]) == 2
    assert "no generated county" in capsys.readouterr().err
