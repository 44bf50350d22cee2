"""`python manage.py demo`: the whole project on the embedded SQLite database.

Migrates, seeds a demo operator, players and an admin login (printed), then serves the site.
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from simulator.demo_data import DEMO_OPERATOR_ID, DEMO_SECRET_KEY, demo_seed


class Command(BaseCommand):
    help = "Run the demo: migrate, seed demo data, print the logins, serve on --port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--simulator-port", type=int, default=8001)
        parser.add_argument("--no-serve", action="store_true", help="seed only, do not serve")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        call_command("migrate", interactive=False, verbosity=0)
        sim = f"http://127.0.0.1:{options['simulator_port']}"
        logins = demo_seed(api_host=sim, launch_host=f"{sim}/launch/")
        site = f"http://127.0.0.1:{port}"
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Admin (backoffice): {site}/admin/  login {logins.admin[0]} / {logins.admin[1]}")
        for user, password in logins.players:
            self.stdout.write(f"  Player login: {user} / {password}")
        self.stdout.write(
            f"  Gameplay API: {site}/api/wallet/  operator id {DEMO_OPERATOR_ID}, "
            f"secret key {DEMO_SECRET_KEY}"
        )
        if options["no_serve"]:
            return
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
