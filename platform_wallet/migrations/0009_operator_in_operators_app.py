"""The Operator model now lives in the operators app, its table unchanged: the wallet's foreign
keys point there and the model leaves this app's state. No SQL runs."""

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
        ("platform_wallet", "0008_mask_stored_tokens"),
        ("operators", "0001_initial"),
        # every other app's keys point at the new model before this one forgets it
        ("catalog", "0003_operator_in_operators_app"),
        ("reporting", "0003_operator_in_operators_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("player", "operator", _operator("players")),
                migrations.AlterField("gamesession", "operator", _operator("sessions")),
                migrations.AlterField("round", "operator", _operator("rounds")),
                migrations.AlterField("transaction", "operator", _operator("transactions")),
                migrations.AlterField(
                    "apierrorlog",
                    "operator",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="operators.operator",
                    ),
                ),
                migrations.DeleteModel("Operator"),
            ],
            database_operations=[],
        ),
    ]
