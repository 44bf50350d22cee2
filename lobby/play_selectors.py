"""Reads for the play page: the live balance of the game session's wallet and what the
reality check shows (time played in the session, its net result from the ledger).

Everything is looked up through the player: a session id that is not the player's own gives
None, never another player's wallet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from money import format_money, to_money
from platform_wallet.models import GameSession, Player, Transaction
from platform_wallet.redact import mask_token
from platform_wallet.selectors import applied_total


@dataclass(frozen=True)
class PlayStatus:
    """The play page's top bar and reality check for one game session."""

    currency: str
    balance: Decimal
    started_at: dt.datetime
    played_seconds: int
    bets: Decimal
    wins: Decimal  # WINs and REFUNDs: money paid back to the player

    @property
    def net_result(self) -> Decimal:
        """What the session won or lost: wins + refunds - bets (applied transactions only)."""
        return self.wins - self.bets

    def as_json(self) -> dict[str, object]:
        return {
            "currency": self.currency,
            "balance": str(self.balance),
            "balance_formatted": format_money(self.balance, self.currency),
            "started_at": self.started_at.isoformat(),
            "played_seconds": self.played_seconds,
            "net_result": str(self.net_result),
            "net_result_formatted": format_money(self.net_result, self.currency),
        }


def play_session_of_player(*, player: Player, session_id: int) -> GameSession | None:
    """The player's own game session (with its wallet), None for anyone else's."""
    return GameSession.objects.select_related("wallet").filter(pk=session_id, player=player).first()


def play_status(
    *, player: Player, session_id: int, now: dt.datetime | None = None
) -> PlayStatus | None:
    """The balance of the session's wallet and the session's totals so far; None when the
    session is not the player's."""
    session = play_session_of_player(player=player, session_id=session_id)
    if session is None:
        return None
    totals = applied_total(
        Transaction.objects.filter(
            player=player,
            wallet=session.wallet,
            created_at__gte=session.created_at,
            # transactions keep the token masked (a credential): first and last four
            # characters, which tell one of the player's sessions from another
            token=mask_token(session.token),
        )
    )
    now = now or timezone.now()
    return PlayStatus(
        currency=session.wallet.currency,
        balance=to_money(session.wallet.balance),
        started_at=session.created_at,
        played_seconds=max(0, int((now - session.created_at).total_seconds())),
        bets=totals.bets,
        wins=totals.wins,
    )
