"""libtesseract in the dak process: the same readings as the tesseract program, one model load per thread.

Every test reads real pages with the real library and the real program; nothing is mocked.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from pipeline import ocr, tesslib
from pipeline.errors import OcrError
from tests.conftest import ENGLISH_LETTER, render_lines
from tests.test_reread import HINDI_PAGE, render_mixed

T = TypeVar("T")


def _in_thread(work: Callable[[], T]) -> T:
    """Run `work` on a new thread (a fresh set of engines) and return what it gave or raised."""
    out: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            out.append(work())
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return out[0]


@pytest.fixture(scope="module")
def g4_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bilingual page as dak's preprocessing leaves it: bitonal, CCITT G4 TIFF at 300 dpi."""
    path = tmp_path_factory.mktemp("g4") / "page.tif"
    image = render_mixed(HINDI_PAGE).point(lambda v: 255 if v > 150 else 0).convert("1")
    image.save(path, compression="group4", dpi=(300, 300))
    return path


@pytest.fixture(scope="module")
def small_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "page.png"
    render_lines(ENGLISH_LETTER[:4], size=36).crop((0, 0, 2481, 1200)).save(path, dpi=(300, 300))
    return path


@pytest.fixture
def program_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """libtesseract made unloadable (a soname no system has), as on a machine without it."""
    monkeypatch.setattr(tesslib, "TESSERACT_LIBRARIES", ("libtesseract-not-here.so.99",))
    tesslib._libraries.cache_clear()
    ocr.library_usable.cache_clear()
    yield
    monkeypatch.undo()
    tesslib._libraries.cache_clear()
    ocr.library_usable.cache_clear()


def test_library_reads_exactly_as_the_program(g4_page: Path, tmp_path: Path) -> None:
    program = ocr._tesseract(g4_page, tmp_path / "cli", "Devanagari", "--dpi 300 --psm 3", True, 120, 1)
    library = tesslib.read_file(g4_page, "Devanagari", 300, 120, pdf_base=tmp_path / "lib")
    assert "संख्या" in library.tsv
    assert library.tsv == program  # same words, boxes and confidences, line for line


def test_strip_from_memory_reads_as_the_program_reads_its_png(tmp_path: Path) -> None:
    strip = np.asarray(
        render_lines(["Subject: Supply of drinking water"], size=40).crop((200, 330, 2000, 460))
    )
    Image.fromarray(strip).save(tmp_path / "strip.png", dpi=(300, 300))
    program = ocr._tesseract(
        tmp_path / "strip.png", tmp_path / "strip", "eng", "--dpi 300 --psm 6", False, 60, 1
    )
    library = tesslib.read_gray(strip, "eng", 300, 60)
    words, _ = ocr.parse_tsv(library)
    assert [w.text for w in words] == ["Subject:", "Supply", "of", "drinking", "water"]
    assert library == program


def test_page_read_by_library_and_program_agree_and_pdf_is_searchable(g4_page: Path, tmp_path: Path) -> None:
    by_library = ocr.read_page(g4_page, 1, 300, "Devanagari", tmp_path / "lib", timeout=120, library=True)
    by_program = ocr.read_page(g4_page, 1, 300, "Devanagari", tmp_path / "cli", timeout=120, library=False)
    assert [w.text for w in by_library.words] == [w.text for w in by_program.words]
    for ours, theirs in zip(by_library.words, by_program.words, strict=True):
        box, other = (
            (ours.left, ours.top, ours.width, ours.height),
            (theirs.left, theirs.top, theirs.width, theirs.height),
        )
        assert max(abs(a - b) for a, b in zip(box, other, strict=True)) <= 2
    assert "F. No. A-12011/3/2025-Estt." in by_library.text  # read again with eng
    assert by_library.pdf is not None
    page = PdfReader(by_library.pdf).pages[0]
    images = [obj.get_object() for obj in page["/Resources"]["/XObject"].values()]
    assert [image["/Filter"] for image in images] == ["/CCITTFaxDecode"]  # the G4 page as it was
    text = subprocess.run(
        ["pdftotext", str(by_library.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for word in ("कार्यालय", "पेयजल", "A-12011/3/2025-Estt.", "E-48776/2025-26"):
        assert word in text


def test_each_thread_loads_each_model_once(small_page: Path, tmp_path: Path) -> None:
    def read_three() -> list[str]:
        return [tesslib.read_file(small_page, "eng", 300, 60).tsv for _ in range(3)]

    before = tesslib.init_count("eng")
    first = _in_thread(read_three)
    assert tesslib.init_count("eng") == before + 1  # three pages, one model load
    assert len(set(first)) == 1 and "Haryana" in first[0]
    _in_thread(read_three)
    assert tesslib.init_count("eng") == before + 2  # another thread has its own engine


def test_other_threads_run_while_a_page_is_read(g4_page: Path) -> None:
    """ctypes lets go of the GIL in tesseract: Python keeps running beside a page being read."""
    gaps: list[float] = []
    reader = threading.Thread(target=lambda: tesslib.read_file(g4_page, "Devanagari", 300, 120))
    started = time.perf_counter()
    reader.start()
    last = time.perf_counter()
    while reader.is_alive():
        sum(range(2000))
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    took = time.perf_counter() - started
    assert took > 0.3
    # a held GIL makes one gap nearly as long as the whole reading; a busy machine can pause this
    # thread for a while, so only a gap of most of the reading counts
    assert max(gaps) < 0.6 * took


def test_timeout_is_an_ocr_error_and_the_thread_reads_on(g4_page: Path, tmp_path: Path) -> None:
    def time_out_then_read() -> ocr.OcrPage:
        with pytest.raises(OcrError, match=r"longer than 0\.001 s on page 4"):
            ocr.read_page(g4_page, 4, 300, "Devanagari", tmp_path, timeout=0.001, library=True)
        return ocr.read_page(g4_page, 5, 300, "Devanagari", tmp_path, timeout=120, library=True)

    after = _in_thread(time_out_then_read)
    assert "पेयजल" in after.text


def test_missing_model_and_unreadable_image_are_clear_errors(small_page: Path, tmp_path: Path) -> None:
    with pytest.raises(OcrError, match="could not load the language model 'klingon'"):
        tesslib.read_file(small_page, "klingon", 300, 60)
    broken = tmp_path / "page.tif"
    broken.write_bytes(b"II*\x00 not really a tiff")
    with pytest.raises(OcrError, match="could not read page 3"):
        ocr.read_page(broken, 3, 300, "eng", tmp_path, timeout=60, library=True)


def test_without_libtesseract_the_program_reads(
    program_only: None, small_page: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert tesslib.unavailable()
    with caplog.at_level(logging.WARNING, logger="pipeline.ocr"):
        page = ocr.read_page(small_page, 1, 300, "eng", tmp_path, timeout=60)
        ocr.read_page(small_page, 2, 300, "eng", tmp_path, timeout=60)
    assert "Government of Haryana" in page.text
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "libtesseract could not be loaded" in caplog.records[0].message


def test_tesseract_starts_no_openmp_threads_in_dak(small_page: Path) -> None:
    """dak reads pages in parallel; tesseract's own OpenMP threads would only fight them for the cores."""
    script = (
        "import os, sys; from pathlib import Path; from pipeline import ocr, tesslib\n"
        "before = len(os.listdir('/proc/self/task'))\n"
        "tesslib.read_file(Path(sys.argv[1]), 'eng', 300, 60)\n"
        "print(before, len(os.listdir('/proc/self/task')))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(small_page)], env=env, capture_output=True, text=True, check=True
    )
    before, after = done.stdout.split()
    assert after == before


def test_tesseracts_own_notes_stay_off_the_terminal(tmp_path: Path) -> None:
    """Tesseract notes "Detected 63 diacritics" on stderr for some pages: not for the clerk's terminal."""
    from pipeline import pages, raster
    from pipeline.config import LimitSettings
    from pipeline.intake import take_in

    sample = Path(__file__).resolve().parent.parent / "samples" / "scans" / "03_court_mixed_2p.pdf"
    first = next(iter(raster.rasterise(take_in(sample, LimitSettings()), tmp_path, 300, LimitSettings())))
    page = pages.prepare_page(first, tmp_path).image
    program = subprocess.run(
        ["tesseract", str(page), "-", "-l", "Devanagari"], capture_output=True, text=True
    )
    assert "diacritics" in program.stderr  # what tesseract says of this page
    script = (
        "import sys; from pathlib import Path; from pipeline import tesslib\n"
        "print(len(tesslib.read_file(Path(sys.argv[1]), 'Devanagari', 300, 60).tsv))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(page)], capture_output=True, text=True, check=True
    )
    assert int(done.stdout) > 1000  # the page was read
    assert done.stderr.strip() == ""
