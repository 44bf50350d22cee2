"""Indexes of the staff pages at scale (issue 13): a player by user id alone, rounds and ledger
entries by date, manual adjustments (a partial index), the API error log by round id.

Built CONCURRENTLY on PostgreSQL (the tables stay writable while the index is built: the
wallet keeps answering during the migration), hence a non-atomic migration; plain CREATE INDEX
elsewhere (SQLite)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.operations import AddIndex


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("platform_wallet", "0012_transaction_promotions"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="apierrorlog",
            index=models.Index(fields=["round_id"], name="apierror_round"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="ledgerentry",
            index=models.Index(fields=["created_at"], name="entry_created"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("kind", "ADJUSTMENT")),
                fields=["created_at"],
                name="entry_adjustment_created",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="player",
            index=models.Index(fields=["user_id"], name="player_user_id"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="round",
            index=models.Index(fields=["created_at"], name="round_created"),
        ),
    ]
