"""Game sessions and their tokens (spec: Player game session token).

A token is 40 characters of [A-Za-z0-9] from the operating system's CSPRNG (the spec asks for
20 to 50), one per launch, bound to player, game (or lobby) and currency.
"""

from __future__ import annotations

import secrets
import string

from django.db import transaction
from django.utils import timezone

from platform_wallet.models import GameSession, Player, Wallet
from platform_wallet.selectors import player_excluded_until

TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 40


class SessionRefused(Exception):
    """A session cannot be opened: the reason is shown to the player or staff."""


def token_generate() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def session_create(
    *,
    player: Player,
    currency: str,
    game_id: int | None = None,
    lobby_id: str = "",
) -> GameSession:
    """Open a new game session for a real-money launch and return it (with its fresh token)."""
    if player.is_closed:
        raise SessionRefused("The player's account is closed.")
    if player.is_blocked:
        raise SessionRefused("The player is blocked.")
    excluded_until = player_excluded_until(player=player)
    if excluded_until is not None:
        raise SessionRefused("The player is self-excluded: no real-money game until it ends.")
    if game_id is None and not lobby_id:
        raise SessionRefused("A session is for a game or a lobby.")
    try:
        wallet = Wallet.objects.get(player=player, currency=currency)
    except Wallet.DoesNotExist:
        raise SessionRefused(f"The player has no {currency} wallet.") from None
    with transaction.atomic():
        return GameSession.objects.create(
            token=token_generate(),
            operator_id=player.operator_id,
            player=player,
            wallet=wallet,
            game_id=game_id,
            lobby_id=lobby_id,
        )


def session_end(*, session: GameSession, reason: str) -> None:
    GameSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason[:100]
    )


def sessions_end_for_player(*, player: Player, reason: str) -> int:
    """End every open session of a player (logout, block, account closed)."""
    return GameSession.objects.filter(player=player, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason[:100]
    )
