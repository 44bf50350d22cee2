"""`manage.py issue_token`: open a game session for a player and print its token (the last
line of output), for certification scripts and staff debugging. Warns on stderr when the game
is not in the operator's synced catalog or is not playable (it still issues the token: a
PLATFORM test game may come before any catalog exists)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import Game
from platform_wallet.models import Player
from platform_wallet.services.sessions import SessionRefused, session_create


class Command(BaseCommand):
    help = "Open a game session for a player and print its token (the last line of output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", required=True, help="operator id")
        parser.add_argument("--user-id", required=True)
        parser.add_argument("--game-id", type=int, required=True)
        parser.add_argument("--currency", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            player = Player.objects.get(
                operator__operator_id=options["operator"], user_id=options["user_id"]
            )
        except Player.DoesNotExist:
            raise CommandError("Unknown player for that operator") from None
        warning = _game_warning(operator_pk=player.operator_id, game_id=options["game_id"])
        if warning:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        try:
            session = session_create(
                player=player,
                currency=options["currency"].upper(),
                game_id=options["game_id"],
            )
        except SessionRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(session.token)


def _game_warning(*, operator_pk: int, game_id: int) -> str | None:
    """Why a BET in this game would be refused (OP_35), if the catalog says so."""
    games = Game.objects.filter(operator_id=operator_pk)
    game = games.filter(game_id=game_id).first()
    if game is None:
        if not games.exists():
            return None  # no catalog synced yet: nothing to check against
        return f"game {game_id} is not in the operator's catalog (sync_catalog); BETs are accepted"
    if not game.is_available:
        why = "disabled by the operator" if game.disabled_by_operator else "not offered"
        return f"game {game_id} ({game.title}) is {why}: its BETs will be refused with OP_35"
    return None
