from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from pipeline import store


def test_safe_name_keeps_diary_numbers_readable() -> None:
    assert store.safe_name("HSR/2026/000042") == "HSR-2026-000042"
    assert store.safe_name("डाक/2026/7") == "डाक-2026-7"
    assert store.safe_name("../..") == "unnamed"


def test_write_atomic_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a.pdf"
    digest = store.write_atomic(target, b"%PDF-1.7 data")
    assert target.read_bytes() == b"%PDF-1.7 data"
    assert digest == hashlib.sha256(b"%PDF-1.7 data").hexdigest()
    assert [p.name for p in target.parent.iterdir()] == ["a.pdf"]


def test_write_atomic_files_are_readable_by_the_office_unless_private(tmp_path: Path) -> None:
    """Receipt records and reason files go to shared folders: other accounts must read them."""
    old = os.umask(0o022)
    try:
        store.write_atomic(tmp_path / "letter.pdf.receipt.json", b"{}")
        store.write_atomic(tmp_path / "key.p12", b"secret", 0o600)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "letter.pdf.receipt.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "key.p12").stat().st_mode) == 0o600


def test_quarantine_copy_keeps_the_original_and_gives_a_reason(tmp_path: Path) -> None:
    source = tmp_path / "drop" / "letter.pdf"
    source.parent.mkdir()
    source.write_bytes(b"not really a pdf")
    qdir = tmp_path / "quarantine"
    first = store.quarantine(source, qdir, error="damaged", stage="intake", sha256="ab", move=False)
    second = store.quarantine(source, qdir, error="damaged", stage="intake", sha256="ab", move=True)
    assert not source.exists()
    assert first.read_bytes() == second.read_bytes() == b"not really a pdf"
    assert first != second
    reason = json.loads(first.with_name(first.name + ".reason.json").read_text())
    assert reason["error"] == "damaged" and reason["stage"] == "intake" and reason["sha256"] == "ab"
