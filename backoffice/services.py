"""What staff do in the backoffice, as services: the admin's actions and forms call these.

Manual adjustments are `backoffice.adjustments` (money moves only through
`platform_wallet.ledger.wallet_adjust`); blocking, sessions and operator accounts go
through the wallet's own services. Every action on money and players is written to the audit
trail (`audit.services.audit_record`) in the action's own transaction.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet

from audit.models import AuditAction
from audit.services import audit_record
from catalog.models import Game, Lobby
from platform_wallet.models import GameSession, Player
from platform_wallet.services.accounts import player_block, player_unblock
from platform_wallet.services.sessions import session_end


def _staff_name(staff: AbstractBaseUser) -> str:
    return str(staff.get_username())


def player_block_by_staff(*, player: Player, reason: str, staff: AbstractBaseUser) -> None:
    """Block a player (no launch, no BET: OP_33; open sessions end), naming the staff member;
    recorded in the audit trail."""
    player_block(player=player, reason=f"{reason.strip()} (by {_staff_name(staff)})", actor=staff)


def player_unblock_by_staff(*, player: Player, reason: str, staff: AbstractBaseUser) -> None:
    """Unblock a player; recorded in the audit trail. Raises ValueError without a reason."""
    if not reason.strip():
        raise ValueError("Unblocking a player needs a reason")
    player_unblock(player=player, reason=reason, actor=staff)


def session_revoke(*, session: GameSession, reason: str, staff: AbstractBaseUser) -> None:
    """End a game session now: the PLATFORM's next BET with its token is OP_21. Recorded in the
    audit trail (against the player; the token is never written there). Raises ValueError
    without a reason."""
    if not reason.strip():
        raise ValueError("Revoking a session needs a reason")
    with transaction.atomic():
        session_end(session=session, reason=f"revoked by {_staff_name(staff)}: {reason.strip()}")
        audit_record(
            actor=staff,
            action=AuditAction.SESSION_REVOKED,
            target=session.player,
            details={"session": session.pk, "reason": reason.strip()},
        )


@transaction.atomic
def games_set_disabled(*, games: QuerySet[Game], disabled: bool) -> int:
    """Our own switch for games: the PLATFORM's flags are never touched (the sync owns them)."""
    return games.update(disabled_by_operator=disabled)


def lobbies_set_disabled(*, lobbies: QuerySet[Lobby], disabled: bool) -> int:
    return lobbies.update(disabled_by_operator=disabled)
