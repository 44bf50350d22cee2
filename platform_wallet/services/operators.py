"""Operator accounts as the gameplay API sees them, cached in the process.

The PLATFORM's every call names its operator id; reading the account from the database each
time would cost a round trip on the hot path, so (pk, secret) is kept for
WALLET_OPERATOR_CACHE_SECONDS. A rotated secret or a deactivated account is seen by every
process within that time; `operator_cache_clear()` drops it at once in this process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from platform_wallet.models import Operator


@dataclass(frozen=True)
class OperatorAccount:
    pk: int
    operator_id: str
    secret_key: str


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
        .values_list("pk", "secret_key")
        .first()
    )
    account = OperatorAccount(row[0], operator_id, row[1]) if row else None
    with _lock:
        _cache[operator_id] = (now + settings.WALLET_OPERATOR_CACHE_SECONDS, account)
    return account


def operator_cache_clear() -> None:
    with _lock:
        _cache.clear()
