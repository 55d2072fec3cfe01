"""CCITT G4 TIFF files written through the system's libtiff (ctypes): the page images tesseract reads.

Pillow takes three to four times as long for the same file: it unpacks the bits to a byte a
pixel and packs them again row by row before libtiff sees them. Where libtiff cannot be loaded,
`write_g4` says so (False) and the caller writes the file with Pillow.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

import numpy as np


def _libtiff() -> ctypes.CDLL | None:
    """The system's libtiff (tesseract's leptonica needs it), or None where it cannot be loaded."""
    name = ctypes.util.find_library("tiff")
    try:
        lib = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if lib is not None:
        lib.TIFFOpen.restype = ctypes.c_void_p
        lib.TIFFOpen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.TIFFWriteEncodedStrip.restype = ctypes.c_ssize_t
        lib.TIFFWriteEncodedStrip.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_char_p,
            ctypes.c_ssize_t,
        ]
        lib.TIFFClose.argtypes = [ctypes.c_void_p]
    return lib


_LIBTIFF = _libtiff()
# baseline TIFF tags (libtiff's tiff.h): bits and samples a pixel, CCITT G4, 1 = white, inches
_G4_FIELDS = ((258, 1), (277, 1), (259, 4), (262, 1), (296, 2))
_WIDTH, _LENGTH, _ROWS_PER_STRIP, _XRESOLUTION, _YRESOLUTION = 256, 257, 278, 282, 283


def write_g4(bits: np.ndarray, width: int, path: Path, dpi: int) -> bool:
    """Packed rows (1 = white) as a one-strip CCITT G4 TIFF through libtiff; False if that failed."""
    if _LIBTIFF is None:
        return False
    tif = _LIBTIFF.TIFFOpen(str(path).encode(), b"w")
    if not tif:
        return False
    height = bits.shape[0]
    fields = ((_WIDTH, width), (_LENGTH, height), (_ROWS_PER_STRIP, height), *_G4_FIELDS)
    try:
        for tag, value in fields:  # TIFFSetField takes C varargs: ints here, doubles below
            _LIBTIFF.TIFFSetField(ctypes.c_void_p(tif), ctypes.c_uint32(tag), ctypes.c_int(value))
        for tag in (_XRESOLUTION, _YRESOLUTION):
            _LIBTIFF.TIFFSetField(ctypes.c_void_p(tif), ctypes.c_uint32(tag), ctypes.c_double(dpi))
        data = np.ascontiguousarray(bits).tobytes()
        written = _LIBTIFF.TIFFWriteEncodedStrip(tif, 0, data, len(data))
    finally:
        _LIBTIFF.TIFFClose(tif)
    return written >= 0
