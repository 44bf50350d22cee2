"""Operator accounts as the gameplay API sees them, cached in the process.

The PLATFORM's every call names its operator id; reading the account from the database each
time would cost a round trip on the hot path, so (pk, secret) is kept for
WALLET_OPERATOR_CACHE_SECONDS. A rotated secret or a deactivated account is seen by every
process within that time; `operator_cache_clear()` drops it at once in this process.
"""

from __future__ import annotations

import ipaddress
import re
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings

from platform_wallet.models import Operator

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class OperatorAccount:
    pk: int
    operator_id: str
    secret_key: str
    allowed_networks: tuple[Network, ...] = field(default=())

    def allows(self, address: str | None) -> bool:
        """True when no allow-list is set, or the caller's address is on it."""
        if not self.allowed_networks:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in network for network in self.allowed_networks)


def parse_networks(text: str) -> tuple[Network, ...]:
    """The allow-list of an operator: addresses or CIDR networks, by line or comma."""
    return tuple(
        ipaddress.ip_network(item, strict=False) for item in re.split(r"[\s,]+", text) if item
    )


_cache: dict[str, tuple[float, OperatorAccount | None]] = {}
_lock = threading.Lock()


def operator_account(operator_id: str) -> OperatorAccount | None:
    """The active account of an operator id, or None when unknown or inactive."""
    now = time.monotonic()
    hit = _cache.get(operator_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = (
        Operator.objects.filter(operator_id=operator_id, is_active=True)
        .values_list("pk", "secret_key", "allowed_ips")
        .first()
    )
    account = OperatorAccount(row[0], operator_id, row[1], parse_networks(row[2])) if row else None
    with _lock:
        if len(_cache) > 10_000:  # unknown ids are cached too: keep the cache bounded
            _cache.clear()
        _cache[operator_id] = (now + settings.WALLET_OPERATOR_CACHE_SECONDS, account)
    return account


def operator_cache_clear() -> None:
    with _lock:
        _cache.clear()
