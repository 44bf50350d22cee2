"""`python manage.py demo`: the whole project on the embedded SQLite database.

Migrates, seeds a demo operator, players and an admin login (printed), starts the PLATFORM
simulator on --simulator-port in a background thread (its launch page authenticates against our
wallet on --port), syncs the catalog from it, then serves the site. With --no-serve it stops
after the sync.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.services import catalog_sync
from platform_client import PlatformApiError
from simulator.demo_data import DEMO_OPERATOR_ID, DEMO_SECRET_KEY, demo_seed
from simulator.ledger_book import default_book_path
from simulator.server import start_in_thread


class Command(BaseCommand):
    help = (
        "Run the demo: migrate, seed demo data, start the PLATFORM simulator, sync the catalog, "
        "print the logins, serve on --port."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--simulator-port", type=int, default=8001)
        parser.add_argument("--book", default=str(default_book_path()), help="simulator's book")
        parser.add_argument("--no-serve", action="store_true", help="seed and sync, do not serve")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # The demo seeds logins whose passwords are printed and published in the README:
            # never in a database that production settings point at.
            raise CommandError(
                "the demo seeds well-known passwords and runs only with DEBUG on: "
                "DJANGO_DEBUG=true python manage.py demo (or `make demo`)"
            )
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
        try:
            logins = demo_seed(api_host=sim.url, launch_host=f"{sim.url}/launch/")
            try:
                result = catalog_sync(operator=logins.operator)
            except PlatformApiError as exc:
                raise CommandError(f"catalog sync from the simulator failed: {exc}") from exc
            self.stdout.write(self.style.SUCCESS("Demo data ready."))
            self.stdout.write(
                f"  Admin (backoffice): {site}/admin/  login {logins.admin[0]} / {logins.admin[1]}"
            )
            for user, password, role in logins.staff:
                self.stdout.write(f"  Staff ({role}): {site}/admin/  login {user} / {password}")
            for user, password in logins.players:
                self.stdout.write(f"  Player login: {user} / {password}")
            self.stdout.write(
                f"  Gameplay API: {site}/api/wallet/  operator id {DEMO_OPERATOR_ID}, "
                f"secret key {DEMO_SECRET_KEY}"
            )
            self.stdout.write(
                f"  PLATFORM simulator: {sim.url}/api/generic/  (launch page {sim.url}/launch/, "
                f"book {sim.state.book.path})"
            )
            self.stdout.write(f"  Catalog synced: {result}")
            if options["no_serve"]:
                return
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            sim.stop()
