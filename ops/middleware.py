"""Middleware of the ops app.

- `OpsEndpointsMiddleware` (first in MIDDLEWARE): answers GET /healthz and /metrics before
  host validation and the HTTPS redirect, so that the container's HEALTHCHECK, the load
  balancer and Prometheus reach them by any address over plain HTTP.
- `RateLimitMiddleware`: 429 for player pages and login attempts over their limits (the
  styled page of `ops.errors`); the PLATFORM's calls (/api/wallet/) are never limited.
- `StaffStatementTimeoutMiddleware`: staff pages (/admin/) run their queries with
  STAFF_STATEMENT_TIMEOUT_MS instead of the wallet's short timeout the connection starts with.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from ops import metrics
from ops.errors import error_page
from ops.health import health_checks_run
from ops.ratelimit import RateLimit, rate_limit_consume
from platform_wallet.addresses import client_address
from platform_wallet.connections import statement_timeout

GetResponse = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger("ops")

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"


class OpsEndpointsMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.metrics_networks = tuple(
            ipaddress.ip_network(item, strict=False) for item in settings.METRICS_ALLOWED_NETWORKS
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path == HEALTH_PATH:
            return self._health()
        if path == METRICS_PATH:
            return self._metrics(request)
        return self.get_response(request)

    def _health(self) -> HttpResponse:
        results = health_checks_run()
        healthy = all(result.ok for result in results)
        body = {
            "status": "ok" if healthy else "fail",
            "checks": {result.name: result.as_json() for result in results},
        }
        response = HttpResponse(
            json.dumps(body),
            status=200 if healthy else 503,
            content_type="application/json",
        )
        response["Cache-Control"] = "no-store"
        return response

    def _metrics(self, request: HttpRequest) -> HttpResponse:
        if not self._metrics_allowed(request):
            return HttpResponse("Forbidden", status=403, content_type="text/plain")
        body, content_type = metrics.metrics_exposition()
        response = HttpResponse(body, content_type=content_type)
        response["Cache-Control"] = "no-store"
        return response

    def _metrics_allowed(self, request: HttpRequest) -> bool:
        """With METRICS_TOKEN set, the scraper sends `Authorization: Bearer <token>`.
        Without one, production (METRICS_REQUIRE_TOKEN) refuses everyone (issue 10: an
        address check alone opens /metrics to the internet when the client address is
        misread, e.g. every caller seen as the proxy's private address); development wants
        the caller's address in METRICS_ALLOWED_NETWORKS."""
        token = settings.METRICS_TOKEN
        if token:
            sent = request.headers.get("Authorization", "")
            return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
        if settings.METRICS_REQUIRE_TOKEN:
            return False
        try:
            address = ipaddress.ip_address(client_address(request.META) or "")
        except ValueError:
            return False
        return any(address in network for network in self.metrics_networks)


class RateLimitMiddleware:
    """Limits per client address, counted in the cache: RATE_LIMIT_PAGES for every page but
    the exempt prefixes (the wallet API, static files, health, metrics, the admin behind its
    login), RATE_LIMIT_LOGIN for POSTs to the login forms (players' and the admin's)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.enabled = settings.RATE_LIMIT_ENABLED
        self.exempt_prefixes = tuple(settings.RATE_LIMIT_EXEMPT_PREFIXES)
        self.pages = RateLimit("pages", *settings.RATE_LIMIT_PAGES)
        self.login = RateLimit("login", *settings.RATE_LIMIT_LOGIN)
        self._login_paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.enabled:
            limit = self._limit_for(request)
            if limit is not None:
                refused = self._consume(request, limit)
                if refused is not None:
                    return refused
        return self.get_response(request)

    def _limit_for(self, request: HttpRequest) -> RateLimit | None:
        if request.method == "POST" and request.path in self.login_paths():
            return self.login
        if request.path_info.startswith(self.exempt_prefixes):
            return None
        return self.pages

    def login_paths(self) -> frozenset[str]:
        if self._login_paths is None:
            paths = set(settings.RATE_LIMIT_LOGIN_PATHS)
            for name in ("admin:login", "login"):
                with contextlib.suppress(NoReverseMatch):
                    paths.add(reverse(name))
            self._login_paths = frozenset(paths)
        return self._login_paths

    def _consume(self, request: HttpRequest, limit: RateLimit) -> HttpResponse | None:
        key = client_address(request.META) or "unknown"
        try:
            retry_after = rate_limit_consume(limit=limit, key=key)
        except Exception:  # the cache is down: serve rather than refuse everyone
            logger.warning("rate limiter unavailable", exc_info=True)
            return None
        if retry_after is None:
            return None
        metrics.http_rate_limited.labels(limit.scope).inc()
        logger.warning(
            "rate limited: %s %s from %s (%s)",
            request.method,
            request.path,
            key,
            limit.scope,
            extra={"client_ip": key, "scope": limit.scope},
        )
        # before the session and the user are read: the page needs neither
        response = error_page(request, 429, with_request=False, retry_after=retry_after)
        response["Retry-After"] = str(retry_after)
        return response


class StaffStatementTimeoutMiddleware:
    """The staff pages' statement timeout (`platform_wallet.connections.statement_timeout`)
    for every request under the admin's URL; other requests are left alone.

    Off behind PgBouncer in transaction mode (`DB_DISABLE_SERVER_SIDE_CURSORS`, README): there
    a session-level SET could stay on a server connection another client (a wallet call) gets
    next; the timeouts are then the database role's (docs/scaling.md)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.prefix = ""
        self.enabled = not settings.DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.prefix:
            self.prefix = reverse("admin:index")
        if not self.enabled or not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        with statement_timeout(settings.STAFF_STATEMENT_TIMEOUT_MS):
            return self.get_response(request)
