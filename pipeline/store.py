"""Files on disk: atomic writes, output paths, and the quarantine folder with its reason files."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import regex

_UNSAFE = regex.compile(r"[^\p{L}\p{M}\p{N}._-]+")


def safe_name(text: str) -> str:
    """A diary number or file name made safe for any file system: HSR/2026/000042 -> HSR-2026-000042."""
    return _UNSAFE.sub("-", text).strip("-.") or "unnamed"


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> str:
    """Write bytes under a temporary name, fsync, then rename into place; return their sha256.

    The file is created with `mode` (0o644: other accounts in the office can read receipts and
    reason files; 0o600 for signing keys). A reader never sees a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return hashlib.sha256(data).hexdigest()


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable; a file system that cannot sync a folder (EINVAL) is let be."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def output_path(receipts_dir: Path, year: int, diary_no: str) -> Path:
    return receipts_dir / str(year) / f"{safe_name(diary_no)}.pdf"


def free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/<stem>.1<suffix>`, `.2`, ... if that is taken: never an existing file."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 1
    while candidate.exists():
        candidate = folder / f"{stem}.{counter}{suffix}"
        counter += 1
    return candidate


def quarantine(
    source: Path,
    quarantine_dir: Path,
    *,
    error: str,
    stage: str,
    sha256: str | None,
    move: bool,
) -> Path:
    """Put a file that could not be processed into quarantine/ with <name>.reason.json beside it.

    `move=False` copies (the `dak ingest` command never changes its inputs); `move=True` moves,
    as the drop-folder watcher does. Either way nothing is deleted before the copy is safe.
    """
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    target = free_name(quarantine_dir, source.name)
    reason = {
        "file": source.name,
        "source": str(source),
        "error": error,
        "stage": stage,
        "time": datetime.now().astimezone().isoformat(timespec="seconds"),
        "sha256": sha256,
    }
    reason_path = target.with_name(target.name + ".reason.json")
    write_atomic(reason_path, (json.dumps(reason, ensure_ascii=False, indent=2) + "\n").encode())
    if source.is_file():
        if move:
            shutil.move(source, target)
        else:
            shutil.copy2(source, target)
    return target
