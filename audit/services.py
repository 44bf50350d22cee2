"""Writing the audit trail: `audit_record` appends one event to the chain.

It runs inside the transaction of the action it records (it refuses to run outside one): the
action and its event commit together or not at all. Appends are serialized: on PostgreSQL a
transaction-level advisory lock is taken before the chain's head is read (held until commit);
SQLite's write transactions are serialized by the database (BEGIN IMMEDIATE). The unique
`seq` and `prev_hash` are the final guard: two events can never chain onto one predecessor.

Lock order: the chain's lock is the last lock an action takes (after the wallet, the player,
the adjustment request...), and gameplay never takes it, so it adds no lock cycle.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models
from django.utils import timezone

from audit.chain import GENESIS, json_safe
from audit.models import AuditAction, AuditEvent

# pg_advisory_xact_lock key of the chain's head ("audt" in ASCII).
CHAIN_LOCK_KEY = 0x61756474


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: AuditAction,
    target: models.Model,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event: `actor` (None: the system or a command) did `action` to `target`.

    `details` must not hold secrets or session tokens. Raises RuntimeError when called outside
    a transaction, TypeError when `details` holds a value the trail cannot store exactly."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record runs inside the transaction of the action it records")
    safe_details = json_safe(details or {})
    actor_pk = actor.pk if actor is not None and actor.pk else None
    actor_name = str(actor.get_username()) if actor_pk is not None and actor else ""
    meta = target._meta
    _chain_lock()
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    event = AuditEvent(
        seq=seq,
        created_at=timezone.now(),
        actor_id=actor_pk,
        actor_name=actor_name,
        action=str(action),
        target_type=f"{meta.app_label}.{meta.model_name}",
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        details=safe_details,
        prev_hash=prev_hash,
    )
    event.hash = event.computed_hash()
    event.save(force_insert=True)
    return event


def _chain_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
