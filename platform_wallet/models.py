"""The wallet's data: players, wallets, game sessions, rounds, the PLATFORM's
transactions and the append-only ledger.

Money rules (docs/architecture.md): balances change only through `ledger`, every change
is a `LedgerEntry` written in the same database transaction as the balance, and a wallet's
balance always equals the sum of its entries (`manage.py check_ledger` proves it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from operators.models import Operator
from platform_wallet.redact import mask_token


class Player(models.Model):
    # No index of its own: the unique (operator, user_id) leads with it.
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="players", db_index=False
    )
    user_id = models.CharField(max_length=70, help_text="Player's unique id (user_id).")
    user_name = models.CharField(max_length=255)
    display_name = models.CharField(
        max_length=100, blank=True, help_text="Shown publicly in games; no sensitive data."
    )
    country = models.CharField(max_length=100, help_text="Sent as user_country.")
    group = models.CharField(max_length=100, blank=True, help_text="Player group (optional).")
    language = models.CharField(
        max_length=5, blank=True, help_text="IETF language tag for game launches, e.g. en-US."
    )
    login = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="player",
        help_text="The Django user this player logs in with on our lobby pages.",
    )
    is_blocked = models.BooleanField(
        default=False, help_text="Blocked: no game launch, no BET (OP_33); WINs still credited."
    )
    blocked_reason = models.CharField(max_length=255, blank=True)
    is_closed = models.BooleanField(
        default=False, help_text="Closed account: every money call answers OP_49."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "user_id"], name="player_operator_user_id")
        ]
        # Staff search a player by user id alone (any operator): the unique key leads with the
        # operator. Players are not written on a BET, so this costs the hot path nothing.
        indexes = [models.Index(fields=["user_id"], name="player_user_id")]
        ordering = ["operator", "user_id"]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.user_name})"


class Wallet(models.Model):
    """One balance per player and currency. `balance` is a cache of the sum of its entries."""

    player = models.ForeignKey(Player, on_delete=models.PROTECT, related_name="wallets")
    currency = models.CharField(max_length=4, help_text="ISO 4217 code (or a custom one).")
    balance = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # The first day of the wallet's running totals (WalletDayTotal), None while none are kept:
    # set by the first BET checked against responsible-gambling limits. Read under the row's
    # lock by every write that moves the balance, which then adds to that day's totals.
    totals_since = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["player", "currency"], name="wallet_player_currency")
        ]
        # No index on `balance`, on purpose: an indexed column that changes on every BET would
        # rule out PostgreSQL's HOT updates and bloat the table and its indexes. Negative
        # wallets are found by a scan of this (one row per player and currency) table.

    def __str__(self) -> str:
        return f"{self.player.user_id} {self.currency} {self.balance}"


class WalletDayTotal(models.Model):
    """A wallet's applied bets and its wins and refunds of one UTC day, kept from the wallet's
    `totals_since` on, so that a BET is checked against responsible-gambling limits without
    summing the period's transactions (`platform_wallet.ledger.day_totals`). Exact: every
    write that moves the balance (changebalance, cancel) changes it under the wallet's lock;
    `check_ledger` compares it with the transactions."""

    wallet = models.ForeignKey(Wallet, on_delete=models.CASCADE, related_name="day_totals")
    day = models.DateField()
    bets = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))
    wins = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="WINs and REFUNDs, as the loss limit counts them.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wallet", "day"], name="wallet_day_total_day")
        ]

    def __str__(self) -> str:
        return f"{self.wallet_id} {self.day}"


def session_is_live(
    *, ended_at: dt.datetime | None, last_activity_at: dt.datetime, now: object | None = None
) -> bool:
    """A game session is live until it is ended (logout, block, revocation) or has been idle
    for WALLET_SESSION_IDLE_SECONDS."""
    moment = now if isinstance(now, dt.datetime) else timezone.now()
    idle = dt.timedelta(seconds=settings.WALLET_SESSION_IDLE_SECONDS)
    return ended_at is None and last_activity_at > moment - idle


class GameSession(models.Model):
    """A player's game session: one per launch, its token sent in the launch URL.

    Bound to player, game (or lobby) and currency; it expires after
    WALLET_SESSION_IDLE_SECONDS without activity, and ends on logout or revocation.
    """

    token = models.CharField(max_length=50, unique=True)
    # No index of its own: sessions are found by their (unique) token or by player.
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="sessions", db_index=False
    )
    player = models.ForeignKey(Player, on_delete=models.PROTECT, related_name="sessions")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="sessions")
    game_id = models.BigIntegerField(null=True, blank=True)
    lobby_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["player", "-created_at"], name="session_player_recent")]

    def __str__(self) -> str:
        return f"{self.player.user_id} {mask_token(self.token)}"

    @property
    def currency(self) -> str:
        return self.wallet.currency

    def is_live(self, now: object | None = None) -> bool:
        return session_is_live(
            ended_at=self.ended_at, last_activity_at=self.last_activity_at, now=now
        )


class Round(models.Model):
    """A PLATFORM round, tracked from every call that names it. Totals are derived from its
    transactions (canceled ones excluded), never stored twice."""

    # No database constraint (as on Transaction): see there.
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        related_name="rounds",
        db_index=False,
        db_constraint=False,
    )
    round_id = models.BigIntegerField(help_text="PLATFORM round ID.")
    player = models.ForeignKey(Player, on_delete=models.PROTECT, related_name="rounds")
    game_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operator", "round_id"], name="round_operator_round_id")
        ]
        # the staff's date filter (a created_at range); one index write per new round
        indexes = [models.Index(fields=["created_at"], name="round_created")]

    def __str__(self) -> str:
        return f"round {self.round_id}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class TransactionType(models.TextChoices):
    BET = "BET"
    WIN = "WIN"
    REFUND = "REFUND"


class TransactionStatus(models.TextChoices):
    OK = "OK"
    ERROR = "ERROR"
    CANCELED = "CANCELED"


class Transaction(models.Model):
    """A changebalance call of the PLATFORM, recorded once under its transaction_id.

    The outcome is stored with it (OK, or ERROR with its code) so that an identical retry is
    answered the same way, and a retry with other data is OP_40. A cancel that arrives before
    its transaction leaves a row with no type (`canceled_before_arrival`) so that the
    transaction, if it ever arrives, is refused.
    """

    # Foreign keys without their own index where another index already leads with the column
    # (or nothing queries by it): every index is written on every BET.
    # No database constraint: its check would share-lock the operator's row in every BET, the
    # one row all of a casino's BETs share (0.1 ms of database CPU per BET). The operator is
    # the player's (the player's key is constrained), operators are never deleted, and
    # `check_ledger` proves every transaction's and round's operator is its player's.
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        related_name="transactions",
        db_index=False,
        db_constraint=False,
    )
    transaction_id = models.BigIntegerField(help_text="PLATFORM unique transaction id.")
    transaction_type = models.CharField(
        max_length=10, choices=TransactionType.choices, null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=TransactionStatus.choices)
    error_code = models.CharField(max_length=10, blank=True)
    player = models.ForeignKey(
        Player, on_delete=models.PROTECT, related_name="transactions", db_index=False
    )
    wallet = models.ForeignKey(
        Wallet,
        on_delete=models.PROTECT,
        related_name="transactions",
        null=True,
        blank=True,
        db_index=False,
    )
    round_id = models.BigIntegerField(help_text="PLATFORM round id.")
    game_round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="transactions", null=True, blank=True
    )
    game_id = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=4, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    rake = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    token = models.CharField(max_length=50, blank=True)
    reason = models.CharField(max_length=32, blank=True, help_text="context.reason")
    history_id = models.CharField(max_length=255, blank=True, help_text="context.history_id")
    context = models.JSONField(default=dict, blank=True)
    # Promotions (issue 14, platform_wallet.promotions): filled when the transaction is written.
    is_freespin = models.BooleanField(
        default=False, db_default=False, help_text="A promotional free-spin win (PROMO-FREESPIN)."
    )
    campaign_code = models.CharField(
        max_length=255, blank=True, default="", db_default="", help_text="context.campaign_code"
    )
    is_jackpot = models.BooleanField(
        default=False, db_default=False, help_text="A jackpot win (JACKPOT_REASONS)."
    )
    transaction_timestamp = models.CharField(max_length=19, blank=True)
    canceled_before_arrival = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "transaction_id"], name="transaction_operator_transaction_id"
            )
        ]
        indexes = [
            models.Index(fields=["created_at"], name="transaction_created"),
            models.Index(fields=["player", "-created_at"], name="transaction_player_recent"),
            # Partial: written only for the few promotional rows, never on an ordinary BET.
            models.Index(
                fields=["campaign_code", "created_at"],
                name="transaction_campaign",
                condition=~models.Q(campaign_code=""),
            ),
            models.Index(
                fields=["player", "-created_at"],
                name="transaction_player_freespins",
                condition=models.Q(is_freespin=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_type or 'CANCEL'} {self.transaction_id}"


class EntryKind(models.TextChoices):
    OPENING = "OPENING", "Opening balance"
    BET = "BET"
    WIN = "WIN"
    REFUND = "REFUND"
    CANCEL = "CANCEL", "Cancel (reversal)"
    ADJUSTMENT = "ADJUSTMENT", "Manual adjustment"


class LedgerEntry(models.Model):
    """One change of one wallet's balance. Append-only: never updated, never deleted."""

    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(
        max_digits=18, decimal_places=2, help_text="Signed: credits positive, debits negative."
    )
    balance_after = models.DecimalField(max_digits=18, decimal_places=2)
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="entries", null=True, blank=True
    )
    reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="Staff member who made a manual adjustment.",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="Second staff member who approved a large manual adjustment.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["wallet", "created_at"], name="entry_wallet_created"),
            # the staff's list (newest first) and date filter (a created_at range)
            models.Index(fields=["created_at"], name="entry_created"),
            # the manual adjustments' list: a few rows among millions (partial: a BET's entry
            # is not written to it)
            models.Index(
                fields=["created_at"],
                name="entry_adjustment_created",
                condition=models.Q(kind="ADJUSTMENT"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class ApiErrorLog(models.Model):
    """Every ERROR the wallet answered, so staff can tell why a call was refused."""

    operator = models.ForeignKey(
        Operator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    command = models.CharField(max_length=20)
    error_code = models.CharField(max_length=10)
    error_message = models.CharField(max_length=500)
    user_id = models.CharField(max_length=70, blank=True)
    transaction_id = models.BigIntegerField(null=True, blank=True)
    round_id = models.BigIntegerField(null=True, blank=True)
    request_body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "API error"
        indexes = [
            models.Index(fields=["-created_at"], name="apierror_recent"),
            models.Index(fields=["user_id"], name="apierror_user"),
            models.Index(fields=["transaction_id"], name="apierror_transaction"),
            models.Index(fields=["round_id"], name="apierror_round"),
        ]

    def __str__(self) -> str:
        return f"{self.command} {self.error_code}"


def _pending_limit() -> models.DecimalField[Decimal | None, Decimal | None]:
    return models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)


def _pending_at() -> models.DateTimeField[dt.datetime | None, dt.datetime | None]:
    return models.DateTimeField(null=True, blank=True)


class ResponsibleGamblingLimits(models.Model):
    """A player's responsible-gambling limits, enforced on every BET as OP_32.

    Amounts apply to each of the player's wallets in its own currency, over calendar periods in
    UTC (today, this week from Monday, this month). Wager is the sum of BETs; loss is BETs minus
    WINs and REFUNDs. Canceled transactions do not count.
    """

    player = models.OneToOneField(Player, on_delete=models.CASCADE, related_name="limits")
    daily_loss_limit = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    weekly_loss_limit = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    monthly_loss_limit = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    daily_wager_limit = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    weekly_wager_limit = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    monthly_wager_limit = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True
    )
    self_excluded_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="No BET is accepted until this moment (9999-01-01: permanently).",
    )
    # A raise or removal of a limit waits 24 hours (platform_wallet.limits_rules): the new value
    # (empty: no limit) and the moment it is in force. Read through `limits_in_force`.
    pending_daily_loss_limit = _pending_limit()
    pending_daily_loss_limit_at = _pending_at()
    pending_weekly_loss_limit = _pending_limit()
    pending_weekly_loss_limit_at = _pending_at()
    pending_monthly_loss_limit = _pending_limit()
    pending_monthly_loss_limit_at = _pending_at()
    pending_daily_wager_limit = _pending_limit()
    pending_daily_wager_limit_at = _pending_at()
    pending_weekly_wager_limit = _pending_limit()
    pending_weekly_wager_limit_at = _pending_at()
    pending_monthly_wager_limit = _pending_limit()
    pending_monthly_wager_limit_at = _pending_at()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "responsible gambling limits"
        verbose_name_plural = "responsible gambling limits"

    def __str__(self) -> str:
        return f"limits of {self.player.user_id}"
