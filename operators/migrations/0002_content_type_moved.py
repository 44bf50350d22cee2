"""The operator model's content type follows it from platform_wallet to this app, so that its
permissions (and who holds them) and the admin's history of operator accounts are kept."""

from typing import Any

from django.db import migrations


def content_type_move(apps: Any, schema_editor: Any) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    old = content_type.objects.filter(app_label="platform_wallet", model="operator").first()
    if old is None:
        return  # a fresh database: Django creates the new one after migrating
    # One made for the new app before this ran (a data migration that creates content types)
    # holds nothing yet: the old one, with its permissions and history, takes its place.
    content_type.objects.filter(app_label="operators", model="operator").delete()
    old.app_label = "operators"
    old.save(update_fields=["app_label"])


def content_type_back(apps: Any, schema_editor: Any) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="platform_wallet", model="operator").delete()
    content_type.objects.filter(app_label="operators", model="operator").update(
        app_label="platform_wallet"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("operators", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(content_type_move, content_type_back)]
