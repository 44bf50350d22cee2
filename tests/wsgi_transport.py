"""Requests to the project's real WSGI application (`casino_project.wsgi.application`, what
casino-web serves): gameplay API calls reach `platform_wallet.wsgi.WalletFront` as in
production, everything else Django.

As Django's test Client does, neither the request signals nor the wallet's front close the
database connection here: a test's transaction (pytest-django's `db`) must survive its
requests.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field
from typing import Any

from django.core import signals
from django.db import close_old_connections


@dataclass
class WSGIResponse:
    status_code: int
    headers: dict[str, str]
    content: bytes
    header_list: list[tuple[str, str]] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]


def wsgi_request(
    method: str,
    path: str,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json; charset=utf-8",
    keep_connection: bool = True,
    **environ_extra: str,
) -> WSGIResponse:
    """`keep_connection=False` lets the request signals close the connection as in production
    (only in tests with `transaction=True`)."""
    from casino_project.wsgi import application

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    environ.update(environ_extra)
    captured: dict[str, object] = {}

    def start_response(
        status: str, header_list: list[tuple[str, str]], exc_info: Any = None
    ) -> None:
        captured["status"], captured["headers"] = status, header_list

    if keep_connection:
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        application.manage_connection = False
    try:
        chunks = application(environ, start_response)
        try:
            content = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
    finally:
        if keep_connection:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
            application.manage_connection = True
    header_list = captured["headers"]
    assert isinstance(header_list, list)
    return WSGIResponse(
        status_code=int(str(captured["status"]).split()[0]),
        headers={name.lower(): value for name, value in header_list},
        content=content,
        header_list=header_list,
    )
