"""The roles again (backoffice.roles): Finance approves large adjustments and sees the
adjustment requests and the staff audit trail."""

from django.db import migrations

from backoffice.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0003_adjustment_requests"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
