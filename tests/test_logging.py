"""Structured JSON logs: one line per wallet call with command, operator, transaction id and
user id, and the same fields on every other line logged during a wallet call."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from ops.logs import JsonFormatter, WalletContextFilter
from tests.wallet_client import WalletClient, new_id
from tests.wsgi_transport import wsgi_request

ROOT = Path(settings.BASE_DIR)


def test_json_formatter_writes_one_object_with_the_extra_fields() -> None:
    record = logging.LogRecord("wallet.calls", logging.INFO, __file__, 1, "%s OK", ("bet",), None)
    record.command = "changebalance"
    record.transaction_id = "3568"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["level"] == "INFO"
    assert payload["logger"] == "wallet.calls"
    assert payload["message"] == "bet OK"
    assert payload["command"] == "changebalance"
    assert payload["transaction_id"] == "3568"
    assert payload["ts"].endswith("+00:00")
    assert "args" not in payload and "msg" not in payload


def test_json_formatter_keeps_the_traceback_in_the_same_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    payload = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in payload["exc_info"]


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The project's configured console handler (with its wallet context filter), writing
    JSON lines into a buffer for the test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, WalletContextFilter) for f in h.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    old_stream, old_formatter = handler.setStream(buffer), handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield buffer
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_spec_changebalance_one_line_per_call_with_command_operator_user_and_transaction(
    api: WalletClient, session, wallet, json_log: io.StringIO
) -> None:
    transaction_id = new_id()
    answer = api.changebalance(
        user_id="611", token=session.token, amount=Decimal("2.50"), transaction_id=transaction_id
    )
    assert answer.status == "OK"
    calls = [line for line in lines(json_log) if line["logger"] == "wallet.calls"]
    assert len(calls) == 1
    call = calls[0]
    assert call["level"] == "INFO"
    assert call["command"] == "changebalance"
    assert call["operator"] == "examplecasino"
    assert call["user_id"] == "611"
    assert call["transaction_id"] == str(transaction_id)
    assert call["status"] == "OK"
    assert call["error_code"] is None
    assert call["http_status"] == 200
    assert call["duration_ms"] > 0
    assert call["client_ip"] == "127.0.0.1"


@pytest.mark.django_db
def test_spec_op_31_every_wallet_line_carries_the_call_fields(
    api: WalletClient, session, wallet, json_log: io.StringIO
) -> None:
    transaction_id = new_id()
    answer = api.changebalance(
        user_id="611", token=session.token, amount=Decimal("500.00"), transaction_id=transaction_id
    )
    assert answer.error_code == "OP_31"
    written = lines(json_log)
    # the view's own line about the ERROR answer, and the one line of the call
    assert {line["logger"] for line in written} >= {"platform_wallet.api", "wallet.calls"}
    for line in written:
        assert line["command"] == "changebalance"
        assert line["operator"] == "examplecasino"
        assert line["user_id"] == "611"
        assert line["transaction_id"] == str(transaction_id)
    call = next(line for line in written if line["logger"] == "wallet.calls")
    assert (call["status"], call["error_code"]) == ("ERROR", "OP_31")


@pytest.mark.django_db
def test_spec_x_authorization_403_is_logged_as_a_warning_with_the_operator(
    api: WalletClient, json_log: io.StringIO
) -> None:
    assert api.post_raw("status", b"{}", authorization="bad").http_status == 403
    call = next(line for line in lines(json_log) if line["logger"] == "wallet.calls")
    assert call["level"] == "WARNING"
    assert (call["command"], call["status"], call["operator"]) == (
        "status",
        "DENIED",
        "examplecasino",
    )


@pytest.mark.django_db
def test_lines_outside_wallet_calls_have_no_wallet_fields(client, json_log) -> None:
    wsgi_request("GET", "/api/wallet/ping")  # ping is counted, not logged
    logging.getLogger("lobby").warning("a page line")
    written = lines(json_log)
    assert [line["message"] for line in written] == ["a page line"]
    assert "command" not in written[0]


def test_production_logs_are_json_lines_on_stderr() -> None:
    """With DEBUG off (and no LOG_FORMAT), the project's logging writes JSON lines."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "casino.example.com",
        "DATABASE_URL": "",
    }
    env.pop("LOG_FORMAT", None)
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('wallet.calls').info('balance OK', "
        "extra={'command': 'balance', 'operator': 'op1', 'user_id': '7', "
        "'transaction_id': None})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "casino_project.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    payload = json.loads(result.stderr.strip().splitlines()[-1])
    assert payload["message"] == "balance OK"
    assert payload["command"] == "balance"
    assert payload["operator"] == "op1"
    assert payload["user_id"] == "7"
    assert payload["transaction_id"] is None
