"""Backfill of the promotion columns (issue 14) on transactions written before they existed.

`promotions_backfill` sets `is_freespin`, `is_jackpot` and `campaign_code` by the same rule the
wallet applies when it writes a transaction (`platform_wallet.promotions.recognise`), on the
transactions created in [start, end): a free-spin or jackpot WIN by its stored reason (one UPDATE
each), a campaign code from the stored context (only rows whose context has one are read).
Idempotent; money columns are never touched. Run it once after migrating, per period
(`manage.py backfill_promotions`), then reconcile those days again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Upper

from platform_wallet.models import Transaction, TransactionType
from platform_wallet.promotions import FREESPIN_REASON, campaign_code, jackpot_reasons

BATCH = 1000


@dataclass(frozen=True)
class Backfilled:
    freespins: int
    jackpots: int
    campaigns: int


def promotions_backfill(*, start: dt.datetime, end: dt.datetime) -> Backfilled:
    """Fill the promotion columns of the transactions created in [start, end) (see the module
    docstring); returns how many rows each step changed."""
    period = Transaction.objects.filter(created_at__gte=start, created_at__lt=end)
    wins = period.filter(transaction_type=TransactionType.WIN).annotate(
        upper_reason=Upper("reason")
    )
    freespins = wins.filter(upper_reason=FREESPIN_REASON, is_freespin=False).update(
        is_freespin=True
    )
    jackpots = wins.filter(upper_reason__in=sorted(jackpot_reasons()), is_jackpot=False).update(
        is_jackpot=True
    )
    coded = period.filter(context__has_key="campaign_code", campaign_code="").only("pk", "context")
    campaigns = 0
    batch: list[Transaction] = []
    for tx in coded.iterator(chunk_size=BATCH):
        code = campaign_code(tx.context.get("campaign_code"))
        if code:
            tx.campaign_code = code
            batch.append(tx)
        if len(batch) >= BATCH:
            campaigns += _save_codes(batch)
            batch = []
    campaigns += _save_codes(batch)
    return Backfilled(freespins=freespins, jackpots=jackpots, campaigns=campaigns)


def _save_codes(batch: list[Transaction]) -> int:
    with transaction.atomic():
        Transaction.objects.bulk_update(batch, ["campaign_code"])
    return len(batch)
