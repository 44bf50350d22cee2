"""The gameplay API's HTTP front: the only way the PLATFORM's calls come in.

`WalletFront` wraps Django's WSGI application (`casino_project.wsgi`, what casino-web serves)
and answers the exact gameplay API paths itself: `WALLET_API_PATH_PREFIX` + one of the commands
(`gameplay.COMMANDS`), and `ping`. The PLATFORM's calls need none of Django's request machinery
(session, user, CSRF, messages, static files, rate limits, URL resolution): skipping it saves
about a third of a BET's CPU. Everything else goes to Django unchanged.

What Django would decide is still decided by Django's own code, computed once and reused:
- the Host: `HttpRequest.get_host()` (ALLOWED_HOSTS); a call whose Host is not allowed goes
  to Django, which answers 400 as for any page;
- the headers its middleware adds (SecurityMiddleware: nosniff, Referrer-Policy, COOP, HSTS
  when the request is secure by `HttpRequest.is_secure()`; XFrameOptionsMiddleware);
- the body limit (DATA_UPLOAD_MAX_MEMORY_SIZE, as Django reads a body);
- the database connection, handled before and after each call without dispatching Django's
  request signals (the wallet uses no cache and nothing else listens for its calls): the
  thread keeps its pooled connection for its next call while it is sound, else Django's rule
  applies (`platform_wallet.connections`).
Each call gets one metric sample and one log line (`call_log`), and every line logged while it
is served carries its fields (`call_context`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

from platform_wallet import api
from platform_wallet.call_context import WalletCallSource, wallet_request
from platform_wallet.call_log import observe_wallet_call
from platform_wallet.connections import after_wallet_call, before_wallet_call
from platform_wallet.gameplay import COMMANDS

logger = logging.getLogger("platform_wallet.api")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
STATUS_LINES = {
    200: "200 OK",
    403: "403 Forbidden",
    500: "500 Internal Server Error",
    503: "503 Service Unavailable",
}
PING = "ping"
# Hosts and secure-request markers already judged by Django's code; a flood of made-up ones
# empties the memo rather than growing it.
MEMO_LIMIT = 256


class WalletFront:
    def __init__(self, django_app: WSGIApp) -> None:
        self.django_app = django_app
        prefix = settings.WALLET_API_PATH_PREFIX
        self.routes = {prefix + command: command for command in (*COMMANDS, PING)}
        self._hosts: dict[tuple[str | None, str | None], bool] = {}
        self._headers: dict[tuple[str | None, str | None], list[tuple[str, str]]] = {}
        self._lock = threading.Lock()
        # The test transport turns it off, as Django's test Client keeps the test's connection.
        self.manage_connection = True
        setting_changed.connect(self._forget, weak=False)  # (tests change settings)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        command = self.routes.get(environ.get("PATH_INFO", ""))
        if command is None or not self._host_allowed(environ):
            return self.django_app(environ, start_response)
        started = time.perf_counter()
        body = _Body(environ)
        source = wallet_request.set(WalletCallSource(environ["PATH_INFO"], environ, body.cached))
        database = connections[DEFAULT_DB_ALIAS]
        if self.manage_connection:
            before_wallet_call(database)
        try:
            answer = self._answer(command, environ, body)
        finally:
            if self.manage_connection:
                after_wallet_call(database)
            wallet_request.reset(source)
        start_response(
            STATUS_LINES[answer.status_code],
            [
                ("Content-Type", answer.content_type),
                ("Content-Length", str(len(answer.body))),
                *self._django_headers(environ),
            ],
        )
        observe_wallet_call(
            path_command=command,
            call=answer.call,
            http_status=answer.status_code,
            seconds=time.perf_counter() - started,
            meta=environ,
            refusal=answer.refusal,
        )
        return [answer.body]

    def _answer(self, command: str, environ: dict[str, Any], body: _Body) -> api.Answer:
        try:
            if command == PING:
                return api.Answer(200, api.PONG, api.TEXT_CONTENT_TYPE, None)
            return api.serve_call(
                command, method=environ.get("REQUEST_METHOD", ""), meta=environ, read_body=body.read
            )
        except Exception:  # a bug: what Django would answer too (api renders every error)
            logger.exception("Internal Server Error: %s", environ.get("PATH_INFO"))
            return api.Answer(500, b"Internal Server Error", api.TEXT_CONTENT_TYPE, None)

    def _host_allowed(self, environ: dict[str, Any]) -> bool:
        """`HttpRequest.get_host()` of this request raises nothing (ALLOWED_HOSTS)."""
        key = (environ.get("HTTP_X_FORWARDED_HOST"), environ.get("HTTP_HOST"))
        allowed = self._hosts.get(key)
        if allowed is None:
            try:
                _django_request(environ).get_host()
                allowed = True
            except DisallowedHost:
                allowed = False
            self._memo(self._hosts, key, allowed)
        return allowed

    def _django_headers(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        """The headers Django's SecurityMiddleware and XFrameOptionsMiddleware add to an
        answer of this request (they depend on the request only through is_secure())."""
        proxy_header = settings.SECURE_PROXY_SSL_HEADER
        key = (
            environ.get(proxy_header[0]) if proxy_header else None,
            environ.get("wsgi.url_scheme"),
        )
        headers = self._headers.get(key)
        if headers is None:
            request = _django_request(environ)
            response = HttpResponse(b"", content_type=api.JSON_CONTENT_TYPE)
            for middleware in (SecurityMiddleware, XFrameOptionsMiddleware):
                response = middleware(_unused).process_response(request, response)
            skip = {"content-type", "content-length"}
            headers = [(k, v) for k, v in response.items() if k.lower() not in skip]
            self._memo(self._headers, key, headers)
        return headers

    def _forget(self, **_kwargs: Any) -> None:
        with self._lock:
            self._hosts.clear()
            self._headers.clear()

    def _memo(self, memo: dict[Any, Any], key: Any, value: Any) -> None:
        with self._lock:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[key] = value


def _unused(_request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    raise AssertionError("the middleware's process_response is called directly")


def _django_request(environ: dict[str, Any]) -> HttpRequest:
    """A bare HttpRequest over the environ (Django's own get_host/is_secure read only META);
    its path is exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT)."""
    request = HttpRequest()
    request.META = environ
    request.path = request.path_info = environ.get("PATH_INFO", "")
    request.method = environ.get("REQUEST_METHOD")
    return request


class _Body:
    """The request body, read once, within DATA_UPLOAD_MAX_MEMORY_SIZE (as Django reads it:
    CONTENT_LENGTH bytes, none without it)."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.content: bytes | None = None

    def read(self) -> bytes:
        if self.content is None:
            try:
                length = int(self.environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                raise RequestDataTooBig(
                    "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
                )
            self.content = self.environ["wsgi.input"].read(length) if length > 0 else b""
        return self.content

    def cached(self) -> bytes:
        """For the log context: the body if it was read, never reading it."""
        return self.content or b""
