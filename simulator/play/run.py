"""A play run: every player's rounds on a thread pool, and the summary's lines."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.db import connection

from simulator.play.model import PlayConfig, PlayGame, PlayPlayer, PlaySummary
from simulator.play.player import PlayerRun
from simulator.play.wire import WalletWire

logger = logging.getLogger(__name__)


def play_run(
    *,
    config: PlayConfig,
    players: list[PlayPlayer],
    games: list[PlayGame],
    progress: Callable[[str], None] | None = None,
) -> PlaySummary:
    """Play `config.rounds` rounds for every player, `config.concurrency` players at a time."""
    if not games:
        raise ValueError("no games to play")
    summary = PlaySummary(players=len(players))
    wire = WalletWire(config, summary)
    master = random.Random(config.seed)
    seeds = [master.randrange(2**32) for _ in players]
    started = time.monotonic()

    def run(player: PlayPlayer, seed: int) -> str:
        try:
            PlayerRun(
                config=config,
                wire=wire,
                summary=summary,
                player=player,
                games=games,
                rng=random.Random(seed),
            ).play()
        except Exception as exc:  # reported, never silently lost
            logger.exception("player %s failed", player.user_id)
            summary.flag(f"player {player.user_id}: {type(exc).__name__}: {exc}")
        finally:
            connection.close()  # this pool thread's own connection
        return player.user_id

    with ThreadPoolExecutor(max_workers=max(1, config.concurrency)) as pool:
        futures = [pool.submit(run, p, s) for p, s in zip(players, seeds, strict=True)]
        for done, future in enumerate(as_completed(futures), start=1):
            user_id = future.result()
            if progress:
                progress(f"player {user_id} done ({done}/{len(players)})")
    summary.elapsed = time.monotonic() - started
    return summary


def summary_lines(summary: PlaySummary) -> list[str]:
    lines = [
        f"players {summary.players}, rounds {summary.rounds}, changebalance transactions "
        f"{summary.transactions}, in {summary.elapsed:.1f} s",
        f"calls {summary.total_calls} ("
        + ", ".join(f"{cmd} {n}" for cmd, n in sorted(summary.calls.items()))
        + f"), {summary.total_calls / summary.elapsed if summary.elapsed else 0:.0f}/s",
        f"OK {summary.ok}",
        "errors by code: "
        + (", ".join(f"{code} {n}" for code, n in sorted(summary.errors.items())) or "none"),
        f"retried after OP_47/OP_50/no answer: {summary.retried}",
        f"unexpected answers: {len(summary.unexpected)}",
    ]
    if summary.errors.get("HTTP 403"):
        lines.append(
            "HTTP 403 means the wallet did not accept the caller: check that --secret-key is the "
            "operator's secret key in the wallet (X-Authorization is signed with it), that "
            "--operator is its operator id, and that the wallet allows this address (its IP "
            "allow-list)."
        )
    lines += [f"  {message}" for message in summary.unexpected[:30]]
    if len(summary.unexpected) > 30:
        lines.append(f"  ... and {len(summary.unexpected) - 30} more")
    return lines
