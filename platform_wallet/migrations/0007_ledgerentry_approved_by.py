"""LedgerEntry.approved_by: the second staff member who approved a large manual adjustment.

On PostgreSQL the column and its foreign key are added without scanning the ledger: the
column is nullable (no rewrite) and the constraint is added NOT VALID (it holds for every new
row; the existing rows are all NULL, so there is nothing to validate). A plain AddField would
validate the new foreign key by scanning the whole ledger under a lock that holds up every BET.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class AddForeignKeyWithoutScan(migrations.AddField):
    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} ADD COLUMN {quote(field.column)} "
            f"{field.db_type(schema_editor.connection)} NULL"
        )
        foreign_key = schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
        schema_editor.execute(f"{foreign_key} NOT VALID")


class Migration(migrations.Migration):

    dependencies = [
        ('platform_wallet', '0005_operator_keys_without_own_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddForeignKeyWithoutScan(
            model_name='ledgerentry',
            name='approved_by',
            field=models.ForeignKey(blank=True, db_index=False, help_text='Second staff member who approved a large manual adjustment.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
