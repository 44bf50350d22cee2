"""`python manage.py check_balance_limits --operator ID`"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_client import PlatformApiError
from reporting.management.commands._common import operator_get
from reporting.services.balance_limits import balance_limits_check


class Command(BaseCommand):
    help = (
        "Store the operator's balance limits (and GGR limits while the PLATFORM serves them) "
        "and raise alerts: limit exceeded, or an available balance under "
        "BALANCE_LIMIT_ALERT_THRESHOLD. New alerts are mailed to the site admins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", required=True, help="operator id")

    def handle(self, *args: Any, **options: Any) -> None:
        operator = operator_get(options["operator"])
        self.stdout.write(f"Checking balance limits of {operator.operator_id} ...")
        try:
            check = balance_limits_check(operator=operator)
        except PlatformApiError as exc:
            raise CommandError(str(exc)) from exc
        balance = check.balance
        if not balance.enabled:
            self.stdout.write("  Balance limits: not limited.")
        else:
            self.stdout.write(
                f"  Balance limits: available {balance.available_balance} {balance.currency}, "
                f"limit exceeded: {'yes' if balance.limit_exceeded else 'no'}"
            )
            for currency, available in sorted(balance.currencies.items()):
                self.stdout.write(f"    {currency}: available {available}")
        if check.ggr is None:
            self.stdout.write("  GGR limits: not available (API gone or failing, see the log).")
        elif not check.ggr.enabled:
            self.stdout.write("  GGR limits: not limited.")
        else:
            self.stdout.write(
                f"  GGR limits: {check.ggr.current_usage} of {check.ggr.limit} "
                f"{check.ggr.currency} ({check.ggr.percentage_usage}%)"
            )
        for alert in check.opened:
            self.stdout.write(self.style.ERROR(f"  NEW ALERT: {alert.message}"))
        for alert in check.still_open:
            self.stdout.write(self.style.WARNING(f"  still open: {alert.message}"))
        for alert in check.resolved:
            self.stdout.write(self.style.SUCCESS(f"  resolved: {alert}"))
        if not check.conditions:
            self.stdout.write(self.style.SUCCESS("No alert."))
