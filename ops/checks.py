"""`manage.py check --deploy` checks of the ops endpoints and the client address (issue 10).

- ops.W001: METRICS_TOKEN is not set: in production /metrics answers 403 to everyone
  (Prometheus must send `Authorization: Bearer <METRICS_TOKEN>`).
- ops.W002: WALLET_TRUSTED_PROXY_HOPS is set but WALLET_TRUSTED_PROXIES is empty: the
  X-Forwarded-For header is never read, every caller is seen as the proxy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def metrics_token_is_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.METRICS_TOKEN:
        return []
    return [
        Warning(
            "METRICS_TOKEN is not set: in production /metrics answers 403 to everyone.",
            hint="Set METRICS_TOKEN and have Prometheus send it as a bearer token.",
            id="ops.W001",
        )
    ]


@register(Tags.security, deploy=True)
def trusted_proxies_are_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.WALLET_TRUSTED_PROXY_HOPS and not settings.WALLET_TRUSTED_PROXIES:
        return [
            Warning(
                "WALLET_TRUSTED_PROXY_HOPS is set but WALLET_TRUSTED_PROXIES is empty: "
                "X-Forwarded-For is never read and every caller is seen as the proxy.",
                hint="Set WALLET_TRUSTED_PROXIES to the networks your proxies connect from.",
                id="ops.W002",
            )
        ]
    return []
