"""A real PostgreSQL server for the store tests: scripts/pg-test-server.sh starts one and prints
NEWSWEAVE_TEST_PG (``make test`` does that). Without it the PostgreSQL tests are skipped with
the reason, except in CI (CI=true), where they fail: CI never skips them silently."""
from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_SCRIPT = ROOT / "scripts" / "pg-test-server.sh"


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run; `make test` starts "
                    f"the server with {SERVER_SCRIPT.relative_to(ROOT)})", pytrace=False)
    pytest.skip(f"{reason}: run `eval \"$(scripts/pg-test-server.sh start)\"` or `make test`")


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """The DSN of the test server's admin database."""
    dsn = os.environ.get("NEWSWEAVE_TEST_PG")
    if not dsn:
        _missing("NEWSWEAVE_TEST_PG is not set, so there is no PostgreSQL server to test against")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg is not installed (pip install 'newsweave[postgres]')")
    return dsn


def _with_db(dsn: str, dbname: str) -> str:
    """The same postgresql:// URL naming another database."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(dsn)._replace(path=f"/{dbname}"))


@pytest.fixture
def pg_database(pg_dsn: str) -> Iterator[Callable[[], str]]:
    """Creates fresh databases (each test gets its own) and drops them afterwards."""
    import psycopg

    made: list[str] = []

    def create() -> str:
        name = f"nw_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template1')
        made.append(name)
        return _with_db(pg_dsn, name)

    yield create
    try:
        with psycopg.connect(pg_dsn, autocommit=True, connect_timeout=5) as conn:
            for name in made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.OperationalError:
        pass  # the server is gone (a fault test stopped it): the cluster is thrown away anyway


class ServerControl:
    """Stops and restarts the test server (the fault tests), through the same script."""

    def __init__(self, state: str) -> None:
        self.env = {**os.environ, "NEWSWEAVE_PG_STATE": state}

    def _run(self, command: str) -> None:
        subprocess.run(["bash", str(SERVER_SCRIPT), command], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    def halt(self) -> None:
        """Stop the server at once, as a crash would (in-flight transactions are lost)."""
        self._run("halt")

    def resume(self) -> None:
        self._run("resume")


@pytest.fixture
def pg_server(pg_dsn: str) -> Iterator[ServerControl]:
    """Control of the test server; the server is running again after the test."""
    state = os.environ.get("NEWSWEAVE_TEST_PG_STATE")
    if not state or not Path(state, "data").is_dir() or os.geteuid() != 0:
        _missing("the test server cannot be stopped from here (needs the server started by "
                 "scripts/pg-test-server.sh, NEWSWEAVE_TEST_PG_STATE, and root)")
    control = ServerControl(state)
    yield control
    import psycopg

    try:
        psycopg.connect(pg_dsn, connect_timeout=3).close()
    except psycopg.OperationalError:
        control.resume()
