"""The one client for the PLATFORM's operator APIs (see `platform_client.client`), and the
checks of what the PLATFORM sends (`platform_client.validation`)."""

from platform_client.client import PlatformApiError, PlatformClient, authorization_digest
from platform_client.types import (
    BalanceLimits,
    BusinessReportRow,
    CheckedList,
    GgrLimits,
    HandHistory,
    PlatformGame,
    PlatformLobby,
    RejectedRow,
)

__all__ = [
    "BalanceLimits",
    "BusinessReportRow",
    "CheckedList",
    "GgrLimits",
    "HandHistory",
    "PlatformApiError",
    "PlatformClient",
    "PlatformGame",
    "PlatformLobby",
    "RejectedRow",
    "authorization_digest",
]
