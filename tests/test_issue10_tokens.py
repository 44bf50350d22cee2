"""Issue 10, item 3: session tokens never leave the session table in full.

A game session token lets whoever holds it play with the player's money. The API error log,
log lines, the transaction row and admin pages keep only its first and last four characters
(`platform_wallet.redact.mask_token`).
"""

# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.test import Client

from platform_wallet import gameplay
from platform_wallet.models import ApiErrorLog, GameSession, Transaction
from platform_wallet.redact import mask_token, mask_tokens_in_body, mask_tokens_in_text
from tests.admin_fixtures import super_client, superuser  # noqa: F401 - fixtures
from tests.wallet_client import TIMESTAMP, WalletClient, sha1

TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789WxYz"


def test_issue10_mask_token_shows_the_first_and_last_four_characters() -> None:
    assert mask_token(TOKEN) == "AbCd…WxYz"
    assert mask_token(mask_token(TOKEN)) == "AbCd…WxYz"  # masking twice changes nothing
    assert mask_token("") == ""
    assert mask_token("short-value") == "…"  # too short to show any of it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f'{{"data":{{"token":"{TOKEN}","user_id":"1"}}}}',
            '{"data":{"token":"AbCd…WxYz","user_id":"1"}}',
        ),
        # malformed JSON, cut in the middle of the token
        (f'{{"data":{{"token" : "{TOKEN[:30]}', '{"data":{"token" : "AbCd…0123'),
        # two tokens, one null
        (
            f'[{{"token":"{TOKEN}"}},{{"token":null}},{{"token":"{TOKEN[::-1]}"}}]',
            '[{"token":"AbCd…WxYz"},{"token":null},{"token":"zYxW…dCbA"}]',
        ),
        # an escaped quote inside the value stays inside it
        (f'{{"token":"ab\\"{TOKEN}"}}', '{"token":"ab\\"…WxYz"}'),
        # a dict's repr in a log line
        (str({"token": TOKEN, "user_id": "1"}), "{'token': 'AbCd…WxYz', 'user_id': '1'}"),
        ('{"user_id":"1"}', '{"user_id":"1"}'),
    ],
)
def test_issue10_tokens_are_masked_in_any_text(text: str, expected: str) -> None:
    assert mask_tokens_in_text(text) == expected


def test_issue10_a_body_is_masked_before_it_is_cut() -> None:
    body = b'{"padding":"' + b"x" * 20 + b'","token":"' + TOKEN.encode() + b'"}'
    cut = len(body) - 10  # inside the token
    masked = mask_tokens_in_body(body, cut)
    assert TOKEN[:10] not in masked[4:] and "AbCd…" in masked


# --- the API error log and log lines ----------------------------------------------------------
@pytest.mark.django_db
def test_issue10_the_api_error_log_keeps_a_masked_token(api: WalletClient, session) -> None:
    unknown = "Zz" + TOKEN[2:]
    assert api.call("authenticate", {"token": unknown}).error_code == "OP_21"
    stored = ApiErrorLog.objects.get(error_code="OP_21").request_body
    assert unknown not in stored and '"token":"ZzCd…WxYz"' in stored


@pytest.mark.django_db
def test_issue10_a_malformed_request_is_logged_with_its_token_masked(
    api: WalletClient, session
) -> None:
    raw = (
        '{"command":"authenticate","request_timestamp":"%s","hash":"%s","data":{"token":"%s"'
        % (TIMESTAMP, sha1("authenticate" + TIMESTAMP + "secret_key"), session.token)
    ).encode()  # the closing braces are missing
    assert api.post_raw("authenticate", raw).error_code == "OP_50"
    stored = ApiErrorLog.objects.get().request_body
    assert session.token not in stored and mask_token(session.token) in stored


@pytest.mark.django_db
def test_issue10_a_database_error_is_logged_with_its_token_masked(
    api: WalletClient, session, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def database_gone(operator: object, data: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setitem(gameplay.COMMANDS, "authenticate", database_gone)
    with caplog.at_level(logging.INFO):
        answer = api.call("authenticate", {"token": session.token})
    assert answer.error_code == "OP_50"
    assert "OP_50" in caplog.text and mask_token(session.token) in caplog.text
    assert session.token not in caplog.text
    assert session.token not in ApiErrorLog.objects.get().request_body


# --- the transaction row ----------------------------------------------------------------------
@pytest.mark.django_db
def test_issue10_a_transaction_stores_the_masked_token_and_still_replays(
    api: WalletClient, session, wallet
) -> None:
    bet = {"user_id": "611", "token": session.token, "amount": Decimal("1.00")}
    first = api.changebalance(transaction_id=77001, round_id=77001, **bet)
    assert first.status == "OK"
    tx = Transaction.objects.get(transaction_id=77001)
    assert tx.token == mask_token(session.token) != session.token
    # the identical retry is recognised (the token is not part of the idempotency check)
    retry = api.changebalance(transaction_id=77001, round_id=77001, **bet)
    assert retry.status == "OK" and retry.data["balance"] == first.data["balance"]


# --- admin pages ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_issue10_admin_shows_only_masked_tokens_and_finds_a_session_by_its_token(
    super_client: Client, api: WalletClient, session, wallet
) -> None:
    api.changebalance(
        transaction_id=77002,
        round_id=77002,
        user_id="611",
        token=session.token,
        amount=Decimal("1"),
    )
    tx = Transaction.objects.get(transaction_id=77002)
    pages = [
        "/admin/platform_wallet/gamesession/",
        f"/admin/platform_wallet/gamesession/{session.pk}/change/",
        "/admin/platform_wallet/transaction/",
        f"/admin/platform_wallet/transaction/{tx.pk}/change/",
    ]
    for page in pages:
        html = super_client.get(page).content.decode()
        assert session.token not in html, page
    detail = super_client.get(pages[1]).content.decode()
    assert mask_token(session.token) in detail
    other = GameSession.objects.create(
        token="Q" * 40, operator=session.operator, player=session.player, wallet=wallet
    )
    found = super_client.get(pages[0], {"q": session.token}).context["cl"].result_list
    assert list(found) == [session] and other not in found


@pytest.mark.django_db
def test_issue10_tokens_stored_in_full_before_are_masked_by_the_migration(
    operator, player, wallet, session
) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("platform_wallet.migrations.0008_mask_stored_tokens")
    old = Transaction.objects.create(
        operator=operator,
        transaction_id=1,
        status="OK",
        player=player,
        wallet=wallet,
        round_id=1,
        token=session.token,
    )
    logged = ApiErrorLog.objects.create(
        operator=operator,
        command="balance",
        error_code="OP_21",
        error_message="Invalid token",
        request_body=f'{{"data":{{"token":"{session.token}"}}}}',
    )
    migration.mask_stored_tokens(apps, None)
    migration.mask_stored_tokens(apps, None)  # again: nothing changes
    old.refresh_from_db()
    logged.refresh_from_db()
    assert old.token == mask_token(session.token)
    assert logged.request_body == f'{{"data":{{"token":"{mask_token(session.token)}"}}}}'
    assert GameSession.objects.get(pk=session.pk).token == session.token  # kept in full there
