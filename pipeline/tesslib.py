"""libtesseract in the dak process (its C API through ctypes): each model is loaded once per thread.

The tesseract program loads its model again for every image it reads (0.13 s for eng, 0.22 s
for the Devanagari model), and dak reads every page twice (the page's model, then the strip of
words in the other script). Here each page worker thread keeps one engine (a TessBaseAPI) per
set of languages for the life of the process; ctypes lets go of the GIL during each call, so
the workers read pages truly in parallel. The engine reads a page as `tesseract --psm 3 --dpi D`
with the pdf and tsv configs would: the same words, and the same one-page PDF.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.errors import OcrError

TESSERACT_LIBRARIES = ("libtesseract.so.5", "libtesseract.so.4")
LEPTONICA_LIBRARIES = ("libleptonica.so.6", "liblept.so.5")
TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
PSM_AUTO, PSM_SINGLE_BLOCK = 3, 6  # tesseract's page segmentation modes: a whole page, one block of text


class ModelError(OcrError):
    """A language model tesseract could not load."""


class TimedOut(OcrError):
    """Recognition went past its deadline."""


class _Api(ctypes.Structure):
    """Opaque TessBaseAPI."""


class _Renderer(ctypes.Structure):
    """Opaque TessResultRenderer."""


class _Monitor(ctypes.Structure):
    """Opaque ETEXT_DESC."""


class _Pix(ctypes.Structure):
    """Opaque leptonica PIX."""


_API, _RENDERER, _MONITOR, _PIX = (ctypes.POINTER(t) for t in (_Api, _Renderer, _Monitor, _Pix))
_STR, _INT, _BOOL, _VOID = ctypes.c_char_p, ctypes.c_int, ctypes.c_int, None
_SIGNATURES: dict[str, tuple[object, tuple[object, ...]]] = {
    "TessVersion": (_STR, ()),
    "TessBaseAPICreate": (_API, ()),
    "TessBaseAPIDelete": (_VOID, (_API,)),
    "TessBaseAPIInit3": (_INT, (_API, _STR, _STR)),
    "TessBaseAPIEnd": (_VOID, (_API,)),
    "TessBaseAPIClear": (_VOID, (_API,)),
    "TessBaseAPIGetDatapath": (_STR, (_API,)),
    "TessBaseAPISetVariable": (_BOOL, (_API, _STR, _STR)),
    "TessBaseAPISetPageSegMode": (_VOID, (_API, _INT)),
    "TessBaseAPISetInputName": (_VOID, (_API, _STR)),
    "TessBaseAPISetImage": (_VOID, (_API, ctypes.c_void_p, _INT, _INT, _INT, _INT)),
    "TessBaseAPISetImage2": (_VOID, (_API, _PIX)),
    "TessBaseAPISetSourceResolution": (_VOID, (_API, _INT)),
    "TessBaseAPIRecognize": (_INT, (_API, _MONITOR)),
    "TessBaseAPIGetTsvText": (ctypes.c_void_p, (_API, _INT)),  # freed with TessDeleteText
    "TessDeleteText": (_VOID, (ctypes.c_void_p,)),
    "TessMonitorCreate": (_MONITOR, ()),
    "TessMonitorDelete": (_VOID, (_MONITOR,)),
    "TessMonitorSetDeadlineMSecs": (_VOID, (_MONITOR, _INT)),
    "TessPDFRendererCreate": (_RENDERER, (_STR, _STR, _BOOL)),
    "TessDeleteResultRenderer": (_VOID, (_RENDERER,)),
    "TessResultRendererBeginDocument": (_BOOL, (_RENDERER, _STR)),
    "TessResultRendererAddImage": (_BOOL, (_RENDERER, _API)),
    "TessResultRendererEndDocument": (_BOOL, (_RENDERER,)),
}
_LEPTONICA_SIGNATURES: dict[str, tuple[object, tuple[object, ...]]] = {
    "pixRead": (_PIX, (_STR,)),
    "pixDestroy": (_VOID, (ctypes.POINTER(_PIX),)),
}


@dataclass(frozen=True)
class _Libraries:
    tesseract: ctypes.CDLL
    leptonica: ctypes.CDLL


def _open(names: tuple[str, ...], signatures: dict[str, tuple[object, tuple[object, ...]]]) -> ctypes.CDLL:
    errors = []
    for name in names:
        try:
            lib = ctypes.CDLL(name)
        except OSError as exc:
            errors.append(str(exc))
            continue
        for symbol, (restype, argtypes) in signatures.items():
            function = getattr(lib, symbol)  # AttributeError: a library without this C API
            function.restype = restype
            function.argtypes = argtypes
        return lib
    raise OSError("; ".join(errors))


@lru_cache(maxsize=1)
def _libraries() -> _Libraries | str:
    """The loaded libraries, or why they could not be loaded."""
    # Tesseract's OpenMP threads make a page slower on a small machine; libgomp reads the limit
    # once, when it is loaded (with libtesseract, unless something loaded it before).
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        return _Libraries(
            _open(TESSERACT_LIBRARIES, _SIGNATURES), _open(LEPTONICA_LIBRARIES, _LEPTONICA_SIGNATURES)
        )
    except (OSError, AttributeError) as exc:
        return str(exc)


def unavailable() -> str | None:
    """Why libtesseract cannot be used in this process, or None when it can."""
    loaded = _libraries()
    return loaded if isinstance(loaded, str) else None


def version() -> str:
    return _lib().TessVersion().decode()


def _loaded() -> _Libraries:
    loaded = _libraries()
    if isinstance(loaded, str):
        raise OcrError(f"libtesseract could not be loaded: {loaded}")
    return loaded


def _lib() -> ctypes.CDLL:
    return _loaded().tesseract


_INITS: Counter[str] = Counter()
_INITS_LOCK = threading.Lock()


def init_count(languages: str) -> int:
    """How many times a model for `languages` was loaded in this process (each engine loads once)."""
    with _INITS_LOCK:
        return _INITS[languages]


def _free(api: ctypes._Pointer[_Api]) -> None:
    lib = _lib()
    lib.TessBaseAPIEnd(api)
    lib.TessBaseAPIDelete(api)


class Engine:
    """One TessBaseAPI with `languages` loaded; use it from one thread only."""

    def __init__(self, languages: str) -> None:
        lib = _lib()
        api = lib.TessBaseAPICreate()
        if lib.TessBaseAPIInit3(api, None, languages.encode()) != 0:
            lib.TessBaseAPIDelete(api)
            raise ModelError(
                f"Tesseract could not load the language model {languages!r}: its traineddata "
                "is missing or damaged (see `tesseract --list-langs`)."
            )
        # tesseract's own notes ("Detected 63 diacritics") would reach the clerk's terminal
        lib.TessBaseAPISetVariable(api, b"debug_file", os.devnull.encode())
        with _INITS_LOCK:
            _INITS[languages] += 1
        self.languages = languages
        self.api = api
        self.datapath: bytes = lib.TessBaseAPIGetDatapath(api)
        self._finalizer = weakref.finalize(self, _free, api)  # also at exit: tesseract warns of leaks

    def close(self) -> None:
        self._finalizer()

    def recognise(self, psm: int, dpi: int, timeout: float) -> None:
        """Recognise the image set on the engine; TimedOut after `timeout` seconds."""
        lib = _lib()
        lib.TessBaseAPISetPageSegMode(self.api, psm)
        lib.TessBaseAPISetVariable(self.api, b"user_defined_dpi", str(dpi).encode())
        lib.TessBaseAPISetSourceResolution(self.api, dpi)
        monitor = lib.TessMonitorCreate()
        try:
            started = time.monotonic()
            lib.TessMonitorSetDeadlineMSecs(monitor, max(1, round(timeout * 1000)))
            failed = lib.TessBaseAPIRecognize(self.api, monitor) != 0
        finally:
            lib.TessMonitorDelete(monitor)
        if failed:
            if time.monotonic() - started >= timeout:
                raise TimedOut(f"recognition took longer than {timeout:g} s")
            raise OcrError("recognition failed")

    def tsv(self) -> str:
        """The last recognition as TSV, with the header line the tesseract program writes."""
        lib = _lib()
        text = lib.TessBaseAPIGetTsvText(self.api, 0)
        if not text:
            raise OcrError("recognition gave no word table")
        try:
            return TSV_HEADER + ctypes.string_at(text).decode("utf-8", errors="replace")
        finally:
            lib.TessDeleteText(text)

    def write_pdf(self, base: Path) -> Path:
        """The last recognition as tesseract's one-page PDF (page image and glyphless text), `base`.pdf."""
        lib = _lib()
        renderer = lib.TessPDFRendererCreate(str(base).encode(), self.datapath, 0)
        if not renderer:
            raise OcrError("its PDF output could not be started")
        try:
            done = (
                lib.TessResultRendererBeginDocument(renderer, b"")
                and lib.TessResultRendererAddImage(renderer, self.api)
                and lib.TessResultRendererEndDocument(renderer)
            )
        finally:
            lib.TessDeleteResultRenderer(renderer)  # closes the file
        if not done:
            raise OcrError(f"{base.name}.pdf could not be written")
        return Path(f"{base}.pdf")


_local = threading.local()


def engine(languages: str) -> Engine:
    """This thread's engine for `languages`, made (and its model loaded) on first use."""
    engines: dict[str, Engine] | None = getattr(_local, "engines", None)
    if engines is None:
        engines = _local.engines = {}
    if languages not in engines:
        engines[languages] = Engine(languages)
    return engines[languages]


def _discard(languages: str) -> None:
    """Drop this thread's engine for `languages` (after a failure); the next read makes a fresh one."""
    engines: dict[str, Engine] = getattr(_local, "engines", {})
    found = engines.pop(languages, None)
    if found is not None:
        found.close()


@dataclass(frozen=True)
class Reading:
    tsv: str
    pdf: Path | None


def read_file(image: Path, languages: str, dpi: int, timeout: float, pdf_base: Path | None = None) -> Reading:
    """Read a page image file as `tesseract image base -l L --dpi D --psm 3 [pdf] tsv` does.

    With `pdf_base`, tesseract's one-page PDF is written to `pdf_base`.pdf; a G4 TIFF goes into
    it as it is.
    """
    lib = _loaded()
    pix = lib.leptonica.pixRead(str(image).encode())
    if not pix:
        raise OcrError(f"the image {image.name} could not be opened")
    try:
        reader = engine(languages)
        lib.tesseract.TessBaseAPISetInputName(reader.api, str(image).encode())
        lib.tesseract.TessBaseAPISetImage2(reader.api, pix)
        return _finish(reader, PSM_AUTO, dpi, timeout, pdf_base)
    finally:
        lib.leptonica.pixDestroy(ctypes.byref(pix))


def read_gray(image: np.ndarray, languages: str, dpi: int, timeout: float) -> str:
    """Read an 8-bit gray image (a numpy array) as one block of text (`--psm 6`); returns the TSV."""
    gray = np.ascontiguousarray(image, dtype=np.uint8)
    if gray.ndim != 2 or not gray.size:
        raise OcrError("the image to read is empty or not gray")
    height, width = gray.shape
    reader = engine(languages)
    lib = _lib()
    lib.TessBaseAPISetInputName(reader.api, b"")
    lib.TessBaseAPISetImage(reader.api, gray.ctypes.data, width, height, 1, gray.strides[0])
    return _finish(reader, PSM_SINGLE_BLOCK, dpi, timeout, None).tsv


def _finish(reader: Engine, psm: int, dpi: int, timeout: float, pdf_base: Path | None) -> Reading:
    """Recognise the image set on `reader`, give back its TSV (and PDF), and clear it for the next one."""
    try:
        reader.recognise(psm, dpi, timeout)
        tsv = reader.tsv()
        pdf = reader.write_pdf(pdf_base) if pdf_base is not None else None
    except OcrError:
        _discard(reader.languages)  # never reuse an engine left mid-page
        raise
    _lib().TessBaseAPIClear(reader.api)
    return Reading(tsv, pdf)
