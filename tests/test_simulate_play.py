"""simulate_play: the PLATFORM playing against our wallet over HTTP, signed as the PLATFORM
signs, answers verified, its own book kept transaction by transaction."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from operators.models import Operator
from platform_wallet.models import Player, Transaction, TransactionStatus
from platform_wallet.selectors import ledger_mismatches
from simulator.ledger_book import LedgerBook
from simulator.play import (
    PlayConfig,
    PlayerRun,
    PlayGame,
    PlayPlayer,
    PlaySummary,
    WalletWire,
    play_players_prepare,
)
from simulator.wallet_protocol import sha1
from tests.factories import OperatorFactory, PlayerFactory, wallet_for

SECRET = "play-secret"


@pytest.fixture
def play_operator(transactional_db: None) -> Operator:
    return OperatorFactory(operator_id="play-casino", secret_key=SECRET)


@pytest.mark.django_db(transaction=True)
def test_spec_simulate_play_book_matches_our_ledger_transaction_by_transaction(
    live_server: Any, play_operator: Operator, tmp_path: Path
) -> None:
    wallet_for(PlayerFactory(operator=play_operator, user_id="611"), "EUR", "300.00")
    wallet_for(PlayerFactory(operator=play_operator, user_id="612"), "GBP", "40.00")
    blocked = PlayerFactory(operator=play_operator, user_id="613", is_blocked=True)
    wallet_for(blocked, "EUR", "100.00")
    book_path = tmp_path / "book.sqlite3"
    out = StringIO()
    call_command(
        "simulate_play",
        operator="play-casino",
        wallet_url=f"{live_server.url}/api/wallet/",
        players=3,
        rounds=10,
        concurrency=3,
        book=book_path,
        seed=11,
        stdout=out,
    )
    text = out.getvalue()
    assert "Playing 3 players x 10 rounds" in text
    assert "unexpected answers: 0" in text
    assert "All answers as expected." in text
    assert "errors by code:" in text
    # Two existing players who may play, and one demo player created (not the blocked one).
    played = set(Transaction.objects.values_list("player__user_id", flat=True))
    assert played == {"611", "612", "sim-1"}
    assert Player.objects.get(user_id="sim-1").wallets.get().currency == "EUR"

    book = LedgerBook(book_path).transactions(operator_id="play-casino")
    assert len(book) > 30
    ours = {t.transaction_id: t for t in Transaction.objects.filter(operator=play_operator)}
    for entry in book:
        recorded = ours.get(entry.transaction_id)
        assert recorded is not None, entry
        if entry.error_code == "OP_49" and recorded.canceled_before_arrival:
            # its cancel arrived first: our row is the cancel's tombstone, never applied
            assert recorded.status == TransactionStatus.CANCELED and recorded.amount is None
            continue
        assert recorded.transaction_type == entry.transaction_type
        assert recorded.amount == entry.amount
        assert recorded.game_id == entry.game_id
        assert recorded.history_id == entry.history_id
        if entry.status == "OK":
            expected = TransactionStatus.CANCELED if entry.canceled else TransactionStatus.OK
            assert recorded.status == expected, entry
        else:
            assert recorded.status == TransactionStatus.ERROR
            assert recorded.error_code == entry.error_code
    outcomes = {(e.status, e.error_code, e.canceled) for e in book}
    assert ("OK", "", True) in outcomes  # canceled BETs (or WINs)
    assert ("ERROR", "OP_31", False) in outcomes  # BETs over the balance
    # issue 14: promotional free spins, each a WIN alone in its round, with its campaign
    freespins = [t for t in ours.values() if t.is_freespin]
    assert freespins and all(t.transaction_type == "WIN" and t.campaign_code for t in freespins)
    for spin in freespins:
        assert [t.transaction_type for t in ours.values() if t.round_id == spin.round_id] == ["WIN"]
    assert ledger_mismatches() == []


@pytest.mark.django_db(transaction=True)
def test_simulate_play_wrong_secret_is_unexpected_and_exits_non_zero(
    live_server: Any, play_operator: Operator, tmp_path: Path
) -> None:
    out = StringIO()
    with pytest.raises(CommandError, match="2 unexpected answers"):
        call_command(
            "simulate_play",
            operator="play-casino",
            wallet_url=f"{live_server.url}/api/wallet",
            players=2,
            rounds=2,
            concurrency=2,
            book=tmp_path / "book.sqlite3",
            secret_key="not-the-secret",
            stdout=out,
        )
    assert "authenticate: HTTP 403" in out.getvalue()
    # issue 12: the summary says what a 403 means and what to check
    assert "errors by code: HTTP 403 2" in out.getvalue()
    assert "check that --secret-key is the operator's secret key" in out.getvalue()
    assert "no answer 2" not in out.getvalue()
    assert not Transaction.objects.exists()


# --- A wallet that misbehaves: the checks must catch it -----------------------------------


class _FakeWallet(ThreadingHTTPServer):
    """Answers every call OK, balance 100.00 EUR; `good_hash` False signs with a wrong hash."""

    good_hash = True
    echo = True


class _Handler(BaseHTTPRequestHandler):
    server: _FakeWallet

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        digest = sha1("OK" + stamp + SECRET) if self.server.good_hash else "0" * 40
        data = {"balance": 100.0, "currency_code": "EUR", "user_id": request["data"].get("user_id")}
        body = json.dumps(
            {
                "request": request if self.server.echo else {},
                "response": {
                    "status": "OK",
                    "response_timestamp": stamp,
                    "hash": digest,
                    "data": data,
                },
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def fake_wallet() -> Iterator[_FakeWallet]:
    server = _FakeWallet(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _run(server: _FakeWallet, tmp_path: Path) -> tuple[PlayerRun, PlaySummary, LedgerBook]:
    book = LedgerBook(tmp_path / "book.sqlite3")
    config = PlayConfig(
        operator_id="play-casino",
        secret_key=SECRET,
        wallet_url=f"http://127.0.0.1:{server.server_address[1]}/api/wallet/",
        rounds=1,
        concurrency=1,
        book=book,
        retries=0,
    )
    summary = PlaySummary()
    run = PlayerRun(
        config=config,
        wire=WalletWire(config, summary),
        summary=summary,
        player=PlayPlayer(player_pk=0, user_id="611", currency="EUR", has_limits=False),
        games=[PlayGame(1001, "netent")],
        rng=random.Random(1),
    )
    run.balance = Decimal("100.00")
    return run, summary, book


def test_spec_simulate_play_flags_ok_where_an_error_was_expected(
    fake_wallet: _FakeWallet, tmp_path: Path
) -> None:
    run, summary, book = _run(fake_wallet, tmp_path)
    run.overdraft(round_id=1)  # a BET of 101.00 on a balance of 100.00: OP_31 expected
    assert summary.unexpected == ["player 611 BET over the balance: OK where OP_31 was expected"]
    assert summary.calls["changebalance"] == 1
    (entry,) = book.transactions(operator_id="play-casino")
    assert (entry.status, entry.amount) == ("OK", Decimal("101.00"))

    run.cancel_before_arrival(round_id=2)  # cancel of an unknown transaction: OP_41 expected
    assert "player 611 cancel before its BET: OK where OP_41 was expected" in summary.unexpected


def test_spec_simulate_play_flags_a_bad_response_hash(
    fake_wallet: _FakeWallet, tmp_path: Path
) -> None:
    fake_wallet.good_hash = False
    run, summary, _book = _run(fake_wallet, tmp_path)
    run.check_balance()
    assert summary.unexpected == ["player 611 balance: balance: response hash does not verify"]


def test_simulate_play_flags_a_request_not_passed_back(
    fake_wallet: _FakeWallet, tmp_path: Path
) -> None:
    fake_wallet.echo = False
    run, summary, _book = _run(fake_wallet, tmp_path)
    run.check_balance()
    assert summary.unexpected == [
        "player 611 balance: balance: the request is not passed back unchanged"
    ]


def test_simulate_play_flags_a_wrong_balance(fake_wallet: _FakeWallet, tmp_path: Path) -> None:
    run, summary, _book = _run(fake_wallet, tmp_path)
    run.balance = Decimal("90.00")
    run.check_balance()
    assert summary.unexpected == ["player 611 balance: balance 100.00, expected 90.00"]


@pytest.mark.django_db
def test_simulate_play_players_prepare_skips_blocked_and_creates_demo_players() -> None:
    operator = OperatorFactory(operator_id="prep-casino")
    wallet_for(PlayerFactory(operator=operator, user_id="a"), "GBP", "10.00")
    wallet_for(PlayerFactory(operator=operator, user_id="b", is_blocked=True), "EUR", "10.00")
    PlayerFactory(operator=operator, user_id="c")  # no wallet
    players = play_players_prepare(operator=operator, count=3, currency="SEK")
    assert [(p.user_id, p.currency) for p in players] == [
        ("a", "GBP"),
        ("sim-1", "SEK"),
        ("sim-2", "SEK"),
    ]
    assert Player.objects.get(user_id="sim-2").wallets.get().balance == Decimal("1000.00")
    again = play_players_prepare(operator=operator, count=3, currency="SEK")
    assert [p.user_id for p in again] == ["a", "sim-1", "sim-2"]
