"""`python manage.py simulate_play --operator ID --wallet-url URL --players N --rounds N
--concurrency N [--book PATH] [--secret-key KEY] [--seed N]`

Plays the PLATFORM against a wallet over HTTP (see `simulator.play`), records what it sent and
what was answered in the simulator's book, prints a summary, and exits non-zero when any answer
was not the expected one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operators.models import Operator
from simulator.ledger_book import LedgerBook
from simulator.play import (
    PlayConfig,
    play_games_select,
    play_players_prepare,
    play_run,
    summary_lines,
)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


class Command(BaseCommand):
    help = "Play the PLATFORM against a wallet over HTTP and keep the simulator's book."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", required=True, help="operator id (X-Operator-Id)")
        parser.add_argument(
            "--wallet-url",
            required=True,
            help="the wallet's API base, e.g. http://host/api/wallet/",
        )
        parser.add_argument("--players", type=_positive, default=4)
        parser.add_argument("--rounds", type=_positive, default=20, help="rounds per player")
        parser.add_argument("--concurrency", type=_positive, default=4, help="players at a time")
        parser.add_argument(
            "--book", type=Path, help="the simulator's book (SQLite file); default: in DATA_DIR"
        )
        parser.add_argument(
            "--secret-key", help="secret to sign with (default: the operator's own)"
        )
        parser.add_argument(
            "--currency", default="EUR", help="currency of demo players created (default EUR)"
        )
        parser.add_argument("--seed", type=int, help="random seed, for a repeatable run")
        parser.add_argument("--timeout", type=float, default=10.0, help="HTTP timeout, seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        operator = Operator.objects.filter(operator_id=options["operator"]).first()
        if operator is None:
            raise CommandError(f"unknown operator {options['operator']!r}")
        book = LedgerBook(options["book"])
        players = play_players_prepare(
            operator=operator, count=options["players"], currency=options["currency"]
        )
        games = play_games_select(operator=operator, seed=options["seed"])
        source = "our catalog" if operator.games.exists() else "the simulator's catalog"
        self.stdout.write(
            f"Playing {len(players)} players x {options['rounds']} rounds on {len(games)} games "
            f"({source}) against {options['wallet_url']}, {options['concurrency']} at a time; "
            f"book {book.path}"
        )
        config = PlayConfig(
            operator_id=operator.operator_id,
            secret_key=options["secret_key"] or operator.secret_key,
            wallet_url=options["wallet_url"],
            rounds=options["rounds"],
            concurrency=options["concurrency"],
            book=book,
            seed=options["seed"],
            timeout=options["timeout"],
        )
        summary = play_run(
            config=config,
            players=players,
            games=games,
            progress=lambda line: self.stdout.write(f"  {line}"),
        )
        for line in summary_lines(summary):
            self.stdout.write(line)
        if summary.unexpected:
            raise CommandError(f"{len(summary.unexpected)} unexpected answers")
        self.stdout.write(self.style.SUCCESS("All answers as expected."))
