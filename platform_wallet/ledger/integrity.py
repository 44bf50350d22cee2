"""What the database does not constrain on the hot path, proved by `check_ledger`.

A transaction's and a round's operator has no foreign key (`models.Transaction.operator`:
its check would share-lock the operator's row in every BET). Every changebalance writes the
operator it authenticated, and finds the player by that operator; so every transaction's and
round's operator is its player's. `operator_mismatches` counts the rows where it is not (there
should be none): one pass over each table, joined to the players by hash.
"""

from __future__ import annotations

from django.db import connection, transaction

from platform_wallet.models import Player, Round, Transaction


def operator_mismatches() -> dict[str, int]:
    """{"transactions": n, "rounds": n}: the rows whose operator is not their player's."""
    found = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '64MB'")  # the players' hash in memory
        for name, model in (("transactions", Transaction), ("rounds", Round)):
            cursor.execute(
                f"""SELECT COUNT(*) FROM {model._meta.db_table} x
                      LEFT JOIN {Player._meta.db_table} p ON p.id = x.player_id
                     WHERE p.operator_id IS NULL OR p.operator_id <> x.operator_id"""  # noqa: S608 - table names from the models
            )
            found[name] = cursor.fetchone()[0]
    return found
