"""Backfill of a legacy archive: which files to take, and the CSV report that makes a run resumable.

No Prefect here. The report is appended and flushed file by file, so an interrupted backfill
loses nothing: run it again and the files already reported (or already in the registry, by
sha256) are skipped.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline import drop
from pipeline.registry import Registry

FIELDS = ("file", "status", "diary_no", "sha256", "pages", "received_at", "error")


@dataclass(frozen=True)
class LegacyFile:
    path: Path
    sha256: str
    received_at: datetime


def walk(root: Path, ignore: Iterable[str] = drop.DEFAULT_IGNORE) -> Iterator[Path]:
    """Every file under root (nested folders, sorted), skipping hidden and temporary names."""
    patterns = tuple(ignore)
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not drop.is_ignored(d, patterns))
        for name in sorted(names):
            if not drop.is_ignored(name, patterns):
                yield Path(folder) / name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Report:
    """The CSV summary of a backfill: one row per file, appended as each one finishes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, str]] = []
        if path.exists():
            with path.open(newline="", encoding="utf-8") as fh:
                self.rows = list(csv.DictReader(fh))
        self.reported = {(row["file"], row["sha256"]) for row in self.rows}
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists() or path.stat().st_size == 0
        self._fh = path.open("a", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._fh, fieldnames=FIELDS)
        if new:
            self._writer.writeheader()
            self._fh.flush()

    def add(self, item: LegacyFile, record: dict[str, Any]) -> None:
        """Report one file; its sha256 is the file's own (a quarantined record may not carry one)."""
        source, received_at = item.path, item.received_at
        row = {
            "file": str(source),
            "status": record.get("status") or "",
            "diary_no": record.get("diary_no") or "",
            "sha256": item.sha256,
            "pages": str(record.get("pages") or ""),
            "received_at": received_at.isoformat(timespec="seconds") if received_at else "",
            "error": record.get("error") or "",
        }
        self._writer.writerow(row)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.rows.append(row)
        self.reported.add((row["file"], row["sha256"]))

    def counts(self) -> Counter[str]:
        return Counter(row["status"] for row in self.rows)

    def close(self) -> None:
        self._fh.close()


@dataclass
class Plan:
    todo: list[LegacyFile]
    known: list[tuple[LegacyFile, dict[str, Any]]]  # already in the registry: reported as duplicates
    reported: int  # already in the report of an earlier, interrupted run
    before_since: int


def plan(
    root: Path,
    registry: Registry,
    report: Report,
    *,
    received_mode: str,
    since: date | None = None,
    ignore: Iterable[str] = drop.DEFAULT_IGNORE,
) -> Plan:
    """Sort the archive's files into what to ingest and what to skip."""
    result = Plan(todo=[], known=[], reported=0, before_since=0)
    for path in walk(root, ignore):
        received = drop.legacy_received_at(path, root, received_mode)
        if since is not None and received.date() < since:
            result.before_since += 1
            continue
        digest = sha256_of(path)
        if (str(path), digest) in report.reported:
            result.reported += 1
            continue
        item = LegacyFile(path, digest, received)
        existing = registry.find_by_sha256(digest)
        if existing is not None and existing.output and Path(existing.output).exists():
            result.known.append((item, {**existing.to_json(), "status": "duplicate"}))
        else:
            result.todo.append(item)
    return result
