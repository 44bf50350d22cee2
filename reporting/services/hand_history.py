"""Hand history of one transaction (spec: Hand history API).

Nothing from outside is trusted for shape (issue 10): a "url" answer is an http(s) address with
a host (the client refuses javascript:, data: and the like); a "json" answer is shown to staff
only within HAND_HISTORY_MAX_DEPTH levels and HAND_HISTORY_MAX_CHARS characters of storable
strings. Any other type (an "html" page, say) is refused by the client: the PLATFORM's HTML is
never rendered in our admin.
"""

from __future__ import annotations

import logging

from catalog.selectors import game_vendor
from platform_client import HandHistory, PlatformClient, validation
from platform_wallet.models import Transaction
from reporting.errors import HandHistoryInvalid, HandHistoryUnavailable

logger = logging.getLogger(__name__)

HAND_HISTORY_MAX_DEPTH = 32
HAND_HISTORY_MAX_CHARS = 1_000_000


def hand_history_fetch(
    *, transaction: Transaction, client: PlatformClient | None = None
) -> HandHistory:
    """Ask the PLATFORM for the hand history of `transaction`: its transaction_id, the
    context.history_id its changebalance call carried, and the vendor of its game (from the
    catalog) as X-Vendor-Id. The answer is either type "json" (the round's details in `data`)
    or type "url" (a page showing the round in `url`).

    Raises `HandHistoryUnavailable` when the transaction has no history_id or its game is not
    in the catalog (the vendor is then unknown), `PlatformApiError` when the PLATFORM does not
    answer as documented, and `HandHistoryInvalid` when its json cannot be shown safely (see
    module).
    """
    history_id = transaction.history_id or str(transaction.context.get("history_id") or "")
    if not history_id:
        raise HandHistoryUnavailable(
            f"transaction {transaction.transaction_id} has no context.history_id"
        )
    if transaction.game_id is None:
        raise HandHistoryUnavailable(f"transaction {transaction.transaction_id} has no game")
    vendor = game_vendor(operator_id=transaction.operator_id, game_id=transaction.game_id)
    if not vendor:
        raise HandHistoryUnavailable(
            f"game {transaction.game_id} of transaction {transaction.transaction_id} is not in "
            "the catalog: its vendor is unknown (sync the catalog)"
        )
    client = client or PlatformClient(transaction.operator)
    history = client.hand_history(transaction.transaction_id, history_id, vendor)
    if history.type == "json":
        try:
            validation.json_document(
                history.data,
                "hand history data",
                max_depth=HAND_HISTORY_MAX_DEPTH,
                max_chars=HAND_HISTORY_MAX_CHARS,
            )
        except validation.InvalidValue as problem:
            raise HandHistoryInvalid(
                f"hand history of transaction {transaction.transaction_id}: {problem}"
            ) from problem
    logger.info(
        "hand history of transaction %s (%s): type %s",
        transaction.transaction_id,
        vendor,
        history.type,
    )
    return history
