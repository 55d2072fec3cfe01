"""PDF assembly: one searchable PDF from the OCR'd pages, with document metadata, ready to sign.

Each OCR'd page starts as tesseract's one-page PDF (the page image, G4 for bitonal pages, and
tesseract's glyphless font); dak writes its invisible text itself from the words it kept, so
words read again with the other script's model are in the text layer too.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import DecodedStreamObject, DictionaryObject

from pipeline.errors import PdfError
from pipeline.model import Document, FileKind, OcrPage, Word

PRODUCER = "dak"
GLYPH_WIDTH = 0.5  # advance of every glyph of tesseract's GlyphLessFont, in text space units per point
EM_PER_WORD_HEIGHT = 1.2  # font size over a line's median word height (bench/ocr.py: best of 1.0-1.3)


def assemble(document: Document, pages: list[OcrPage]) -> PdfWriter:
    """Pages in order: OCR'd pages from their one-page PDFs; text-layer pages copied from the original."""
    writer = PdfWriter()
    original: PdfReader | None = None
    for page in sorted(pages, key=lambda p: p.number):
        if page.pdf is not None:
            try:
                writer.add_page(PdfReader(page.pdf).pages[0])
            except (PdfReadError, OSError, IndexError) as exc:
                raise PdfError(f"The searchable page {page.number} could not be assembled: {exc}") from exc
            continue
        if document.kind is not FileKind.PDF:
            raise PdfError(
                f"Page {page.number} of {document.source.name} has neither an image nor a text layer."
            )
        if original is None:
            original = PdfReader(document.source)
            if original.is_encrypted:
                original.decrypt("")
        writer.add_page(original.pages[page.number - 1])
    return writer


def write_text_layer(source: Path, target: Path, lines: Sequence[Sequence[Word]], dpi: int) -> None:
    """Tesseract's one-page PDF with its text replaced by `lines` (pixel boxes at `dpi`), saved as target.

    The image and the glyphless font stay tesseract's; each word is set invisibly (render mode
    3) on its line's baseline, stretched to its box, a space after all but a line's last word.
    """
    try:
        reader = PdfReader(source)
        writer = PdfWriter()
        page = writer.add_page(reader.pages[0])
        resources = page["/Resources"].get_object()
        fonts = resources.get("/Font") if isinstance(resources, DictionaryObject) else None
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
    except (PdfReadError, OSError, IndexError, KeyError) as exc:
        raise PdfError(f"Tesseract's page PDF {source.name} could not be read: {exc}") from exc
    image_part = data.split(b"BT", 1)[0].rstrip()
    ops = [image_part]
    if fonts and any(lines):
        font = next(iter(fonts.get_object().keys()))
        height = float(page.mediabox.height)
        ops.append(b"BT\n3 Tr")
        ops.extend(_line_ops(line, font, height, dpi) for line in lines if line)
        ops.append(b"ET")
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(ops) + b"\n")
    page.replace_contents(stream.flate_encode())
    with target.open("wb") as out:
        writer.write(out)


def font_size(words: Sequence[Word], dpi: int) -> float:
    """The invisible text's font size for one line, in points: its words' median height, a little enlarged.

    pdftotext groups words into lines, blocks and columns by font size, so the size must follow
    the printed type. The line's whole extent does not: one tall outlier (a punch hole or the
    page's edge read as `|`, a rule, a stray mark) makes the line's size jump, and then pdftotext
    moves the line elsewhere on the page, runs its words together or splits its paragraph. The
    median word's box is close to the type's height from ascender to descender;
    EM_PER_WORD_HEIGHT makes it about an em.
    """
    return max(1.0, EM_PER_WORD_HEIGHT * statistics.median(w.height for w in words) * 72.0 / dpi)


def _line_ops(words: Sequence[Word], font: str, page_height: float, dpi: int) -> bytes:
    scale = 72.0 / dpi
    size = font_size(words, dpi)
    baseline = page_height - statistics.median(w.top + w.height for w in words) * scale
    parts = []
    for index, word in enumerate(words):
        text = word.text + (" " if index < len(words) - 1 else "")
        units = len(word.text.encode("utf-16-be")) // 2
        stretch = 100.0 * word.width * scale / (size * GLYPH_WIDTH * max(1, units))
        parts.append(
            f"1 0 0 1 {word.left * scale:.2f} {baseline:.2f} Tm {font} {size:.2f} Tf {stretch:.1f} Tz "
            f"<{text.encode('utf-16-be').hex()}> Tj"
        )
    return "\n".join(parts).encode("ascii")


def set_metadata(
    writer: PdfWriter,
    *,
    title: str,
    subject: str | None,
    author: str | None,
    keywords: list[str],
    created: datetime,
) -> None:
    """Document Info the registry and a PDF reader can show; written before signing, never after."""
    stamp = created.strftime("D:%Y%m%d%H%M%S")
    offset = created.strftime("%z")
    if offset:
        stamp += f"{offset[:3]}'{offset[3:]}'"
    info = {
        "/Title": title,
        "/Producer": PRODUCER,
        "/Creator": PRODUCER,
        "/CreationDate": stamp,
        "/ModDate": stamp,
        "/Keywords": ", ".join(k for k in keywords if k),
    }
    if subject:
        info["/Subject"] = subject
    if author:
        info["/Author"] = author
    writer.add_metadata(info)


def to_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    writer.write(buffer)
    return buffer.getvalue()


def page_size(writer: PdfWriter, index: int = 0) -> tuple[float, float]:
    box = writer.pages[index].mediabox
    return float(box.width), float(box.height)
