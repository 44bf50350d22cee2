"""The gameplay API served straight from WSGI, in front of Django (`casino_project.wsgi`).

The PLATFORM calls the wallet for every bet and win, and nothing about those calls needs
Django's request machinery: no session, user, CSRF, messages, static files, rate limit or URL
resolution. `DirectWalletApi` wraps Django's WSGI application and answers the exact gameplay
API paths itself (`/api/wallet/<command>` and `/api/wallet/ping`) with the same code the Django
views use (`platform_wallet.api.serve_call`), the same response headers, the same metrics and
call log (`ops.calls`), and Django's request_started/request_finished signals (which hand the
database connection back to the pool). Everything else, and any wallet call whose Host is not
allowed (Django answers 400), goes to Django unchanged. WALLET_DIRECT_WSGI=false turns it off.

It costs a BET about a third less CPU in the web process (see bench/wallet_bench.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestDataTooBig
from django.http.request import split_domain_port, validate_host

from ops import logs
from ops.calls import observe_wallet_call
from platform_wallet import api
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


class DirectWalletApi:
    def __init__(self, django_app: WSGIApp) -> None:
        self.django_app = django_app
        prefix = settings.WALLET_API_PATH_PREFIX
        self.routes = {prefix + command: command for command in (*COMMANDS, PING)}

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        command = self.routes.get(environ.get("PATH_INFO", ""))
        if command is None or not _host_allowed(environ):
            return self.django_app(environ, start_response)
        started = time.perf_counter()
        body = _Body(environ)
        source = logs.wallet_request.set(
            logs.WalletCallSource(environ["PATH_INFO"], environ, body.cached)
        )
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            answer = self._answer(command, environ, body)
        finally:
            signals.request_finished.send(sender=self.__class__)
            logs.wallet_request.reset(source)
        start_response(STATUS_LINES[answer.status_code], _headers(answer, environ))
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
        except Exception:  # what Django answers too (the operator could not be read, ...)
            logger.exception("Internal Server Error: %s", environ.get("PATH_INFO"))
            return api.Answer(500, b"Internal Server Error", api.TEXT_CONTENT_TYPE, None)


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


def _host_allowed(environ: dict[str, Any]) -> bool:
    """Django's ALLOWED_HOSTS check of the request's Host (HttpRequest.get_host())."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    elif "HTTP_HOST" in environ:
        host = environ["HTTP_HOST"]
    else:
        return False  # Django builds it from SERVER_NAME/PORT: let Django decide
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def _is_secure(environ: dict[str, Any]) -> bool:
    """HttpRequest.is_secure(): SECURE_PROXY_SSL_HEADER when set and sent, else the scheme."""
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header:
        name, secure_value = proxy_header
        value = environ.get(name)
        if value is not None:
            return bool(value.split(",", 1)[0].strip() == secure_value)
    return bool(environ.get("wsgi.url_scheme") == "https")


def _headers(answer: api.Answer, environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The headers Django's middleware would add to this answer: Content-Length
    (CommonMiddleware), the SecurityMiddleware's and X-Frame-Options."""
    headers = [
        ("Content-Type", answer.content_type),
        ("Content-Length", str(len(answer.body))),
    ]
    if settings.SECURE_HSTS_SECONDS and _is_secure(environ):
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        if not isinstance(policy, str):
            policy = ",".join(policy)
        headers.append(("Referrer-Policy", policy))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()))
    return headers
