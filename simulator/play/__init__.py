"""`simulate_play`: the PLATFORM playing against an operator's wallet over HTTP.

Signed exactly as the PLATFORM signs, through the simulator's own side of the protocol
(:mod:`simulator.wallet_protocol`: X-Operator-Id, X-Authorization, request hash); every answer's
hash ``sha1(status + response_timestamp + secret)`` is verified, and so is the echo of the
request.

Each simulated player is played by one thread at a time (a player plays one round at a time),
players in parallel on a thread pool. A player's rounds: a launch (a session from our
`session_create` service, then authenticate), balance, a BET, sometimes an identical retry
(expect the same answer) or a retry with changed data (expect OP_40), sometimes a cancel of the
BET, a WIN (some JACKPOT-WIN, some with token null) or a REFUND, a finishround, now and then a
promotional free spin instead (a PROMO-FREESPIN WIN with no BET in its round, with a campaign's
code and details of the shape its vendor uses),
status checks, and now and then a BET over the balance (expect OP_31) or a cancel that arrives
before its transaction (expect OP_41, then OP_49 for the transaction). The player's balance is
tracked from the answers: every OK answer must show the balance the arithmetic says.

Every changebalance sent is written to the simulator's `LedgerBook` with the wallet's answer,
and every accepted cancel marks it canceled there: the simulator's business report is computed
from that book, never from our ledger, so reconciliation compares two independent books.

A PLATFORM retries a call answered OP_50 or OP_47, or not answered at all; a BET still without
an answer after the retries is canceled (spec: OP_47). Anything that is not the answer the
protocol and the arithmetic call for is an "unexpected answer": the command exits non-zero.

Modules::

    simulator.play.model    PlayConfig, PlaySummary, PlayGame, PlayPlayer, new_id
    simulator.play.wire     WalletWire (signed calls, checked answers) and its Answer
    simulator.play.player   PlayerRun: one player's rounds and what each answer must be
    simulator.play.prepare  play_players_prepare, play_games_select (our database)
    simulator.play.run      play_run (the thread pool), summary_lines

Use::

    config = PlayConfig(operator_id=..., secret_key=..., wallet_url=..., rounds=20,
                        concurrency=4, book=LedgerBook(path))
    players = play_players_prepare(operator=operator, count=4)
    summary = play_run(config=config, players=players, games=play_games_select(operator=operator))
    summary_lines(summary)       # what the command prints; summary.unexpected: what went wrong
"""

from simulator.play.model import PlayConfig, PlayGame, PlayPlayer, PlaySummary
from simulator.play.player import PlayerRun
from simulator.play.prepare import play_games_select, play_players_prepare
from simulator.play.run import play_run, summary_lines
from simulator.play.wire import WalletWire

__all__ = [
    "PlayConfig",
    "PlayGame",
    "PlayPlayer",
    "PlaySummary",
    "PlayerRun",
    "WalletWire",
    "play_games_select",
    "play_players_prepare",
    "play_run",
    "summary_lines",
]
