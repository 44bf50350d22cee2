"""`manage.py run_platform_simulator`: serve the PLATFORM simulator (see simulator.server)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from simulator.catalog_data import DEFAULT_GAME_COUNT
from simulator.ledger_book import default_book_path
from simulator.server import make_server


class Command(BaseCommand):
    help = (
        "Serve the PLATFORM's operator APIs (games, lobbies, businessReport, ggrLimits, "
        "balanceLimits, handHistory), thumbnails and a game launch page on 127.0.0.1:PORT."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--operator-id", required=True)
        parser.add_argument("--secret-key", required=True)
        parser.add_argument(
            "--wallet-url",
            default="",
            help="Our gameplay API base, e.g. http://127.0.0.1:8000/api/wallet/ (launch page "
            "authenticates real-mode tokens against it).",
        )
        parser.add_argument(
            "--book", default=str(default_book_path()), help="Ledger book file (SQLite)."
        )
        parser.add_argument("--entity-name", default="", help="businessReport entity_name.")
        parser.add_argument("--games", type=int, default=DEFAULT_GAME_COUNT)
        parser.add_argument("--balance-currency", default="USD")
        parser.add_argument("--available-balance", type=Decimal, default=Decimal("107881.02"))
        parser.add_argument(
            "--no-balance-limits",
            action="store_true",
            help='balanceLimits answers "enabled": false',
        )
        parser.add_argument(
            "--ggr-limit",
            type=Decimal,
            default=None,
            help="Serve the deprecated ggrLimits with this monthly limit (EUR).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        server = make_server(
            host=options["host"],
            port=options["port"],
            operator_id=options["operator_id"],
            secret_key=options["secret_key"],
            wallet_url=options["wallet_url"] or None,
            book_path=options["book"],
            entity_name=options["entity_name"] or None,
            game_count=options["games"],
            balance_limits_enabled=not options["no_balance_limits"],
            balance_currency=options["balance_currency"].upper(),
            available_balance=options["available_balance"],
            ggr_limits_enabled=options["ggr_limit"] is not None,
            ggr_limit=options["ggr_limit"] or Decimal("1111111"),
        )
        state = server.state
        self.stdout.write(
            self.style.SUCCESS(f"PLATFORM simulator on {state.public_url}/api/generic/")
            + f"\n  operator id {state.operator_id}, {len(state.games)} games, "
            f"{len(state.lobbies)} lobbies, book {state.book.path}"
            + f"\n  GAME_LAUNCH_HOST {state.public_url}/launch/"
            + (f", wallet {state.wallet_url}" if state.wallet_url else ", no wallet")
        )
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            server.server_close()
