"""Fixtures for the PLATFORM simulator over real HTTP: a live simulator in a thread and an
operator account whose PLATFORM API host is that simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from operators.models import Operator
from platform_client import PlatformClient
from simulator.server import RunningSimulator, start_in_thread
from tests.factories import OperatorFactory

SIM_OPERATOR_ID = "simcasino"
SIM_SECRET_KEY = "sim-secret-key-5f3a"


@pytest.fixture
def platform_sim(tmp_path: Path) -> Iterator[RunningSimulator]:
    sim = start_in_thread(
        operator_id=SIM_OPERATOR_ID,
        secret_key=SIM_SECRET_KEY,
        book_path=tmp_path / "book.sqlite3",
        entity_name="Sim Casino",
    )
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def sim_operator(db: None, platform_sim: RunningSimulator) -> Operator:
    return OperatorFactory(
        operator_id=SIM_OPERATOR_ID, secret_key=SIM_SECRET_KEY, api_host=platform_sim.url
    )


@pytest.fixture
def unsaved_sim_operator(platform_sim: RunningSimulator) -> Operator:
    """The same account without the database: the client needs only its fields."""
    return Operator(
        operator_id=SIM_OPERATOR_ID, secret_key=SIM_SECRET_KEY, api_host=platform_sim.url
    )


@pytest.fixture
def sim_client(unsaved_sim_operator: Operator) -> PlatformClient:
    return PlatformClient(unsaved_sim_operator, timeout=(2.0, 5.0), retries=2, backoff=0)
