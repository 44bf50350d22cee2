"""A PLATFORM simulator: the PLATFORM's operator APIs, media and game launch page, over HTTP.

Standalone (standard library ``http.server``, one thread per request; no Django database): the
catalog is generated (:mod:`simulator.catalog_data`) and the business report is computed from the
simulator's own book of sent transactions (:mod:`simulator.ledger_book`). This module is the HTTP
server; what it answers comes from::

    simulator.state          SimulatorState: catalog, book, limits, faults, request counts
    simulator.operator_apis  the operator APIs (X-Authorization checked, faults injected)
    simulator.launch         the game launch page and its Spin, calling the operator's wallet
                             through simulator.wallet_protocol
    simulator.pages          templates (simulator/templates/simulator/), hand history page,
                             thumbnails

Routes (every ``/api/generic/...`` call needs ``X-Operator-Id`` and ``X-Authorization`` =
sha1(name + operator_id + secret_key); anything else is HTTP 403, as on the PLATFORM)::

    GET /api/generic/games/list/all                          {"games": [...]}
    GET /api/generic/lobbies/list/all                        {"lobbies": [...]}
    GET /api/generic/businessReport?date=Y-m-d               [rows from the ledger book]
    GET /api/generic/ggrLimits                               DEPRECATED, still served
    GET /api/generic/balanceLimits[?currencies=EUR,GBP]
    GET /api/generic/handHistory/{transaction_id}/{history_id}  (+ X-Vendor-Id) json or url type
    GET /media/thumb/<game_id>.svg, /media/lobby/<lobby_id>.svg  thumbnails
    GET /hand/<transaction_id>/<history_id>                  the page a "url" hand history names
    GET /launch/?mode=real|fun&game_id=|lobby_id=&token=&currency=&operator_id=&home_url=...
                                                             GAME_LAUNCH_HOST: a fake game page;
                                                             real mode authenticates the token
                                                             against --wallet-url
    POST /launch/spin  (form: the launch parameters + stake)  one round of the fake game: a BET
                                                             and its WIN sent to the wallet as
                                                             the PLATFORM would, both booked

In tests::

    sim = start_in_thread(operator_id="op", secret_key="s")   # port 0: a free port
    url, stop = sim            # or sim.url, sim.stop(), sim.state
    sim.state.inject_fault("games", status=503, times=2)   # next two games calls answer 503
    sim.state.requests["games"]                             # how many games calls arrived
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from simulator import catalog_data
from simulator.launch import launch_page
from simulator.ledger_book import LedgerBook
from simulator.operator_apis import operator_api
from simulator.pages import NOT_FOUND, hand_page, media
from simulator.state import SimulatorState

logger = logging.getLogger(__name__)
HTML = "text/html; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    server: _SimulatorServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("simulator %s - " + format, self.address_string(), *args)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        try:
            if path.startswith("/api/generic/"):
                self._send(
                    *operator_api(
                        state,
                        path.removeprefix("/api/generic/"),
                        query,
                        operator_id=self.headers.get("X-Operator-Id", ""),
                        authorization=self.headers.get("X-Authorization", ""),
                        vendor=self.headers.get("X-Vendor-Id", ""),
                    )
                )
            elif path.startswith("/media/"):
                self._send(*media(state, path, query))
            elif path.rstrip("/") == "/launch" or path == "/":
                self._send(*launch_page(state, query), HTML)
            elif path.startswith("/hand/") and path.count("/") == 3:
                _, _, tid, hid = path.split("/")
                self._send(*hand_page(state, tid, unquote(hid)), HTML)
            else:
                self._send(404, NOT_FOUND)
        except BrokenPipeError:  # the client gave up (e.g. its read timeout)
            logger.debug("simulator: client went away during %s", path)

    def do_POST(self) -> None:
        """The fake game's Spin form (application/x-www-form-urlencoded)."""
        if urlsplit(self.path).path.rstrip("/") != "/launch/spin":
            self._send(404, NOT_FOUND)
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > 8192:
            self._send(413, b'{"error":"Payload Too Large"}')
            return
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"), keep_blank_values=True)
        self._send(*launch_page(self.server.state, form, spin=True), HTML)


class _SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SimulatorState) -> None:
        self.state = state
        super().__init__(address, _Handler)


def build_state(
    *,
    operator_id: str,
    secret_key: str,
    public_url: str,
    wallet_url: str | None = None,
    book_path: str | Path | None = None,
    entity_name: str | None = None,
    game_count: int = catalog_data.DEFAULT_GAME_COUNT,
    **limits: Any,
) -> SimulatorState:
    """A simulator's state: the generated catalog with URLs under `public_url`, the book, and
    the limits (keyword arguments named like the SimulatorState fields)."""
    state = SimulatorState(
        operator_id=operator_id,
        secret_key=secret_key,
        public_url=public_url.rstrip("/"),
        wallet_url=wallet_url or None,
        entity_name=entity_name or operator_id,
        book=LedgerBook(book_path),
        games=catalog_data.generate_games(media_base=public_url, count=game_count),
        lobbies=catalog_data.generate_lobbies(media_base=public_url),
    )
    for name, value in limits.items():
        if not hasattr(state, name):
            raise TypeError(f"unknown simulator setting {name!r}")
        setattr(state, name, value)
    return state


@dataclass(frozen=True)
class RunningSimulator:
    url: str
    stop: Callable[[], None]
    state: SimulatorState

    def __iter__(self) -> Iterator[Any]:  # url, stop = start_in_thread(...)
        return iter((self.url, self.stop))


def make_server(*, host: str = "127.0.0.1", port: int = 0, **settings: Any) -> _SimulatorServer:
    """Bind the simulator (port 0: any free port); `settings` go to :func:`build_state`."""
    server = _SimulatorServer((host, port), SimulatorState(operator_id="", secret_key=""))
    bound_port = server.server_address[1]
    server.state = build_state(public_url=f"http://{host}:{bound_port}", **settings)
    return server


def start_in_thread(*, port: int = 0, host: str = "127.0.0.1", **settings: Any) -> RunningSimulator:
    """Serve the simulator from a daemon thread. `stop()` shuts it down and frees the port."""
    server = make_server(host=host, port=port, **settings)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return RunningSimulator(url=server.state.public_url, stop=stop, state=server.state)
