"""On PostgreSQL, the audit log refuses UPDATE and DELETE at the database level.

A trigger raises on any UPDATE or DELETE of reserve_auditentry unless the transaction has set
`reserve.audit_purge` to 'on' — which only the purge_audit command does, for the rows past the
retention period. Other databases (SQLite for a local run) get nothing: there the application simply
never updates or deletes the rows.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION reserve_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('reserve.audit_purge', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'reserve_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS reserve_auditentry_append_only ON reserve_auditentry;
CREATE TRIGGER reserve_auditentry_append_only
    BEFORE UPDATE OR DELETE ON reserve_auditentry
    FOR EACH ROW EXECUTE FUNCTION reserve_auditentry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS reserve_auditentry_append_only ON reserve_auditentry;
DROP FUNCTION IF EXISTS reserve_auditentry_append_only();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: the "%" of RAISE is not a placeholder

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("reserve", "0002_role_groups"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
