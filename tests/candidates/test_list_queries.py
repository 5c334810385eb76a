"""The nomination list at scale (issue 13 §2): the same queries for 3 rows as for 60, only the columns shown (no ID
number decrypted), an order the indexes serve and that pages neither repeat nor skip, each filter and the name
search, and on PostgreSQL the indexes themselves."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates import selectors
from candidates.models import Nomination, Status
from reserve import crypto
from tests.factories import NominationFactory, VillageFactory
from tests.helpers import page

LIST = reverse("candidates:nomination_list")
PAGE_SIZE = 20


@pytest.fixture
def villages(town, village_a, village_b):
    return [village_a, village_b, VillageFactory(town=town, name="南湖村")]


def make_rows(round_, villages, n, **kwargs) -> list[Nomination]:
    return [NominationFactory(round=round_, village=villages[i % len(villages)], submitted=True,
                              person__name=f"列表{i:03d}", **kwargs) for i in range(n)]


def list_queries(client, query="") -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST + query)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def ids_on(client, query="") -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/nominations/(\d+)/"', page(client.get(LIST + query)))]


@pytest.mark.parametrize("query", ["", "?page=2", "?status=submitted", "?eligible=yes", "?q=列表", "?q=列表00"])
def test_the_same_queries_for_3_rows_as_for_60(client, office, round_, villages, query):
    make_rows(round_, villages, 3)
    client.force_login(office)
    client.get(LIST)  # the account's facts and the menu, cached
    few = len(list_queries(client, query))
    make_rows(round_, villages, 57)
    assert len(list_queries(client, query)) == few
    assert few <= 15


def test_the_page_reads_only_the_columns_it_shows_and_decrypts_nothing(client, office, round_, villages,
                                                                       monkeypatch):
    make_rows(round_, villages, 25)
    client.force_login(office)
    client.get(LIST)
    decrypted = []
    real = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda token: decrypted.append(token) or real(token))
    rows = [sql for sql in list_queries(client) if "candidates_nomination" in sql and "COUNT" not in sql]
    assert decrypted == []
    assert rows and all(column not in sql for sql in rows for column in (
        "id_number_encrypted", '"statement"', '"awards_punishments"', '"phone"', '"hukou_address"'))


def test_pages_follow_village_then_latest_first_and_neither_repeat_nor_skip(client, office, round_, villages):
    rows = make_rows(round_, villages, 45)
    client.force_login(office)
    seen = ids_on(client) + ids_on(client, "?page=2") + ids_on(client, "?page=3")
    expected = [n.pk for n in sorted(rows, key=lambda n: (n.village_id, -n.pk))]
    assert seen == expected


def test_each_filter_gives_its_rows(client, office, round_, villages):
    rows = make_rows(round_, villages, 6)
    Nomination.objects.filter(pk=rows[0].pk).update(status=Status.ACCEPTED, is_eligible=False)
    client.force_login(office)
    assert ids_on(client, "?status=accepted") == [rows[0].pk]
    assert ids_on(client, "?eligible=no") == [rows[0].pk]
    assert sorted(ids_on(client, f"?village={villages[1].pk}")) == [rows[1].pk, rows[4].pk]
    assert ids_on(client, "?q=列表003") == [rows[3].pk]
    assert ids_on(client, "?q=表00") == [n.pk for n in sorted(rows, key=lambda n: (n.village_id, -n.pk))]


def test_a_page_beyond_the_last_shows_the_last(client, office, round_, villages):
    rows = make_rows(round_, villages, 21)
    client.force_login(office)
    assert len(ids_on(client, "?page=99")) == 1 and ids_on(client, "?page=x") == ids_on(client)
    assert len(rows) == 21


def test_the_list_selector_keeps_other_towns_and_drafts_out(office, round_, villages, other_town):
    from tests.factories import RoundFactory

    mine = make_rows(round_, villages, 2)
    NominationFactory(round=round_, village=villages[0])  # a draft: the village branch's own
    NominationFactory(round=RoundFactory(town=other_town), village=VillageFactory(town=other_town), submitted=True)
    listed = selectors.nomination_list_page(selectors.nomination_list(office, round_id=round_.pk), 1, PAGE_SIZE)
    assert sorted(n.pk for n in listed) == sorted(n.pk for n in mine)


# --------------------------------------------------------------------------- PostgreSQL: the indexes

LIST_INDEXES = {
    "nomination_list_idx": ["round_id", "village_id", "id"],
    "nomination_list_status_idx": ["round_id", "status", "village_id", "id"],
    "nomination_list_eligible_idx": ["round_id", "is_eligible", "village_id", "id"],
}


@pytest.mark.django_db
def test_the_list_indexes_match_its_filters_and_order():
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Nomination._meta.db_table)
    for name, columns in LIST_INDEXES.items():
        assert found[name]["columns"][:len(columns)] == columns and found[name]["index"]  # (then the INCLUDEd)


@pytest.mark.django_db
def test_the_name_search_has_a_trigram_index_on_postgresql():
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, Nomination._meta.db_table)
        assert "nomination_name_trgm_idx" not in found  # SQLite: the migration does nothing
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'nomination_name_trgm_idx'")
        (definition,) = cursor.fetchone()
        # The expression Django's icontains sends: UPPER("name"::text) LIKE UPPER(%s).
        sql, params = Nomination.objects.filter(name__icontains="王秀英").query.sql_with_params()
    assert "gin" in definition.lower() and "gin_trgm_ops" in definition and "upper((name)::text)" in definition
    assert 'UPPER("candidates_nomination"."name"::text) LIKE UPPER(%s)' in sql


def test_the_name_search_finds_a_part_of_a_name_and_on_postgresql_through_the_trigram_index(round_, village_a):
    rows = make_rows(round_, [village_a], 3)
    qs = Nomination.objects.filter(name__icontains="表001").values("pk")
    assert list(qs) == [{"pk": rows[1].pk}]
    if connection.vendor != "postgresql":
        return  # SQLite: no index for a search inside a name; the list reads the round's rows
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is read whole, or through the list's index that carries the name: the test's transaction
        # drops those (rolled back at its end) to show that the search's expression is the trigram index's.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for name in LIST_INDEXES:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "nomination_name_trgm_idx" in plan
