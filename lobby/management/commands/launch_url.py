"""`python manage.py launch_url`: print a game or lobby launch URL, for staff debugging.

Real mode opens a new game session for the player (as Play in the lobby does); fun mode
needs no session.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import Game, Lobby
from lobby.launch import (
    DEVICE_DESKTOP,
    DEVICES,
    MODE_FUN,
    MODE_REAL,
    MODES,
    LaunchParameterError,
    check_language,
    language_choose,
)
from lobby.services import LaunchRefused, launch_fun, launch_real
from operators.models import Operator
from platform_wallet.models import Player, Wallet
from platform_wallet.services.sessions import SessionRefused


class Command(BaseCommand):
    help = "Print a launch URL (real mode opens a new game session for the player)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", required=True, help="operator_id")
        parser.add_argument("--user-id", help="the player's user_id (required in real mode)")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--game-id", type=int, help="PLATFORM game id")
        target.add_argument("--lobby-id", help="PLATFORM lobby id (real mode)")
        parser.add_argument("--mode", choices=MODES, default=MODE_REAL)
        parser.add_argument("--device", choices=DEVICES, default=DEVICE_DESKTOP)
        parser.add_argument("--language", default="", help="IETF tag; default: the player's, or en")
        parser.add_argument("--currency", default="", help="default: the player's only wallet")
        parser.add_argument(
            "--home-url", default="", help="our lobby's absolute URL (default LOBBY_HOME_URL)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        operator = Operator.objects.filter(operator_id=options["operator"]).first()
        if operator is None:
            raise CommandError(f"No operator {options['operator']!r}.")
        player = None
        if options["user_id"]:
            player = Player.objects.filter(operator=operator, user_id=options["user_id"]).first()
            if player is None:
                raise CommandError(f"No player {options['user_id']!r} at {operator}.")
        game = lobby = None
        if options["game_id"] is not None:
            game = Game.objects.filter(operator=operator, game_id=options["game_id"]).first()
            if game is None:
                raise CommandError(f"Game {options['game_id']} is not in {operator}'s catalog.")
        else:
            lobby = Lobby.objects.filter(operator=operator, lobby_id=options["lobby_id"]).first()
            if lobby is None:
                raise CommandError(f"Lobby {options['lobby_id']!r} is not in the catalog.")
        try:
            language = (
                check_language(options["language"])
                if options["language"]
                else language_choose(profile_language=player.language if player else "")
            )
        except LaunchParameterError as error:
            raise CommandError(str(error)) from error
        home_url = options["home_url"] or settings.LOBBY_HOME_URL or None
        try:
            if options["mode"] == MODE_FUN:
                if game is None:
                    raise CommandError("Fun mode launches games only (--game-id).")
                launch = launch_fun(
                    operator=operator,
                    game=game,
                    currency=options["currency"] or settings.LOBBY_FUN_CURRENCY,
                    language=language,
                    device=options["device"],
                    home_url=home_url,
                )
            else:
                if player is None:
                    raise CommandError("Real mode needs --user-id.")
                launch = launch_real(
                    player=player,
                    currency=options["currency"] or self._only_currency(player),
                    game=game,
                    lobby=lobby,
                    language=language,
                    device=options["device"],
                    home_url=home_url,
                )
        except (LaunchRefused, SessionRefused, LaunchParameterError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(launch.url)

    @staticmethod
    def _only_currency(player: Player) -> str:
        currencies = list(
            Wallet.objects.filter(player=player)
            .order_by("currency")
            .values_list("currency", flat=True)
        )
        if len(currencies) != 1:
            raise CommandError(
                f"The player has wallets in {', '.join(currencies) or 'no currency'}: "
                "choose one with --currency."
            )
        return currencies[0]
