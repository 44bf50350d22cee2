"""`python manage.py sync_catalog --operator ID`: sync the PLATFORM's games and lobbies."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.services import catalog_sync
from operators.models import Operator
from platform_client import PlatformApiError


class Command(BaseCommand):
    help = "Fetch the PLATFORM's games and lobbies lists for an operator and update the catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", required=True, help="operator_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            operator = Operator.objects.get(operator_id=options["operator"])
        except Operator.DoesNotExist as exc:
            raise CommandError(f"unknown operator {options['operator']!r}") from exc
        if not operator.api_host:
            raise CommandError(f"operator {operator.operator_id} has no PLATFORM API host")
        verbose = options["verbosity"] > 0
        try:
            result = catalog_sync(
                operator=operator, progress=self.stdout.write if verbose else None
            )
        except PlatformApiError as exc:
            raise CommandError(str(exc)) from exc
        for row in result.skipped:
            self.stderr.write(self.style.WARNING(f"Skipped (not valid): {row}"))
        if verbose:
            skipped = (
                f" {result.games_skipped} games and {result.lobbies_skipped} lobbies skipped "
                "(not valid, listed above)."
                if result.skipped
                else ""
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Catalog of {operator.operator_id} synced: {result.created} created, "
                    f"{result.updated} updated, {result.unavailable} made unavailable.{skipped}"
                )
            )
