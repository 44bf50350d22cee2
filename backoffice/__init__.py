"""The backoffice: casino staff's daily work in the Django admin (/admin/).

Pages (`backoffice.admin`, one module per section; shared pieces in `backoffice.admin_helpers`
and `backoffice.admin_filters`):

- Dashboard on the admin index (`templatetags/backoffice.py`): today's bets, wins and GGR per
  currency, active game sessions, wallet errors of the last hour, wallets in the negative, the
  PLATFORM's balance limits with a warning when one is exceeded. Each panel needs its permission.
- Operators: ids and PLATFORM hosts; the secret key is masked and replaced only through
  "Rotate secret key" (the in-process operator cache is cleared).
- Players: search by user id or name, wallets read-only, block / unblock with a reason,
  responsible-gambling limits (OP_32 on BET), "has a negative wallet" filter.
- Manual adjustments (`backoffice.ManualAdjustment`, the ledger's ADJUSTMENT entries): "Add" is
  the credit/debit form (`admin.adjustments`), through `backoffice.adjustments` and
  `ledger.wallet_adjust`, with the staff member. Each form carries an idempotency key
  held by a unique constraint (sent twice, it moves money once); above
  ADJUSTMENT_APPROVAL_THRESHOLD(S) the adjustment request waits for a second staff member, who
  approves it (on the dashboard or the request's page) or rejects it with a reason.
- Audit trail (`audit.AuditEvent`, `admin.audit`): staff actions on money and players,
  append-only and hash-chained (`manage.py verify_audit_trail`), view-only, filtered by actor,
  action and target; a player's page links to the player's events.
- Game sessions (active / expired / ended, revoke), rounds (derived totals, transactions
  inline), transactions (filters, context, round link, hand history), ledger entries and the
  API error log: read-only for everyone.
- Games and lobbies: the PLATFORM's flags beside our own switch, bulk enable / disable.
- Reports (`admin.reports`, `admin.reconciliation`, `admin.limits`): business report rows per
  day, vendor and currency with a GGR chart (server-rendered SVG), reconciliations with
  mismatches highlighted and charted, CSV export, limit snapshots and alerts.
- Scheduled jobs: django-celery-beat's periodic tasks plus "Run now, here" and the "Run a
  PLATFORM job now" page (`backoffice.jobs`, the same services the Celery tasks call).

Roles (`backoffice.roles`, groups created by migrations 0002 and 0004): Support (players,
sessions, transactions, API log; block, revoke, hand history, limits) and Finance (reports,
reconciliation, balance limits, manual adjustments and approving others' large ones, the audit
trail, run the jobs). Custom permissions live on `backoffice.StaffAccess`: block_player,
revoke_session, adjust_wallet, approve_adjustment, rotate_operator_secret, fetch_hand_history,
run_jobs.
"""
