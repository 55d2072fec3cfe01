"""Drop folders: which files are complete, and their moves drop/ -> processing/ -> done/<date>/ or quarantine/.

No Prefect here. A drop folder holds its own `processing/`, `done/` and `quarantine/` sub-folders, so
every move is a rename on one file system (also on a shared SMB or NFS mount). Files are only ever
moved, never deleted. A file in `processing/` is locked (flock) by the process working on it; a
file there without a lock was left by a crash and is picked up again.
"""

from __future__ import annotations

import errno
import fcntl
import fnmatch
import itertools
import json
import os
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import regex

from pipeline import store
from pipeline.config import IGNORE, Settings

PROCESSING, DONE, QUARANTINE = "processing", "done", "quarantine"
DEFAULT_IGNORE = IGNORE


@dataclass(frozen=True)
class DropFolder:
    """A watched folder and the section its letters are routed to when no rule decides."""

    path: Path
    section: str | None = None
    polling: bool = False  # SMB and NFS shares deliver no inotify events

    @property
    def processing(self) -> Path:
        return self.path / PROCESSING

    @property
    def done(self) -> Path:
        return self.path / DONE

    @property
    def quarantine(self) -> Path:
        return self.path / QUARANTINE

    def prepare(self) -> None:
        for folder in (self.path, self.processing, self.done, self.quarantine):
            folder.mkdir(parents=True, exist_ok=True)


def configured(settings: Settings, given: Iterable[DropFolder] = ()) -> list[DropFolder]:
    """The drop folders given on the command line, else those in [[watch.drop]]."""
    folders = list(given)
    if folders:
        return folders
    return [
        DropFolder(Path(d.path).expanduser().resolve(), d.section, d.polling) for d in settings.watch.drop
    ]


def parse_drop(text: str) -> DropFolder:
    """`DIR` or `DIR=SECTION`, as given to `dak watch --drop`."""
    folder, _, section = text.partition("=")
    return DropFolder(Path(folder).expanduser().resolve(), section.strip() or None)


def is_ignored(name: str, patterns: Iterable[str] = DEFAULT_IGNORE) -> bool:
    """Hidden and temporary names (scanners write `.x.part` or `x.tmp`, then rename), ignoring case."""
    return any(fnmatch.fnmatchcase(name.lower(), pattern.lower()) for pattern in patterns)


def candidates(folder: DropFolder, patterns: Iterable[str] = DEFAULT_IGNORE) -> list[Path]:
    """Regular files directly in the drop folder (not its sub-folders), oldest first."""
    found: list[tuple[float, Path]] = []
    try:
        entries = list(os.scandir(folder.path))
    except FileNotFoundError:
        return []
    for entry in entries:
        if is_ignored(entry.name, patterns):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                found.append((entry.stat().st_mtime, Path(entry.path)))
        except FileNotFoundError:
            continue
    return [path for _, path in sorted(found)]


def open_for_writing(paths: Iterable[Path]) -> set[Path]:
    """Those of `paths` some process on this machine has open for writing (via /proc; empty where unknown)."""
    wanted = {str(p): p for p in paths}
    busy: set[Path] = set()
    if not wanted or not Path("/proc/self/fd").is_dir():
        return busy
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or another user's process: the system cannot tell us
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            if target not in wanted:
                continue
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as info:
                    flags = next(int(line.split()[1], 8) for line in info if line.startswith("flags:"))
            except (OSError, StopIteration, ValueError):
                continue
            if flags & (os.O_WRONLY | os.O_RDWR):
                busy.add(wanted[target])
    return busy


@dataclass
class StabilityTracker:
    """Takes a file once its size and mtime have not changed for `stable_seconds` and no one writes it."""

    stable_seconds: float
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)

    def see(self, path: Path, now: float) -> None:
        """Note a file (new, or an event about it); the clock restarts if it changed."""
        try:
            st = path.stat()
        except FileNotFoundError:
            self._seen.pop(path, None)
            return
        known = self._seen.get(path)
        if known is None or (known[0], known[1]) != (st.st_size, st.st_mtime_ns):
            self._seen[path] = (st.st_size, st.st_mtime_ns, now)

    def pending(self) -> int:
        return len(self._seen)

    def ready(self, now: float) -> list[Path]:
        """Files complete by now, oldest first; they are no longer tracked."""
        due: list[Path] = []
        for path, (size, mtime, since) in list(self._seen.items()):
            try:
                st = path.stat()
            except FileNotFoundError:
                del self._seen[path]
                continue
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                self._seen[path] = (st.st_size, st.st_mtime_ns, now)
            elif now - since >= self.stable_seconds:
                due.append(path)
        busy = open_for_writing(due)
        for path in due:
            if path not in busy:
                del self._seen[path]
        return [p for p in due if p not in busy]


@dataclass
class Claim:
    """A file this process has moved into processing/ and holds the lock on."""

    folder: DropFolder
    path: Path
    _fd: int

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _move_no_replace(source: Path, target_dir: Path) -> Path | None:
    """Move a file into target_dir under a free name without ever replacing a file; None if it is gone.

    A hard link plus unlink is atomic against a racing process (only one unlink of the source
    succeeds); where hard links are not supported, a checked rename is used.
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(source.name).stem, Path(source.name).suffix
    for counter in itertools.count():
        target = target_dir / (source.name if counter == 0 else f"{stem}.{counter}{suffix}")
        try:
            os.link(source, target)
        except FileNotFoundError:
            return None
        except FileExistsError:
            try:
                if os.path.samefile(source, target):
                    return None  # another process is claiming this very file
            except FileNotFoundError:
                if not source.exists():
                    return None
            continue
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            try:
                os.rename(source, target)
            except FileNotFoundError:
                return None
            return target
        try:
            os.unlink(source)
        except FileNotFoundError:  # another process moved it first: it is theirs
            os.unlink(target)
            return None
        store.fsync_dir(target_dir)
        return target
    raise AssertionError("unreachable")  # pragma: no cover


def _lock(path: Path) -> int | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    if not path.exists():  # finished and moved on by its owner between our open and lock
        os.close(fd)
        return None
    return fd


def claim(folder: DropFolder, path: Path) -> Claim | None:
    """Move a complete file from the drop folder into processing/ and lock it; None if another took it."""
    target = _move_no_replace(path, folder.processing)
    if target is None:
        return None
    fd = _lock(target)
    return Claim(folder, target, fd) if fd is not None else None


def leftovers(folder: DropFolder) -> Iterator[Claim]:
    """Files in processing/ that no live process holds: left by a crash, to be ingested again."""
    try:
        names = sorted(os.listdir(folder.processing))
    except FileNotFoundError:
        return
    for name in names:
        path = folder.processing / name
        if not path.is_file():
            continue
        fd = _lock(path)
        if fd is not None:
            yield Claim(folder, path, fd)


def finish(
    claim: Claim, record: dict[str, Any], *, day: date | None = None, run_id: str | None = None
) -> Path:
    """Move a diarised (or duplicate) file to done/<date>/, with its receipt record beside it."""
    day = day or date.today()
    target_dir = claim.folder.done / day.isoformat()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = store.free_name(target_dir, claim.path.name)
    note = {**record, "handled_by": {"host": socket.gethostname(), "pid": os.getpid(), "flow_run_id": run_id}}
    store.write_atomic(
        target.with_name(target.name + ".receipt.json"),
        (json.dumps(note, ensure_ascii=False, indent=2, default=str) + "\n").encode(),
    )
    os.rename(claim.path, target)
    store.fsync_dir(target_dir)
    claim.release()
    return target


def quarantine(claim: Claim, error: str, stage: str, sha256: str | None) -> Path:
    """Move a file that could not be processed to quarantine/ with <name>.reason.json beside it."""
    target = store.quarantine(
        claim.path, claim.folder.quarantine, error=error, stage=stage, sha256=sha256, move=True
    )
    claim.release()
    return target


_DAY = regex.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_YEAR = regex.compile(r"^(?:19|20)\d\d$")
_MONTH = regex.compile(r"^(0?[1-9]|1[0-2])$")


def date_from_layout(relative: Path) -> date | None:
    """A date in a legacy archive's layout: `2019-03-14` (or 20190314) in any part, or `2019/03[/14]/`."""
    parts = relative.parts
    for part in reversed(parts):
        match = _DAY.search(part)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    folders = parts[:-1]
    for i, part in enumerate(folders):
        if _YEAR.match(part):
            month = int(folders[i + 1]) if i + 1 < len(folders) and _MONTH.match(folders[i + 1]) else 1
            day = 1
            if i + 2 < len(folders) and folders[i + 2].isdigit() and 1 <= int(folders[i + 2]) <= 31:
                day = int(folders[i + 2])
            try:
                return date(int(part), month, day)
            except ValueError:
                return date(int(part), month, 1)
    return None


def legacy_received_at(path: Path, root: Path, mode: str) -> datetime:
    """When a legacy letter was received: from the folder layout, else the file's date; or now.

    `mode` is "folder" (layout, falling back to the file's modification time), "file" or "now".
    A date from the layout is taken at noon local time, so the diary year never shifts by zone.
    """
    if mode == "folder":
        found = date_from_layout(path.relative_to(root))
        if found is not None:
            return datetime(found.year, found.month, found.day, 12).astimezone()
    if mode in ("folder", "file"):
        return datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    return datetime.now().astimezone()
