"""Hand history of one transaction (spec: Hand history API)."""

from __future__ import annotations

import logging

from catalog.models import Game
from platform_client import HandHistory, PlatformClient
from platform_wallet.models import Transaction
from reporting.errors import HandHistoryUnavailable

logger = logging.getLogger(__name__)


def hand_history_fetch(
    *, transaction: Transaction, client: PlatformClient | None = None
) -> HandHistory:
    """Ask the PLATFORM for the hand history of `transaction`: its transaction_id, the
    context.history_id its changebalance call carried, and the vendor of its game (from the
    catalog) as X-Vendor-Id. The answer is either type "json" (the round's details in `data`)
    or type "url" (a page showing the round in `url`).

    Raises `HandHistoryUnavailable` when the transaction has no history_id or its game is not
    in the catalog (the vendor is then unknown), and `PlatformApiError` when the PLATFORM does
    not answer as documented.
    """
    history_id = transaction.history_id or str(transaction.context.get("history_id") or "")
    if not history_id:
        raise HandHistoryUnavailable(
            f"transaction {transaction.transaction_id} has no context.history_id"
        )
    if transaction.game_id is None:
        raise HandHistoryUnavailable(f"transaction {transaction.transaction_id} has no game")
    vendor = (
        Game.objects.filter(operator_id=transaction.operator_id, game_id=transaction.game_id)
        .values_list("vendor", flat=True)
        .first()
    )
    if not vendor:
        raise HandHistoryUnavailable(
            f"game {transaction.game_id} of transaction {transaction.transaction_id} is not in "
            "the catalog: its vendor is unknown (sync the catalog)"
        )
    client = client or PlatformClient(transaction.operator)
    history = client.hand_history(transaction.transaction_id, history_id, vendor)
    logger.info(
        "hand history of transaction %s (%s): type %s",
        transaction.transaction_id,
        vendor,
        history.type,
    )
    return history
