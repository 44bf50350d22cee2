"""The play's wire to the wallet: `WalletWire.call(command, data)` signs the call, sends it
(one `requests.Session` per thread), checks the answer (all through
:mod:`simulator.wallet_protocol`), counts it in the summary, and gives back an `Answer`: the
checked answer, or the problem that left the call without one."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests

from simulator.play.model import PlayConfig, PlaySummary
from simulator.wallet_protocol import WalletAnswer, WalletProtocolError, post, sign_request

TRANSIENT_CODES = frozenset({"OP_47", "OP_50"})


@dataclass(frozen=True)
class Answer:
    """What a call came to: the wallet's checked answer, or why there is none (`problem`)."""

    checked: WalletAnswer | None
    http_status: int | None = 200
    problem: str = ""

    @property
    def status(self) -> str | None:
        """OK | ERROR, None when no (valid) answer."""
        return self.checked.status if self.checked else None

    @property
    def data(self) -> Mapping[str, Any]:
        return self.checked.data if self.checked else {}

    @property
    def error_code(self) -> str | None:
        return self.checked.error_code if self.checked else None

    @property
    def balance(self) -> Decimal | None:
        return self.checked.balance if self.checked else None

    @property
    def transient(self) -> bool:
        """Retried by the PLATFORM: OP_47, OP_50, an HTTP error other than 403, or nothing."""
        if self.http_status == 403:
            return False
        return self.status is None or self.error_code in TRANSIENT_CODES

    def describe(self) -> str:
        if self.status == "OK":
            return "OK"
        if self.status == "ERROR":
            return f"ERROR {self.error_code}"
        return self.problem


class WalletWire:
    """Sends signed calls to the wallet and checks every answer's signature and echo."""

    def __init__(self, config: PlayConfig, summary: PlaySummary) -> None:
        self.config = config
        self.summary = summary
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def call(self, command: str, data: Mapping[str, Any]) -> Answer:
        credentials = self.config.credentials
        request = sign_request(credentials, command, data)
        try:
            checked = post(
                credentials,
                self.config.wallet_url,
                request,
                timeout=self.config.timeout,
                session=self._session(),
            )
        except WalletProtocolError as exc:
            where = f"{command}: " if exc.http_status == 200 else ""
            answer = Answer(None, http_status=exc.http_status, problem=f"{where}{exc}")
        else:
            answer = Answer(checked)
        self.summary.count(command, answer.status, answer.error_code, answer.http_status)
        return answer
