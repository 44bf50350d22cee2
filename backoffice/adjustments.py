"""Manual adjustments as services: staff money moves once, and large amounts with four eyes.

Every adjustment is an `AdjustmentRequest` under the idempotency key of the form it came from
(generated when the form was shown). The key is held by a unique constraint, so the database
decides: a second submission with the same key (a double-click, two tabs) moves nothing and is
answered with the first one's request. Under the approval threshold of its currency
(`ADJUSTMENT_APPROVAL_THRESHOLD(S)`, absolute amount) the money moves at once; above it the
request waits until a second staff member holding `backoffice.approve_adjustment` approves it
(the money moves then, exactly once: the request's row is locked) or someone rejects it.

Money moves only through `platform_wallet.ledger.wallet_adjust`, in the transaction
that records the request's outcome and its audit event. Lock order: the request's key or row,
then the wallet (in `wallet_adjust`), then the audit chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from backoffice.models import AdjustmentRequest, AdjustmentStatus
from money import CENT, is_whole_cents
from platform_wallet.ledger import AdjustmentRefused, wallet_adjust
from platform_wallet.models import LedgerEntry, Wallet

__all__ = [
    "AdjustmentRefused",
    "AdjustmentSubmission",
    "adjustment_approve",
    "adjustment_outcome",
    "adjustment_reject",
    "adjustment_submit",
    "approval_threshold",
    "approval_thresholds",
]

APPROVE_PERMISSION = "backoffice.approve_adjustment"
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class AdjustmentSubmission:
    request: AdjustmentRequest
    replayed: bool  # the same form was sent before: this is its request, nothing more moved


def approval_thresholds() -> tuple[Decimal, dict[str, Decimal]]:
    """The default threshold and the per-currency ones (to show staff)."""
    per_currency: dict[str, str] = getattr(settings, "ADJUSTMENT_APPROVAL_THRESHOLDS", {})
    return approval_threshold(""), {code: approval_threshold(code) for code in per_currency}


def approval_threshold(currency: str) -> Decimal:
    """The amount above which an adjustment in `currency` needs a second person."""
    per_currency: dict[str, str] = getattr(settings, "ADJUSTMENT_APPROVAL_THRESHOLDS", {})
    value = per_currency.get(currency, settings.ADJUSTMENT_APPROVAL_THRESHOLD)
    try:
        threshold = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"ADJUSTMENT_APPROVAL_THRESHOLD(S): {value!r} is not a number") from None
    if not threshold.is_finite() or threshold < 0:
        raise ValueError(f"ADJUSTMENT_APPROVAL_THRESHOLD(S): {value!r} is not an amount")
    return threshold


def adjustment_submit(
    *,
    wallet: Wallet,
    amount: Decimal,
    reason: str,
    staff: AbstractBaseUser,
    idempotency_key: str,
) -> AdjustmentSubmission:
    """A staff member's credit (amount > 0) or debit (amount < 0) of a wallet, once per key.

    Applied at once when its absolute amount is at most the currency's threshold; otherwise
    PENDING until approved by someone else. Recorded in the audit trail.

    Raises AdjustmentRefused: no staff member, a malformed key, the key already used for
    another adjustment, no reason, more than 2 decimals or zero, or a debit beyond the balance.
    """
    if not staff.pk:
        raise AdjustmentRefused("A manual adjustment is made by a staff member")
    if not _KEY.match(idempotency_key or ""):
        raise AdjustmentRefused("The form's idempotency key is missing or malformed")
    amount = Decimal(amount)
    reason = reason.strip()
    if not reason:
        raise AdjustmentRefused("An adjustment needs a reason")
    if amount == 0 or not is_whole_cents(amount):
        raise AdjustmentRefused("An amount is not zero and has at most 2 decimal places")
    amount = amount.quantize(CENT)
    reason = reason[:255]
    with transaction.atomic():
        try:
            with transaction.atomic():  # (a savepoint: the key may be taken)
                request = AdjustmentRequest.objects.create(
                    wallet=wallet,
                    amount=amount,
                    reason=reason,
                    idempotency_key=idempotency_key,
                    requested_by_id=staff.pk,
                    needs_approval=abs(amount) > approval_threshold(wallet.currency),
                    status=AdjustmentStatus.PENDING,
                )
        except IntegrityError:
            # The same form was sent before (or is being sent right now: then the unique
            # index made us wait for its transaction). Its request is the answer.
            replayed = _replayed(staff, idempotency_key, wallet, amount, reason)
            return AdjustmentSubmission(replayed, True)
        if request.needs_approval:
            balance = Wallet.objects.values_list("balance", flat=True).get(pk=wallet.pk)
            if amount < 0 and balance + amount < 0:
                raise AdjustmentRefused(f"Insufficient funds: balance is {balance}")
            action = AuditAction.ADJUSTMENT_REQUESTED
        else:
            entry = wallet_adjust(wallet=wallet, amount=amount, reason=reason, staff=staff)
            _mark_applied(request, entry, decided_by=None)
            action = AuditAction.ADJUSTMENT_APPLIED
        audit_record(actor=staff, action=action, target=wallet.player, details=_details(request))
    return AdjustmentSubmission(request, False)


def adjustment_approve(*, request_pk: int, staff: AbstractBaseUser) -> AdjustmentRequest:
    """Approve a pending adjustment: its money moves now, once, with the requester and the
    approver on the ledger entry. Recorded in the audit trail.

    Raises AdjustmentRefused: no approve permission, the approver's own request, a request no
    longer pending (approved or rejected already), or money that cannot move now (a debit
    beyond the balance: nothing moves, the request stays pending).
    """
    if not staff.pk or not staff.has_perm(APPROVE_PERMISSION):  # type: ignore[attr-defined]
        raise AdjustmentRefused("You do not have the permission to approve adjustments")
    with transaction.atomic():
        request = _locked(request_pk)
        if request.requested_by_id == staff.pk:
            raise AdjustmentRefused(
                "You cannot approve your own adjustment: another staff member approves it"
            )
        try:
            entry = wallet_adjust(
                wallet=request.wallet,
                amount=request.amount,
                reason=request.reason,
                staff=request.requested_by,
                approved_by=staff,
            )
        except AdjustmentRefused as refused:
            raise AdjustmentRefused(
                f"{refused}: the approval failed and nothing moved; the request is still "
                "pending (reject it, or approve it when the money can move)"
            ) from refused
        _mark_applied(request, entry, decided_by=staff)
        audit_record(
            actor=staff,
            action=AuditAction.ADJUSTMENT_APPROVED,
            target=request.wallet.player,
            details=_details(request),
        )
    return request


def adjustment_reject(
    *, request_pk: int, staff: AbstractBaseUser, reason: str
) -> AdjustmentRequest:
    """Reject a pending adjustment, with who and why; no money moves. Its author may withdraw
    it; anyone else needs the approve permission. Recorded in the audit trail.

    Raises AdjustmentRefused: no reason, no permission, or a request no longer pending.
    """
    reason = reason.strip()
    if not reason:
        raise AdjustmentRefused("A rejection needs a reason")
    with transaction.atomic():
        request = _locked(request_pk)
        if request.requested_by_id != staff.pk and not staff.has_perm(  # type: ignore[attr-defined]
            APPROVE_PERMISSION
        ):
            raise AdjustmentRefused("You do not have the permission to reject adjustments")
        updated = AdjustmentRequest.objects.filter(
            pk=request.pk, status=AdjustmentStatus.PENDING
        ).update(
            status=AdjustmentStatus.REJECTED,
            decided_by=staff,
            decided_at=timezone.now(),
            rejection_reason=reason[:255],
        )
        assert updated == 1  # the row is locked and was pending
        request.refresh_from_db()
        audit_record(
            actor=staff,
            action=AuditAction.ADJUSTMENT_REJECTED,
            target=request.wallet.player,
            details=_details(request),
        )
    return request


def adjustment_outcome(request: AdjustmentRequest) -> str:
    """What became of a request, in a sentence for staff."""
    player = request.wallet.player.user_id
    money = f"{abs(request.amount)} {request.currency}"
    if request.status == AdjustmentStatus.APPLIED and request.entry is not None:
        moved = f"Credited {money} to" if request.amount > 0 else f"Debited {money} from"
        return f"{moved} {player}; balance is now {request.entry.balance_after}."
    kind = "credit" if request.amount > 0 else "debit"
    if request.status == AdjustmentStatus.REJECTED:
        return (
            f"The {kind} of {money} for {player} was rejected by {request.decided_by}: "
            f"{request.rejection_reason}; no money moved."
        )
    return (
        f"The {kind} of {money} for {player} is above the approval threshold: it waits for a "
        "second staff member's approval; no money has moved yet."
    )


def _locked(request_pk: int) -> AdjustmentRequest:
    """The request's row, locked until the transaction ends (a concurrent approval or
    rejection waits here, then sees the outcome), and still pending."""
    request = (
        AdjustmentRequest.objects.select_for_update(of=("self",))
        .select_related("wallet__player", "requested_by", "decided_by")
        .get(pk=request_pk)
    )
    if request.status != AdjustmentStatus.PENDING:
        by = f" by {request.decided_by}" if request.decided_by else ""
        raise AdjustmentRefused(f"This adjustment was already {request.status.lower()}{by}")
    return request


def _mark_applied(
    request: AdjustmentRequest, entry: LedgerEntry, *, decided_by: AbstractBaseUser | None
) -> None:
    now = timezone.now()
    updated = AdjustmentRequest.objects.filter(
        pk=request.pk, status=AdjustmentStatus.PENDING, entry__isnull=True
    ).update(status=AdjustmentStatus.APPLIED, entry=entry, decided_by=decided_by, decided_at=now)
    if updated != 1:  # pragma: no cover - the row is ours (new, or locked and pending)
        raise AdjustmentRefused("This adjustment was decided meanwhile; nothing moved")
    request.status, request.entry, request.decided_at = AdjustmentStatus.APPLIED, entry, now
    request.decided_by = decided_by  # type: ignore[assignment]


def _replayed(
    staff: AbstractBaseUser, key: str, wallet: Wallet, amount: Decimal, reason: str
) -> AdjustmentRequest:
    request = (
        AdjustmentRequest.objects.select_related("wallet__player", "entry", "decided_by")
        .filter(requested_by_id=staff.pk, idempotency_key=key)
        .first()
    )
    if request is None:  # pragma: no cover - another constraint failed: a bug, not a replay
        raise AdjustmentRefused("The adjustment could not be recorded")
    if (request.wallet_id, request.amount, request.reason) != (wallet.pk, amount, reason):
        raise AdjustmentRefused(
            "This form was already used for another adjustment; nothing moved. "
            "Open a new form for a new adjustment."
        )
    return request


def _details(request: AdjustmentRequest) -> dict[str, object]:
    details: dict[str, object] = {
        "request": request.pk,
        "wallet": request.wallet_id,
        "currency": request.currency,
        "amount": request.amount,
        "reason": request.reason,
        "requested_by": str(request.requested_by),
        "status": request.status,
    }
    if request.entry is not None:
        details["entry"] = request.entry.pk
        details["balance_after"] = request.entry.balance_after
    if request.rejection_reason:
        details["rejection_reason"] = request.rejection_reason
    return details
