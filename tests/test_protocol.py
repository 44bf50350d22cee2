"""Spec: Gameplay API > X-Authorization header; Request and response signing (hashing).

The document's sample hashes are illustrative and do not verify; these expectations are
computed with sha1 over the documented concatenations."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest

from platform_wallet import protocol


def test_spec_x_authorization_is_sha1_of_command_and_secret() -> None:
    assert (
        protocol.authorization_header("status", "secret_key")
        == hashlib.sha1(b"statussecret_key").hexdigest()
    )


def test_spec_request_hash_example_authenticate() -> None:
    # sha1('authenticate' . '2020-12-01 13:44:54' . 'secret_key')
    expected = hashlib.sha1(b"authenticate2020-12-01 13:44:54secret_key").hexdigest()
    assert protocol.request_hash("authenticate", "2020-12-01 13:44:54", "secret_key") == expected
    # the document's sample does not verify
    assert expected != "43afab643ee5b94e3b4edbe438f30fa3e97e10c4"


def test_spec_response_hash_example() -> None:
    expected = hashlib.sha1(b"OK2020-12-01 15:33:11secret_key").hexdigest()
    assert protocol.response_hash("OK", "2020-12-01 15:33:11", "secret_key") == expected


def test_digests_compare_in_constant_time_and_refuse_missing() -> None:
    digest = protocol.request_hash("balance", "2020-12-01 13:44:54", "k")
    assert protocol.digests_match(digest, digest)
    assert protocol.digests_match(digest.upper(), digest)
    assert not protocol.digests_match(None, digest)
    assert not protocol.digests_match("", digest)
    assert not protocol.digests_match(digest[:-1] + "0", digest) or digest.endswith("0")


def test_parse_json_reads_floats_as_decimal_and_refuses_nan() -> None:
    body = protocol.parse_json(b'{"amount": 17.25, "id": 3568}')
    assert body["amount"] == Decimal("17.25") and isinstance(body["amount"], Decimal)
    assert body["id"] == 3568
    with pytest.raises(protocol.MalformedJSON):
        protocol.parse_json(b'{"amount": NaN}')
    with pytest.raises(protocol.MalformedJSON):
        protocol.parse_json(b"\xff\xfe")


def test_envelope_embeds_the_request_unchanged_and_signs_the_timestamp_it_returns() -> None:
    raw = b'{"command":"balance","data":{"amount":1.10,"transaction_id":"0012"}}'
    now = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    out = protocol.envelope(
        raw_request=raw,
        request_is_json=True,
        status="OK",
        data={"balance": Decimal("5.10"), "currency_code": "EUR"},
        secret_key="k",
        now=now,
    )
    text = out.decode()
    assert text.startswith('{"request":' + raw.decode() + ',"response":')
    assert '"balance":5.10' in text
    response = json.loads(text)["response"]
    assert response["response_timestamp"] == "2024-01-02 03:04:05"
    assert response["hash"] == hashlib.sha1(b"OK2024-01-02 03:04:05k").hexdigest()


def test_envelope_passes_back_malformed_request_as_a_string() -> None:
    out = protocol.envelope(
        raw_request=b"{not json",
        request_is_json=False,
        status="ERROR",
        data={"error_code": "OP_50", "error_message": "x"},
        secret_key="k",
    )
    assert json.loads(out)["request"] == "{not json"
