"""The backoffice's admin: every ModelAdmin of the project, one module per section, registered
on import (Django's admin autodiscovery imports this package). Shared pieces are
`backoffice.admin_helpers` and `backoffice.admin_filters`; the pages call services and
selectors, never the ledger's models to move money.

- `operators`: operator accounts; `players`: players, their wallets and responsible-gambling
  limits; `wallets`: wallets and ledger entries; `sessions`: game sessions; `transactions`:
  rounds and transactions; `api_errors`: the wallet's API error log.
- `catalog`: games and lobbies.
- `reports`: business reports; `reconciliation`: reconciliations; `limits`: balance limits
  snapshots and alerts; `campaigns`: free-spin campaigns per code (issue 14).
- `jobs`: the Celery beat schedules and "run now"; `adjustments`: manual adjustments and their
  approvals; `audit`: the staff audit trail; `accounts`: staff users and groups.
"""

from backoffice.admin import (  # noqa: F401 - each module registers its admins
    accounts,
    adjustments,
    api_errors,
    audit,
    campaigns,
    catalog,
    jobs,
    limits,
    operators,
    players,
    reconciliation,
    reports,
    sessions,
    transactions,
    wallets,
)
