"""A throwaway PostgreSQL server (initdb + pg_ctl): the registry tests' fixture, and the benchmark's.

`throwaway_postgres` serves both: the tests turn fsync off (speed; nothing there must survive a
crash), `bench/registry.py` keeps PostgreSQL's durable defaults. It fails (never skips) when the
server binaries are missing: `scripts/install-system-deps.sh --test` installs Debian's postgresql.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

PG_BIN = Path(os.environ.get("DAK_PG_BIN", "/usr/lib/postgresql/15/bin"))
_names = itertools.count(1)


class PgServer:
    def __init__(self, socket_dir: Path) -> None:
        self.socket_dir = socket_dir

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://dak@/{database}?host={self.socket_dir}&port=5432"

    def new_database(self) -> str:
        """A fresh, empty database on the server; its SQLAlchemy URL."""
        name = f"dak_{os.getpid()}_{next(_names)}"
        with psycopg.connect(host=str(self.socket_dir), port=5432, user="dak", dbname="postgres") as conn:
            conn.autocommit = True
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def throwaway_postgres(*, fsync: bool, settings: dict[str, str] | None = None) -> Iterator[PgServer]:
    """Start a PostgreSQL server in a temporary folder (user dak, trust, a Unix socket only); stop
    and delete it afterwards. fsync=False also skips initdb's sync; `settings` are more -c options."""
    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    assert initdb.exists() and pg_ctl.exists(), f"PostgreSQL server binaries not found in {PG_BIN}"
    # Short path for the socket, reachable by the postgres user (root's pytest tmp_path is not).
    base = Path(tempfile.mkdtemp(prefix="dak-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = base / "data"

    def run(*args: str | Path) -> None:
        subprocess.run([*as_user, *map(str, args)], check=True, capture_output=True, timeout=120)

    options = {"listen_addresses": "''", **({} if fsync else {"fsync": "off"}), **(settings or {})}
    try:
        run(initdb, "-D", data, "-U", "dak", "--auth=trust", "-E", "UTF8", *([] if fsync else ["--no-sync"]))
        opts = f"-k {base} -p 5432 " + " ".join(f"-c {key}={value}" for key, value in options.items())
        run(pg_ctl, "-D", data, "-l", base / "server.log", "-w", "-o", opts, "start")
        yield PgServer(base)
    finally:
        if data.exists():
            subprocess.run(
                [*as_user, str(pg_ctl), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PgServer]:
    with throwaway_postgres(fsync=False) as server:
        yield server


@pytest.fixture
def postgres_url(pg_server: PgServer) -> str:
    return pg_server.new_database()
