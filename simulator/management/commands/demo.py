"""`python manage.py demo`: the whole project on the embedded SQLite database.

Migrates, seeds a demo operator, players and staff logins (printed), starts the PLATFORM
simulator on --simulator-port in a background thread (its launch page authenticates against our
wallet on --port), syncs the catalog from it, serves the site on --port with casino-web (the
production server, in DEBUG), plays --rounds rounds
per demo player through the simulator (so that reports and charts are not empty on first look)
and reconciles today against the simulator's business report. Then it keeps serving; with
--no-serve it stops there. DEBUG only: it seeds well-known passwords.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from catalog.services import catalog_sync
from operators.models import Operator
from platform_client import PlatformApiError
from reporting.errors import ReportingError
from reporting.services.reconciliation import business_report_reconcile
from simulator.demo_data import DEMO_OPERATOR_ID, DEMO_PLAYERS, DEMO_SECRET_KEY, demo_seed
from simulator.ledger_book import LedgerBook, default_book_path
from simulator.play import PlayConfig, play_games_select, play_players_prepare, play_run
from simulator.server import start_in_thread

# Logins in the demo are tried by hand, often: the production limit (RATE_LIMIT_LOGIN) would
# lock a tester out for five minutes after ten typos.
DEMO_LOGIN_LIMIT = (100, 60)


class Command(BaseCommand):
    help = (
        "Run the demo: migrate, seed demo data, start the PLATFORM simulator, sync the catalog, "
        "play some rounds, reconcile today, print the logins, serve on --port."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--simulator-port", type=int, default=8001)
        parser.add_argument("--book", default=str(default_book_path()), help="simulator's book")
        parser.add_argument(
            "--rounds", type=int, default=8, help="rounds each demo player plays first (0: none)"
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="seed, sync and play, then stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # The demo seeds logins whose passwords are printed and published in the README:
            # never in a database that production settings point at.
            raise CommandError(
                "the demo seeds well-known passwords and runs only with DEBUG on: "
                "DJANGO_DEBUG=true python manage.py demo (or `make demo`)"
            )
        if options["rounds"] < 0:
            raise CommandError("--rounds must be 0 or more")
        # Stopped by SIGTERM too (not only Ctrl-C): the site's server process goes with it.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        port, sim_port = options["port"], options["simulator_port"]
        call_command("migrate", interactive=False, verbosity=0)
        site = f"http://127.0.0.1:{port}"
        try:
            sim = start_in_thread(
                port=sim_port,
                operator_id=DEMO_OPERATOR_ID,
                secret_key=DEMO_SECRET_KEY,
                wallet_url=f"{site}/api/wallet/",
                book_path=options["book"],
                entity_name="Demo Casino",
            )
        except OSError as exc:
            raise CommandError(
                f"cannot start the PLATFORM simulator on port {sim_port} ({exc}); "
                "is another demo running? Use --simulator-port."
            ) from exc
        log_path = Path(settings.DATA_DIR) / "demo-web.log"
        web: subprocess.Popen[bytes] | None = None
        try:
            logins = demo_seed(api_host=sim.url, launch_host=f"{sim.url}/launch/")
            try:
                result = catalog_sync(operator=logins.operator)
            except PlatformApiError as exc:
                raise CommandError(f"catalog sync from the simulator failed: {exc}") from exc
            web = _site_start(port, log_path)
            played = self._play(logins.operator, site, options)
            self.stdout.write(self.style.SUCCESS("Demo data ready."))
            self.stdout.write(
                f"  Admin (backoffice): {site}/admin/  login {logins.admin[0]} / {logins.admin[1]}"
            )
            for user, password, role in logins.staff:
                self.stdout.write(f"  Staff ({role}): {site}/admin/  login {user} / {password}")
            for user, password in logins.players:
                self.stdout.write(f"  Player login: {site}/  {user} / {password}")
            self.stdout.write(
                f"  Gameplay API: {site}/api/wallet/  operator id {DEMO_OPERATOR_ID}, "
                f"secret key {DEMO_SECRET_KEY}"
            )
            self.stdout.write(
                f"  PLATFORM simulator: {sim.url}/api/generic/  (launch page {sim.url}/launch/, "
                f"book {sim.state.book.path})"
            )
            self.stdout.write(f"  Catalog synced: {result}")
            self.stdout.write(f"  {played}")
            if options["no_serve"]:
                return
            self.stdout.write(
                f"Serving {site}/ with casino-web (its log: {log_path}); Ctrl-C to stop."
            )
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            if web is not None:
                _site_stop(web)
            sim.stop()

    def _play(self, operator: Operator, site: str, options: dict[str, Any]) -> str:
        """Rounds of every demo player through the simulator, then today's reconciliation."""
        if not options["rounds"]:
            return "No rounds played (--rounds 0)."
        config = PlayConfig(
            operator_id=operator.operator_id,
            secret_key=operator.secret_key,
            wallet_url=f"{site}/api/wallet/",
            rounds=options["rounds"],
            concurrency=2,  # SQLite takes one writer at a time
            book=LedgerBook(options["book"]),
            seed=None,
            timeout=10.0,
        )
        players = play_players_prepare(operator=operator, count=len(DEMO_PLAYERS))
        self.stdout.write(f"Playing {options['rounds']} rounds per demo player ...")
        summary = play_run(
            config=config, players=players, games=play_games_select(operator=operator)
        )
        played = (
            f"Played {summary.rounds} rounds ({summary.transactions} transactions) of "
            f"{len(players)} players; "
        )
        try:
            done = business_report_reconcile(
                operator=operator, date=timezone.now().date(), fetch=True
            )
        except (PlatformApiError, ReportingError) as exc:
            return played + f"today's reconciliation failed: {exc}"
        reconciliation = done.reconciliation
        return played + (
            f"reconciled today: {reconciliation.line_count} lines, "
            f"{reconciliation.mismatch_count} mismatched (see Reports > Reconciliations)."
        )


def _site_start(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """The site served by casino-web (the production server) on this database, in DEBUG (its
    static files from the apps), with the demo's login limit, its log in `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        web = subprocess.Popen(  # noqa: S603 - our own console script, no shell
            [str(Path(sys.executable).parent / "casino-web")],
            env=site_env(port),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise CommandError(f"casino-web stopped at once: is port {port} in use? Use --port.")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/wallet/ping", timeout=1):
                return web
        except OSError:
            time.sleep(0.2)
    _site_stop(web)
    raise CommandError(f"casino-web did not answer on port {port}")


def site_env(port: int) -> dict[str, str]:
    """casino-web's environment in the demo: DEBUG, this database, one worker, the demo's
    login limit."""
    return {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_WORKERS": "1",
        "WEB_THREADS": "4",
        "WEB_LOG_LEVEL": "warning",
        "RATE_LIMIT_LOGIN": "{}/{}".format(*DEMO_LOGIN_LIMIT),
    }


def _site_stop(web: subprocess.Popen[bytes]) -> None:
    if web.poll() is None:
        os.killpg(web.pid, signal.SIGTERM)
        try:
            web.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(web.pid, signal.SIGKILL)


def _database_url() -> str:
    """This process's database as a URL for casino-web (under the tests, the test database)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
