"""Crash safety: `dak watch` killed with SIGKILL (with its tesseracts) at random moments, five times.

At the end every letter has exactly one receipt, diary numbers are gapless, every source is in
done/ or quarantine/, and every signed output verifies.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest
from dropkit import dak, drop_in, kill_group, small_letter, start, wait_for

from pipeline.registry import Registry

pytestmark = pytest.mark.slow

GOOD, BROKEN, KILLS = 28, 2, 5


def _sources_filed(folder: Path) -> list[str]:
    done = [p.name for p in (folder / "done").glob("*/*") if not p.name.endswith(".json")]
    quarantined = [p.name for p in (folder / "quarantine").glob("*") if not p.name.endswith(".json")]
    return done + quarantined


def _count(log: Path, text: str) -> int:
    return log.read_text(errors="replace").count(text) if log.exists() else 0


def test_kill_9_five_times_loses_nothing_and_numbers_stay_gapless(
    tmp_path: Path, dak_env: dict[str, str]
) -> None:
    seed = int(os.environ.get("DAK_CRASH_SEED", time.time()))
    rng = random.Random(seed)
    print(f"\ncrash-safety seed {seed} (DAK_CRASH_SEED to repeat)")
    letters = tmp_path / "letters"
    letters.mkdir()
    sources = [small_letter(letters / f"letter-{i:02d}.png", i) for i in range(GOOD)]
    sources.append(letters / "torn.pdf")
    sources[-1].write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")  # a scan cut short
    sources.append(letters / "notes.png")
    sources[-1].write_bytes(b"not an image at all")
    rng.shuffle(sources)
    waves = [sources[:10], sources[10:20], sources[20:]]
    folder = tmp_path / "drop"
    folder.mkdir()
    log = tmp_path / "watch.log"
    args = ["watch", "--drop", str(folder)]
    for wave in waves[:1]:
        for source in wave:
            drop_in(source, folder)
    for kill in range(KILLS):
        started = _count(log, "started; taking up")
        watcher = start(args, dak_env, log)
        wait_for(lambda n=started: _count(log, "started; taking up") > n, 120, "the watcher to start", log)
        time.sleep(rng.uniform(0.0, 3.0))
        if kill + 1 < len(waves):
            for source in waves[kill + 1]:
                drop_in(source, folder)
        time.sleep(rng.uniform(0.5, 6.0))
        kill_group(watcher, signal.SIGKILL)
        with log.open("a") as fh:
            fh.write(f"\n==== killed (kill {kill + 1}) ====\n")
    started = _count(log, "started; taking up")
    watcher = start(args, dak_env, log)
    try:
        # the killed watchers may have filed everything already: SIGTERM must not reach this one
        # before it is up, with its handler set
        wait_for(lambda: _count(log, "started; taking up") > started, 120, "the last watcher to start", log)
        wait_for(
            lambda: (
                len(set(_sources_filed(folder))) == GOOD + BROKEN
                and not list((folder / "processing").iterdir())
            ),
            300,
            "every file in done/ or quarantine/",
            log,
        )
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0
    finally:
        if watcher.poll() is None:
            kill_group(watcher)

    filed = _sources_filed(folder)
    assert sorted(set(filed)) == sorted(s.name for s in sources)
    assert not [p for p in folder.iterdir() if p.is_file()], "nothing may stay in the drop folder"
    quarantined = {p.name for p in (folder / "quarantine").glob("*.reason.json")}
    assert quarantined == {"torn.pdf.reason.json", "notes.png.reason.json"}

    home = Path(dak_env["DAK_HOME"])
    with Registry(f"sqlite:///{home / 'registry.sqlite3'}") as registry:
        receipts = registry.list()
    assert len(receipts) == GOOD, "every letter exactly one receipt"
    assert len({r.sha256 for r in receipts}) == GOOD
    year = receipts[0].diary_no.split("/")[1]
    assert [r.diary_no for r in receipts] == [f"DAK/{year}/{n:06d}" for n in range(1, GOOD + 1)]
    outputs = [r.output for r in receipts]
    assert all(o and Path(o).exists() for o in outputs)
    dak("verify", *outputs, env=dak_env)
    print(f"crash-safety: {KILLS} kills, {GOOD} receipts gapless, {BROKEN} quarantined, all outputs verify")
