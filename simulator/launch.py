"""The fake game behind GAME_LAUNCH_HOST: the simulator's launch page and its Spin.

    launch_page(state, query)             GET /launch/?mode=real|fun&game_id=|lobby_id=&token=
                                          &currency=&operator_id=&home_url=...: fun mode shows a
                                          demo; real mode authenticates the token against the
                                          operator's wallet (state.wallet_url)
    launch_page(state, form, spin=True)   POST /launch/spin (the launch parameters + stake): one
                                          round, a BET and its WIN sent to the wallet as the
                                          PLATFORM would (simulator.wallet_protocol), both booked
                                          in the simulator's ledger book

Both answer (HTTP status, HTML). A refused launch is an error page naming a code: the
PLATFORM's own (UNKNOWN_OPERATOR, BAD_MODE, BAD_GAME, GAME_UNAVAILABLE, UNKNOWN_LOBBY,
FUN_MODE_UNSUPPORTED, BAD_TOKEN, BAD_STAKE) or the wallet's OP_xx (OP_50 when the wallet gave no
valid answer).
"""

from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from simulator.ledger_book import CENT, BookTransaction
from simulator.pages import render
from simulator.state import ApiAnswer, SimulatorState
from simulator.wallet_protocol import (
    WalletAnswer,
    WalletProtocolError,
    changebalance_data,
    post,
    sign_request,
)

TOKEN_RE = re.compile(r"^[A-Za-z0-9]{20,50}$")
STAKES = (Decimal("0.10"), Decimal("0.50"), Decimal("1.00"), Decimal("5.00"))
DEFAULT_STAKE = Decimal("1.00")
LAUNCH_PARAMETERS = ("mode", "game_id", "token", "currency", "language", "operator_id", "home_url")
WALLET_TIMEOUT = (3, 5)  # connect, read: seconds


@dataclass(frozen=True)
class SpinOutcome:
    message: str
    balance: Decimal | None
    error_code: str = ""


def wallet_call(state: SimulatorState, command: str, data: dict[str, Any]) -> WalletAnswer:
    """Call the operator's wallet as the PLATFORM does (signed request, checked answer).

    Raises ApiAnswer(502) when the wallet cannot be reached or its answer does not check out.
    """
    assert state.wallet_url
    request = sign_request(state.credentials, command, data)
    try:
        return post(state.credentials, state.wallet_url, request, timeout=WALLET_TIMEOUT)
    except WalletProtocolError as exc:
        raise ApiAnswer(502, f"wallet {command}: {exc} (treated as OP_50)") from exc


def _changebalance(
    state: SimulatorState, *, vendor: str, data: dict[str, Any], failed: str
) -> WalletAnswer | SpinOutcome:
    """One changebalance to the wallet, booked with its outcome: the OK answer, or the outcome
    that ends the round (`failed` is its message when the wallet gives none)."""
    try:
        answer: WalletAnswer | None = wallet_call(state, "changebalance", data)
        no_answer = ""
    except ApiAnswer as exc:
        answer, no_answer = None, exc.message
    state.book.record(
        BookTransaction.sent(operator_id=state.operator_id, vendor=vendor, data=data, answer=answer)
    )
    if answer is None:
        return SpinOutcome(message=no_answer, balance=None, error_code="OP_50")
    if answer.status != "OK":
        message = str(answer.data.get("error_message", failed))
        return SpinOutcome(message=message, balance=None, error_code=str(answer.error_code))
    return answer


def play_spin(
    state: SimulatorState,
    *,
    token: str,
    user_id: str,
    game: dict[str, Any],
    currency: str,
    stake: Decimal,
) -> SpinOutcome:
    """One round of the fake game: a BET of `stake`, then (if accepted) its WIN, possibly 0."""
    round_id = secrets.randbelow(2**52)
    history_id = f"{round_id}-{secrets.token_hex(4)}"

    def changebalance(kind: str, amount: Decimal, failed: str) -> WalletAnswer | SpinOutcome:
        data = changebalance_data(
            token=token,
            user_id=user_id,
            transaction_type=kind,
            transaction_id=secrets.randbelow(2**52),
            round_id=round_id,
            round_finished=kind == "WIN",
            game_id=game["id"],
            currency_code=currency,
            amount=amount,
            reason="SPIN",
            history_id=history_id,
        )
        return _changebalance(state, vendor=game["vendor"], data=data, failed=failed)

    bet = changebalance("BET", stake, "the bet was not accepted")
    if isinstance(bet, SpinOutcome):
        return bet
    draw = random.random()
    multiplier = (
        Decimal(0)
        if draw < 0.55
        else Decimal(str(round(random.uniform(0.5, 2), 1)))
        if draw < 0.9
        else Decimal(random.randint(2, 10))
    )
    won = (stake * multiplier).quantize(CENT)
    win = changebalance("WIN", won, "the win was not credited")
    if isinstance(win, SpinOutcome):
        return win
    message = f"You won {won} {currency}!" if won else "No win this time."
    return SpinOutcome(message=message, balance=win.balance)


def launch_page(
    state: SimulatorState, query: dict[str, list[str]], *, spin: bool = False
) -> tuple[int, bytes]:
    """The fake game behind GAME_LAUNCH_HOST. `spin` (a POST from its form) plays one round."""

    def arg(name: str) -> str:
        return (query.get(name) or [""])[0]

    mode, token, currency = arg("mode"), arg("token"), arg("currency")
    game_id_raw, lobby_id, home_url = arg("game_id"), arg("lobby_id"), arg("home_url")
    home_url = home_url if home_url.startswith(("http://", "https://")) else ""

    def error(status: int, code: str, message: str) -> tuple[int, bytes]:
        page = render("simulator/launch_error.html", code=code, message=message, home_url=home_url)
        return status, page

    if arg("operator_id") != state.operator_id:
        return error(400, "UNKNOWN_OPERATOR", "operator_id does not match this PLATFORM account")
    if mode not in ("real", "fun"):
        return error(400, "BAD_MODE", "mode must be real or fun")
    game: dict[str, Any] | None = None
    if lobby_id:  # lobby_id wins over game_id
        lobby = state.lobby(lobby_id)
        if lobby is None:
            return error(404, "UNKNOWN_LOBBY", f"lobby {lobby_id} is not available")
        title, vendor, fun_mode = lobby["details"].get("title", lobby_id), lobby["vendor"], False
    else:
        if not game_id_raw.isdigit():
            return error(400, "BAD_GAME", "game_id is required")
        game = state.game(int(game_id_raw))
        if game is None or not int(game["enabled"]):
            return error(404, "GAME_UNAVAILABLE", f"game {game_id_raw} is not available")
        title, vendor, fun_mode = game["title"], game["vendor"], bool(int(game["fun_mode"]))
    page = {"title": title, "vendor": vendor, "home_url": home_url}
    if mode == "fun":
        if lobby_id or not fun_mode:
            return error(400, "FUN_MODE_UNSUPPORTED", "this game has no fun mode")
        return 200, render("simulator/launch.html", mode="fun", **page)
    if not TOKEN_RE.match(token):
        return error(400, "BAD_TOKEN", "token must be 20-50 characters [A-Za-z0-9]")
    if not state.wallet_url:
        return 200, render("simulator/launch.html", mode="no_wallet", **page)
    try:
        player = wallet_call(state, "authenticate", {"token": token})
    except ApiAnswer as exc:
        return error(502, "OP_50", exc.message)
    if player.status != "OK":
        message = str(player.data.get("error_message", "authenticate failed"))
        return error(403, str(player.error_code), message)
    if currency and player.data.get("currency_code") != currency:
        return error(400, "OP_30", "the launch currency is not the player's currency")
    data = player.data
    balance, outcome = player.balance, None
    if spin and game is not None:
        try:
            stake = Decimal(arg("stake"))
        except ArithmeticError:
            stake = Decimal(0)
        if stake not in STAKES:
            return error(400, "BAD_STAKE", "choose one of the offered stakes")
        outcome = play_spin(
            state,
            token=token,
            user_id=str(data["user_id"]),
            game=game,
            currency=str(data["currency_code"]),
            stake=stake,
        )
        if not outcome.error_code:
            balance = outcome.balance
    return 200, render(
        "simulator/launch.html",
        mode="real",
        player=str(data.get("display_name") or data.get("user_name") or data.get("user_id")),
        balance=str(balance),
        currency=str(data.get("currency_code")),
        outcome=outcome,
        hidden=[(name, arg(name)) for name in LAUNCH_PARAMETERS] if game is not None else [],
        stakes=[str(stake) for stake in STAKES] if game is not None else [],
        default_stake=str(DEFAULT_STAKE),
        **page,
    )
