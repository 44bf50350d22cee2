from django.db import migrations


def wallet_fillfactor(apps, schema_editor):
    """Leave room in each page of the wallet table for the new row version of an update, so
    that PostgreSQL updates balances in place (HOT) instead of bloating table and indexes."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE platform_wallet_wallet SET (fillfactor = 70)")


def wallet_fillfactor_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE platform_wallet_wallet RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("platform_wallet", "0002_operator_allowed_ips"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="wallet",
            name="wallet_negative",
        ),
        migrations.RunPython(wallet_fillfactor, wallet_fillfactor_reset),
    ]
