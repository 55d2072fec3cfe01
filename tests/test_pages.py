"""Per-page stages on letters whose rotation and skew are known: orientation, script, language, cleaning."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline import ocr, pages, preprocess, tiff
from pipeline.config import OcrSettings
from pipeline.model import Page
from samples.make_samples import degrade, make_spec, render_pages
from tests.conftest import LATIN_FONT

DPI = 200


@pytest.fixture(scope="module")
def letters() -> dict[str, tuple[Image.Image, str]]:
    """A Hindi and an English letter's first page, rendered at DPI, with its text."""
    out = {}
    for language, seed in (("hi", 11), ("en", 12)):
        images, texts = render_pages(make_spec(seed, language=language, category="circular"), dpi=DPI)
        out[language] = (images[0], texts[0])
    return out


def _scan(tmp_path: Path, image: Image.Image, name: str, **damage: object) -> Page:
    path = tmp_path / f"{name}.pgm"
    degrade(image, seed=5, **damage).save(path)
    return Page(number=1, image=path, dpi=DPI)


@pytest.fixture
def osd_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Records each call of tesseract's orientation pass (which still runs for real)."""
    calls: list[Path] = []
    real = ocr.detect_orientation

    def counted(image: Path, dpi: int, timeout: int = 60) -> ocr.Orientation:
        calls.append(image)
        return real(image, dpi, timeout)

    monkeypatch.setattr(ocr, "detect_orientation", counted)
    return calls


@pytest.mark.parametrize("language", ["hi", "en"])
def test_upright_page_needs_no_orientation_pass(language, letters, tmp_path, osd_calls) -> None:
    gray = preprocess.load_gray(_scan(tmp_path, letters[language][0], "up", skew=1.5, noise=0.02).image)
    found, _ = pages.orientation(gray, DPI, tmp_path, 1)
    assert found.rotate == 0
    assert osd_calls == []
    assert found.script == ("Devanagari" if language == "hi" else "Latin")


@pytest.mark.parametrize("language", ["hi", "en"])
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_every_quarter_turn_is_undone(language, turn, letters, tmp_path) -> None:
    gray = preprocess.load_gray(_scan(tmp_path, letters[language][0], "turned", rotate=turn, skew=-2.0).image)
    found, _ = pages.orientation(gray, DPI, tmp_path, 1)
    assert found.rotate == turn
    assert found.script == ("Devanagari" if language == "hi" else "Latin")


def test_languages_follow_the_page_script() -> None:
    assert ocr.languages_for(ocr.script_for(0.8), "hin+eng") == "Devanagari"
    assert ocr.languages_for(ocr.script_for(0.3), "hin+eng") == "Devanagari"  # bilingual letters
    assert ocr.languages_for(ocr.script_for(0.05), "hin+eng") == "eng+hin"  # English, Hindi letterhead


@pytest.mark.parametrize(
    ("damage", "turn", "skew"),
    [
        ({"skew": 3.0, "uneven_light": 0.5, "noise": 0.03, "jpeg_quality": 60}, 0, 3.0),
        ({"skew": -2.2, "rotate": 180, "border": True, "punch_holes": True}, 180, -2.2),
        ({"rotate": 90, "skew": 1.2, "blur": 0.6}, 90, 1.2),
    ],
)
def test_prepare_page_upright_deskewed_and_bitonal(letters, tmp_path, damage, turn, skew) -> None:
    clean = pages.prepare_page(_scan(tmp_path, letters["hi"][0], "damaged", **damage), tmp_path)
    assert clean.rotation == turn
    assert abs(clean.skew - skew) <= 0.5
    assert clean.image.suffix == ".tif"  # bitonal, stored as CCITT G4
    assert set(preprocess.load_gray(clean.image).ravel()[::997].tolist()) <= {0, 255}


def test_read_page_gives_text_confidence_and_digits(letters, tmp_path) -> None:
    image, truth = letters["hi"]
    clean = pages.prepare_page(_scan(tmp_path, image, "hindi", skew=2.0, uneven_light=0.4), tmp_path)
    page = pages.read_page(clean, tmp_path, OcrSettings())
    assert page.languages == "Devanagari"
    assert page.confidence > 0.8
    digits = {w for w in truth.split() if any(c.isdigit() for c in w) and w.isascii()}
    found = set(page.text.split())
    assert len(digits & found) >= 0.8 * len(digits)


def test_bitonal_page_saved_for_ocr_is_the_same_page_in_g4(tmp_path) -> None:
    rng = np.random.default_rng(5)
    image = np.where(rng.random((301, 203)) > 0.3, 255, 0).astype(np.uint8)  # odd width: padded rows
    path = pages._save_for_ocr(image, tmp_path / "page", 300)
    assert path.suffix == ".tif"
    assert np.array_equal(preprocess.load_gray(path), image)
    with Image.open(path) as saved:
        assert saved.info["compression"] == "group4"
        assert saved.info["dpi"] == (300, 300)
        assert len(saved.tag_v2[273]) == 1  # one strip: written by libtiff, not Pillow


def test_bitonal_page_saved_by_pillow_where_libtiff_is_missing(tmp_path, monkeypatch) -> None:
    image = np.full((120, 90), 255, np.uint8)
    image[40:80, 10:70] = 0
    monkeypatch.setattr(tiff, "_LIBTIFF", None)
    path = pages._save_for_ocr(image, tmp_path / "page", 200)
    assert np.array_equal(preprocess.load_gray(path), image)
    with Image.open(path) as saved:
        assert saved.info["compression"] == "group4" and saved.info["dpi"] == (200, 200)


def test_opencv_runs_single_threaded_beside_the_page_pool() -> None:
    assert cv2.getNumThreads() == 1  # set by importing pipeline.preprocess


def test_ink_map_marks_where_the_page_has_ink() -> None:
    page = np.full((3508, 2480), 255, np.uint8)
    page[100:300, 200:900] = 0
    ink = pages.ink_map(page)
    assert max(ink.shape) <= 600
    assert ink[30:45, 50:140].all() and not ink[300:, :].any()


def _back_of(image: Image.Image, show_through: float) -> Image.Image:
    """The empty back of a sheet, with the front's text showing through faintly, mirrored."""
    front = np.asarray(image.convert("L"), dtype=np.float32)
    back = 255 - (255 - front[:, ::-1]) * show_through
    page = Image.fromarray(back.clip(0, 255).astype(np.uint8))
    page.info["dpi"] = image.info.get("dpi", (DPI, DPI))
    return page


@pytest.mark.parametrize(
    "damage",
    [
        {"noise": 0.03},
        {"noise": 0.02, "punch_holes": True, "border": True},
        {"show_through": 0.12, "uneven_light": 0.4, "noise": 0.02},
        {"show_through": 0.08, "jpeg_quality": 40, "skew": 1.5},
    ],
    ids=["speckled", "holes-and-border", "show-through", "show-through-jpeg"],
)
def test_an_empty_back_is_blank_and_the_letter_is_not(letters, tmp_path, damage) -> None:
    damage = dict(damage)
    back = _back_of(letters["hi"][0], damage.pop("show_through", 0.0))
    assert pages.prepare_page(_scan(tmp_path, back, "back", **damage), tmp_path).blank
    assert not pages.prepare_page(_scan(tmp_path, letters["hi"][0], "front", **damage), tmp_path).blank


def test_one_short_line_is_not_blank(tmp_path) -> None:
    sheet = Image.new("L", (round(8.27 * DPI), round(11.69 * DPI)), 255)
    ImageDraw.Draw(sheet).text(
        (DPI, DPI), "Encl: as above", fill=0, font=ImageFont.truetype(LATIN_FONT, round(DPI * 0.15))
    )
    sheet.info["dpi"] = (DPI, DPI)
    clean = pages.prepare_page(_scan(tmp_path, sheet, "encl", noise=0.02), tmp_path)
    assert not clean.blank
    read = pages.read_page(clean, tmp_path, OcrSettings())
    assert "above" in read.text and not read.blank
