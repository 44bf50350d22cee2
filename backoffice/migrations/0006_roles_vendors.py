"""The roles again (backoffice.roles): Support names vendors (catalog.Vendor), Finance sees them."""

from django.db import migrations

from backoffice.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0005_campaigns"),
        ("catalog", "0004_vendor"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
