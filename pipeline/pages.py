"""Per-page stages: make a page ready for OCR (orientation, then the OpenCV clean-up), then read it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from pipeline import ocr, preprocess, tiff
from pipeline.config import OcrSettings
from pipeline.model import CleanPage, OcrPage, Page
from pipeline.text import normalise

OSD_DPI = 150  # orientation and script detection read a half-size copy: as reliable, much faster
UPRIGHT_MIN_CONFIDENCE = 0.4  # an OpenCV "upright" this sure skips tesseract's orientation pass
GUESS_MIN_CONFIDENCE = 0.3  # a turn OpenCV is this sure of is made when tesseract cannot tell
# a cleaned page with less ink than this share is blank: one short line (`Encl: as above`) at
# 300 dpi is 0.03%, an empty page's specks, bleed-through and punch holes are cleaned to 0
BLANK_INK_SHARE = 0.0002


def _save_for_ocr(image: np.ndarray, path: Path, dpi: int) -> Path:
    """Bitonal pages as CCITT G4 TIFF (tesseract embeds them as tiny G4 images), others as PNG."""
    values = np.unique(image[:: max(1, image.shape[0] // 64), :: max(1, image.shape[1] // 64)])
    if set(values.tolist()) <= {0, 255}:
        path = path.with_suffix(".tif")
        height, width = image.shape
        bits = np.packbits(image > 127, axis=1)  # mode "1" rows, one bit a pixel, 1 = white
        if not tiff.write_g4(bits, width, path, dpi):
            Image.frombytes("1", (width, height), bits.tobytes()).save(
                path, compression="group4", dpi=(dpi, dpi)
            )
    else:
        path = path.with_suffix(".png")
        Image.fromarray(image).save(path, dpi=(dpi, dpi), compress_level=1)
    return path


def osd(gray: np.ndarray, dpi: int, work_dir: Path, number: int) -> ocr.Orientation:
    """Tesseract's orientation and script, read from a reduced, background-normalised copy."""
    scale = min(1.0, OSD_DPI / dpi)
    small = preprocess.normalise_background(gray)
    if scale < 1.0:
        small = cv2.resize(small, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    path = work_dir / f"page-{number:04d}.osd.png"
    Image.fromarray(small).save(path)
    try:
        return ocr.detect_orientation(path, dpi=round(dpi * scale))
    finally:
        path.unlink(missing_ok=True)


def orientation(
    gray: np.ndarray, dpi: int, work_dir: Path, number: int
) -> tuple[ocr.Orientation, float | None]:
    """The turn that makes the page upright, its script for choosing the OCR languages, and its
    skew once upright when the look at its lines measured it (None when tesseract turned it).

    OpenCV's look at the text lines decides alone when it finds the page upright and is sure
    (most pages: no OCR pass at all). A page it finds turned, or cannot judge, is also shown
    to tesseract's orientation detection, which wins when it is sure.
    """
    layout = preprocess.guess_layout(gray)
    script = ocr.script_for(layout.devanagari)
    guess = ocr.Orientation(layout.rotate, layout.confidence, script, layout.devanagari)
    if layout.rotate == 0 and layout.confidence >= UPRIGHT_MIN_CONFIDENCE:
        return guess, layout.skew
    found = osd(gray, dpi, work_dir, number)
    if found.confidence >= ocr.OSD_MIN_CONFIDENCE:
        skew: float | None = layout.skew
        if found.rotate != layout.rotate and found.rotate:
            # the script share was measured on the page as OpenCV turned it; measure it upright
            upright = preprocess.guess_layout(preprocess.rotate(gray, found.rotate))
            script = ocr.script_for(upright.devanagari)
            skew = upright.skew if upright.rotate % 180 == 0 else None
        elif found.rotate % 180 != layout.rotate % 180:
            skew = None  # measured across the other axis
        return replace(found, script=script), skew
    if layout.confidence >= GUESS_MIN_CONFIDENCE or layout.rotate == 0:
        return guess, layout.skew
    return replace(guess, rotate=0), (layout.skew if layout.rotate % 180 == 0 else None)


def prepare_page(page: Page, work_dir: Path) -> CleanPage:
    """The preprocess stage for one page: upright, deskewed, cleaned and saved for tesseract."""
    if page.text_layer is not None:
        return CleanPage(
            number=page.number,
            image=page.image,
            dpi=page.dpi,
            text_layer=page.text_layer,
            ink=ink_map(preprocess.load_gray(page.image)) if page.number == 1 else None,
        )
    gray, _ = preprocess.crop_to_sheet(preprocess.load_gray(page.image))  # a phone photo's surround
    turn, skew = orientation(gray, page.dpi, work_dir, page.number)
    upright = preprocess.rotate(gray, turn.rotate) if turn.rotate else gray
    cleaned = preprocess.clean_page(upright, dpi=page.dpi, sheet=False, skew=skew)
    path = _save_for_ocr(cleaned.image, work_dir / f"page-{page.number:04d}.clean", page.dpi)
    return CleanPage(
        number=page.number,
        image=path,
        dpi=page.dpi,
        rotation=turn.rotate,
        skew=cleaned.skew,
        script=turn.script,
        blank=np.count_nonzero(cleaned.image < 128) < BLANK_INK_SHARE * cleaned.image.size,
        ink=ink_map(cleaned.image) if page.number == 1 else None,
    )


def read_page(page: CleanPage, work_dir: Path, settings: OcrSettings) -> OcrPage:
    """The OCR stage for one page; a born-digital page gives back its own text."""
    if page.text_layer is not None:
        return OcrPage(
            number=page.number, text=normalise(page.text_layer), confidence=1.0, languages="", pdf=None
        )
    languages = ocr.languages_for(page.script, settings.languages)
    result = ocr.read_page(page.image, page.number, page.dpi, languages, work_dir, settings.timeout_seconds)
    return replace(result, text=normalise(result.text), blank=page.blank)


def ink_map(gray: np.ndarray, max_side: int = 600) -> np.ndarray:
    """A small boolean map of where a page has ink (True), top row first, for placing the stamp."""
    small, _ = preprocess.downscale(gray, max_side)
    return small < 160
