"""The wallet API's OpenAPI 3.1 schema (docs/openapi/wallet.yaml) against the real endpoints.

Real requests go through the Django test client for every command, with OK and ERROR answers;
each request body and each answer is validated against the schema. Requests the schema calls
invalid are refused by the endpoint (ERROR OP_50), and variants the schema allows are accepted,
so that the schema says what the endpoints accept. Spec: Gameplay API (Request, Response,
Exception handling, API commands).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from openapi_spec_validator import validate as validate_openapi_document
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from casino_project.wsgi import application
from platform_wallet.errors import ErrorCode
from platform_wallet.gameplay import COMMANDS
from platform_wallet.models import GameSession, Player
from tests.factories import PlayerFactory, session_for, wallet_for
from tests.wallet_client import TIMESTAMP, Answer, WalletClient, dumps, new_id, sha1

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "openapi" / "wallet.yaml"
SCHEMA_URI = "urn:casino:wallet-openapi"


def _decimals(value: Any) -> Any:
    """YAML floats (multipleOf 0.01) as Decimal, so that amounts parsed as Decimal are checked
    exactly (17.25 is a multiple of 0.01; in floats it is not)."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return yaml.safe_load(SCHEMA_FILE.read_text())


@pytest.fixture(scope="module")
def registry(document: dict[str, Any]) -> Registry:
    return Registry().with_resource(SCHEMA_URI, DRAFT202012.create_resource(_decimals(document)))


def _validator(registry: Registry, document: dict[str, Any], path: str, part: str) -> Any:
    operation = document["paths"][path]["post"]
    if part == "request":
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
    else:
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    ref = SCHEMA_URI + schema["$ref"]
    return Draft202012Validator({"$ref": ref}, registry=registry)


class SchemaClient:
    """Sends a command as the PLATFORM does and validates the request and the answer."""

    def __init__(self, api: WalletClient, document: dict[str, Any], registry: Registry) -> None:
        self.api = api
        self.document = document
        self.registry = registry
        self.validated: list[tuple[str, str, str | None]] = []

    def request_errors(self, command: str, body: dict[str, Any]) -> list[str]:
        validator = _validator(self.registry, self.document, f"/{command}", "request")
        return [e.message for e in validator.iter_errors(body)]

    def body(self, command: str, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "command": command,
            "request_timestamp": TIMESTAMP,
            "hash": sha1(command + TIMESTAMP + self.api.operator.secret_key),
            "data": data,
        }

    def send(self, command: str, data: dict[str, Any], *, check_request: bool = True) -> Answer:
        body = self.body(command, data)
        raw = dumps(body).encode()
        if check_request:
            # What was sent, as the server reads it (numbers as Decimal).
            _validator(self.registry, self.document, f"/{command}", "request").validate(
                json.loads(raw, parse_float=Decimal)
            )
        answer = self.api.post_raw(command, raw)
        assert answer.http_status == 200
        _validator(self.registry, self.document, f"/{command}", "response").validate(answer.body)
        self.validated.append((command, answer.status, answer.error_code))
        return answer


@pytest.fixture
def schema_client(api: WalletClient, document: dict[str, Any], registry: Registry) -> SchemaClient:
    return SchemaClient(api, document, registry)


def test_the_schema_is_a_valid_openapi_3_1_document(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate_openapi_document(document)


def test_spec_endpoints_every_command_and_ping_are_described_and_routed(
    document: dict[str, Any],
) -> None:
    paths = document["paths"]
    assert {p.strip("/") for p in paths} == set(COMMANDS) | {"ping"}
    for command in COMMANDS:
        assert set(paths[f"/{command}"]) == {"post"}
    assert set(paths["/ping"]) == {"get"}
    assert set(application.routes.values()) == set(COMMANDS) | {"ping"}
    assert set(application.routes) == {f"/api/wallet/{p.strip('/')}" for p in paths}


def test_spec_exception_handling_error_code_enum_is_exactly_ours(document: dict[str, Any]) -> None:
    enum = document["components"]["schemas"]["ErrorCode"]["enum"]
    assert enum == [code.value for code in ErrorCode]


def test_the_schema_is_served_as_kept_in_the_repository(client) -> None:
    response = client.get("/api/schema/wallet.yaml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert response.content == SCHEMA_FILE.read_bytes()
    assert client.post("/api/schema/wallet.yaml").status_code == 405


@pytest.mark.django_db
def test_spec_authenticate_ok_and_error_answers_match_the_schema(
    schema_client: SchemaClient, session: GameSession
) -> None:
    ok = schema_client.send("authenticate", {"token": session.token})
    assert ok.status == "OK"
    assert ok.data["user_id"] == "611"
    error = schema_client.send("authenticate", {"token": "unknownTokenUnknownToken"})
    assert error.error_code == "OP_21"
    session.player.is_blocked = True
    session.player.save()
    assert schema_client.send("authenticate", {"token": session.token}).error_code == "OP_22"


@pytest.mark.django_db
def test_spec_authenticate_answer_without_display_name_or_group_matches(
    schema_client: SchemaClient, operator
) -> None:
    player = PlayerFactory(operator=operator, user_id="7", display_name="")
    token = session_for(player, wallet_for(player, "EUR", "0.10")).token
    answer = schema_client.send("authenticate", {"token": token})
    assert answer.status == "OK"
    assert "display_name" not in answer.data
    assert answer.data["balance"] == Decimal("0.10")


@pytest.mark.django_db
def test_spec_balance_ok_and_error_answers_match_the_schema(
    schema_client: SchemaClient, session: GameSession
) -> None:
    data = {"token": session.token, "currency_code": "EUR", "user_id": "611"}
    assert schema_client.send("balance", data).data == {
        "balance": Decimal("100.00"),
        "currency_code": "EUR",
    }
    assert schema_client.send("balance", {**data, "currency_code": "USD"}).error_code == "OP_30"
    assert schema_client.send("balance", {**data, "user_id": "nobody"}).error_code == "OP_34"
    # user_id as a JSON integer (the spec's cancel example sends one)
    assert schema_client.send("balance", {**data, "user_id": 611}).status == "OK"


@pytest.mark.django_db
def test_spec_changebalance_ok_and_error_answers_match_the_schema(
    schema_client: SchemaClient, session: GameSession
) -> None:
    bet = {
        "transaction_type": "BET",
        "amount": Decimal("17.25"),
        "currency_code": "EUR",
        "transaction_id": new_id(),
        "transaction_timestamp": TIMESTAMP,
        "round_id": new_id(),
        "round_finished": False,
        "game_id": 200,
        "user_id": "611",
        "token": session.token,
        "context": {"reason": "not_provided", "history_id": "h-1"},
    }
    ok = schema_client.send("changebalance", bet)
    assert ok.data == {"currency_code": "EUR", "balance": Decimal("82.75")}
    # an identical retry replays
    assert schema_client.send("changebalance", bet).data["balance"] == Decimal("82.75")
    # the spec's WIN example: rake with 4 decimals, a null token, ids as strings
    win = {
        **bet,
        "transaction_type": "WIN",
        "transaction_id": str(new_id()),
        "round_id": str(bet["round_id"]),
        "token": None,
        "round_finished": None,
        "context": {"reason": "not_provided", "rake": Decimal("0.0328"), "history_id": 5},
    }
    assert schema_client.send("changebalance", win).data["balance"] == Decimal("100.00")
    too_much = {**bet, "transaction_id": new_id(), "amount": 1000}
    assert schema_client.send("changebalance", too_much).error_code == "OP_31"
    other_data = {**bet, "amount": Decimal("1.00")}
    assert schema_client.send("changebalance", other_data).error_code == "OP_40"
    unknown = {**bet, "transaction_id": new_id(), "user_id": "nobody"}
    assert schema_client.send("changebalance", unknown).error_code == "OP_34"


@pytest.mark.django_db
def test_spec_status_cancel_finishround_ok_and_error_answers_match_the_schema(
    schema_client: SchemaClient, session: GameSession
) -> None:
    transaction_id, round_id = new_id(), new_id()
    schema_client.send(
        "changebalance",
        {
            "transaction_type": "BET",
            "amount": 5,
            "currency_code": "EUR",
            "transaction_id": transaction_id,
            "round_id": round_id,
            "round_finished": False,
            "game_id": 200,
            "user_id": "611",
            "token": session.token,
            "context": {"reason": "SPIN"},
        },
    )
    status_data = {
        "user_id": "611",
        "transaction_id": transaction_id,
        "transaction_type": "BET",
        "transaction_date": "2020-11-31",
        "transaction_ts": "1606822496000",
        "round_id": round_id,
    }
    assert schema_client.send("status", status_data).data["transaction_status"] == "OK"
    missing = {**status_data, "transaction_id": new_id()}
    assert schema_client.send("status", missing).error_code == "OP_41"

    cancel_data = {
        "user_id": 611,
        "transaction_id": transaction_id,
        "round_id": round_id,
        "round_finished": None,
        "game_id": 200,
    }
    canceled = schema_client.send("cancel", cancel_data)
    assert canceled.data == {
        "user_id": 611,
        "transaction_id": transaction_id,
        "transaction_status": "CANCELED",
    }
    assert schema_client.send("status", status_data).data["transaction_status"] == "CANCELED"
    assert schema_client.send("cancel", {**cancel_data, "user_id": "nobody"}).error_code == "OP_34"

    finish = {
        "round_id": round_id,
        "user_id": "611",
        "game_id": 200,
        "round_date": "2023-09-14",
        "round_ts": "1694704880325",
    }
    assert schema_client.send("finishround", finish).data == {
        "round_id": round_id,
        "user_id": "611",
        "game_id": 200,
    }
    assert schema_client.send("finishround", {**finish, "round_id": new_id()}).error_code == (
        "OP_41"
    )


@pytest.mark.django_db
def test_spec_op_20_and_malformed_requests_answers_match_the_schema(
    schema_client: SchemaClient, session: GameSession
) -> None:
    body = schema_client.body("balance", {"token": session.token})
    body["hash"] = "0" * 40
    answer = schema_client.api.post_raw("balance", dumps(body).encode())
    _validator(schema_client.registry, schema_client.document, "/balance", "response").validate(
        answer.body
    )
    assert answer.error_code == "OP_20"
    # a body that is not JSON is passed back as a string, still a valid answer
    answer = schema_client.api.post_raw("status", b"not json")
    _validator(schema_client.registry, schema_client.document, "/status", "response").validate(
        answer.body
    )
    assert answer.error_code == "OP_50"
    assert answer.body["request"] == "not json"


# (command, field, value): the schema refuses the request, the endpoint answers OP_50.
INVALID_REQUESTS: list[tuple[str, str, Any]] = [
    ("changebalance", "amount", Decimal("1.005")),
    ("changebalance", "amount", Decimal("-1")),
    ("changebalance", "amount", "10.00"),
    ("changebalance", "amount", Decimal("1E+16")),
    ("changebalance", "transaction_id", "12a"),
    ("changebalance", "transaction_id", True),
    ("changebalance", "transaction_id", -5),
    ("changebalance", "round_id", None),
    ("changebalance", "game_id", 1234567),
    ("changebalance", "transaction_type", "DEPOSIT"),
    ("changebalance", "round_finished", "yes"),
    ("changebalance", "currency_code", "EUROS"),
    ("changebalance", "token", "x" * 51),
    ("changebalance", "user_id", None),
    ("changebalance", "user_id", "u" * 71),
    ("changebalance", "context", "SPIN"),
    ("changebalance", "context", {"reason": "SPIN", "rake": Decimal("0.00001")}),
    ("changebalance", "context", {"reason": ["SPIN"]}),
    ("changebalance", "transaction_timestamp", 20201201),
    ("changebalance", "amount", ...),  # ... = the field is missing
    ("authenticate", "token", 12345),
    ("authenticate", "token", ...),
    ("balance", "currency_code", None),
    ("status", "transaction_ts", 1606822496000),
    ("status", "user_id", ...),
    ("cancel", "game_id", "5523a"),
    ("cancel", "round_finished", 0),
    ("finishround", "round_date", 20230914),
    ("finishround", "round_id", ...),
]

VALID_DATA: dict[str, dict[str, Any]] = {
    "authenticate": {"token": "unknownTokenUnknownToken"},
    "balance": {"token": "unknownTokenUnknownToken", "currency_code": "EUR", "user_id": "611"},
    "changebalance": {
        "transaction_type": "BET",
        "amount": Decimal("1.00"),
        "currency_code": "EUR",
        "transaction_id": 1,
        "transaction_timestamp": TIMESTAMP,
        "round_id": 1,
        "round_finished": False,
        "game_id": 200,
        "user_id": "611",
        "token": None,
        "context": {"reason": "not_provided"},
    },
    "status": {"user_id": "611", "transaction_id": 1},
    "cancel": {"user_id": "611", "transaction_id": 1, "round_id": 1, "game_id": 1},
    "finishround": {"round_id": 1, "user_id": "611", "game_id": 1},
}


@pytest.mark.django_db
@pytest.mark.parametrize(("command", "field", "value"), INVALID_REQUESTS)
def test_requests_the_schema_refuses_are_refused_by_the_endpoint(
    schema_client: SchemaClient, command: str, field: str, value: Any
) -> None:
    data = dict(VALID_DATA[command])
    if value is ...:
        del data[field]
    else:
        data[field] = value
    body = json.loads(dumps(schema_client.body(command, data)), parse_float=Decimal)
    assert schema_client.request_errors(command, body), "the schema should refuse this request"
    answer = schema_client.send(command, data, check_request=False)
    assert answer.error_code == "OP_50"
    assert field in answer.data["error_message"]


# Variants the schema allows; the endpoint reads them (the answer is not a malformed-request
# OP_50: the player of these requests does not exist, hence OP_21/OP_34/OP_41).
VALID_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("changebalance", {"transaction_id": "12345678901234567890"[:19], "round_id": "7"}),
    ("changebalance", {"user_id": 611, "game_id": "200", "amount": 5}),
    ("changebalance", {"amount": Decimal("5.10"), "round_finished": None}),
    ("changebalance", {"context": None, "transaction_timestamp": None}),
    ("changebalance", {"context": {"reason": 7, "history_id": None, "rake": None}}),
    ("changebalance", {"extra_member": {"kept": True}}),
    ("status", {"transaction_type": None, "transaction_date": None, "transaction_ts": None}),
    ("cancel", {"round_finished": True, "transaction_id": "9"}),
    ("finishround", {"round_date": None, "round_ts": None, "user_id": 611}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("command", "changes"), VALID_VARIANTS)
def test_requests_the_schema_allows_are_read_by_the_endpoint(
    schema_client: SchemaClient, operator, command: str, changes: dict[str, Any]
) -> None:
    answer = schema_client.send(command, {**VALID_DATA[command], **changes})
    assert answer.status == "ERROR"
    assert answer.error_code in {"OP_21", "OP_34", "OP_41"}, answer.data


@pytest.mark.django_db
def test_an_answer_outside_the_schema_fails_validation(
    schema_client: SchemaClient, session: GameSession
) -> None:
    """The response schemas are strict: an answer with a wrong member type, an unknown error
    code or an extra member does not validate (so the tests above can fail)."""
    answer = schema_client.send(
        "balance", {"token": session.token, "currency_code": "EUR", "user_id": "611"}
    )
    validator = _validator(schema_client.registry, schema_client.document, "/balance", "response")
    broken = json.loads(json.dumps(answer.body, default=str), parse_float=Decimal)
    with pytest.raises(ValidationError):  # balance as a string
        validator.validate(broken)
    wrong_code = {**answer.body, "response": {**answer.body["response"], "status": "ERROR"}}
    wrong_code["response"]["data"] = {"error_code": "OP_99", "error_message": "x"}
    with pytest.raises(ValidationError):
        validator.validate(wrong_code)
    extra = {**answer.body, "response": {**answer.body["response"]}}
    extra["response"]["data"] = {**answer.data, "bonus": Decimal("1.00")}
    with pytest.raises(ValidationError):
        validator.validate(extra)
    assert Player.objects.filter(user_id="611").exists()
