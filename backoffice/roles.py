"""The staff roles: Django groups and the permissions each one holds.

Created (and brought up to date) by the data migrations of this app; a staff user is given a
role by adding them to the group in the admin (Authentication > Users). Superusers hold
everything.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes

SUPPORT = "Support"
FINANCE = "Finance"

ROLES: dict[str, list[str]] = {
    # Players, sessions, transactions and the API log, read-only; block and unblock players,
    # revoke sessions, fetch hand histories, set responsible-gambling limits, name vendors.
    SUPPORT: [
        "platform_wallet.view_player",
        "platform_wallet.view_wallet",
        "platform_wallet.view_ledgerentry",
        "platform_wallet.view_gamesession",
        "platform_wallet.view_round",
        "platform_wallet.view_transaction",
        "platform_wallet.view_apierrorlog",
        "platform_wallet.view_responsiblegamblinglimits",
        "platform_wallet.add_responsiblegamblinglimits",
        "platform_wallet.change_responsiblegamblinglimits",
        "catalog.view_game",
        "catalog.view_lobby",
        "catalog.view_vendor",
        "catalog.change_vendor",
        "backoffice.block_player",
        "backoffice.revoke_session",
        "backoffice.fetch_hand_history",
        "backoffice.view_campaign",
    ],
    # Business reports, reconciliation, balance limits, manual adjustments (and approving
    # another member's large ones) and running the report jobs; players, wallets, the ledger
    # and the staff audit trail read-only (to make and check adjustments).
    FINANCE: [
        "reporting.view_businessreport",
        "reporting.view_businessreportrow",
        "reporting.view_reconciliation",
        "reporting.view_reconciliationline",
        "reporting.view_limitsnapshot",
        "reporting.view_limitalert",
        "backoffice.view_manualadjustment",
        "backoffice.adjust_wallet",
        "backoffice.approve_adjustment",
        "backoffice.view_adjustmentrequest",
        "audit.view_auditevent",
        "backoffice.run_jobs",
        "django_celery_beat.view_periodictask",
        "platform_wallet.view_player",
        "platform_wallet.view_wallet",
        "platform_wallet.view_ledgerentry",
        "platform_wallet.view_transaction",
        "platform_wallet.view_round",
        "catalog.view_game",
        "catalog.view_vendor",
        "backoffice.view_campaign",
    ],
}


def roles_sync(apps: Any, schema_editor: Any = None) -> None:
    """Create the groups and set their permissions to exactly ROLES (a migration's RunPython).

    Permissions are created first: on a fresh database Django creates them only after all
    migrations ran (post_migrate)."""
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_contenttypes(app_config, apps=apps, verbosity=0)
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _created = group_model.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            found = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            # A permission of a model (or Meta) that a later migration creates does not exist
            # yet when an earlier migration syncs the roles: that later migration syncs them
            # again (backoffice 0004). The roles test checks that every one is held in the end.
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def roles_remove(apps: Any, schema_editor: Any = None) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()
