"""The production server as the image runs it: `casino-web` (Granian, settings from the
environment) with two workers, DEBUG off, static files collected, over real HTTP.

Checks what only a real multi-process server shows: /metrics adds up every worker's samples
(Prometheus multiprocess mode), /healthz answers the container's HEALTHCHECK by any address
over plain HTTP, pages are redirected to HTTPS and get HSTS while the wallet API is not
redirected, whitenoise serves the hashed static files, and logs are JSON lines.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from tests.test_deploy import METRICS_TOKEN, dockerfile, exec_form, production_env

ROOT = Path(settings.BASE_DIR)
HOST = "casino.example.com"
PINGS = 60


@dataclass
class Server:
    pid: int
    port: int
    metrics_dir: Path
    static_root: Path
    log: Path

    def request(
        self,
        method: str,
        path: str,
        *,
        host: str = HOST,
        https: bool = False,
        body: bytes | None = None,
        authorization: str | None = None,
    ) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": host, "Connection": "close"}
        if authorization:
            headers["Authorization"] = authorization
        if https:
            headers["X-Forwarded-Proto"] = "https"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read_body = response.read()  # type: ignore[attr-defined]
        connection.close()
        return response


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("web")
    default = settings.DATABASES["default"]
    database_name = None
    if default["ENGINE"] == settings.POSTGRESQL_ENGINE:
        # a database of its own, beside this run's test database
        database_name = f"{default['NAME']}_web"
        _pg_admin(default, f'DROP DATABASE IF EXISTS "{database_name}"')
        _pg_admin(default, f'CREATE DATABASE "{database_name}"')
        database_url = (
            f"postgres://{default['USER']}@{default['HOST']}:{default['PORT']}/{database_name}"
        )
    else:
        database_url = f"sqlite:///{tmp / 'db.sqlite3'}"
    port = _free_port()
    env = production_env(
        DATABASE_URL=database_url,
        STATIC_ROOT=str(tmp / "static"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics"),
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_WORKERS="2",
        WEB_THREADS="2",
        WEB_LOG_LEVEL="warning",
        WEB_GRACEFUL_TIMEOUT="5",
        DB_POOL_MAX_SIZE="2",
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    )
    (tmp / "metrics").mkdir()
    # a stale file of an earlier run: the server must start from zero
    (tmp / "metrics" / "counter_999999.db").write_bytes(b"stale")
    for command in (["collectstatic", "--noinput"], ["migrate"]):  # the image, then compose
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    log = tmp / "casino-web.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            ["casino-web"],  # the README's command
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"casino-web did not start:\n{log.read_text()}")
                time.sleep(0.3)
        yield Server(process.pid, port, tmp / "metrics", tmp / "static", log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        if database_name:
            _pg_admin(default, f'DROP DATABASE IF EXISTS "{database_name}"')


def _pg_admin(database: dict[str, Any], sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql.encode())


def _ping_counts(server: Server) -> float:
    # production wants the scraper's token (issue 10), from any address
    assert server.request("GET", "/metrics").status == 403
    response = server.request("GET", "/metrics", authorization=f"Bearer {METRICS_TOKEN}")
    assert response.status == 200
    text = response.read_body.decode()  # type: ignore[attr-defined]
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "wallet_requests_total" and sample.labels == {
                "command": "ping",
                "status": "OK",
                "error_code": "",
            }:
                return sample.value
    return 0.0


def _metric_pids(server: Server) -> set[str]:
    return {
        match.group(1)
        for match in (re.match(r"counter_(\d+)\.db$", p.name) for p in server.metrics_dir.iterdir())
        if match
    }


def test_metrics_add_up_every_workers_samples(server: Server) -> None:
    """Each worker counts in a file of its own (Prometheus multiprocess mode): /metrics, from
    whichever worker answers it, adds them all up."""
    before = _ping_counts(server)
    sent = 0
    deadline = time.monotonic() + 30
    # every request on a new connection: the kernel spreads them over both workers
    while len(_metric_pids(server) - {"999999"}) < 2 or sent < PINGS:
        assert time.monotonic() < deadline, f"both workers should answer: {_metric_pids(server)}"
        assert server.request("GET", "/api/wallet/ping").status == 200
        sent += 1
    assert "999999" not in _metric_pids(server)  # the stale file of an earlier run was removed
    for _ in range(5):  # whichever worker answers the scrape, it reports every worker's pings
        assert _ping_counts(server) - before == sent


def test_dockerfile_healthcheck_passes_against_the_server(server: Server) -> None:
    healthcheck = next(a for k, a in dockerfile() if k == "HEALTHCHECK")
    command = exec_form(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    command[0] = sys.executable if command[0] == "python" else command[0]
    env = {**os.environ, "PORT": str(server.port)}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_healthz_answers_any_address_over_plain_http(server: Server) -> None:
    response = server.request("GET", "/healthz", host=f"127.0.0.1:{server.port}")
    assert response.status == 200
    body = json.loads(response.read_body)  # type: ignore[attr-defined]
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]


def test_sighup_restarts_the_workers_and_calls_go_on(server: Server) -> None:
    """A graceful restart (SIGHUP to casino-web, which is the server process itself: it
    exec'd Granian): new workers take over, the server keeps answering."""
    old = _worker_pids(server)
    os.kill(server.pid, signal.SIGHUP)
    deadline = time.monotonic() + 30
    while not (_worker_pids(server) and _worker_pids(server).isdisjoint(old)):
        assert time.monotonic() < deadline, "the workers were not replaced"
        time.sleep(0.3)
    for _ in range(10):
        assert server.request("GET", "/api/wallet/ping").status == 200


def _worker_pids(server: Server) -> set[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return {int(pid) for pid in children}


def test_pages_are_redirected_to_https_and_get_hsts(server: Server) -> None:
    redirected = server.request("GET", "/accounts/login/")
    assert redirected.status == 301
    assert redirected.getheader("Location") == f"https://{HOST}/accounts/login/"
    page = server.request("GET", "/accounts/login/", https=True)
    assert page.status == 200
    assert page.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert page.getheader("X-Frame-Options") == "DENY"
    cookies = page.getheader("Set-Cookie") or ""
    assert "csrftoken=" in cookies and "Secure" in cookies
    # a host that is not allowed is refused
    assert server.request("GET", "/accounts/login/", host="evil.example", https=True).status == 400


def test_spec_wallet_api_is_not_redirected_over_plain_http(server: Server) -> None:
    ping = server.request("GET", "/api/wallet/ping")
    assert (ping.status, ping.read_body) == (200, b"PONG")  # type: ignore[attr-defined]
    denied = server.request("POST", "/api/wallet/balance", body=b"{}")
    assert denied.status == 403  # no X-Authorization: denied, not redirected


def test_whitenoise_serves_the_collected_hashed_static_files(server: Server) -> None:
    manifest = json.loads((server.static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["admin/css/base.css"]
    response = server.request("GET", f"/static/{hashed}", https=True)
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("text/css")
    assert "immutable" in response.getheader("Cache-Control", "")


def test_issue12_the_themed_admin_login_links_hashed_static_files_whitenoise_serves(
    server: Server,
) -> None:
    """The backoffice's theme (django-unfold) and our stylesheet with DEBUG off: the login page
    links their collected, hashed files, and whitenoise serves them."""
    manifest = json.loads((server.static_root / "staticfiles.json").read_text())["paths"]
    page = server.request("GET", "/admin/login/", https=True)
    assert page.status == 200
    html = page.read_body.decode()  # type: ignore[attr-defined]
    for name in ("unfold/css/styles.css", "backoffice/backoffice.css"):
        assert f"/static/{manifest[name]}" in html, name
        response = server.request("GET", f"/static/{manifest[name]}", https=True)
        assert response.status == 200, name
        assert response.getheader("Content-Type", "").startswith("text/css")


def test_wallet_lines_are_json_with_the_call_fields(server: Server) -> None:
    server.request("POST", "/api/wallet/cancel", body=b"{}")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [
            json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")
        ]
        calls = [line for line in lines if line.get("logger") == "wallet.calls"]
        if any(line["command"] == "cancel" for line in calls):
            break
        time.sleep(0.2)
    call = next(line for line in calls if line["command"] == "cancel")
    assert call["status"] == "DENIED"
    assert call["level"] == "WARNING"
    assert set(call) >= {"command", "operator", "user_id", "transaction_id", "duration_ms"}
    assert shlex.split("casino-web") == ["casino-web"]
