"""The fake game behind GAME_LAUNCH_HOST: the simulator's launch page and its Spin.

    launch_page(state, query)             GET /launch/?mode=real|fun&game_id=|lobby_id=&token=
                                          &currency=&operator_id=&home_url=...: fun mode shows a
                                          demo; real mode authenticates the token against the
                                          operator's wallet (state.wallet_url); a lobby lists
                                          its games, each a link to play it inside the lobby
                                          (lobby_id and game_id, the lobby's token)
    launch_page(state, form, spin=True)   POST /launch/spin (the launch parameters + stake): one
                                          round. Real mode: a BET and its WIN sent to the wallet
                                          as the PLATFORM would (simulator.wallet_protocol), both
                                          booked in the simulator's ledger book. Fun mode: play
                                          money carried in the form (fun_balance), no wallet call

As a real game does, the page's home link leaves the frame (target=_top: the casino's lobby
refuses to be framed), and after each real spin the page posts {"type": "balance", "balance",
"currency"} to its parent window, addressed to the home_url's origin only.

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
from urllib.parse import urlencode, urlsplit

from simulator import catalog_data
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
LAUNCH_PARAMETERS = (
    "mode",
    "game_id",
    "lobby_id",
    "token",
    "currency",
    "language",
    "operator_id",
    "home_url",
)
FUN_BALANCE = Decimal("1000.00")  # a fun-mode game starts with this much play money
FUN_BALANCE_MAX = Decimal("1000000.00")
LOBBY_GAMES_SHOWN = 24
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


def _winnings(stake: Decimal) -> Decimal:
    """What a round pays: nothing more than half the time, up to ten times the stake."""
    draw = random.random()
    multiplier = (
        Decimal(0)
        if draw < 0.55
        else Decimal(str(round(random.uniform(0.5, 2), 1)))
        if draw < 0.9
        else Decimal(random.randint(2, 10))
    )
    return (stake * multiplier).quantize(CENT)


def fun_balance_read(raw: str) -> Decimal:
    """The play money a fun-mode form carries; anything odd starts over at FUN_BALANCE."""
    try:
        balance = Decimal(raw)
    except ArithmeticError:
        return FUN_BALANCE
    if not balance.is_finite() or not 0 <= balance <= FUN_BALANCE_MAX:
        return FUN_BALANCE
    return balance.quantize(CENT)


def fun_spin(*, balance: Decimal, stake: Decimal) -> SpinOutcome:
    """One round with play money: no wallet, nothing booked."""
    if stake > balance:
        return SpinOutcome(message="Not enough fun money for this stake.", balance=balance)
    won = _winnings(stake)
    message = f"You won {won} FUN!" if won else "No win this time."
    return SpinOutcome(message=message, balance=balance - stake + won)


def lobby_games(state: SimulatorState, lobby: dict[str, Any]) -> list[dict[str, Any]]:
    """The games a lobby offers: its vendor's enabled games, by title."""
    games = [g for g in state.games if g["vendor"] == lobby["vendor"] and int(g["enabled"])]
    return sorted(games, key=lambda g: (g["title"], g["id"]))[:LOBBY_GAMES_SHOWN]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _vendor_name(code: str) -> str:
    known = catalog_data.VENDOR_BY_CODE.get(code)
    return known.name if known else code


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
    won = _winnings(stake)
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
    lobby = state.lobby(lobby_id) if lobby_id else None
    if lobby_id and lobby is None:
        return error(404, "UNKNOWN_LOBBY", f"lobby {lobby_id} is not available")
    game: dict[str, Any] | None = None
    if game_id_raw or lobby is None:  # in a lobby, game_id is the game chosen there
        if not game_id_raw.isdigit():
            return error(400, "BAD_GAME", "game_id is required")
        game = state.game(int(game_id_raw))
        if game is None or not int(game["enabled"]):
            return error(404, "GAME_UNAVAILABLE", f"game {game_id_raw} is not available")
        if lobby is not None and game not in lobby_games(state, lobby):
            return error(404, "GAME_UNAVAILABLE", f"game {game_id_raw} is not in this lobby")
    launched = [(name, arg(name)) for name in LAUNCH_PARAMETERS if arg(name)]
    page: dict[str, Any] = {"home_url": home_url, "hidden": launched}
    if lobby is not None:
        lobby_query = [(k, v) for k, v in launched if k != "game_id"]
        page["lobby"] = {
            "title": lobby["details"].get("title", lobby_id),
            "url": "/launch/?" + urlencode(lobby_query),
        }
    if game is not None:
        page.update(title=game["title"], vendor=_vendor_name(game["vendor"]))
    else:
        assert lobby is not None
        page.update(title=page["lobby"]["title"], vendor=_vendor_name(lobby["vendor"]))
        page["games"] = [
            {
                "title": g["title"],
                "type": g["type"],
                "url": page["lobby"]["url"] + f"&game_id={g['id']}",
            }
            for g in lobby_games(state, lobby)
        ]
    stakes = {"stakes": [str(stake) for stake in STAKES], "default_stake": str(DEFAULT_STAKE)}
    if mode == "fun":
        if lobby is not None or game is None or not int(game["fun_mode"]):
            return error(400, "FUN_MODE_UNSUPPORTED", "this game has no fun mode")
        return 200, _fun_page(arg, spin=spin, page=page, stakes=stakes)
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
    balance, outcome, notify = player.balance, None, None
    if spin and game is not None:
        stake = _stake(arg("stake"))
        if stake is None:
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
            notify = _balance_message(home_url, balance, str(data["currency_code"]))
    return 200, render(
        "simulator/launch.html",
        mode="real",
        player=str(data.get("display_name") or data.get("user_name") or data.get("user_id")),
        balance=str(balance),
        currency=str(data.get("currency_code")),
        outcome=outcome,
        notify=notify,
        **(stakes if game is not None else {}),
        **page,
    )


def _stake(raw: str) -> Decimal | None:
    try:
        stake = Decimal(raw)
    except ArithmeticError:
        return None
    return stake if stake in STAKES else None


def _balance_message(
    home_url: str, balance: Decimal | None, currency: str
) -> dict[str, Any] | None:
    """What the page posts to the casino's window after a spin, and the origin it may go to
    (the home_url's: a message is never broadcast to whoever frames the game)."""
    origin = _origin(home_url)
    if not origin or balance is None:
        return None
    message = {"type": "balance", "balance": str(balance), "currency": currency}
    return {"origin": origin, "message": message}


def _fun_page(arg: Any, *, spin: bool, page: dict[str, Any], stakes: dict[str, Any]) -> bytes:
    """A fun-mode game: play money carried by the form, no token, no wallet."""
    balance = fun_balance_read(arg("fun_balance")) if spin else FUN_BALANCE
    outcome = None
    if spin:
        stake = _stake(arg("stake"))
        outcome = (
            fun_spin(balance=balance, stake=stake)
            if stake is not None
            else SpinOutcome(message="Choose one of the offered stakes.", balance=balance)
        )
        balance = outcome.balance if outcome.balance is not None else balance
    return render(
        "simulator/launch.html",
        mode="fun",
        balance=str(balance),
        outcome=outcome,
        **stakes,
        **page,
    )
