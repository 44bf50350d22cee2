"""The caller's address, as the operators' IP allow-lists, the rate limits, /metrics and the
logs see it (issue 10: "the client address must be the real one").

Behind reverse proxies, the socket's peer (REMOTE_ADDR) is the nearest proxy and the caller is
in X-Forwarded-For, which each proxy appends its own peer to. Anyone can write that header, so
it is read only as far as it was written by our proxies:

- WALLET_TRUSTED_PROXY_HOPS is how many proxies are in front (0: no proxy, the header is
  never read);
- WALLET_TRUSTED_PROXIES are the networks those proxies connect from. Starting at the peer,
  each hop back along X-Forwarded-For is taken only while the current address is one of them,
  and at most HOPS times. A caller that reaches the server directly (its peer address is not
  a trusted proxy) is seen as itself, whatever it writes in the header.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from platform_wallet.throttle import LogThrottle

logger = logging.getLogger("platform_wallet.addresses")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# (the settings' list object, its networks): rebuilt when the setting is replaced
_proxies: tuple[object, tuple[Network, ...]] = (None, ())
_trusted_addresses: dict[str, bool] = {}  # a few proxy addresses: bounded below
_TRUSTED_ADDRESSES_MAX = 1024
_untrusted_forwarding = LogThrottle(60.0)


def _trusted_networks() -> tuple[Network, ...]:
    global _proxies
    configured = settings.WALLET_TRUSTED_PROXIES
    if _proxies[0] is not configured:
        networks = tuple(ipaddress.ip_network(item, strict=False) for item in configured)
        _trusted_addresses.clear()
        _proxies = (configured, networks)
    return _proxies[1]


def is_trusted_proxy(address: str | None) -> bool:
    """True when `address` is in WALLET_TRUSTED_PROXIES."""
    networks = _trusted_networks()
    if not address:
        return False
    trusted = _trusted_addresses.get(address)
    if trusted is None:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            trusted = False
        else:
            trusted = any(ip in network for network in networks)
        if len(_trusted_addresses) >= _TRUSTED_ADDRESSES_MAX:
            _trusted_addresses.clear()
        _trusted_addresses[address] = trusted
    return trusted


def client_address(meta: Mapping[str, Any]) -> str | None:
    """The caller's address (see the module's docstring); the peer's when in doubt."""
    peer: str | None = meta.get("REMOTE_ADDR")
    hops = settings.WALLET_TRUSTED_PROXY_HOPS
    header = meta.get("HTTP_X_FORWARDED_FOR") if hops else None
    if not header:
        return peer
    forwarded = [item.strip() for item in header.split(",")]
    address = peer
    for _ in range(hops):
        if not is_trusted_proxy(address):
            if address == peer:
                _log_untrusted(peer)
            break
        while forwarded and not forwarded[-1]:
            forwarded.pop()
        if not forwarded:
            break
        address = forwarded.pop()
    return address


def _log_untrusted(peer: str | None) -> None:
    count = _untrusted_forwarding.admit("untrusted")
    if count is not None:
        logger.warning(
            "X-Forwarded-For from %s ignored: not a proxy in WALLET_TRUSTED_PROXIES "
            "(%d such requests); if it is your proxy, every caller is seen as it",
            peer,
            count,
        )
