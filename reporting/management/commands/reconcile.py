"""`python manage.py reconcile --operator ID --date YYYY-MM-DD [--fetch]`"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_client import PlatformApiError
from reporting.errors import ReportingError
from reporting.management.commands._common import date_parse, operator_get
from reporting.services.reconciliation import business_report_reconcile


class Command(BaseCommand):
    help = (
        "Reconcile our ledger of a date (UTC) with the PLATFORM's stored business report of that "
        "date, per vendor and currency. Exits with status 1 when any line mismatches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", required=True, help="operator id")
        parser.add_argument("--date", help="YYYY-MM-DD (default: yesterday, UTC)")
        parser.add_argument("--fetch", action="store_true", help="fetch the business report first")

    def handle(self, *args: Any, **options: Any) -> None:
        operator = operator_get(options["operator"])
        date = date_parse(options["date"])
        fetch = options["fetch"]
        first = "Fetching the business report and reconciling" if fetch else "Reconciling"
        self.stdout.write(f"{first} {operator.operator_id} {date} ...")
        try:
            done = business_report_reconcile(operator=operator, date=date, fetch=fetch)
        except (PlatformApiError, ReportingError) as exc:
            raise CommandError(str(exc)) from exc
        if done.report_rows is not None:
            self.stdout.write(f"{done.report_rows} report rows stored.")
        reconciliation = done.reconciliation
        for line in reconciliation.lines.all():
            flag = "MISMATCH" if line.mismatch else "ok"
            self.stdout.write(
                f"  {flag:<8} {line.vendor:<16} {line.currency:<4} "
                f"bets {line.ledger_bets_sum}/{line.platform_bets_sum} "
                f"({line.ledger_bets_count}/{line.platform_bets_count})  "
                f"wins {line.ledger_wins_sum}/{line.platform_wins_sum} "
                f"({line.ledger_wins_count}/{line.platform_wins_count})  "
                f"GGR {line.ledger_ggr}/{line.platform_ggr}  "
                f"free spins {line.ledger_freespins_sum}/{line.platform_freespins_sum} "
                f"({line.ledger_freespins_count}/{line.platform_freespins_count})  "
                f"jackpots {line.ledger_jackpots_sum}/{line.platform_jackpots_sum} "
                f"({line.ledger_jackpots_count}/{line.platform_jackpots_count})"
                + (f"  [{line.notes}]" if line.notes else "")
            )
        self.stdout.write("  (ours/PLATFORM)")
        if reconciliation.mismatch_count:
            raise CommandError(
                f"{reconciliation.mismatch_count} of {reconciliation.line_count} lines mismatch "
                f"for {operator.operator_id} {date}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Reconciled {operator.operator_id} {date}: {reconciliation.line_count} lines, "
                "no mismatch."
            )
        )
