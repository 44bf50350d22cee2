import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from platform_wallet.services.promotions import promotions_backfill


class Command(BaseCommand):
    help = (
        "Fill the free-spin, jackpot and campaign columns of transactions written before they "
        "existed (issue 14), for the UTC days FROM to TO inclusive; then reconcile those days "
        "again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first = dt.date.fromisoformat(options["date_from"])
            last = dt.date.fromisoformat(options["date_to"])
        except ValueError as exc:
            raise CommandError(f"dates are YYYY-MM-DD: {exc}") from exc
        if last < first:
            raise CommandError("--to is before --from")
        day = first
        while day <= last:  # a day at a time: short statements on a large table
            start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
            done = promotions_backfill(start=start, end=start + dt.timedelta(days=1))
            self.stdout.write(
                f"{day}: {done.freespins} free spins, {done.jackpots} jackpots, "
                f"{done.campaigns} campaign codes"
            )
            day += dt.timedelta(days=1)
