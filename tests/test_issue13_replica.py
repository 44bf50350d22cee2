"""Issue 13: reports and back-office charts read from a PostgreSQL streaming replica; writes,
the wallet and reconciliation stay on the primary. Against a REAL replica: the test copies the
local cluster with pg_basebackup into a temporary directory and starts it as a hot standby on
another port (as the postgres OS user when run as root).

Needs the server binaries (/usr/lib/postgresql/*/bin) and a `replication` line for 127.0.0.1 in
the primary's pg_hba.conf (`host replication all 127.0.0.1/32 trust` on a development box)."""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from backoffice.selectors import report_ggr_series
from operators.models import Operator
from platform_wallet.connections import REPLICA, replica_reads
from reporting.models import BusinessReport, BusinessReportRow
from tests.factories import OperatorFactory

pytestmark = pytest.mark.postgres
ROUTERS = ["casino_project.db_router.ReplicaRouter"]


def _server_bin() -> Path | None:
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        path = Path(found)
        if (path / "pg_basebackup").exists() and (path / "pg_ctl").exists():
            return path
    return None


def _as_postgres(*args: str) -> subprocess.CompletedProcess[str]:
    command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def replica_port(django_db_setup: None, django_db_blocker: object) -> Iterator[int]:
    binaries = _server_bin()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries (pg_basebackup, pg_ctl) are not installed")
    primary = connections["default"].settings_dict
    root = Path(tempfile.mkdtemp(prefix="casino-replica-"))
    data = root / "data"
    try:
        yield _start_standby(binaries, primary, root, data)
    finally:
        if (data / "postmaster.pid").exists():
            _as_postgres(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def _start_standby(binaries: Path, primary: dict[str, Any], root: Path, data: Path) -> int:
    """pg_basebackup of the primary into `data`, started as a hot standby; its port."""
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    copy = _as_postgres(
        str(binaries / "pg_basebackup"),
        "-h", str(primary["HOST"] or "127.0.0.1"),
        "-p", str(primary["PORT"] or 5432),
        "-U", str(primary["USER"] or "postgres"),
        "-D", str(data),
        "-R", "-X", "stream", "-c", "fast",
    )  # fmt: skip
    if copy.returncode != 0 and "pg_hba.conf" in copy.stderr and not os.environ.get("CI"):
        pytest.skip(  # (CI adds the line: .ci/run; there the test must run)
            "the primary's pg_hba.conf has no replication line for 127.0.0.1 (add `host "
            "replication all 127.0.0.1/32 trust` and reload PostgreSQL to run this test)"
        )
    assert copy.returncode == 0, (
        "pg_basebackup failed (the primary's pg_hba.conf needs a replication line for "
        f"127.0.0.1):\n{copy.stderr}"
    )
    (data / "postgresql.conf").write_text(
        f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n"
        "hot_standby = on\nshared_buffers = 32MB\nfsync = off\n"
    )
    (data / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").touch()
    if os.geteuid() == 0:
        for path in data.iterdir():
            shutil.chown(path, "postgres", "postgres")
    started = _as_postgres(
        str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "120",
        "start",
    )  # fmt: skip
    assert started.returncode == 0, f"{started.stderr}\n{(root / 'log').read_text()}"
    return port


@pytest.fixture(scope="module", autouse=True)
def replica(replica_port: int) -> Iterator[str]:
    """The `replica` database alias on the standby, as DATABASE_REPLICA_URL configures it (a
    mirror of the default database in tests: never flushed), for the whole module: the tests'
    database setup must find it."""
    settings_dict = dict(connections["default"].settings_dict)
    options = {k: v for k, v in settings_dict["OPTIONS"].items() if k != "pool"}
    settings_dict.update(
        {
            "HOST": "127.0.0.1",
            "PORT": str(replica_port),
            "OPTIONS": options,
            "TEST": {**settings_dict["TEST"], "MIRROR": "default"},
        }
    )
    connections.settings[REPLICA] = settings_dict
    try:
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections.settings[REPLICA]


def _replayed_on(alias: str) -> None:
    """Waits until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up within 30 s")


def _report(operator: Operator, day: dt.date, ggr: str) -> BusinessReport:
    report = BusinessReport.objects.create(operator=operator, date=day)
    BusinessReportRow.objects.create(
        report=report, vendor="netent", currency="EUR", gross_gaming_revenue=Decimal(ggr)
    )
    return report


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
@override_settings(DATABASE_ROUTERS=ROUTERS)
def test_issue13_report_charts_read_from_a_real_streaming_replica(replica: str) -> None:
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a standby: it refuses writes
    operator = OperatorFactory.create(operator_id="replicacasino")
    _report(operator, dt.date(2026, 11, 1), "12.50")
    _report(operator, dt.date(2026, 11, 2), "-3.00")
    _replayed_on(replica)

    with (
        CaptureQueriesContext(connections[replica]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        series = report_ggr_series(BusinessReportRow.objects.filter(report__operator=operator))
    assert series == {
        "EUR": [(dt.date(2026, 11, 1), Decimal("12.50")), (dt.date(2026, 11, 2), Decimal("-3.00"))]
    }
    assert len(on_replica) == 1 and "reporting_businessreportrow" in on_replica[0]["sql"]
    assert len(on_primary) == 0


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
@override_settings(DATABASE_ROUTERS=ROUTERS)
def test_issue13_writes_and_everything_else_stay_on_the_primary(replica: str) -> None:
    operator = OperatorFactory.create(operator_id="primarycasino")
    with CaptureQueriesContext(connections[replica]) as on_replica:
        report = _report(operator, dt.date(2026, 11, 3), "1.00")  # not replicated yet: no wait
        # a read outside replica_reads() (the wallet, reconciliation, admin lists): primary
        assert BusinessReport.objects.get(pk=report.pk).fetch_count == 1
        with replica_reads():
            # a write inside it still goes to the primary (the standby would refuse it)
            BusinessReport.objects.filter(pk=report.pk).update(fetch_count=2)
    assert on_replica.captured_queries == []
    assert BusinessReport.objects.get(pk=report.pk).fetch_count == 2
