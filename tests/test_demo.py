"""Issue 12, getting started: the demo is not empty on first look (it plays some rounds and
reconciles today), keeps the simulator's book in the project's data directory, has two
Finance logins (approvals need a second person) and relaxes the login limit."""

from __future__ import annotations

import socket
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from platform_wallet.models import Transaction
from reporting.models import Reconciliation
from simulator.ledger_book import default_book_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.postgres  # the demo's server threads share the database (not an in-memory one)
@pytest.mark.django_db(transaction=True)
@override_settings(DEBUG=True)
def test_issue12_the_demo_plays_rounds_and_reconciles_today(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "demo",
        "--no-serve",
        "--port",
        str(free_port()),
        "--simulator-port",
        str(free_port()),
        "--rounds",
        "2",
        "--book",
        str(tmp_path / "book.sqlite3"),
        stdout=out,
    )
    text = out.getvalue()
    assert "Played 8 rounds" in text
    assert "0 mismatched" in text
    assert Transaction.objects.filter(status="OK").exists()
    reconciliation = Reconciliation.objects.get()
    assert reconciliation.line_count > 0 and reconciliation.mismatch_count == 0
    finance = get_user_model().objects.filter(groups__name="Finance")
    assert finance.count() == 2
    assert "login felix_finance / staff-demo-password" in text
    assert "login admin / admin-demo-password" in text
    assert "with casino-web" not in text  # --no-serve: it played, then stopped


def test_issue12_the_demo_serves_with_casino_web_and_a_relaxed_login_limit() -> None:
    from simulator.management.commands.demo import site_env

    env = site_env(8000)
    assert env["RATE_LIMIT_LOGIN"] == "100/60"  # production: 10 per 5 minutes
    assert env["DJANGO_DEBUG"] == "true" and env["PORT"] == "8000"


def test_issue12_the_simulator_book_lives_in_the_project_data_directory(settings) -> None:
    settings.DATA_DIR = settings.BASE_DIR / "data"
    path = default_book_path()
    assert path.parent == Path(settings.BASE_DIR) / "data"
    assert "data/" in (Path(settings.BASE_DIR) / ".gitignore").read_text().splitlines()
