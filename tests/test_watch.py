"""Drop folders: completeness, atomic claims, crash leftovers, and `dak watch` on real letters (latency)."""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from dropkit import drop_in, full_letter, kill_group, receipts_in_done, start, wait_for

from pipeline import drop
from pipeline.registry import Registry


def test_hidden_and_temporary_names_are_ignored(tmp_path: Path) -> None:
    folder = drop.DropFolder(tmp_path)
    folder.prepare()
    junk = (".scan.pdf", "scan.pdf.part", "scan.TMP", "~lock.pdf", "Thumbs.db", "desktop.ini", "._letter.pdf")
    for name in (*junk, "letter.pdf", "b.tif", "SCAN0001.PDF"):
        (tmp_path / name).write_bytes(b"x")
    assert {p.name for p in drop.candidates(folder)} == {"letter.pdf", "b.tif", "SCAN0001.PDF"}


def test_the_shipped_config_ignores_what_the_code_does() -> None:
    from pipeline.config import load_settings

    assert tuple(load_settings().watch.ignore) == drop.DEFAULT_IGNORE


def test_a_growing_file_is_taken_only_once_it_stops_changing(tmp_path: Path) -> None:
    tracker = drop.StabilityTracker(stable_seconds=1.0)
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"a" * 10)
    tracker.see(path, now=0.0)
    assert tracker.ready(now=0.5) == []
    with path.open("ab") as fh:
        fh.write(b"b" * 10)
    assert tracker.ready(now=1.2) == [], "size changed: the clock restarts"
    assert tracker.ready(now=2.0) == []
    assert tracker.ready(now=2.3) == [path]
    assert tracker.pending() == 0


def test_a_file_open_for_writing_is_not_taken(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    tracker = drop.StabilityTracker(stable_seconds=0.0)
    with path.open("wb") as fh:
        fh.write(b"%PDF-1.4 partial")
        fh.flush()
        tracker.see(path, now=0.0)
        assert drop.open_for_writing([path]) == {path}
        assert tracker.ready(now=5.0) == []
    assert drop.open_for_writing([path]) == set()
    assert tracker.ready(now=6.0) == [path]


def test_only_one_of_two_racing_claims_wins(tmp_path: Path) -> None:
    folder = drop.DropFolder(tmp_path)
    folder.prepare()
    for i in range(40):
        (tmp_path / f"l{i}.pdf").write_bytes(f"letter {i}".encode())
    won: list[list[Path]] = [[], []]

    def claimer(slot: int) -> None:
        for path in sorted(tmp_path.glob("l*.pdf")):
            claim = drop.claim(folder, path)
            if claim is not None:
                won[slot].append(claim.path)

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = won[0] + won[1]
    assert len(taken) == 40 and len(set(taken)) == 40
    assert sorted(p.name for p in folder.processing.iterdir()) == sorted(f"l{i}.pdf" for i in range(40))


def test_a_same_named_file_never_replaces_one_in_processing(tmp_path: Path) -> None:
    folder = drop.DropFolder(tmp_path)
    folder.prepare()
    (folder.processing / "scan.pdf").write_bytes(b"first")
    (tmp_path / "scan.pdf").write_bytes(b"second")
    claim = drop.claim(folder, tmp_path / "scan.pdf")
    assert claim is not None and claim.path.name == "scan.1.pdf"
    assert (folder.processing / "scan.pdf").read_bytes() == b"first"


def test_leftovers_are_files_no_live_process_holds(tmp_path: Path) -> None:
    folder = drop.DropFolder(tmp_path)
    folder.prepare()
    (tmp_path / "held.pdf").write_bytes(b"held")
    held = drop.claim(folder, tmp_path / "held.pdf")
    (folder.processing / "crashed.pdf").write_bytes(b"left by a crash")
    found = list(drop.leftovers(folder))
    assert [c.path.name for c in found] == ["crashed.pdf"]
    assert held is not None
    held.release()
    for claim in found:
        claim.release()


def test_finish_and_quarantine_move_and_never_delete(tmp_path: Path) -> None:
    folder = drop.DropFolder(tmp_path)
    folder.prepare()
    (tmp_path / "good.pdf").write_bytes(b"good")
    (tmp_path / "bad.pdf").write_bytes(b"bad")
    good = drop.claim(folder, tmp_path / "good.pdf")
    bad = drop.claim(folder, tmp_path / "bad.pdf")
    assert good and bad
    done = drop.finish(good, {"status": "diarised", "diary_no": "DAK/2026/000001"}, day=date(2026, 3, 1))
    assert done == folder.done / "2026-03-01" / "good.pdf" and done.read_bytes() == b"good"
    assert '"DAK/2026/000001"' in done.with_name("good.pdf.receipt.json").read_text()
    moved = drop.quarantine(bad, "Not a scan", "intake", None)
    assert moved.read_bytes() == b"bad" and moved.with_name("bad.pdf.reason.json").exists()
    assert list(folder.processing.iterdir()) == []


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("2019/03/14/scan.pdf", date(2019, 3, 14)),
        ("archive/2018-11-02 dak/scan.pdf", date(2018, 11, 2)),
        ("2017/07/letter.tif", date(2017, 7, 1)),
        ("2016/letter.tif", date(2016, 1, 1)),
        ("box 4/scan_20150420.pdf", date(2015, 4, 20)),
        ("misc/letter.pdf", None),
    ],
)
def test_legacy_dates_come_from_the_folder_layout(relative: str, expected: date | None) -> None:
    assert drop.date_from_layout(Path(relative)) == expected


def test_legacy_date_falls_back_to_the_file_date(tmp_path: Path) -> None:
    path = tmp_path / "misc" / "letter.pdf"
    path.parent.mkdir()
    path.write_bytes(b"x")
    stamp = time.mktime((2014, 5, 6, 10, 0, 0, 0, 0, -1))
    os.utime(path, (stamp, stamp))
    assert drop.legacy_received_at(path, tmp_path, "folder").date() == date(2014, 5, 6)
    assert drop.legacy_received_at(path, tmp_path, "file").date() == date(2014, 5, 6)


@pytest.mark.slow
def test_dak_watch_diarises_dropped_letters_fast_and_stops_on_sigterm(
    tmp_path: Path, dak_env: dict[str, str]
) -> None:
    """A warm watcher: each one-page letter dropped is diarised and signed in <= 5 s (median)."""
    folder = tmp_path / "drop"
    folder.mkdir()
    letters = tmp_path / "letters"
    letters.mkdir()
    sources = [full_letter(letters / f"letter-{i}.png", i) for i in range(6)]
    (folder / ".hidden.pdf").write_bytes(b"ignored")
    log = tmp_path / "watch.log"
    watcher = start(["watch", "--drop", f"{folder}=Establishment"], dak_env, log)
    try:
        latencies = []
        for i, source in enumerate(sources):
            dropped = time.monotonic()
            drop_in(source, folder)
            want = i + 1
            wait_for(lambda n=want: len(receipts_in_done(folder)) == n, 120, f"letter {i} in done/", log)
            latencies.append(time.monotonic() - dropped)
        slow_writer = folder / "slow.png"
        with slow_writer.open("wb") as fh:  # a scanner writing in place, slowly
            data = sources[0].read_bytes()
            for start_at in range(0, len(data), len(data) // 4 + 1):
                fh.write(data[start_at : start_at + len(data) // 4 + 1])
                fh.flush()
                time.sleep(0.7)
                assert slow_writer.exists(), "a file still being written must not be taken"
        wait_for(lambda: len(receipts_in_done(folder)) == 7, 120, "the slow file in done/", log)
        watcher.send_signal(signal.SIGTERM)
        assert watcher.wait(timeout=60) == 0, log.read_text()[-3000:]
    finally:
        if watcher.poll() is None:
            kill_group(watcher)
    warm = latencies[1:]  # the first includes the watcher's own start
    median = statistics.median(warm)
    print(
        f"\nwatch latency (drop -> signed, filed in done/): median {median:.2f} s, all {[round(x, 2) for x in warm]}"
    )
    records = receipts_in_done(folder)
    assert [r["status"] for r in records].count("diarised") == 6
    assert [r["status"] for r in records].count("duplicate") == 1  # slow.png has letter 0's bytes
    assert {r["section"] for r in records if r["status"] == "diarised"} == {"Establishment"}
    assert (folder / ".hidden.pdf").exists()
    assert not list((folder / "processing").iterdir())
    with Registry(f"sqlite:///{Path(dak_env['DAK_HOME']) / 'registry.sqlite3'}") as registry:
        assert len(registry.list()) == 6
    assert median <= 5.0, f"median latency {median:.2f} s"


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_watcher_hands_over_complete_files_and_recovers_leftovers(tmp_path: Path, polling: bool) -> None:
    """The watcher loop alone (no OCR): events or polling, leftovers first, renames from temporary names."""
    from flows.watch import Watcher
    from pipeline.config import WatchSettings

    folder = drop.DropFolder(tmp_path / "drop", "Accounts", polling)
    folder.prepare()
    (folder.processing / "crashed.pdf").write_bytes(b"left by a crash")
    seen: list[str] = []

    def handle(claim: drop.Claim) -> dict:
        seen.append(claim.path.name)
        return {"path": str(drop.finish(claim, {"status": "diarised"}))}

    settings = WatchSettings(stable_seconds=0.3, tick_seconds=0.05, poll_seconds=0.2, rescan_seconds=60)
    watcher = Watcher([folder], settings, handle)
    thread = threading.Thread(target=watcher.run)
    thread.start()
    try:
        wait_for(lambda: seen == ["crashed.pdf"], 10, "the leftover")
        (folder.path / ".scan-1.pdf.part").write_bytes(b"scan one")
        os.rename(folder.path / ".scan-1.pdf.part", folder.path / "scan-1.pdf")
        (folder.path / "scan-2.pdf").write_bytes(b"scan two")
        wait_for(lambda: len(seen) == 3, 10, "both scans")
    finally:
        watcher.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert sorted(seen[1:]) == ["scan-1.pdf", "scan-2.pdf"]
    assert sorted(p.name for p in (folder.done).glob("*/*.pdf")) == [
        "crashed.pdf",
        "scan-1.pdf",
        "scan-2.pdf",
    ]
