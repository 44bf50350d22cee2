"""Who plays and what: players of the operator that can play (demo players created when there
are too few) and games to play, from our database and catalog (falling back to the simulator's
generated catalog)."""

from __future__ import annotations

import random
from decimal import Decimal

from catalog.models import Game
from operators.models import Operator
from platform_wallet.models import ResponsibleGamblingLimits, Wallet
from platform_wallet.services.accounts import player_upsert
from simulator import catalog_data
from simulator.play.model import PlayGame, PlayPlayer

DEMO_OPENING_BALANCE = Decimal("1000.00")
UNKNOWN_VENDOR = "unknown"


def play_players_prepare(
    *, operator: Operator, count: int, currency: str = "EUR"
) -> list[PlayPlayer]:
    """`count` players of the operator who can play: existing ones that are neither blocked nor
    closed and have a wallet, then new demo players (``sim-1``, ``sim-2``, ... with an opening
    balance of 1000.00 in `currency`) for the rest."""
    players: list[PlayPlayer] = []
    limited = set(
        ResponsibleGamblingLimits.objects.filter(player__operator=operator).values_list(
            "player_id", flat=True
        )
    )
    wallets = (
        Wallet.objects.filter(
            player__operator=operator, player__is_blocked=False, player__is_closed=False
        )
        .select_related("player")
        .order_by("player__user_id", "currency")
    )
    seen: set[int] = set()
    for wallet in wallets:
        if len(players) >= count:
            break
        if wallet.player_id in seen:
            continue
        seen.add(wallet.player_id)
        players.append(
            PlayPlayer(
                player_pk=wallet.player_id,
                user_id=wallet.player.user_id,
                currency=wallet.currency,
                has_limits=wallet.player_id in limited,
            )
        )
    n = 0
    while len(players) < count:
        n += 1
        user_id = f"sim-{n}"
        if any(p.user_id == user_id for p in players):
            continue
        player, wallet, _ = player_upsert(
            operator=operator,
            user_id=user_id,
            user_name=f"sim_player_{n}",
            country="Malta",
            currency=currency,
            opening_balance=DEMO_OPENING_BALANCE,
            display_name=f"Sim {n}",
        )
        if player.is_blocked or player.is_closed:
            continue
        players.append(
            PlayPlayer(
                player_pk=player.pk,
                user_id=player.user_id,
                currency=wallet.currency,
                has_limits=player.pk in limited,
            )
        )
    return players


def play_games_select(
    *, operator: Operator, limit: int = 40, seed: int | None = None
) -> list[PlayGame]:
    """Games to play: available ones from our synced catalog, else the simulator's generated
    catalog (enabled games). The vendor recorded in the book is the PLATFORM's own (the
    simulator's catalog), falling back to our catalog's."""
    rng = random.Random(seed)
    ours = list(
        Game.objects.filter(
            operator=operator, enabled=True, listed=True, disabled_by_operator=False
        ).values_list("game_id", "vendor")
    )
    if ours:
        picked = rng.sample(ours, min(limit, len(ours)))
        return [
            PlayGame(game_id, catalog_data.game_vendor(game_id) or vendor or UNKNOWN_VENDOR)
            for game_id, vendor in picked
        ]
    generated = [
        (g["id"], g["vendor"])
        for g in catalog_data.generate_games(media_base="http://simulator.invalid")
        if g["enabled"]
    ]
    picked = rng.sample(generated, min(limit, len(generated)))
    return [PlayGame(game_id, vendor) for game_id, vendor in picked]
