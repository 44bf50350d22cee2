from typing import Any

from django.core.management.base import BaseCommand, CommandError

from platform_wallet.ledger import day_totals, integrity
from platform_wallet.models import Wallet
from platform_wallet.selectors import ledger_mismatches


class Command(BaseCommand):
    help = (
        "Prove every wallet's balance equals the sum of its ledger entries, its running totals"
        " its transactions, and every transaction's and round's operator its player's; exit 1"
        " if not."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches = ledger_mismatches()
        for m in mismatches:
            self.stderr.write(
                f"wallet {m.wallet_pk} ({m.label}): balance {m.balance} != entries {m.entries_sum}"
            )
        checked = Wallet.objects.count()
        if mismatches:
            raise CommandError(f"{len(mismatches)} of {checked} wallets do not match their ledger")
        drifted = day_totals.mismatches()
        for wallet_pk, day in drifted:
            self.stderr.write(f"wallet {wallet_pk}: running totals of {day} != its transactions")
        if drifted:
            raise CommandError(
                f"{len(drifted)} running totals (responsible-gambling limits) differ from the"
                " transactions"
            )
        strays = {name: n for name, n in integrity.operator_mismatches().items() if n}
        if strays:
            raise CommandError(
                "rows whose operator is not their player's: "
                + ", ".join(f"{n} {name}" for name, n in strays.items())
            )
        negative = Wallet.objects.filter(balance__lt=0).count()
        self.stdout.write(
            self.style.SUCCESS(f"All {checked} wallets equal the sum of their ledger entries")
            + (f" ({negative} in the negative after canceled wins)" if negative else "")
        )
