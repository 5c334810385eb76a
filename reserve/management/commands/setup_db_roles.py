"""Set up the two PostgreSQL roles of a production database, so that the app cannot rewrite its audit log.

- The owner role (e.g. reserve_owner) owns the database, its schema and every table, sequence and
  function: `migrate`, `purge_audit` (AUDIT_PURGE_DATABASE_URL), `backup` and `restore` run as it.
- The app role (e.g. reserve_app), with which the running app connects (DATABASE_URL), owns nothing:
  SELECT, INSERT, UPDATE, DELETE on every table but the audit log, SELECT and INSERT only on the audit
  log (reserve_auditentry), USAGE on the sequences. So it cannot UPDATE, DELETE or TRUNCATE an audit
  row, disable the table's trigger (only an owner can) or drop the table; setting `reserve.audit_purge`
  helps it nothing, it lacks the privilege the trigger would be asked about.

Run as a superuser (or the owner role, when it already owns everything and may create roles), with
DATABASE_URL pointing at the production database; it is idempotent. Tables a later `migrate` (run as
the owner) creates get the app's privileges by ALTER DEFAULT PRIVILEGES; run it again after each
`migrate` anyway (it checks and says what it changed). `--print-sql` shows the statements without
running them, for a database administrator who prefers to run them by hand.
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from reserve.models import AuditEntry

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
AUDIT_PRIVILEGES = "SELECT, INSERT"


def _role(name: str) -> str:
    if not ROLE_NAME.match(name or ""):
        raise CommandError(f"Role name {name!r}: use lower-case letters, digits and _ (at most 63).")
    return name


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def _owns_something(cursor, role: str, schema: str) -> bool:
    """Whether the role owns the current database, the schema, or a relation or function in it."""
    cursor.execute("""
        SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = current_database() AND pg_get_userbyid(datdba) = %s)
            OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s AND pg_get_userbyid(nspowner) = %s)
            OR EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = %s AND pg_get_userbyid(c.relowner) = %s)
            OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                       WHERE n.nspname = %s AND pg_get_userbyid(p.proowner) = %s)""",
                   [role, schema, role, schema, role, schema, role])
    return cursor.fetchone()[0]


def plan(cursor, *, app: str, owner: str, database: str, schema: str, audit_table: str) -> list[str]:
    """The statements that bring the database to the two roles' state (read from the catalogue)."""
    a, o, db, s, audit = _q(app), _q(owner), _q(database), _q(schema), _q(audit_table)
    sql = []
    for role in (owner, app):
        if not _exists(cursor, role):
            sql.append(f"CREATE ROLE {_q(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS")
    if _exists(cursor, app) and _owns_something(cursor, app, schema):
        # Whatever the app role owns here (it did when it ran the migrations itself) passes to the owner.
        sql.append(f"REASSIGN OWNED BY {a} TO {o}")
    cursor.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
    if cursor.fetchone()[0] != owner:
        sql.append(f"ALTER DATABASE {db} OWNER TO {o}")
    cursor.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %s", [schema])
    if cursor.fetchone()[0] != owner:
        sql.append(f"ALTER SCHEMA {s} OWNER TO {o}")
    # Every table, view, sequence and function of the schema to the owner (the trigger's function too: whoever
    # owns it could rewrite it).
    cursor.execute("""
        SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND pg_get_userbyid(c.relowner) <> %s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')
                          AND c.relkind = 'S')
        ORDER BY c.relname""", [schema, owner])
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    for name, kind in cursor.fetchall():
        sql.append(f"ALTER {kinds[kind]} {s}.{_q(name)} OWNER TO {o}")
    cursor.execute("""
        SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = %s AND pg_get_userbyid(p.proowner) <> %s ORDER BY 1""", [schema, owner])
    for (signature,) in cursor.fetchall():
        sql.append(f"ALTER FUNCTION {signature} OWNER TO {o}")
    sql += [
        # Nobody but the owner creates objects in the schema; the app connects and reads the schema.
        f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA {s} FROM {a}",
        f"GRANT USAGE ON SCHEMA {s} TO {a}",
        f"REVOKE CREATE ON DATABASE {db} FROM {a}",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {a}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {a}",
        f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {s} TO {a}",
        f"REVOKE ALL ON TABLE {s}.{audit} FROM {a}",
        f"REVOKE ALL ON TABLE {s}.{audit} FROM PUBLIC",
        f"GRANT {AUDIT_PRIVILEGES} ON TABLE {s}.{audit} TO {a}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {a}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {a}",
        # Tables and sequences the owner creates later (migrate) are the app's to use at once.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT {TABLE_PRIVILEGES} ON TABLES TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {a}",
    ]
    return sql


def check(cursor, *, app: str, owner: str, schema: str, audit_table: str) -> list[str]:
    """What is still wrong once the statements ran: empty when the app role cannot rewrite the audit log."""
    problems = []
    cursor.execute("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = %s", [app])
    row = cursor.fetchone()
    if row is None:
        return [f"the role {app} does not exist"]
    if any(row):
        problems.append(f"{app} is a superuser or may bypass row security or create roles")
    cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app, owner])
    if cursor.fetchone()[0]:
        problems.append(f"{app} is a member of {owner} (it could act as the owner)")
    if _owns_something(cursor, app, schema):
        problems.append(f"{app} still owns the database, the schema {schema} or objects in it")
    for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"):
        cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app, f"{_q(schema)}.{_q(audit_table)}", privilege])
        if cursor.fetchone()[0]:
            problems.append(f"{app} holds {privilege} on {audit_table}")
    return problems


class Command(BaseCommand):
    help = ("在 PostgreSQL 中设置应用账号（只能新增、读取审计日志）与属主账号（迁移、清理审计日志），可重复运行。"
            "以超级用户或属主身份运行。")

    def add_arguments(self, parser):
        parser.add_argument("--app-role", default="reserve_app", help="应用连接数据库所用的角色（DATABASE_URL）")
        parser.add_argument("--owner-role", default="reserve_owner", help="拥有全部表的角色（迁移、清理审计日志）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Django 数据库别名")
        parser.add_argument("--print-sql", action="store_true", help="只打印将执行的 SQL，不执行")

    def handle(self, *args, app_role, owner_role, database, print_sql=False, **options):
        app, owner = _role(app_role), _role(owner_role)
        if app == owner:
            raise CommandError("The app role and the owner role must be two different roles.")
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("setup_db_roles is for PostgreSQL; SQLite has no roles (the app never rewrites "
                               "the audit log, but nothing stops a process that can write the file).")
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_schema()")
            db_name, schema = cursor.fetchone()
            statements = plan(cursor, app=app, owner=owner, database=db_name, schema=schema,
                              audit_table=AuditEntry._meta.db_table)
            if print_sql:
                for statement in statements:
                    self.stdout.write(statement + ";")
                transaction.set_rollback(True, using=database)
                return
            for statement in statements:
                cursor.execute(statement)
            problems = check(cursor, app=app, owner=owner, schema=schema, audit_table=AuditEntry._meta.db_table)
            if problems:
                raise CommandError("Not set up: " + "; ".join(problems))
        created = [s for s in statements if s.startswith("CREATE ROLE")]
        self.stdout.write(f"database {db_name}: {owner} owns every table; {app} may read and write the tables "
                          f"and only read and add to the audit log ({len(statements)} statements)")
        for statement in created:
            self.stdout.write(f"created: {statement} — set its password (ALTER ROLE … PASSWORD) or allow it in "
                              f"pg_hba.conf")
