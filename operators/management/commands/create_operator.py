import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operators.services import AccountRefused, operator_upsert


class Command(BaseCommand):
    help = (
        "Create or update an operator account (operator id, secret key, PLATFORM hosts, IP "
        "allow-list). In production an operator without an allow-list is refused (HTTP 403) "
        "unless it opts out with --allow-any-address."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operator_id")
        parser.add_argument("--secret-key", required=True)
        parser.add_argument(
            "--api-host",
            help="PLATFORM_API_HOST, e.g. https://api-host.com (https unless DEBUG)",
        )
        parser.add_argument(
            "--launch-host",
            help="GAME_LAUNCH_HOST, e.g. https://games.example (https unless DEBUG)",
        )
        parser.add_argument("--name")
        parser.add_argument(
            "--allowed-ips",
            help="the PLATFORM's IP addresses or CIDR networks, comma-separated "
            "(replaces the stored list; '' clears it)",
        )
        parser.add_argument(
            "--allow-any-address",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="opt out of the IP allow-list: accept calls from any address (only for a "
            "private link the PLATFORM alone reaches)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            operator, created = operator_upsert(
                operator_id=options["operator_id"],
                secret_key=options["secret_key"],
                api_host=options["api_host"],
                launch_host=options["launch_host"],
                name=options["name"],
                allowed_ips=options["allowed_ips"],
                allow_any_address=options["allow_any_address"],
            )
        except AccountRefused as exc:
            raise CommandError(str(exc)) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} operator {operator.operator_id}"))
        if operator.allow_any_address:
            self.stdout.write(
                self.style.WARNING(
                    "It accepts gameplay calls from any address (--allow-any-address)."
                )
            )
        elif not operator.allowed_ips:
            self.stdout.write(
                self.style.WARNING(
                    "It has no IP allow-list: in production its calls are refused (HTTP 403) "
                    "until --allowed-ips is set."
                )
            )
