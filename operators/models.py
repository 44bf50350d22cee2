"""Operator accounts: the operator ids the PLATFORM issued us, each with its secret key, the
PLATFORM's hosts and its IP allow-list. The bottom of the project's layers: every app that
serves or calls the PLATFORM needs them.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Operator(models.Model):
    """One operator id the PLATFORM issued us, with its own secret key and players.

    A casino can hold several operator ids (for brands or markets): the PLATFORM's
    X-Operator-Id header selects the account of each call.
    """

    operator_id = models.CharField(
        max_length=20, unique=True, help_text="Operator ID provided by PLATFORM."
    )
    name = models.CharField(max_length=100, blank=True)
    secret_key = models.CharField(
        max_length=255, help_text="Shared secret for request and response hashes."
    )
    api_host = models.URLField(
        blank=True, help_text="PLATFORM_API_HOST: base URL of the PLATFORM's operator APIs."
    )
    launch_host = models.URLField(
        blank=True, help_text="GAME_LAUNCH_HOST: base URL of game and lobby launch links."
    )
    is_active = models.BooleanField(
        default=True, help_text="An inactive operator id is refused (HTTP 403) like an unknown one."
    )
    allowed_ips = models.TextField(
        blank=True,
        help_text="Allow-list of the PLATFORM's IP addresses or networks (CIDR), one per line "
        "or comma-separated. Calls from other addresses get HTTP 403. Empty: in production "
        "every call is refused, unless 'allow any address' is ticked.",
    )
    allow_any_address = models.BooleanField(
        default=False,
        verbose_name="allow any address",
        help_text="Opt-out of the IP allow-list, for a private link only (a VPN or private "
        "network the PLATFORM alone reaches): calls are accepted from any address. The "
        "signatures do not cover the request data: on the open internet, keep this off and "
        "set the allow-list.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table keeps the name it had when the model lived in platform_wallet.
        db_table = "platform_wallet_operator"
        ordering = ["operator_id"]

    def __str__(self) -> str:
        return self.operator_id
