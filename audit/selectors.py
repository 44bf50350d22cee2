"""Reading the audit trail: verifying its chain, and a target's events."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from audit.chain import GENESIS
from audit.models import AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    pk: int
    why: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    head_seq: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the trail in chain order, recomputing every hash; stop at the first broken row.

    A row is broken when its hash is not sha256(its prev_hash + its fields) (it was changed),
    when its prev_hash is not the previous row's hash, or when its seq does not follow the
    previous one (a row was removed or inserted). Removing the newest rows leaves a shorter,
    intact chain: compare the head with one recorded elsewhere (the command prints it)."""
    count, expected_seq, prev_hash = 0, 1, GENESIS
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        why = ""
        if event.seq != expected_seq:
            why = f"seq {event.seq} where {expected_seq} was expected (a row is missing)"
        elif event.prev_hash != prev_hash:
            why = "its prev_hash is not the previous row's hash"
        elif event.hash != event.computed_hash():
            why = "its hash does not match its fields (the row was changed)"
        if why:
            broken = ChainBreak(event.seq, event.pk, why)
            return ChainReport(count, expected_seq - 1, prev_hash, broken)
        count += 1
        expected_seq = event.seq + 1
        prev_hash = event.hash
    return ChainReport(count, expected_seq - 1, prev_hash, None)


def audit_events_for(target: models.Model) -> QuerySet[AuditEvent]:
    meta = target._meta
    return AuditEvent.objects.filter(
        target_type=f"{meta.app_label}.{meta.model_name}", target_id=str(target.pk)
    )
