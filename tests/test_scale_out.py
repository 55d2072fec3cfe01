"""Scale-out: a Prefect server, a process work pool with two workers, the registry on PostgreSQL, and a
shared drop folder and store. 40 dropped letters are diarised exactly once, by both workers.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from dropkit import ROOT, dak, drop_in, kill_group, receipts_in_done, small_letter, wait_for
from registry_pg import PgServer, pg_server  # noqa: F401 - the fixture

from pipeline.registry import Registry

pytestmark = pytest.mark.slow

FILES, WORKERS, SWEEPS = 40, 2, 4
PREFECT = [sys.executable, "-m", "prefect"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """`prefect server start` with its own home on a free port; the environment to reach it."""
    home = tmp_path / "prefect-server"
    home.mkdir()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAK_", "PREFECT_"))}
    env.update({"PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    log = tmp_path / "prefect-server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        wait_for(lambda: _healthy(url), 240, "the Prefect server", log)
        yield {**env, "PREFECT_API_URL": url}
    finally:
        kill_group(server, 15)


def test_two_workers_share_a_drop_folder_and_diarise_each_letter_once(
    tmp_path: Path,
    prefect_server: dict[str, str],
    pg_server: PgServer,  # noqa: F811
) -> None:
    shared = tmp_path / "shared"
    folder = shared / "drop"
    folder.mkdir(parents=True)
    env = {
        **prefect_server,
        "DAK_HOME": str(shared / "dak-data"),
        "DAK_DATABASE_URL": pg_server.new_database(),
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_WORKER_PREFETCH_SECONDS": "2",
    }
    subprocess.run(
        [*PREFECT, "work-pool", "create", "dak", "--type", "process"], env=env, check=True, cwd=ROOT
    )
    deployed = dak("deploy", "--pool", "dak", "--drop", f"{folder}=Accounts", env=env).stdout.split()
    assert "sweep/sweep-drop" in deployed and "backfill/backfill" in deployed

    letters = tmp_path / "letters"
    letters.mkdir()
    for i in range(FILES):
        drop_in(small_letter(letters / f"scan-{i:02d}.png", i), folder)

    logs = [tmp_path / f"worker-{n}.log" for n in range(WORKERS)]
    workers = []
    for n, log in enumerate(logs):
        with log.open("wb") as out:
            workers.append(
                subprocess.Popen(
                    [
                        *PREFECT,
                        "worker",
                        "start",
                        "--pool",
                        "dak",
                        "--limit",
                        "1",
                        "--name",
                        f"dak-worker-{n}",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=out,
                    stderr=out,
                    start_new_session=True,
                )
            )
    try:
        for _ in range(SWEEPS):
            subprocess.run(
                [*PREFECT, "deployment", "run", "sweep/sweep-drop"], env=env, check=True, capture_output=True
            )
        wait_for(lambda: len(receipts_in_done(folder)) == FILES, 300, f"{FILES} letters in done/", logs[0])
    finally:
        for worker in workers:
            kill_group(worker, 15)

    records = receipts_in_done(folder)
    with Registry(env["DAK_DATABASE_URL"]) as registry:
        receipts = registry.list()
    assert len(receipts) == FILES and len({r.sha256 for r in receipts}) == FILES
    year = receipts[0].diary_no.split("/")[1]
    assert sorted(r.diary_no for r in receipts) == [f"DAK/{year}/{n:06d}" for n in range(1, FILES + 1)]
    assert Counter(r["status"] for r in records) == {"diarised": FILES}
    assert not list((folder / "processing").iterdir()) and not list((folder / "quarantine").iterdir())

    run_to_worker = {}
    for n, log in enumerate(logs):
        # A flow run's own log lines land in the log of the worker that started its process.
        for run_id in re.findall(r"View at \S+/flow-run/([0-9a-f-]{36})", log.read_text(errors="replace")):
            run_to_worker[run_id] = n
    by_worker = Counter(run_to_worker.get(r["handled_by"]["flow_run_id"]) for r in records)
    print(f"\nscale-out: letters per worker {dict(by_worker)}")
    assert set(by_worker) == set(range(WORKERS)), f"both workers must diarise letters: {dict(by_worker)}"
