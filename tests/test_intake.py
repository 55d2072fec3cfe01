from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter

from pipeline.config import LimitSettings
from pipeline.errors import FileTooLargeError, InputError, UnsupportedFileError
from pipeline.intake import sniff, take_in
from pipeline.model import FileKind
from tests.conftest import make_text_pdf

LIMITS = LimitSettings()


def _image(path: Path, fmt: str, frames: int = 1) -> Path:
    pages = [Image.new("L", (200, 300), 255 - 40 * i) for i in range(frames)]
    pages[0].save(path, format=fmt, save_all=frames > 1, append_images=pages[1:])
    return path


@pytest.mark.parametrize(
    ("fmt", "kind", "frames"),
    [
        ("PNG", FileKind.PNG, 1),
        ("JPEG", FileKind.JPEG, 1),
        ("TIFF", FileKind.TIFF, 3),
        ("PDF", FileKind.PDF, 2),
    ],
)
def test_kind_comes_from_content_not_name(tmp_path: Path, fmt: str, kind: FileKind, frames: int) -> None:
    path = _image(tmp_path / "scan.misleading.txt", fmt, frames)
    document = take_in(path, LIMITS)
    assert document.kind is kind
    assert document.pages == frames
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert document.size == path.stat().st_size


def test_text_file_named_pdf_is_refused_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_text("Dear Sir, this is not a scan.")
    with pytest.raises(UnsupportedFileError, match="not a PDF, TIFF, JPEG or PNG"):
        take_in(path, LIMITS)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()
    with pytest.raises(UnsupportedFileError, match="empty"):
        sniff(path)


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    whole = make_text_pdf(tmp_path / "whole.pdf", ["hello"])
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(whole.read_bytes()[:60])
    with pytest.raises(InputError):
        take_in(broken, LIMITS)


def test_truncated_png_is_refused(tmp_path: Path) -> None:
    whole = _image(tmp_path / "whole.png", "PNG")
    broken = tmp_path / "broken.png"
    broken.write_bytes(whole.read_bytes()[:40])
    with pytest.raises(InputError):
        take_in(broken, LIMITS)


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(InputError, match="password"):
        take_in(path, LIMITS)


def test_limits_are_enforced(tmp_path: Path) -> None:
    path = _image(tmp_path / "scan.tif", "TIFF", frames=3)
    with pytest.raises(FileTooLargeError, match="pages"):
        take_in(path, LimitSettings(max_pages=2))
    with pytest.raises(FileTooLargeError, match="MiB"):
        take_in(path, LimitSettings(max_bytes=100))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        take_in(tmp_path / "nothing.pdf", LIMITS)
    with pytest.raises(UnsupportedFileError):
        take_in(tmp_path, LIMITS)
