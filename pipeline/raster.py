"""Raster: every input page as a grayscale image on disk at a working resolution (owns all poppler calls).

Pages are produced one at a time, so a 200-page PDF never sits in memory at once. PDF pages that
already carry printed text (born-digital letters) keep that text and are not OCR'd again; a
scanner's own OCR layer (invisible text over the scan), text typed in a legacy Hindi font
(Kruti Dev and kin put Devanagari glyphs on Latin letters), text that does not map to Unicode and
Devanagari that its fonts' maps broke apart are not trusted: those pages are read like scans.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import pdf2image
import regex
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream, DictionaryObject

from pipeline.config import LimitSettings
from pipeline.errors import MissingProgramError, RasterError
from pipeline.model import Document, FileKind, Page

MIN_TEXT_LETTERS = 40  # a text layer with fewer letters than this is treated as a scan
MIN_DPI = 72
A4_LONG_SIDE_INCHES = 11.69
RASTER_TIMEOUT_SECONDS = 300


# lines this many line steps apart have a gap between them (a paragraph's own steps are equal)
PARAGRAPH_GAP = 1.2
MAX_UNMAPPED_SHARE = 0.05  # more of the text than this in private-use or replacement characters: unreadable
INVISIBLE_MODES = (3, 7)  # text render modes that paint nothing: the mark of an OCR layer over a scan
FORM_DEPTH = 3  # form XObjects nested deeper than this are not looked into
# Hindi typing fonts that draw Devanagari on Latin code points: their "text" is `fo"k;` for विषय
LEGACY_HINDI_FONT = regex.compile(
    r"kruti|devlys|chanakya|shusha|shree[-_ ]?dev|dv[-_ ]?tt|aps[-_ ]?dv|agra\b|kundli|akruti|walkman",
    regex.I,
)
_TEXT_SHOWING = {b"Tj", b"TJ", b"'", b'"'}
# signs that a font's Unicode map broke Devanagari apart (common in PDFs of Hindi letters): a glyph
# that maps to a control code, an ASCII letter or a symbol inside a word (`हरि\x03याणा`, `कार्योंA`,
# `दि#नांक`), or the i-sign with no consonant before it (glyphs given in visual order: `िह`).
# Figures are let be (`सं0` and `दि0` are how Hindi typists abbreviate), and so are underscores
# (a form's `नाम______` blanks).
_BROKEN_DEVANAGARI = regex.compile(
    r"\p{Devanagari}(?:[\x00-\x08\x0b-\x1f\x7f]|[A-Za-z#*<>@$%^&+=~{}\[\]\\`])|(?<!\p{Devanagari})\u093f"
)
_DEVANAGARI_WORD = regex.compile(r"\p{Devanagari}+")
MAX_BROKEN_DEVANAGARI = 0.02  # share of a page's Devanagari words above which its text is not used


def text_layer(pdf_page: object) -> str | None:
    """The page's own printed text if it has a text layer worth trusting, else None (read it as a scan)."""
    try:
        if _legacy_hindi_font(pdf_page) or not _shows_printed_text(pdf_page):
            return None
        text = _text_with_gaps(pdf_page)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on odd fonts; then we OCR the page
        return None
    letters = sum(ch.isalpha() for ch in text)
    if letters < MIN_TEXT_LETTERS or _unmapped_share(text) > MAX_UNMAPPED_SHARE or _broken_devanagari(text):
        return None
    return text


def _text_with_gaps(pdf_page: object) -> str:
    """The page's text (pypdf's reading), with a blank line wherever the page leaves a gap."""
    lines: list[tuple[str, float | None]] = [("", None)]  # text and baseline height of each line

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: float) -> None:
        for k, part in enumerate(text.split("\n")):
            if k:
                lines.append(("", None))
            line, y = lines[-1]
            if part.strip() and y is None:
                y = float(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
            lines[-1] = (line + part, y)

    pdf_page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return join_lines(lines)


def join_lines(lines: Sequence[tuple[str, float | None]]) -> str:
    """Lines of a page top to bottom, each with its baseline's height on the page (None: not known),
    joined with a blank line wherever the page leaves a gap.

    OCR text has blank lines between blocks, and extraction relies on them (a subject ends where
    the body begins below a gap); a PDF's text stream has none, so they are put back from where
    each line sits. A gap is a step down longer than PARAGRAPH_GAP times a paragraph's line step,
    or a step back up (the next column, a block placed out of order).
    """
    heights = [y for _, y in lines if y is not None]
    steps = sorted(a - b for a, b in zip(heights, heights[1:], strict=False) if a - b > 0)
    # the step between lines of one paragraph, which is the same all through it: the shortest step
    # that is not a sliver (a superscript or a line set a little lower, as a right-hand date is)
    usual = min((s for s in steps if s >= 0.5 * steps[len(steps) // 2]), default=0.0)
    out: list[str] = []
    previous: float | None = None
    for text, y in lines:
        if y is not None:
            if (
                previous is not None
                and usual
                and (previous - y > PARAGRAPH_GAP * usual or y - previous > usual / 2)
            ):
                out.append("")
            previous = y
        out.append(text)
    return "\n".join(out)


def _broken_devanagari(text: str) -> bool:
    """True when the page's Devanagari came out of its fonts broken (then the page image is read)."""
    broken = len(_BROKEN_DEVANAGARI.findall(text))
    return broken >= 2 and broken > MAX_BROKEN_DEVANAGARI * len(_DEVANAGARI_WORD.findall(text))


def _unmapped_share(text: str) -> float:
    """The share of characters a font gave no real Unicode for (private use, U+FFFD, controls)."""
    shown = [ch for ch in text if not ch.isspace()]
    odd = sum(1 for ch in shown if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd" or ord(ch) < 32)
    return odd / max(len(shown), 1)


def _fonts(resources: object, depth: int = 0) -> Iterator[str]:
    """Base font names used on a page (its form XObjects included)."""
    if not isinstance(resources, DictionaryObject):
        return
    fonts = resources.get("/Font")
    if isinstance(fonts, DictionaryObject):
        for ref in fonts.values():
            font = ref.get_object()
            if isinstance(font, DictionaryObject):
                yield str(font.get("/BaseFont", ""))
    for form in _forms(resources, depth).values():
        yield from _fonts(form.get("/Resources"), depth + 1)


def _forms(resources: object, depth: int) -> dict[str, DictionaryObject]:
    """The form XObjects a page or form can draw, by their resource names (none past FORM_DEPTH)."""
    xobjects = resources.get("/XObject") if isinstance(resources, DictionaryObject) else None
    if depth >= FORM_DEPTH or not isinstance(xobjects, DictionaryObject):
        return {}
    forms = {}
    for name, ref in xobjects.items():
        xobject = ref.get_object()
        if isinstance(xobject, DictionaryObject) and xobject.get("/Subtype") == "/Form":
            forms[str(name)] = xobject
    return forms


def _legacy_hindi_font(pdf_page: object) -> bool:
    resources = pdf_page.get("/Resources")  # type: ignore[attr-defined]
    return any(
        LEGACY_HINDI_FONT.search(name) for name in _fonts(resources.get_object() if resources else None)
    )


def _shows_printed_text(pdf_page: object) -> bool:
    """True unless most of the page's text is invisible (render mode 3 or 7, in its content or its
    forms): a scan under a scanner's OCR layer, perhaps with a few painted words (a scanner's date line)."""
    reader = pdf_page.pdf  # type: ignore[attr-defined]
    contents = pdf_page.get_contents()  # type: ignore[attr-defined]
    if contents is None:
        return False
    resources = pdf_page.get("/Resources")  # type: ignore[attr-defined]
    try:
        painted, hidden = _text_shown(contents, reader, resources.get_object() if resources else None, 0)
    except (PdfReadError, ValueError, TypeError, KeyError):
        return True  # cannot tell: trust the text
    return painted >= hidden


def _text_shown(stream: object, reader: object, resources: object, depth: int) -> tuple[int, int]:
    """Bytes of text a content stream paints and hides."""
    painted = hidden = 0
    mode, saved = 0, []
    forms = _forms(resources, depth)
    for operands, operator in ContentStream(stream, reader).operations:
        if operator == b"Tr" and operands:
            mode = int(operands[0])
        elif operator == b"q":
            saved.append(mode)
        elif operator == b"Q" and saved:
            mode = saved.pop()
        elif operator in _TEXT_SHOWING and operands:
            shown = operands[-1]
            size = (
                sum(len(s) for s in shown if isinstance(s, bytes | str))
                if isinstance(shown, list)
                else len(shown)
            )
            if mode in INVISIBLE_MODES:
                hidden += size
            else:
                painted += size
        elif operator == b"Do" and operands and str(operands[0]) in forms:
            form = forms[str(operands[0])]
            inner = form.get("/Resources")
            p, h = _text_shown(form, reader, inner.get_object() if inner else resources, depth + 1)
            painted, hidden = painted + p, hidden + h
    return painted, hidden


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
