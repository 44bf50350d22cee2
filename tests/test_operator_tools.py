"""Issue 2, operator tools: the management commands certification scripts call."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from operators.models import Operator
from platform_wallet.models import GameSession, LedgerEntry, Player, Wallet
from tests.wallet_client import WalletClient


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_operator_creates_then_updates() -> None:
    assert "Created" in run("create_operator", "cert-casino", "--secret-key", "s1")
    out = run(
        "create_operator",
        "cert-casino",
        "--secret-key",
        "s2",
        "--api-host",
        "https://api-host.com/",
        "--launch-host",
        "https://games.example",
    )
    assert "Updated" in out
    operator = Operator.objects.get(operator_id="cert-casino")
    assert operator.secret_key == "s2"
    assert operator.api_host == "https://api-host.com"
    assert operator.launch_host == "https://games.example"


@pytest.mark.django_db
def test_create_operator_refuses_too_long_id() -> None:
    with pytest.raises(CommandError, match="longer than 20"):
        run("create_operator", "x" * 21, "--secret-key", "s")


@pytest.mark.django_db
def test_create_player_opening_balance_is_a_ledger_entry() -> None:
    run("create_operator", "cert", "--secret-key", "k")
    out = run(
        "create_player",
        "--operator",
        "cert",
        "--user-id",
        "25343",
        "--user-name",
        "john_doe",
        "--country",
        "Germany",
        "--currency",
        "EUR",
        "--balance",
        "420.76",
        "--display-name",
        "John Doe",
    )
    assert "EUR 420.76" in out
    wallet = Wallet.objects.get(player__user_id="25343")
    assert wallet.balance == Decimal("420.76")
    entry = LedgerEntry.objects.get(wallet=wallet)
    assert entry.kind == "OPENING" and entry.amount == Decimal("420.76")
    # a second run updates the player and never touches the money
    run(
        "create_player",
        "--operator",
        "cert",
        "--user-id",
        "25343",
        "--user-name",
        "john",
        "--country",
        "Germany",
        "--currency",
        "EUR",
        "--balance",
        "999.00",
        "--blocked",
    )
    player = Player.objects.get(user_id="25343")
    assert player.user_name == "john" and player.is_blocked
    assert Wallet.objects.get(pk=wallet.pk).balance == Decimal("420.76")


@pytest.mark.django_db
@pytest.mark.parametrize("balance", ["-1", "1.005", "abc", "NaN"])
def test_create_player_refuses_bad_balances(balance: str) -> None:
    run("create_operator", "cert", "--secret-key", "k")
    with pytest.raises(CommandError):
        run(
            "create_player",
            "--operator",
            "cert",
            "--user-id",
            "1",
            "--user-name",
            "a",
            "--country",
            "DE",
            "--currency",
            "EUR",
            "--balance",
            balance,
        )


@pytest.mark.django_db
def test_create_player_refuses_pipe_in_strings() -> None:
    """Spec, Important notes 5: no STRING parameter may contain '|'."""
    run("create_operator", "cert", "--secret-key", "k")
    with pytest.raises(CommandError, match=r"\|"):
        run(
            "create_player",
            "--operator",
            "cert",
            "--user-id",
            "1|2",
            "--user-name",
            "a",
            "--country",
            "DE",
            "--currency",
            "EUR",
            "--balance",
            "1",
        )


@pytest.mark.django_db
def test_issue_token_prints_a_token_that_authenticate_accepts(client) -> None:
    run("create_operator", "cert", "--secret-key", "k")
    run(
        "create_player",
        "--operator",
        "cert",
        "--user-id",
        "9",
        "--user-name",
        "nine",
        "--country",
        "DE",
        "--currency",
        "EUR",
        "--balance",
        "10",
    )
    out = run(
        "issue_token",
        "--operator",
        "cert",
        "--user-id",
        "9",
        "--game-id",
        "37",
        "--currency",
        "EUR",
    )
    token = out.strip().splitlines()[-1]
    assert GameSession.objects.get(token=token).game_id == 37
    answer = WalletClient(Operator.objects.get(operator_id="cert")).call(
        "authenticate", {"token": token}
    )
    assert answer.status == "OK" and answer.data["user_id"] == "9"


@pytest.mark.django_db
def test_issue_token_refuses_a_blocked_player() -> None:
    run("create_operator", "cert", "--secret-key", "k")
    run(
        "create_player",
        "--operator",
        "cert",
        "--user-id",
        "9",
        "--user-name",
        "nine",
        "--country",
        "DE",
        "--currency",
        "EUR",
        "--balance",
        "10",
        "--blocked",
    )
    with pytest.raises(CommandError, match="blocked"):
        run(
            "issue_token",
            "--operator",
            "cert",
            "--user-id",
            "9",
            "--game-id",
            "1",
            "--currency",
            "EUR",
        )
