"""A transaction's hand history as staff see it: fetched from the PLATFORM on demand through
`reporting.services.hand_history.hand_history_fetch`, any failure turned into a message."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from platform_client import validation
from platform_client.client import PlatformApiError
from platform_wallet.models import Transaction
from reporting.errors import ReportingError
from reporting.services.hand_history import hand_history_fetch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandHistoryResult:
    type: str = ""
    data: dict[str, Any] | None = None
    url: str | None = None
    error: str = ""

    @property
    def safe_url(self) -> str | None:
        """The PLATFORM's link, only when it is an http(s) address with a host (never
        javascript:, data: etc.; `platform_client.validation.http_url`)."""
        try:
            return validation.http_url(self.url, "url") if self.url else None
        except validation.InvalidValue:
            return None


def hand_history_for_staff(*, transaction: Transaction) -> HandHistoryResult:
    try:
        history = hand_history_fetch(transaction=transaction)
    except (ReportingError, PlatformApiError, ValueError) as error:
        logger.warning("hand history of transaction %s: %s", transaction.transaction_id, error)
        return HandHistoryResult(error=str(error))
    return HandHistoryResult(type=history.type, data=history.data, url=history.url)
