"""The audit trail's one table: `AuditEvent`, append-only and chained by hash.

Each row stores the hash of the row before it (`prev_hash`; the first row: 64 zeros) and its own
`hash` = sha256(prev_hash + the canonical serialization of its fields, `audit.chain`). Changing,
removing or reordering a row breaks the chain from there on, which `manage.py
verify_audit_trail` reports. On PostgreSQL a trigger also refuses UPDATE and DELETE.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from audit import chain


class AuditAction(models.TextChoices):
    ADJUSTMENT_APPLIED = "adjustment.applied", "Adjustment applied (no approval needed)"
    ADJUSTMENT_REQUESTED = "adjustment.requested", "Adjustment requested (waits for approval)"
    ADJUSTMENT_APPROVED = "adjustment.approved", "Adjustment approved (money moved)"
    ADJUSTMENT_REJECTED = "adjustment.rejected", "Adjustment rejected"
    PLAYER_BLOCKED = "player.blocked", "Player blocked"
    PLAYER_UNBLOCKED = "player.unblocked", "Player unblocked"
    LIMITS_CHANGED = "limits.changed", "Responsible-gambling limits changed"
    SESSION_REVOKED = "session.revoked", "Game session revoked"
    OPERATOR_SECRET_ROTATED = "operator.secret_rotated", "Operator secret key rotated"


class AuditEvent(models.Model):
    """One staff action. Never updated, never deleted (the admin is view-only; PostgreSQL
    refuses UPDATE and DELETE with a trigger)."""

    seq = models.PositiveBigIntegerField(
        unique=True, help_text="Position in the chain: 1, 2, 3... without gaps."
    )
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member; empty for actions of the system or a command.",
    )
    actor_name = models.CharField(
        max_length=150, blank=True, help_text="The actor's username when it acted."
    )
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target_type = models.CharField(max_length=100, help_text="app_label.model of the target.")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        default_permissions = ("view",)
        verbose_name = "audit event"
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}"

    def canonical(self) -> str:
        """The serialization of this event's fields that its hash covers (`audit.chain`)."""
        return chain.canonical(
            seq=self.seq,
            created_at=self.created_at,
            actor_id=self.actor_id,
            actor_name=self.actor_name,
            action=self.action,
            target_type=self.target_type,
            target_id=self.target_id,
            target_repr=self.target_repr,
            details=self.details,
        )

    def computed_hash(self) -> str:
        return chain.chain_hash(self.prev_hash, self.canonical())
