"""The indexes of the nomination list (issue 13 §2): one per filter the list offers, in the list's order
(candidates.selectors.LIST_ORDER), and on PostgreSQL a trigram index for the search by name."""

from django.db import migrations, models


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL on PostgreSQL; nothing on SQLite, which has neither pg_trgm nor GIN indexes (its search scans the
    round's rows, as before)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ("candidates", "0006_remove_round_reserve_term_years"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="nomination",
            index=models.Index(fields=["round", "village", "-id"], include=("status", "name"),
                               name="nomination_list_idx"),
        ),
        migrations.AddIndex(
            model_name="nomination",
            index=models.Index(fields=["round", "status", "village", "-id"], include=("name",),
                               name="nomination_list_status_idx"),
        ),
        migrations.AddIndex(
            model_name="nomination",
            index=models.Index(fields=["round", "is_eligible", "village", "-id"], include=("status", "name"),
                               name="nomination_list_eligible_idx"),
        ),
        # The search by name is `name__icontains` (candidates.selectors._search), which PostgreSQL runs as
        # UPPER(name::text) LIKE UPPER('%…%'): a trigram index on that very expression answers it for three
        # characters or more (a shorter search has no trigram: it reads the round's entries of nomination_list_idx,
        # which carries the name). pg_trgm is a trusted extension: the database's owner may create it.
        PostgreSQLOnly(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX nomination_name_trgm_idx ON candidates_nomination "
                "USING gin (UPPER(name::text) gin_trgm_ops)",
            ],
            reverse_sql=["DROP INDEX IF EXISTS nomination_name_trgm_idx"],
        ),
    ]
