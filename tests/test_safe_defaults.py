"""Issue 10, section 5: safe defaults and clear refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


def _settings_value(name: str, **env: str) -> str:
    """A setting as the project computes it from this environment (in a fresh process)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='casino_project.settings';"
            f"from django.conf import settings; print(settings.{name})",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    return (result.stdout + result.stderr).strip()


def test_debug_is_off_unless_asked_for() -> None:
    assert _settings_value("DEBUG", DJANGO_SECRET_KEY="k" * 50) == "False"
    assert _settings_value("DEBUG", DJANGO_DEBUG="true") == "True"


def test_without_debug_a_secret_key_is_required() -> None:
    assert "DJANGO_SECRET_KEY is required" in _settings_value("DEBUG")


def test_make_demo_turns_debug_on_explicitly() -> None:
    makefile = (ROOT / "Makefile").read_text()
    demo_recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "DJANGO_DEBUG=true" in demo_recipe


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_demo_refuses_to_seed_known_passwords_without_debug() -> None:
    from django.contrib.auth import get_user_model

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", "--no-serve")
    assert not get_user_model().objects.exists()


# --- create_player: the currency's shape ------------------------------------------------


def _run(*args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _player(currency: str, user_id: str = "9") -> tuple[str, str]:
    return _run(
        "create_player",
        "--operator",
        "cert",
        "--user-id",
        user_id,
        "--user-name",
        "nine",
        "--country",
        "DE",
        "--currency",
        currency,
        "--balance",
        "10",
    )


@pytest.fixture
def cert_operator(db: None) -> None:
    _run("create_operator", "cert", "--secret-key", "cert-secret")


@pytest.mark.parametrize("bad", ["EURO", "EU", "E1R", "12", "€", "EUR|", "US D", ""])
def test_issue10_create_player_refuses_a_malformed_currency(cert_operator, bad: str) -> None:
    from platform_wallet.models import Player

    with pytest.raises(CommandError, match="ISO 4217"):
        _player(bad)
    assert not Player.objects.exists()


def test_issue10_create_player_takes_an_iso_code_in_any_case(cert_operator) -> None:
    from platform_wallet.models import Wallet

    out, _ = _player("gbp")
    assert "GBP 10.00" in out
    assert Wallet.objects.get().currency == "GBP"


def test_issue10_create_player_takes_a_configured_custom_code(cert_operator, settings) -> None:
    from platform_wallet.models import Wallet

    with pytest.raises(CommandError, match="none configured"):
        _player("MBTC")
    settings.WALLET_CUSTOM_CURRENCIES = ["MBTC"]
    _player("mBTC")
    assert Wallet.objects.get().currency == "MBTC"


def test_custom_currencies_must_have_the_launch_urls_shape() -> None:
    value = _settings_value(
        "WALLET_CUSTOM_CURRENCIES", DJANGO_DEBUG="true", WALLET_CUSTOM_CURRENCIES="m-BTC"
    )
    assert "WALLET_CUSTOM_CURRENCIES" in value and "ImproperlyConfigured" in value


# --- issue_token: warns about games the catalog says no to -------------------------------


def _token(game_id: int) -> tuple[str, str]:
    return _run(
        "issue_token",
        "--operator",
        "cert",
        "--user-id",
        "9",
        "--game-id",
        str(game_id),
        "--currency",
        "EUR",
    )


@pytest.fixture
def cert_player(cert_operator) -> None:
    _player("EUR")


def test_issue10_issue_token_without_a_catalog_issues_quietly(cert_player) -> None:
    from platform_wallet.models import GameSession

    out, err = _token(37)
    assert err == ""
    assert GameSession.objects.get(token=out.strip().splitlines()[-1]).game_id == 37


def test_issue10_issue_token_warns_when_the_game_is_not_in_the_catalog(cert_player) -> None:
    from operators.models import Operator
    from platform_wallet.models import GameSession
    from tests.lobby_fixtures import game_make

    game_make(Operator.objects.get(operator_id="cert"), 1, "Known Game")
    out, err = _token(37)
    assert "game 37 is not in the operator's catalog" in err
    assert GameSession.objects.filter(token=out.strip().splitlines()[-1]).exists()


@pytest.mark.parametrize(
    ("flags", "why"),
    [
        ({"disabled_by_operator": True}, "disabled by the operator"),
        ({"enabled": False}, "not offered"),
    ],
)
def test_issue10_issue_token_warns_when_the_game_is_disabled(cert_player, flags, why) -> None:
    from operators.models import Operator
    from platform_wallet.models import GameSession
    from tests.lobby_fixtures import game_make

    game_make(Operator.objects.get(operator_id="cert"), 37, "Off Game", **flags)
    out, err = _token(37)
    assert why in err and "OP_35" in err
    token = out.strip().splitlines()[-1]
    assert GameSession.objects.filter(token=token).exists()
