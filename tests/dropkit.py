"""Helpers for the watcher, backfill, crash-safety and scale-out tests: letters, `dak` processes, waiting."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from conftest import render_lines

ROOT = Path(__file__).resolve().parent.parent
DAK = [sys.executable, "-m", "flows.cli"]


def letter_lines(i: int) -> list[str]:
    return [
        "Office of the Deputy Commissioner, Hisar",
        f"No. {4100 + i}/GEN/2026        Dated: 14.02.2026",
        f"Subject: Repair of the water tank in ward {i}",
        "Sir, kindly arrange the repair at the earliest.",
    ]


def small_letter(path: Path, i: int) -> Path:
    """A quick-to-read one-page letter (A4 at 150 dpi), unique bytes per `i`."""
    render_lines(letter_lines(i), size=21, dpi=150).save(path, dpi=(150, 150))
    return path


def full_letter(path: Path, i: int) -> Path:
    """A one-page A4 letter scanned at 300 dpi, as a scanner sends it."""
    render_lines(letter_lines(i)).save(path, dpi=(300, 300))
    return path


def drop_in(source: Path, folder: Path) -> Path:
    """Deliver a file as scanners do: write under a hidden temporary name, then rename."""
    temporary = folder / f".{source.name}.part"
    temporary.write_bytes(source.read_bytes())
    target = folder / source.name
    os.rename(temporary, target)
    return target


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A `dak` command in its own process group (so it and its tesseracts can be killed together)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [*DAK, *args], env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True
        )


def kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=60)


def wait_for(condition: Callable[[], bool], timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")


def receipts_in_done(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((folder / "done").glob("*/*.receipt.json"))]


def dak(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*DAK, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"dak {' '.join(args)} exited {result.returncode}:\n{result.stderr[-4000:]}")
    return result
