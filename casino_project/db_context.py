"""Which statement timeout a process's database connections start with (issue 13).

The wallet's calls need a short one (DB_STATEMENT_TIMEOUT_MS: a stuck lock answers OP_47
well inside the PLATFORM's timeout); a nightly job summing a day of a million transactions
needs minutes. So the timeout depends on what the process is:
- "job": Celery workers and beat, and management commands (reconcile, check_ledger, ...):
  JOB_STATEMENT_TIMEOUT_MS;
- "web": everything else (casino-web, gunicorn, runserver, the demo, the tests): the wallet's
  DB_STATEMENT_TIMEOUT_MS. Staff pages raise it per request (STAFF_STATEMENT_TIMEOUT_MS, see
  `ops.middleware.StaffStatementTimeoutMiddleware`).
Pure (no Django imports): settings.py reads it before Django is set up.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

# management commands that serve web requests (they keep the web's timeout)
WEB_COMMANDS = frozenset({"runserver", "demo", "test"})
MANAGE_SCRIPTS = frozenset({"manage.py", "django-admin", "django-admin.py"})


def process_context(argv: Sequence[str]) -> str:
    """ "job" or "web" for a process started with `argv` (see the module's docstring)."""
    if not argv:
        return "web"
    program = PurePath(argv[0]).name
    if program == "celery" or (program == "__main__.py" and "celery" in argv[0]):
        return "job"
    if program in MANAGE_SCRIPTS:
        command = argv[1] if len(argv) > 1 else ""
        return "web" if command in WEB_COMMANDS else "job"
    return "web"
