"""The staff roles Support and Finance (backoffice.roles): groups with their permissions."""

from django.db import migrations

from backoffice.roles import roles_remove, roles_sync


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("platform_wallet", "0002_operator_allowed_ips"),
        ("catalog", "0001_initial"),
        ("reporting", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(roles_sync, roles_remove)]
