"""Intake: what a file is (by its bytes, not its name), its fingerprint, and whether dak will take it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from pipeline.config import LimitSettings
from pipeline.errors import (
    DamagedPdfError,
    EncryptedPdfError,
    FileTooLargeError,
    InputError,
    UnsupportedFileError,
)
from pipeline.model import Document, FileKind

_MAGIC: tuple[tuple[bytes, FileKind], ...] = (
    (b"II*\x00", FileKind.TIFF),
    (b"MM\x00*", FileKind.TIFF),
    (b"\xff\xd8\xff", FileKind.JPEG),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
)
_CHUNK = 1024 * 1024


def sniff(path: Path) -> FileKind:
    """Tell the file's type from its first bytes; a PDF header may follow a little junk."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except IsADirectoryError as exc:
        raise UnsupportedFileError(f"{path} is a folder, not a scanned file.") from exc
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}.") from exc
    if not head:
        raise UnsupportedFileError(f"{path.name} is empty (0 bytes): scan the letter again.")
    if b"%PDF-" in head:
        return FileKind.PDF
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    raise UnsupportedFileError(
        f"{path.name} is not a PDF, TIFF, JPEG or PNG scan (its contents begin {head[:8]!r}); "
        "save the scan in one of those formats."
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def count_pages(path: Path, kind: FileKind) -> int:
    """Pages in the file; a damaged or password-protected file is refused here, before any work."""
    if kind is FileKind.PDF:
        try:
            reader = PdfReader(path)
            if reader.is_encrypted and not reader.decrypt(""):
                raise EncryptedPdfError(
                    f"{path.name} is password-protected; ask the sender for an unlocked copy."
                )
            return len(reader.pages)
        except (PdfReadError, ValueError, KeyError, OSError) as exc:
            raise DamagedPdfError(f"{path.name} is a damaged PDF that cannot be read ({exc}).") from exc
    try:
        with Image.open(path) as image:
            return int(getattr(image, "n_frames", 1))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputError(f"{path.name} is a damaged {kind.value.upper()} image ({exc}).") from exc


def take_in(path: Path, limits: LimitSettings) -> Document:
    """Check one input file and describe it; raise an InputError subclass if dak cannot take it."""
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise UnsupportedFileError(f"{path} is not a regular file.")
        raise InputError(f"{path} does not exist.")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise FileTooLargeError(
            f"{path.name} is {size / 2**20:.0f} MiB, over the limit of {limits.max_bytes / 2**20:.0f} MiB "
            "(limits.max_bytes); split the scan or raise the limit."
        )
    kind = sniff(path)
    pages = count_pages(path, kind)
    if pages < 1:
        raise InputError(f"{path.name} has no pages.")
    if pages > limits.max_pages:
        raise FileTooLargeError(
            f"{path.name} has {pages} pages, over the limit of {limits.max_pages} (limits.max_pages)."
        )
    return Document(source=path.resolve(), kind=kind, sha256=sha256_file(path), size=size, pages=pages)
