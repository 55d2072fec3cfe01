"""Raster: every input page as a grayscale image on disk at a working resolution (owns all poppler calls).

Pages are produced one at a time, so a 200-page PDF never sits in memory at once. PDF pages that
already carry text (born-digital letters) keep that text and are not OCR'd again.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pdf2image
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError
from PIL import Image, ImageOps
from pypdf import PdfReader

from pipeline.config import LimitSettings
from pipeline.errors import MissingProgramError, RasterError
from pipeline.model import Document, FileKind, Page

MIN_TEXT_LETTERS = 40  # a text layer with fewer letters than this is treated as a scan
MIN_DPI = 72
A4_LONG_SIDE_INCHES = 11.69
RASTER_TIMEOUT_SECONDS = 300


def text_layer(pdf_page: object) -> str | None:
    """The page's own text if it has a real text layer, else None."""
    try:
        text = pdf_page.extract_text() or ""  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on odd fonts; then we OCR the page
        return None
    letters = sum(ch.isalpha() for ch in text)
    return text if letters >= MIN_TEXT_LETTERS else None


def _fit_dpi(width_in: float, height_in: float, dpi: int, max_pixels: int, name: str) -> int:
    """The working dpi, lowered for very large pages so no raster exceeds max_pixels."""
    fitted = min(dpi, int(math.sqrt(max_pixels / max(width_in * height_in, 1e-6))))
    if fitted < MIN_DPI:
        raise RasterError(
            f"{name} has a page of {width_in:.0f} x {height_in:.0f} inches, too large to read even at "
            f"{MIN_DPI} dpi within limits.max_pixels."
        )
    return fitted


def _rasterise_pdf(document: Document, out_dir: Path, dpi: int, limits: LimitSettings) -> Iterator[Page]:
    reader = PdfReader(document.source)
    if reader.is_encrypted:
        reader.decrypt("")
    for number, pdf_page in enumerate(reader.pages, start=1):
        box = pdf_page.mediabox
        width_in, height_in = float(box.width) / 72, float(box.height) / 72
        page_dpi = _fit_dpi(width_in, height_in, dpi, limits.max_pixels, document.source.name)
        stem = f"page-{number:04d}"
        try:
            pdf2image.convert_from_path(
                document.source,
                dpi=page_dpi,
                first_page=number,
                last_page=number,
                grayscale=True,
                fmt="ppm",
                output_folder=out_dir,
                output_file=stem,
                single_file=True,
                paths_only=True,
                timeout=RASTER_TIMEOUT_SECONDS,
            )
        except PDFInfoNotInstalledError as exc:
            raise MissingProgramError(
                "poppler-utils (pdftoppm, pdfinfo) is not installed: run `make demo`."
            ) from exc
        except (PDFPageCountError, PDFSyntaxError) as exc:
            raise RasterError(f"Page {number} of {document.source.name} cannot be rendered: {exc}") from exc
        image = out_dir / f"{stem}.pgm"
        if not image.exists():
            raise RasterError(f"Page {number} of {document.source.name} rendered to nothing.")
        yield Page(number=number, image=image, dpi=page_dpi, text_layer=text_layer(pdf_page))


def _image_dpi(image: Image.Image) -> float:
    """The scan's resolution from its metadata, or a guess from the size of an A4 page."""
    dpi = image.info.get("dpi")
    if dpi and float(dpi[0]) >= MIN_DPI and float(dpi[0]) <= 1200:
        return float(dpi[0])
    return max(MIN_DPI, min(600.0, max(image.size) / A4_LONG_SIDE_INCHES))


def _rasterise_image(document: Document, out_dir: Path, dpi: int, limits: LimitSettings) -> Iterator[Page]:
    try:
        with Image.open(document.source) as image:
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                frame = ImageOps.exif_transpose(image.copy()) if index == 0 else image.copy()
                scan_dpi = _image_dpi(frame)
                width_in, height_in = frame.width / scan_dpi, frame.height / scan_dpi
                page_dpi = _fit_dpi(width_in, height_in, dpi, limits.max_pixels, document.source.name)
                gray = frame.convert("L")
                if abs(scan_dpi - page_dpi) / page_dpi > 0.15:
                    size = (round(width_in * page_dpi), round(height_in * page_dpi))
                    gray = gray.resize(size, Image.Resampling.LANCZOS)
                else:
                    page_dpi = round(scan_dpi)
                path = out_dir / f"page-{index + 1:04d}.pgm"
                gray.save(path, format="PPM")
                yield Page(number=index + 1, image=path, dpi=page_dpi)
    except (OSError, SyntaxError, ValueError) as exc:
        raise RasterError(f"{document.source.name} cannot be decoded as an image: {exc}") from exc


def rasterise(document: Document, out_dir: Path, dpi: int, limits: LimitSettings) -> Iterator[Page]:
    """Yield the document's pages as grayscale images at `dpi` (lower only for oversized pages)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if document.kind is FileKind.PDF:
        yield from _rasterise_pdf(document, out_dir, dpi, limits)
    else:
        yield from _rasterise_image(document, out_dir, dpi, limits)
