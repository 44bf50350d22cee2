from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_wallet.services.accounts import operator_upsert


class Command(BaseCommand):
    help = "Create or update an operator account (operator id, secret key, PLATFORM hosts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operator_id")
        parser.add_argument("--secret-key", required=True)
        parser.add_argument("--api-host", help="PLATFORM_API_HOST, e.g. https://api-host.com")
        parser.add_argument("--launch-host", help="GAME_LAUNCH_HOST, e.g. https://games.example")
        parser.add_argument("--name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            operator, created = operator_upsert(
                operator_id=options["operator_id"],
                secret_key=options["secret_key"],
                api_host=options["api_host"],
                launch_host=options["launch_host"],
                name=options["name"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} operator {operator.operator_id}"))
