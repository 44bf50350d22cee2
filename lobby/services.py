"""Game and lobby launches: a new session (real mode) and the launch URL.

Used by the lobby views and by `manage.py launch_url`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from catalog.models import Game, Lobby
from lobby.launch import (
    MODE_FUN,
    MODE_REAL,
    LaunchParameters,
    Opening,
    launch_opening,
    launch_url_build,
)
from lobby.models import Favourite
from lobby.selectors import lobby_title
from operators.models import Operator
from platform_wallet.models import GameSession, Player
from platform_wallet.services.sessions import session_create


class LaunchRefused(Exception):
    """The launch is refused; the message is shown to the player."""


@dataclass(frozen=True)
class Launch:
    url: str
    opening: Opening
    title: str
    session: GameSession | None = None


def _setting(name: str) -> str | None:
    value = getattr(settings, name, "")
    return value or None


def launch_real(
    *,
    player: Player,
    currency: str,
    game: Game | None = None,
    lobby: Lobby | None = None,
    language: str,
    device: str,
    home_url: str | None,
) -> Launch:
    """Open a new game session for the player and build its real-mode launch URL.

    The session and the URL are made in one database transaction: a parameter the spec
    refuses (`LaunchParameterError`) leaves no session behind. Raises `LaunchRefused` for a
    game or lobby that is not available, `SessionRefused` for a blocked or closed player or
    a currency the player has no wallet in.
    """
    if (game is None) == (lobby is None):
        raise ValueError("launch a game or a lobby")
    operator: Operator = player.operator
    if game is not None and (game.operator_id != operator.pk or not game.is_available):
        raise LaunchRefused(f"{game.title} is not available.")
    if lobby is not None and (lobby.operator_id != operator.pk or not lobby.is_available):
        raise LaunchRefused(f"The lobby {lobby.lobby_id} is not available.")
    with transaction.atomic():
        session = session_create(
            player=player,
            currency=currency,
            game_id=game.game_id if game is not None else None,
            lobby_id=lobby.lobby_id if lobby is not None else "",
        )
        url = launch_url_build(
            LaunchParameters(
                launch_host=operator.launch_host,
                mode=MODE_REAL,
                operator_id=operator.operator_id,
                game_id=game.game_id if game is not None else None,
                lobby_id=lobby.lobby_id if lobby is not None else None,
                token=session.token,
                currency=session.wallet.currency,
                language=language,
                home_url=home_url,
                deposit_url=_setting("LOBBY_DEPOSIT_URL"),
                device=device,
                group=player.group or _setting("LOBBY_LAUNCH_GROUP"),
                client_name=_setting("LOBBY_CLIENT_NAME"),
            )
        )
    opening = launch_opening(
        device=device,
        lobby_id=lobby.lobby_id if lobby is not None else None,
        game_platform=game.platform if game is not None else "",
    )
    title = game.title if game is not None else lobby_title(lobby) if lobby is not None else ""
    return Launch(url=url, opening=opening, title=title, session=session)


def launch_fun(
    *,
    operator: Operator,
    game: Game,
    currency: str | None,
    language: str,
    device: str,
    home_url: str | None,
) -> Launch:
    """The fun/demo launch URL of a game that supports it: no token, no session, no money."""
    if game.operator_id != operator.pk or not game.is_available:
        raise LaunchRefused(f"{game.title} is not available.")
    if not game.fun_mode:
        raise LaunchRefused(f"{game.title} has no demo mode.")
    url = launch_url_build(
        LaunchParameters(
            launch_host=operator.launch_host,
            mode=MODE_FUN,
            operator_id=operator.operator_id,
            game_id=game.game_id,
            currency=currency or None,
            language=language,
            home_url=home_url,
            # The spec's fun-mode template names the lobby URL lobby_url, its table home_url:
            # both are sent.
            lobby_url=home_url,
            device=device,
        )
    )
    return Launch(
        url=url,
        opening=launch_opening(device=device, game_platform=game.platform),
        title=game.title,
    )


def favourite_set(*, player: Player, game: Game, favourite: bool) -> bool:
    """Mark or unmark one of the operator's games as the player's favourite (idempotent);
    returns the new state. Raises `LaunchRefused` for another operator's game."""
    if game.operator_id != player.operator_id:
        raise LaunchRefused(f"{game.title} is not available.")
    if favourite:
        Favourite.objects.get_or_create(player=player, game=game)
    else:
        Favourite.objects.filter(player=player, game=game).delete()
    return favourite
