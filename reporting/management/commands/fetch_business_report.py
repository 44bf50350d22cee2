"""`python manage.py fetch_business_report --operator ID --date YYYY-MM-DD`"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_client import PlatformApiError
from reporting.errors import ReportingError
from reporting.management.commands._common import date_parse, operator_get
from reporting.services.business_reports import business_report_fetch


class Command(BaseCommand):
    help = (
        "Fetch the PLATFORM's business report of a date (default: yesterday, UTC) and store it, "
        "replacing an earlier fetch of that date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", required=True, help="operator id")
        parser.add_argument("--date", help="YYYY-MM-DD (default: yesterday, UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        operator = operator_get(options["operator"])
        date = date_parse(options["date"])
        self.stdout.write(
            f"Fetching the business report of {date} for {operator.operator_id} "
            f"from {operator.api_host} ..."
        )
        try:
            report = business_report_fetch(operator=operator, date=date)
        except (PlatformApiError, ReportingError) as exc:
            raise CommandError(str(exc)) from exc
        rows = list(report.rows.all())
        state = "stored" if report.fetch_count == 1 else f"replaced (fetch {report.fetch_count})"
        self.stdout.write(f"{len(rows)} rows {state}:")
        for row in rows:
            self.stdout.write(
                f"  {row.entity_name:<16} {row.vendor:<16} {row.currency:<4} "
                f"bets {row.bets_sum:>12} ({row.bets_count})  wins {row.wins_sum:>12} "
                f"({row.wins_count})  GGR {row.gross_gaming_revenue:>12}"
            )
        self.stdout.write(self.style.SUCCESS(f"Business report {date} of {operator} stored."))
