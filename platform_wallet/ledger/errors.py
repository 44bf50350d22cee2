"""The money service's own refusals, for money that moves outside gameplay (opening balances,
staff adjustments). Gameplay refusals are `platform_wallet.errors.WalletError` (an OP_xx code).

Not ValueErrors: a caller that catches these catches refusals only, never a bug's ValueError.
"""

from __future__ import annotations


class LedgerError(Exception):
    """The ledger refused to move money as asked; the message says why, for staff."""


class AdjustmentRefused(LedgerError):
    """An opening balance or a manual adjustment cannot move as asked."""
