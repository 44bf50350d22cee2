from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from money import is_whole_cents
from operators.models import Operator
from operators.services import AccountRefused
from platform_wallet.ledger import LedgerError
from platform_wallet.services.accounts import player_upsert


class Command(BaseCommand):
    help = "Create or update a player with a wallet; the opening balance is a ledger entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", required=True, help="operator id")
        parser.add_argument("--user-id", required=True)
        parser.add_argument("--user-name", required=True)
        parser.add_argument("--country", required=True)
        parser.add_argument("--currency", required=True)
        parser.add_argument("--balance", required=True, help="opening balance, e.g. 100.00")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--group", default="")
        parser.add_argument("--blocked", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            operator = Operator.objects.get(operator_id=options["operator"])
        except Operator.DoesNotExist:
            raise CommandError(f"Unknown operator {options['operator']!r}") from None
        try:
            balance = Decimal(options["balance"])
        except InvalidOperation:
            raise CommandError("--balance must be a number such as 100.00") from None
        if not is_whole_cents(balance) or balance < 0:
            raise CommandError("--balance must be non-negative with at most 2 decimals")
        try:
            player, wallet, created = player_upsert(
                operator=operator,
                user_id=options["user_id"],
                user_name=options["user_name"],
                country=options["country"],
                currency=options["currency"],
                opening_balance=balance,
                display_name=options["display_name"],
                group=options["group"],
                blocked=options["blocked"],
            )
        except (AccountRefused, LedgerError) as exc:  # a refused field; a refused balance
            raise CommandError(str(exc)) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} player {player.user_id} of {operator.operator_id}: "
                f"{wallet.currency} {wallet.balance}" + (" (blocked)" if player.is_blocked else "")
            )
        )
