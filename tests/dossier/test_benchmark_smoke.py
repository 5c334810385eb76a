"""The dossier's benchmark (benchmarks/dossier.py) on every test run, at its tiny scale, so that it never rots: the
builder makes every kind of record, both documents answer, and the table is printed."""

import pytest

from benchmarks import dossier as bench
from tests.factories import TownFactory

pytestmark = pytest.mark.django_db


def test_the_builder_and_the_measure_at_the_tiny_scale():
    built = bench.build(bench.SCALES["tiny"])
    reserve = built.reserve
    assert reserve.tasks.count() == bench.SCALES["tiny"].tasks
    assert reserve.enrolments.count() == bench.SCALES["tiny"].courses
    assert reserve.assessments.count() == bench.SCALES["tiny"].assessments
    results = bench.measure(built, runs=1, memory=False)
    assert [r.label for r in results] == ["一人一档（页面）", "一人一档（A4 PDF）"]
    assert all(r.queries > 0 for r in results) and results[1].pages >= 1
    table = bench.table(results, built.counts)
    assert table.count("\n| ") == len(results) + 1


def test_the_script_refuses_a_database_with_data(monkeypatch, capsys):
    TownFactory()
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/only-checked-to-be-set.sqlite3")
    assert bench.main(["--scale", "tiny"]) == 2
    assert "empty database" in capsys.readouterr().err
