"""Operator accounts as the gameplay API sees them, cached in the process.

The PLATFORM's every call names its operator id; reading the account from the database each
time would cost a round trip on the hot path. Each process keeps a snapshot of every active
operator (a casino has a handful), read in one query and refreshed once
WALLET_OPERATOR_CACHE_SECONDS old: a rotated secret, a new or deactivated account is seen by
every process within that time; `operator_cache_clear()` drops the snapshot at once in this
process.

- Unknown operator ids (a flood of random ones, issue 10) cost nothing: they are simply not in
  the snapshot. No query, no memory per id, and the known operators are never evicted.
- Stale if error (issue 10): when the refresh cannot read the database, the last snapshot keeps
  being used (retried every WALLET_OPERATOR_RETRY_SECONDS), so that calls are still verified
  and answered with a signed ERROR while the database is away. A process that never read the
  database has no snapshot: `OperatorsUnavailable`.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import re
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError

from operators.models import Operator

logger = logging.getLogger("operators.accounts")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class OperatorsUnavailable(Exception):
    """The operator accounts could not be read and this process has never read them."""


@dataclass(frozen=True)
class OperatorAccount:
    pk: int
    operator_id: str
    secret_key: str = field(repr=False)
    allowed_networks: tuple[Network, ...] = field(default=())
    # The explicit opt-out of the allow-list ("a private link"): any address may call.
    allow_any_address: bool = False
    # False when the stored allow-list does not parse: every address is then refused.
    allowlist_valid: bool = True

    def allows(self, address: str | None, *, require_allowlist: bool) -> bool:
        """True when the caller's address is on the allow-list. Without an allow-list: True
        when the account opted out (`allow_any_address`) or when `require_allowlist` is off
        (development); production (WALLET_REQUIRE_IP_ALLOWLIST) refuses. An allow-list
        that does not parse refuses everyone."""
        if not self.allowlist_valid:
            return False
        if not self.allowed_networks:
            return self.allow_any_address or not require_allowlist
        ip = _parsed_address(address or "")
        return ip is not None and any(ip in network for network in self.allowed_networks)


@functools.lru_cache(maxsize=1024)
def _parsed_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as the allow-lists compare it (None: not an address); the PLATFORM calls
    from a few addresses, parsed once each (a flood of others only cycles the cache)."""
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def parse_networks(text: str) -> tuple[Network, ...]:
    """The allow-list of an operator: addresses or CIDR networks, by line or comma.

    Raises ValueError naming the first item that is neither."""
    networks = []
    for item in re.split(r"[\s,]+", text):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network") from None
    return tuple(networks)


def account_of(
    pk: int, operator_id: str, secret_key: str, allowed_ips: str, allow_any_address: bool
) -> OperatorAccount:
    """The account of one operator row (an allow-list that does not parse refuses all)."""
    try:
        networks, valid = parse_networks(allowed_ips), True
    except ValueError as exc:
        logger.error("operator %s: its allow-list is refused: %s", operator_id, exc)
        networks, valid = (), False
    return OperatorAccount(pk, operator_id, secret_key, networks, allow_any_address, valid)


@dataclass
class _Snapshot:
    accounts: dict[str, OperatorAccount] | None = None  # None: never read
    fresh_until: float = 0.0  # time.monotonic()


_snapshot = _Snapshot()
_lock = threading.Lock()


def _read_accounts() -> dict[str, OperatorAccount]:
    rows = Operator.objects.filter(is_active=True).values_list(
        "pk", "operator_id", "secret_key", "allowed_ips", "allow_any_address"
    )
    return {row[1]: account_of(*row) for row in rows}


def _refresh(now: float) -> dict[str, OperatorAccount]:
    """Read every active account (one query); on a database error keep the last snapshot.
    One thread reads; the others meanwhile use the last snapshot (or wait when there is
    none).

    Raises OperatorsUnavailable when there is no snapshot to keep."""
    snapshot = _snapshot
    current = snapshot.accounts
    if not _lock.acquire(blocking=current is None):
        assert current is not None
        return current  # another thread is reading them
    try:
        if snapshot.fresh_until > now:
            if snapshot.accounts is None:  # the last read failed: wait for its retry time
                raise OperatorsUnavailable("operator accounts unreadable (retrying soon)")
            return snapshot.accounts  # another thread has just read them
        try:
            accounts = _read_accounts()
        except DatabaseError as exc:
            snapshot.fresh_until = time.monotonic() + settings.WALLET_OPERATOR_RETRY_SECONDS
            if snapshot.accounts is None:
                raise OperatorsUnavailable(f"operator accounts unreadable: {exc}") from exc
            logger.warning("operator accounts unreadable, the last ones are used: %s", exc)
            return snapshot.accounts
        snapshot.accounts = accounts
        snapshot.fresh_until = now + settings.WALLET_OPERATOR_CACHE_SECONDS
        return accounts
    finally:
        _lock.release()


def operator_account(operator_id: str) -> OperatorAccount | None:
    """The active account of an operator id, or None when unknown or inactive.

    Raises OperatorsUnavailable when the accounts cannot be read and never were."""
    accounts = _snapshot.accounts
    now = time.monotonic()
    if accounts is None or _snapshot.fresh_until <= now:
        accounts = _refresh(now)
    return accounts.get(operator_id)


def operator_accounts_warm(wait_seconds: float = 10.0) -> bool:
    """Read the accounts now, trying for up to `wait_seconds` (a casino-web worker does it
    before serving its first call, so that it can answer signed errors if the database goes
    away later). False when the database could not be read."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with _lock:
                accounts = _read_accounts()
                _snapshot.accounts = accounts
                _snapshot.fresh_until = time.monotonic() + settings.WALLET_OPERATOR_CACHE_SECONDS
            return True
        except DatabaseError as exc:
            if time.monotonic() >= deadline:
                logger.warning("operator accounts unreadable at start: %s", exc)
                return False
        time.sleep(0.5)


def operator_cache_clear() -> None:
    """Forget the snapshot: the next call reads the accounts again. (Until it succeeds,
    the forgotten snapshot is not used: a deactivated account must not survive this.)"""
    with _lock:  # (after a read in progress: what it read is dropped too)
        _snapshot.accounts = None
        _snapshot.fresh_until = 0.0
