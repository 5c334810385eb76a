"""The app's database role cannot rewrite the audit log (issue 10 §6), on PostgreSQL.

manage.py setup_db_roles makes an owner role (owns every table: migrations, purge_audit) and an app role (what
the running app connects as). Connected as the app role: no UPDATE, DELETE or TRUNCATE of audit rows, no
disabling the append-only trigger, the purge flag of no use; INSERT and SELECT of audit rows and the usual work
on the other tables still go. purge_audit connected as the owner role deletes the old rows.

Roles belong to the whole PostgreSQL server, not to the test database: each test makes its own two roles with
a unique name and drops them after (giving what they owned back to the test's own user).
"""

import contextlib
import copy
import io
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.db.utils import load_backend

from reserve import audit
from reserve.models import AuditEntry, Town
from reserve.roles import Role

from .test_audit import backdate

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

A = AuditEntry.Action
TABLE = AuditEntry._meta.db_table


@pytest.fixture(autouse=True)
def _postgres_only_and_role_groups(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip(f"database roles are PostgreSQL's (this run uses {connection.vendor})")
    # The role groups come from a data migration and a transactional test flushes every table.
    for name in Role.values:
        Group.objects.get_or_create(name=name)


@contextlib.contextmanager
def connected_as(role):
    """A Django database alias on the test database, connected as `role`; removed after. (A connection made
    here, not declared in settings: the test case lets such a connection through.)"""
    alias = f"as_{role}"
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict.update(USER=role, PASSWORD="")
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        wrapper.close()
        del connections[alias]


@pytest.fixture
def roles():
    """Two new roles set up by setup_db_roles on the test database (as its superuser); dropped after."""
    suffix = uuid.uuid4().hex[:10]
    app, owner = f"reserve_app_{suffix}", f"reserve_owner_{suffix}"
    me = connection.settings_dict["USER"] or "postgres"
    try:
        out = io.StringIO()
        call_command("setup_db_roles", app_role=app, owner_role=owner, stdout=out)
        assert f"{owner} owns every table" in out.getvalue()
        yield app, owner
    finally:
        connection.close()
        with connection.cursor() as cursor:
            for role in (owner, app):
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                if cursor.fetchone():
                    cursor.execute(f'REASSIGN OWNED BY "{role}" TO "{me}"')
                    cursor.execute(f'DROP OWNED BY "{role}"')
                    cursor.execute(f'DROP ROLE "{role}"')


def refused(alias, sql, params=None):
    """Whether the statement is refused (a database error) on that connection; the transaction is undone."""
    try:
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_the_app_role_cannot_rewrite_the_audit_log(roles, office):
    app, owner = roles
    entry = audit.record(A.VIEW, user=office, obj=office)
    with connected_as(app) as alias:
        assert refused(alias, f"UPDATE {TABLE} SET username = 'x' WHERE id = %s", [entry.pk])
        assert refused(alias, f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
        assert refused(alias, f"TRUNCATE {TABLE}")
        assert refused(alias, f"ALTER TABLE {TABLE} DISABLE TRIGGER reserve_auditentry_append_only")
        assert refused(alias, f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL")
        assert refused(alias, f"DROP TABLE {TABLE}")
        assert refused(alias, "DROP FUNCTION reserve_auditentry_append_only() CASCADE")
        assert refused(alias, f"SET ROLE {owner}")
        # The purge's own flag helps it nothing: the privilege is missing, not only the trigger's leave.
        for statement in (f"DELETE FROM {TABLE} WHERE id = %s", f"UPDATE {TABLE} SET path = '' WHERE id = %s"):
            with pytest.raises(DatabaseError), transaction.atomic(using=alias), connections[alias].cursor() as c:
                c.execute("SELECT set_config('reserve.audit_purge', 'on', true)")
                c.execute(statement, [entry.pk])
        with pytest.raises(DatabaseError), transaction.atomic(using=alias):
            AuditEntry.objects.using(alias).filter(pk=entry.pk).delete()
        with pytest.raises(DatabaseError), transaction.atomic(using=alias):
            AuditEntry.objects.using(alias).filter(pk=entry.pk).update(username="x")
    assert AuditEntry.objects.get(pk=entry.pk).username == "office"
    assert AuditEntry.objects.count() == 1


def test_the_app_role_adds_and_reads_audit_rows_and_works_on_the_other_tables(roles, office):
    app, _owner = roles
    with connected_as(app) as alias:
        added = AuditEntry.objects.using(alias).create(action=A.VIEW, username="office", path="/x/")
        assert AuditEntry.objects.using(alias).filter(pk=added.pk).exists()
        town = Town.objects.using(alias).create(name="新镇")
        Town.objects.using(alias).filter(pk=town.pk).update(name="改名镇")
        assert Town.objects.using(alias).get(pk=town.pk).name == "改名镇"
        Town.objects.using(alias).filter(pk=town.pk).delete()
        assert not Town.objects.using(alias).filter(pk=town.pk).exists()
        assert refused(alias, "CREATE TABLE intruder (id int)")  # creates nothing it would own
    assert AuditEntry.objects.filter(pk=added.pk, path="/x/").exists()


def test_purge_as_the_owner_role_deletes_only_the_old_rows(roles, office, settings):
    _app, owner = roles
    settings.AUDIT_RETENTION_DAYS = 200
    old = audit.record(A.VIEW, user=office, obj=office)
    recent = audit.record(A.VIEW, user=office, obj=office)
    backdate([old.pk], 201)
    with connected_as(owner) as alias:
        out = io.StringIO()
        call_command("purge_audit", database=alias, stdout=out)
        assert out.getvalue().startswith("deleted 1 ")
        # The owner too is held by the trigger outside the purge.
        assert refused(alias, f"DELETE FROM {TABLE} WHERE id = %s", [recent.pk])
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == {recent.pk}


def test_purge_as_the_app_role_is_refused_with_a_clear_message(roles, office, settings):
    app, _owner = roles
    settings.AUDIT_RETENTION_DAYS = 200
    old = audit.record(A.VIEW, user=office, obj=office)
    backdate([old.pk], 201)
    with connected_as(app) as alias, pytest.raises(CommandError, match="owner role"):
        call_command("purge_audit", database=alias, stdout=io.StringIO())
    assert AuditEntry.objects.filter(pk=old.pk).exists()


def test_setup_is_idempotent_and_prints_its_sql(roles):
    app, owner = roles
    out = io.StringIO()
    call_command("setup_db_roles", app_role=app, owner_role=owner, stdout=out)  # a second run: no error
    assert "CREATE ROLE" not in out.getvalue()
    out = io.StringIO()
    call_command("setup_db_roles", app_role=app, owner_role=owner, print_sql=True, stdout=out)
    sql = out.getvalue()
    assert f'GRANT SELECT, INSERT ON TABLE "public"."{TABLE}" TO "{app}"' in sql
    assert "ALTER DEFAULT PRIVILEGES" in sql and "CREATE ROLE" not in sql


def test_a_table_made_by_a_later_migration_is_the_apps_to_use(roles):
    app, owner = roles
    with connected_as(owner) as alias, connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE reserve_later_table (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
    try:
        with connected_as(app) as alias, connections[alias].cursor() as cursor:
            cursor.execute("INSERT INTO reserve_later_table DEFAULT VALUES")
            cursor.execute("DELETE FROM reserve_later_table")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE reserve_later_table")


@pytest.mark.parametrize("app, owner", [("same", "same"), ("Bad-Name", "reserve_owner"), ("x;drop", "o")])
def test_setup_refuses_bad_role_names(app, owner):
    with pytest.raises(CommandError):
        call_command("setup_db_roles", app_role=app, owner_role=owner, stdout=io.StringIO())
