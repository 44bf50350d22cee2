"""`manage.py launch_url`: launch URLs for staff debugging (spec: "Game and lobby launch")."""

from __future__ import annotations

from io import StringIO
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Game
from operators.models import Operator
from platform_wallet.models import GameSession, Player, Wallet
from tests.lobby_fixtures import catalog_make, lobbies_make
from tests.wallet_client import WalletClient


@pytest.fixture
def games(operator: Operator) -> dict[str, Game]:
    operator.launch_host = "https://games.example.test"
    operator.save()
    lobbies_make(operator)
    return catalog_make(operator)


def run(*args: str) -> dict[str, str]:
    out = StringIO()
    call_command("launch_url", *args, stdout=out)
    url = out.getvalue().strip()
    assert url.startswith("https://games.example.test/?")
    return dict(parse_qsl(urlsplit(url).query))


def test_spec_real_mode_launch_url_opens_a_session_that_authenticates(
    games: dict[str, Game], player: Player, wallet: Wallet, operator: Operator
) -> None:
    params = run("--operator", "examplecasino", "--user-id", "611", "--game-id", "37")
    session = GameSession.objects.get(player=player)
    assert params == {
        "mode": "real",
        "game_id": "37",
        "token": session.token,
        "currency": "EUR",
        "language": "en",
        "operator_id": "examplecasino",
        "device": "desktop",
    }
    answer = WalletClient(operator).call("authenticate", {"token": params["token"]})
    assert answer.status == "OK" and answer.data["user_id"] == "611"


def test_spec_lobby_launch_url_with_device_and_language(
    games: dict[str, Game], player: Player, wallet: Wallet
) -> None:
    params = run(
        "--operator",
        "examplecasino",
        "--user-id",
        "611",
        "--lobby-id",
        "portomaso",
        "--device",
        "mobile",
        "--language",
        "de_at",
        "--home-url",
        "https://casino.test/",
    )
    assert params["lobby_id"] == "portomaso" and params["device"] == "mobile"
    assert params["language"] == "de-AT" and params["home_url"] == "https://casino.test/"
    assert GameSession.objects.get(player=player).lobby_id == "portomaso"


def test_spec_fun_mode_launch_url_has_no_token_and_opens_no_session(
    games: dict[str, Game], player: Player, wallet: Wallet
) -> None:
    params = run("--operator", "examplecasino", "--game-id", "38", "--mode", "fun")
    assert params["mode"] == "fun" and "token" not in params
    assert not GameSession.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--operator", "nobody", "--user-id", "611", "--game-id", "37"], "No operator"),
        (["--operator", "examplecasino", "--user-id", "999", "--game-id", "37"], "No player"),
        (["--operator", "examplecasino", "--user-id", "611", "--game-id", "5"], "not in"),
        (["--operator", "examplecasino", "--user-id", "611", "--game-id", "300"], "not available"),
        (["--operator", "examplecasino", "--game-id", "37"], "needs --user-id"),
        (["--operator", "examplecasino", "--game-id", "37", "--mode", "fun"], "no demo mode"),
        (
            ["--operator", "examplecasino", "--lobby-id", "portomaso", "--mode", "fun"],
            "games only",
        ),
        (
            [
                "--operator",
                "examplecasino",
                "--user-id",
                "611",
                "--game-id",
                "37",
                "--language",
                "klingon",
            ],
            "language",
        ),
    ],
)
def test_launch_url_refusals(
    games: dict[str, Game], player: Player, wallet: Wallet, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("launch_url", *args, stdout=StringIO())
    assert not GameSession.objects.exists()


def test_launch_url_refuses_a_blocked_player(
    games: dict[str, Game], player: Player, wallet: Wallet
) -> None:
    player.is_blocked = True
    player.save()
    with pytest.raises(CommandError, match="blocked"):
        call_command(
            "launch_url",
            "--operator",
            "examplecasino",
            "--user-id",
            "611",
            "--game-id",
            "37",
            stdout=StringIO(),
        )
