from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

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
        try:
            session = session_create(
                player=player,
                currency=options["currency"].upper(),
                game_id=options["game_id"],
            )
        except SessionRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(session.token)
