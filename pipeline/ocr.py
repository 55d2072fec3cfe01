"""OCR: every tesseract call dak makes, with version and language checks.

Pages are read with libtesseract in the dak process (`pipeline/tesslib.py`): each page worker
loads each model once, not once a page. Where libtesseract cannot be loaded, every read runs
the tesseract program instead (pytesseract), with the same words as result. One reading per
page gives both the words with their confidences (TSV) and a one-page PDF holding the page
image and an invisible text layer. Tesseract always runs single-threaded (OMP_THREAD_LIMIT=1):
its OpenMP threads make a page several times slower on a small machine, and dak reads pages in
parallel instead. The version and language checks and orientation detection use the program.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytesseract
from PIL import Image
from pytesseract import TesseractError, TesseractNotFoundError

from pipeline import reread, tesslib
from pipeline.errors import MissingProgramError, OcrError
from pipeline.model import OcrPage, Word
from pipeline.pdf import write_text_layer

os.environ["OMP_THREAD_LIMIT"] = "1"
log = logging.getLogger(__name__)

MIN_VERSION = (4, 1)
# Measured on degraded Hindi, English and bilingual letters (bench/ocr.py): tesseract's
# Devanagari *script* model (Debian: tesseract-ocr-script-deva) reads Hindi and bilingual pages
# best and fastest, Latin digits included; pages that are mostly English read best as eng+hin,
# which keeps the ASCII dates and numbers of the EPFO circulars right (hin+eng garbles them).
# Letters typed in 11 other Devanagari faces (bench/fonts.py) confirm it: `hin` behind the script
# model read them no better (4.19% vs 4.15% CER) for 1.4x the CPU time of a Hindi page.
SCRIPT_MODEL = "Devanagari"
SCRIPT_LANGUAGES = {"Devanagari": f"{SCRIPT_MODEL}|hin", "Latin": "eng+hin"}
DEVANAGARI_SHARE_FOR_SCRIPT_MODEL = 0.25  # share of a page's text lines that look Devanagari
OSD_MIN_CONFIDENCE = 1.5  # below this tesseract's orientation guess is no better than chance


@dataclass(frozen=True)
class Orientation:
    rotate: int  # degrees to turn the page clockwise to make it upright
    confidence: float
    script: str | None
    script_confidence: float


@lru_cache(maxsize=8)
def check_tesseract(languages: str) -> str:
    """Raise MissingProgramError unless tesseract and every language in `languages` (plus osd) exist."""
    try:
        version = pytesseract.get_tesseract_version()
    except (TesseractNotFoundError, OSError) as exc:
        raise MissingProgramError(
            "tesseract is not installed: run `make demo` (Debian: apt-get install tesseract-ocr "
            "tesseract-ocr-hin tesseract-ocr-eng tesseract-ocr-osd)."
        ) from exc
    if (version.major, version.minor) < MIN_VERSION:
        raise MissingProgramError(f"tesseract {version} is too old; dak needs 4.1 or newer.")
    installed = set(installed_languages())
    wanted = set(languages.split("+")) | {"osd"}
    missing = sorted(wanted - installed)
    if missing:
        packages = " ".join(
            "tesseract-ocr-script-deva" if lang == SCRIPT_MODEL else f"tesseract-ocr-{lang}"
            for lang in missing
        )
        raise MissingProgramError(
            f"tesseract language data missing: {', '.join(missing)}. Install it: apt-get install {packages}"
        )
    return str(version)


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """Every traineddata tesseract lists (pytesseract's own list leaves out script models)."""
    try:
        listed = subprocess.run(
            [pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in listed.stdout.splitlines()[1:] if line.strip())


def languages_for(script: str | None, default: str) -> str:
    """Tesseract languages for a page of this script; the Devanagari script model when installed."""
    choice = SCRIPT_LANGUAGES.get(script or "", default)
    preferred, _, fallback = choice.partition("|")
    if fallback and not set(preferred.split("+")) <= installed_languages():
        return fallback
    return preferred


def script_for(devanagari_share: float) -> str:
    """A page's script for choosing its languages, from the share of its lines that look Devanagari."""
    return "Devanagari" if devanagari_share >= DEVANAGARI_SHARE_FOR_SCRIPT_MODEL else "Latin"


def _osd_value(text: str, key: str) -> str | None:
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def detect_orientation(image: Path, dpi: int, timeout: int = 60) -> Orientation:
    """Tesseract's orientation and script detection; a page with too little text counts as upright."""
    try:
        text = pytesseract.image_to_osd(
            str(image), config=f"--psm 0 --dpi {dpi} -c min_characters_to_try=30", timeout=timeout
        )
    except TesseractError:
        return Orientation(rotate=0, confidence=0.0, script=None, script_confidence=0.0)
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrError(f"Orientation detection timed out after {timeout} s on {image.name}.") from exc
    rotate = int(_osd_value(text, "Rotate") or 0) % 360
    confidence = float(_osd_value(text, "Orientation confidence") or 0.0)
    script = _osd_value(text, "Script")
    script_confidence = float(_osd_value(text, "Script confidence") or 0.0)
    if confidence < OSD_MIN_CONFIDENCE:
        rotate = 0
    return Orientation(rotate, confidence, script, script_confidence)


@dataclass(frozen=True)
class TextLine:
    """One line of words as tesseract found it; `block` changes where a new paragraph starts."""

    block: tuple[int, int]
    words: tuple[Word, ...]


def parse_lines(tsv: str) -> list[TextLine]:
    """The words of a TSV reading with their confidences and boxes, line by line in reading order."""
    lines: list[TextLine] = []
    keys: list[tuple[int, int, int]] = []
    current: list[Word] = []
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        conf = float(row.get("conf") or -1)
        if not text or conf < 0:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        if not keys or keys[-1] != key:
            if current:
                lines.append(TextLine(keys[-1][:2], tuple(current)))
            keys.append(key)
            current = []
        current.append(
            Word(
                text=text,
                confidence=conf / 100.0,
                left=int(row["left"]),
                top=int(row["top"]),
                width=int(row["width"]),
                height=int(row["height"]),
                line=len(keys) - 1,
            )
        )
    if current:
        lines.append(TextLine(keys[-1][:2], tuple(current)))
    return lines


def page_text(lines: list[TextLine]) -> str:
    """The lines as text, a blank line between paragraphs."""
    out: list[str] = []
    for index, line in enumerate(lines):
        if index and line.block != lines[index - 1].block:
            out.append("")
        out.append(" ".join(w.text for w in line.words))
    return "\n".join(out)


def parse_tsv(tsv: str) -> tuple[tuple[Word, ...], str]:
    """Words with confidences, and the page text in tesseract's reading order (blank line between blocks)."""
    lines = parse_lines(tsv)
    return tuple(w for line in lines for w in line.words), page_text(lines)


def mean_confidence(words: tuple[Word, ...]) -> float:
    """Character-weighted mean word confidence, 0 for a page with no words."""
    total = sum(len(w.text) for w in words)
    if not total:
        return 0.0
    return sum(w.confidence * len(w.text) for w in words) / total


def second_languages(languages: str) -> str | None:
    """The model that reads again what the page's model misreads: the other script's, if dak knows it."""
    first = languages.split("+")[0]
    if first in (SCRIPT_MODEL, "hin"):
        return "eng"
    if first == "eng" and "hin" in languages.split("+"):
        return languages_for("Devanagari", "hin")
    return None


@lru_cache(maxsize=1)
def library_usable() -> bool:
    """Whether pages are read with libtesseract in this process (said once in the log when not)."""
    reason = tesslib.unavailable()
    if reason:
        log.warning(
            "libtesseract could not be loaded (%s); every page is read by running the tesseract "
            "program instead, which is slower.",
            reason,
        )
        return False
    log.debug("pages are read with libtesseract %s", tesslib.version())
    return True


def _use_library(library: bool | None) -> bool:
    return library_usable() if library is None else library


def _library_error(exc: OcrError, number: int, timeout: float) -> OcrError:
    if isinstance(exc, tesslib.TimedOut):
        return OcrError(f"Tesseract took longer than {timeout:g} s on page {number}.")
    if isinstance(exc, tesslib.ModelError):
        return OcrError(f"{exc.message} Page {number} was not read.")
    return OcrError(f"Tesseract could not read page {number}: {exc.message}.")


def _read_image(
    image: Path, base: Path, languages: str, dpi: int, timeout: float, number: int, library: bool | None
) -> str:
    """The page's reading (`--psm 3`): returns the TSV and writes tesseract's one-page PDF as `base`.pdf."""
    if not _use_library(library):
        return _tesseract(image, base, languages, f"--dpi {dpi} --psm 3", True, timeout, number)
    try:
        return tesslib.read_file(image, languages, dpi, timeout, pdf_base=base).tsv
    except OcrError as exc:
        raise _library_error(exc, number, timeout) from exc


def _read_strip(
    strip: np.ndarray, tmp: Path, languages: str, dpi: int, timeout: float, number: int, library: bool | None
) -> str:
    """The second reading of a strip of words (`--psm 6`, one block of text); returns the TSV."""
    if not _use_library(library):
        strip_path = tmp / "strip.png"
        Image.fromarray(strip).save(strip_path, dpi=(dpi, dpi))
        return _tesseract(
            strip_path, tmp / "strip", languages, f"--dpi {dpi} --psm 6", False, timeout, number
        )
    try:
        return tesslib.read_gray(strip, languages, dpi, timeout)
    except OcrError as exc:
        raise _library_error(exc, number, timeout) from exc


def _tesseract(
    image: Path, base: Path, languages: str, config: str, pdf: bool, timeout: float, number: int
) -> str:
    """One tesseract run writing `base`.tsv (and `base`.pdf); returns the TSV."""
    try:
        pytesseract.pytesseract.run_tesseract(
            str(image),
            str(base),
            extension="pdf" if pdf else "tsv",
            lang=languages,
            config=f"{config} -c tessedit_create_tsv=1",
            timeout=timeout,
        )
    except TesseractError as exc:
        raise OcrError(f"Tesseract could not read page {number}: {exc.message}") from exc
    except RuntimeError as exc:
        raise OcrError(f"Tesseract took longer than {timeout} s on page {number}.") from exc
    return Path(str(base) + ".tsv").read_text(encoding="utf-8", errors="replace")


def _load_gray(image: Path) -> np.ndarray:
    with Image.open(image) as img:
        return np.asarray(img.convert("L"))


def read_again(
    image: Path,
    lines: list[TextLine],
    dpi: int,
    languages: str,
    tmp: Path,
    timeout: float,
    number: int,
    library: bool | None = None,
) -> tuple[list[TextLine], int, int]:
    """Words in the other script (or unsure) read again in one strip with the other model.

    Returns the lines with the better readings in, the number of runs read again and how many
    of them changed; a page with nothing to read again costs no tesseract call.
    """
    other = second_languages(languages)
    if other is None or not lines:
        return lines, 0, 0
    check_tesseract(other)
    gray = _load_gray(image)
    ink = gray < reread.INK
    page_script = "Devanagari" if languages.split("+")[0] in (SCRIPT_MODEL, "hin") else "Latin"
    words = [list(line.words) for line in lines]
    runs = reread.choose_runs(ink, words, page_script)
    if not runs:
        return lines, 0, 0
    strip, placed = reread.build_strip(gray, runs)
    second, _ = parse_tsv(_read_strip(strip, tmp, other, dpi, timeout, number, library))
    merged, changed = reread.merge(words, placed, second, page_script)
    out = [TextLine(line.block, tuple(new)) for line, new in zip(lines, merged, strict=True) if new]
    return out, len(runs), changed


def read_page(
    image: Path,
    number: int,
    dpi: int,
    languages: str,
    out_dir: Path,
    timeout: float,
    library: bool | None = None,
) -> OcrPage:
    """OCR one cleaned page image into words, text and a one-page searchable PDF in out_dir.

    The page's model reads it all; the words in the other script are then read again with the
    other model (`read_again`), and the PDF's invisible text is written from the words dak keeps.
    `library` chooses libtesseract (True) or the tesseract program (False); None: the library
    when it can be loaded.
    """
    check_tesseract(languages)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=f"ocr-{number:04d}-") as tmp:
        base = Path(tmp) / "page"
        lines = parse_lines(_read_image(image, base, languages, dpi, timeout, number, library))
        started = time.perf_counter()
        lines, runs, changed = read_again(image, lines, dpi, languages, Path(tmp), timeout, number, library)
        if runs:
            log.info(
                "page %d: second reading of %d runs with %s took %.2f s, %d changed",
                number,
                runs,
                second_languages(languages),
                time.perf_counter() - started,
                changed,
            )
        pdf = out_dir / f"page-{number:04d}.ocr.pdf"
        write_text_layer(Path(str(base) + ".pdf"), pdf, [line.words for line in lines], dpi)
    words = tuple(w for line in lines for w in line.words)
    return OcrPage(
        number=number,
        text=page_text(lines),
        confidence=mean_confidence(words),
        languages=languages,
        pdf=pdf,
        words=words,
    )
