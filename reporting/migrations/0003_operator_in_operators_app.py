"""The Operator model now lives in the operators app (same table): state only, no SQL."""

import django.db.models.deletion
from django.db import migrations, models


def _operator(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="operators.operator",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_default_schedules"),
        ("operators", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    "businessreport", "operator", _operator("business_reports")
                ),
                migrations.AlterField("reconciliation", "operator", _operator("reconciliations")),
                migrations.AlterField("limitsnapshot", "operator", _operator("limit_snapshots")),
                migrations.AlterField("limitalert", "operator", _operator("limit_alerts")),
            ],
            database_operations=[],
        ),
    ]
