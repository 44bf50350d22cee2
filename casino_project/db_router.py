"""Reads from a PostgreSQL streaming replica (on when DATABASE_REPLICA_URL is set).

Opt-in, never by model: a read goes to the replica only inside
`platform_wallet.connections.replica_reads()` (the back-office charts and report series use
it); everything else, every write, the wallet, the ledger and reconciliation (which must see the
primary's latest state, and a replica lags), uses the primary. Migrations run on the primary
only (the replica follows by replication).
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from platform_wallet.connections import REPLICA, replica_reads_wanted


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if replica_reads_wanted() and REPLICA in connections.settings:
            return REPLICA
        return None  # the next router, or the default database

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
