"""The Operator model moves from platform_wallet to this app (issue 11: the operator accounts
are the bottom layer every app needs). Its table keeps its name, `platform_wallet_operator`:
this migration changes Django's state only, no SQL runs."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("platform_wallet", "0008_mask_stored_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Operator",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "operator_id",
                            models.CharField(
                                help_text="Operator ID provided by PLATFORM.",
                                max_length=20,
                                unique=True,
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=100)),
                        (
                            "secret_key",
                            models.CharField(
                                help_text="Shared secret for request and response hashes.",
                                max_length=255,
                            ),
                        ),
                        (
                            "api_host",
                            models.URLField(
                                blank=True,
                                help_text="PLATFORM_API_HOST: base URL of the PLATFORM's "
                                "operator APIs.",
                            ),
                        ),
                        (
                            "launch_host",
                            models.URLField(
                                blank=True,
                                help_text="GAME_LAUNCH_HOST: base URL of game and lobby launch "
                                "links.",
                            ),
                        ),
                        (
                            "is_active",
                            models.BooleanField(
                                default=True,
                                help_text="An inactive operator id is refused (HTTP 403) like an "
                                "unknown one.",
                            ),
                        ),
                        (
                            "allowed_ips",
                            models.TextField(
                                blank=True,
                                help_text="Allow-list of the PLATFORM's IP addresses or networks "
                                "(CIDR), one per line or comma-separated. Calls from other "
                                "addresses get HTTP 403. Empty: in production every call is "
                                "refused, unless 'allow any address' is ticked.",
                            ),
                        ),
                        (
                            "allow_any_address",
                            models.BooleanField(
                                default=False,
                                help_text="Opt-out of the IP allow-list, for a private link only "
                                "(a VPN or private network the PLATFORM alone reaches): calls are "
                                "accepted from any address. The signatures do not cover the "
                                "request data: on the open internet, keep this off and set the "
                                "allow-list.",
                                verbose_name="allow any address",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, editable=False
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "platform_wallet_operator",
                        "ordering": ["operator_id"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
