"""The ledger: the ONLY code that moves money.

Every balance change is an append-only `LedgerEntry`, written in the same database transaction
as the wallet's balance. The PLATFORM's transaction_id is the idempotency key, held by the
unique constraint on (operator, transaction_id): an identical retry replays the recorded
outcome, the same id with other data is OP_40.

Read the rules first, each module opens with its own:
- `changebalance`: BET, WIN, REFUND: lookup, then replay or refusal, then apply.
- `cancel`: reversal, repeats, cancel before arrival (OP_41, then OP_49).
- `staff`: opening balances and staff adjustments (`AdjustmentRefused`, a `LedgerError`).
Then how they are written:
- `write`: a changebalance as one PostgreSQL statement, or as a short portable transaction.
- `sql`: every statement, once, with named parameters; how they run.

Locks: a changebalance takes the wallet, then the round, then its new transaction key; a
cancel takes the transaction's row, then the wallet, and finishes the round after its commit.
No cycle is possible. A debit is a conditional UPDATE (PostgreSQL) or a Decimal computation
under the wallet's row lock: concurrent BETs never overdraw, no read-then-write race exists.
"""

from platform_wallet.ledger.cancel import CancelRequest, cancel, player_pk_of
from platform_wallet.ledger.changebalance import Balance, ChangeBalanceRequest, change_balance
from platform_wallet.ledger.errors import AdjustmentRefused, LedgerError
from platform_wallet.ledger.staff import wallet_adjust, wallet_open

__all__ = [
    "AdjustmentRefused",
    "Balance",
    "CancelRequest",
    "ChangeBalanceRequest",
    "LedgerError",
    "cancel",
    "change_balance",
    "player_pk_of",
    "wallet_adjust",
    "wallet_open",
]
