"""The Operator model now lives in the operators app (same table): state only, no SQL."""

import django.db.models.deletion
from django.db import migrations, models


def _operator(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="operators.operator",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_operator_keys_without_own_index"),
        ("operators", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("game", "operator", _operator("games")),
                migrations.AlterField("lobby", "operator", _operator("lobbies")),
            ],
            database_operations=[],
        ),
    ]
