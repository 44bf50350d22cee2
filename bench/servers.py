"""The web servers the benchmark runs, and the CPU they use (read from /proc).

- "casino-web": the production server (Granian, `casino_project/web.py`), as deployed.
- "gunicorn": gunicorn's gthread workers with the project's gunicorn.conf.py settings, the
  server before it, kept for comparison (`--server both`).
Each is started in a session of its own, so that its CPU time is that of every process of the
session (the master and its workers), and stopped with the whole session.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVERS = ("casino-web", "gunicorn")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    kind: str
    process: subprocess.Popen[bytes]
    port: int

    def cpu_seconds(self) -> float:
        """User + system CPU time of every process of the server's session so far."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            # after the command name: state ppid pgrp session ... utime (14th) stime (15th)
            if int(fields[3]) == self.process.pid:
                total += int(fields[11]) + int(fields[12])
        return total / CLOCK_TICKS

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def server_start(kind: str, env: dict[str, str], port: int, workers: int, threads: int) -> Server:
    """Start `kind` on 127.0.0.1:`port` and wait until it answers ping."""
    if kind == "casino-web":
        args = [str(BIN / "casino-web")]
        env = {
            **env,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_WORKERS": str(workers),
            "WEB_THREADS": str(threads),
            "WEB_LOG_LEVEL": "warning",
        }
    elif kind == "gunicorn":
        args = [
            str(BIN / "gunicorn"),
            "casino_project.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ]
    else:
        raise ValueError(f"unknown server {kind!r}: one of {SERVERS}")
    # The server logs one JSON line per call, as in production: to a file, not the terminal.
    log_path = ROOT / "artifacts" / f"bench-{kind}.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
        )
    server = Server(kind, process, port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/wallet/ping", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    sys.exit(f"{kind} did not start (see {log_path})")
