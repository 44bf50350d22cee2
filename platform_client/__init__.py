"""The one client for the PLATFORM's operator APIs (see `platform_client.client`)."""

from platform_client.client import PlatformApiError, PlatformClient, authorization_digest
from platform_client.types import (
    BalanceLimits,
    BusinessReportRow,
    GgrLimits,
    HandHistory,
    PlatformGame,
    PlatformLobby,
)

__all__ = [
    "BalanceLimits",
    "BusinessReportRow",
    "GgrLimits",
    "HandHistory",
    "PlatformApiError",
    "PlatformClient",
    "PlatformGame",
    "PlatformLobby",
    "authorization_digest",
]
