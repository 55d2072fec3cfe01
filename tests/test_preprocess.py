"""Preprocessing on synthetic pages whose damage is known: skew, light, noise, borders, holes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pagegen as pg
import pytest

from pipeline import preprocess as pp
from pipeline.errors import PreprocessError

EVAL = Path(__file__).parent / "fixtures" / "tesseract-test"  # real scans, Apache-2.0 (see SOURCE.md)


@pytest.fixture(scope="module")
def english() -> np.ndarray:
    return pg.text_block_page(devanagari=False)


@pytest.fixture(scope="module")
def hindi() -> np.ndarray:
    return pg.text_block_page(devanagari=True)


def _page(script: str, english: np.ndarray, hindi: np.ndarray) -> np.ndarray:
    return hindi if script == "hi" else english


# --- loading and rotation ---------------------------------------------------------------------


def test_load_gray_reads_png_pgm_and_16_bit(tmp_path: Path, english: np.ndarray) -> None:
    cv2.imwrite(str(tmp_path / "page.png"), english)
    cv2.imwrite(str(tmp_path / "page.pgm"), english)
    cv2.imwrite(str(tmp_path / "deep.png"), english.astype(np.uint16) * 257)
    colour = cv2.cvtColor(english, cv2.COLOR_GRAY2BGR)
    cv2.imwrite(str(tmp_path / "colour.png"), colour)
    for name in ("page.png", "page.pgm", "deep.png", "colour.png"):
        loaded = pp.load_gray(tmp_path / name)
        assert loaded.dtype == np.uint8 and loaded.shape == english.shape, name
        assert np.array_equal(loaded, english), name


def test_load_gray_reads_raster_pgm_directly_and_other_pgm_through_opencv(
    tmp_path: Path, english: np.ndarray
) -> None:
    plain = tmp_path / "plain.pgm"  # what raster and pdftoppm write: read without a decoder
    plain.write_bytes(b"P5\n%d %d\n255\n" % english.shape[::-1] + english.tobytes())
    assert pp._read_pgm(plain) is not None
    loaded = pp.load_gray(plain)
    assert np.array_equal(loaded, english) and loaded.flags.writeable
    deep = tmp_path / "deep.pgm"  # 16-bit: not the fast path, still read
    cv2.imwrite(str(deep), english.astype(np.uint16) * 257)
    assert pp._read_pgm(deep) is None and np.array_equal(pp.load_gray(deep), english)
    cut = tmp_path / "cut.pgm"  # a page image cut short is not read as a whole page
    cut.write_bytes(plain.read_bytes()[:-1000])
    assert pp._read_pgm(cut) is None


def test_load_gray_rejects_unreadable_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"this is not an image")
    with pytest.raises(PreprocessError, match="scan.png"):
        pp.load_gray(bad)
    with pytest.raises(PreprocessError, match="does not exist"):
        pp.load_gray(tmp_path / "missing.pgm")


def test_rotate_is_lossless_and_clockwise() -> None:
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert np.array_equal(pp.rotate(image, 90), np.rot90(image, k=-1))
    assert np.array_equal(pp.rotate(image, 180), np.rot90(image, k=2))
    assert np.array_equal(pp.rotate(image, 270), np.rot90(image, k=1))
    assert np.array_equal(pp.rotate(pp.rotate(image, 90), 270), image)
    assert np.array_equal(pp.rotate(image, 0), image)
    with pytest.raises(ValueError):
        pp.rotate(image, 45)


# --- skew ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["en", "hi"])
@pytest.mark.parametrize("angle", [-7.0, -2.5, 0.0, 1.3, 4.0, 12.0])
def test_estimate_skew_within_half_a_degree(script: str, angle: float, english, hindi) -> None:
    page = pg.skew(_page(script, english, hindi), angle)
    assert abs(pp.estimate_skew(page) - angle) <= 0.5


def test_estimate_skew_survives_scan_damage(english: np.ndarray) -> None:
    page = pg.skew(english, -3.3)
    page, _ = pg.punch_holes(pg.black_border(page, 35))
    page = pg.stamp(page, (900, 1450))
    page = pg.jpeg(pg.gaussian_noise(pg.light_gradient(page, 0.4), 15), 30)
    assert abs(pp.estimate_skew(page) - (-3.3)) <= 0.5


def test_estimate_skew_of_a_blank_page_is_zero() -> None:
    assert pp.estimate_skew(np.full((800, 600), 255, np.uint8)) == 0.0


def test_deskew_straightens_without_cutting(hindi: np.ndarray) -> None:
    skewed = pg.skew(hindi, 6.0)
    angle = pp.estimate_skew(skewed)
    straight = pp.deskew(skewed, angle)
    assert straight.shape[0] > skewed.shape[0] and straight.shape[1] > skewed.shape[1]
    assert abs(pp.estimate_skew(straight)) <= 0.3
    assert straight[0, 0] == 255 and straight[-1, -1] == 255  # the new corners are paper
    ink_before, ink_after = np.count_nonzero(skewed < 128), np.count_nonzero(straight < 128)
    assert abs(ink_after - ink_before) < 0.05 * ink_before  # no text cut off


# --- orientation --------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["en", "hi"])
def test_text_orientation_tells_sideways_from_upright(script: str, english, hindi) -> None:
    page = _page(script, english, hindi)
    axis, confidence = pp.text_orientation(page)
    assert axis == 0 and confidence > 0.5
    for turn in (90, 270):
        axis, confidence = pp.text_orientation(pp.rotate(page, turn))
        assert axis == 90 and confidence > 0.5


@pytest.mark.parametrize("script", ["en", "hi"])
def test_guess_upside_down(script: str, english, hindi) -> None:
    page = pg.skew(_page(script, english, hindi), 2.0)
    flipped, confidence = pp.guess_upside_down(page)
    assert not flipped and confidence > 0.5
    flipped, confidence = pp.guess_upside_down(pp.rotate(page, 180))
    assert flipped and confidence > 0.5


@pytest.mark.parametrize("script", ["en", "hi"])
def test_guess_orientation_undoes_every_quarter_turn(script: str, english, hindi) -> None:
    page = _page(script, english, hindi)
    for turn in (0, 90, 180, 270):
        fix, confidence = pp.guess_orientation(pp.rotate(page, turn))
        assert (turn + fix) % 360 == 0, turn
        assert confidence > 0.3


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_guess_layout_tells_devanagari_pages_from_latin_ones(turn: int, english, hindi) -> None:
    hindi_layout = pp.guess_layout(pp.rotate(pg.skew(hindi, -1.5), turn))
    english_layout = pp.guess_layout(pp.rotate(pg.skew(english, -1.5), turn))
    assert (turn + hindi_layout.rotate) % 360 == 0 and (turn + english_layout.rotate) % 360 == 0
    assert hindi_layout.devanagari > 0.8
    assert english_layout.devanagari < 0.1


def test_a_blank_page_has_no_orientation_confidence() -> None:
    blank = np.full((700, 500), 250, np.uint8)
    assert pp.text_orientation(blank)[1] == 0.0
    assert pp.guess_upside_down(blank)[1] == 0.0


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("phototest.tif", 0),
        ("phototest-rotated-180.png", 180),
        ("phototest-rotated-L.png", 90),
        ("phototest-rotated-R.png", 270),
        ("devatest.png", 0),
        ("devatest-rotated-270.png", 90),
    ],
)
def test_guess_orientation_on_real_scans(name: str, fix: int) -> None:
    turn, confidence = pp.guess_orientation(pp.load_gray(EVAL / name))
    assert turn == fix and confidence > 0.3


# --- cleaning steps -----------------------------------------------------------------------------


def test_normalise_background_flattens_a_light_gradient(english: np.ndarray) -> None:
    shaded = pg.light_gradient(english, darkest=0.4)
    paper = english > 250
    ink = english < 60
    before = float(shaded[paper].std())
    flat = pp.normalise_background(shaded)
    assert float(flat[paper].std()) < 0.2 * before
    assert float(flat[paper].mean()) > 240
    assert float(flat[ink].mean()) < 80  # ink stays dark, also on the shaded side
    right = ink.copy()
    right[:, : english.shape[1] // 2] = False
    assert float(flat[right].mean()) < 100


def _margin(shape: tuple[int, int], width: int) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[:width, :] = mask[-width:, :] = True
    mask[:, :width] = mask[:, -width:] = True
    return mask


def test_remove_borders_clears_a_black_frame_and_keeps_the_text(english: np.ndarray) -> None:
    framed = pg.black_border(english, width=40)
    margin = _margin(english.shape, 60)
    assert np.count_nonzero(framed[margin] < 128) > 100_000
    cleaned = pp.remove_borders(framed)
    assert np.count_nonzero(cleaned[margin] < 128) == 0
    text_before = np.count_nonzero(english[~margin] < 128)
    text_after = np.count_nonzero(cleaned[~margin] < 128)
    assert abs(text_after - text_before) <= 0.01 * text_before


def test_remove_borders_clears_punch_holes(hindi: np.ndarray) -> None:
    radius = 18  # a 6 mm hole at 150 dpi
    holed, centres = pg.punch_holes(hindi, radius=radius)
    cleaned = pp.remove_borders(holed)
    yy, xx = np.ogrid[: hindi.shape[0], : hindi.shape[1]]
    for cx, cy in centres:
        hole = (xx - cx) ** 2 + (yy - cy) ** 2 <= (radius + 2) ** 2
        assert np.count_nonzero(holed[hole] < 128) > 900
        assert np.count_nonzero(cleaned[hole] < 128) == 0
    assert np.count_nonzero(cleaned < 128) == pytest.approx(np.count_nonzero(hindi < 128), rel=0.01)


def test_remove_borders_spares_bold_round_letters_near_the_top(english: np.ndarray) -> None:
    page = english.copy()
    yy, xx = np.ogrid[: page.shape[0], : page.shape[1]]
    for cx in (500, 540, 580):  # "ooo" in a heavy letterhead, 6 mm high: round, but not alone
        page[(xx - cx) ** 2 + (yy - 70) ** 2 <= 18**2] = 0
    assert np.array_equal(pp.remove_borders(page), page)


def test_remove_borders_leaves_a_clean_page_alone(hindi: np.ndarray) -> None:
    assert np.array_equal(pp.remove_borders(hindi), hindi)


def test_denoise_removes_salt_and_pepper_but_leaves_a_clean_page(hindi: np.ndarray) -> None:
    assert np.array_equal(pp.denoise(hindi), hindi)
    noisy = pg.salt_pepper(hindi, 0.02)
    paper = cv2.erode(hindi, np.ones((9, 9), np.uint8)) > 250  # well away from any stroke
    specks_before = np.count_nonzero(noisy[paper] < 128)
    specks_after = np.count_nonzero(pp.denoise(noisy)[paper] < 128)
    assert specks_after < 0.05 * specks_before
    ink = hindi < 100
    assert np.count_nonzero(pp.denoise(noisy)[ink] < 128) > 0.9 * np.count_nonzero(ink)  # matras survive


def test_denoise_keeps_the_thin_strokes_of_a_light_face_at_300_dpi() -> None:
    """Hairlines two pixels wide (a light Devanagari face at 300 dpi) must survive the median."""
    page = np.full((3508, 2480), 235, np.uint8)  # A4 at 300 dpi
    for x in range(200, 2200, 40):
        page[200:1400, x : x + 2] = 30  # vertical hairlines
        page[x : x + 2, 200:2200] = 30  # and horizontal ones, as a headline is
    noisy = pg.gaussian_noise(page, 12)
    assert pp.noise_level(noisy)[0] >= pp.NOISE_SIGMA_TO_DENOISE  # noisy enough to be filtered
    strokes = page < 100
    assert np.count_nonzero(pp.denoise(noisy)[strokes] < 128) > 0.9 * np.count_nonzero(strokes)


def test_binarise_gives_only_black_and_white_and_keeps_the_text(english: np.ndarray) -> None:
    page = pp.normalise_background(pg.gaussian_noise(pg.light_gradient(english), 12))
    binary = pp.binarise(page)
    assert set(np.unique(binary).tolist()) <= {0, 255}
    truth = english < 128
    agree = np.count_nonzero((binary == 0) == truth) / truth.size
    assert agree > 0.99


# --- the chain ----------------------------------------------------------------------------------


def test_clean_page_on_a_damaged_page(english: np.ndarray) -> None:
    page = pg.skew(english, 4.0)
    page, _ = pg.punch_holes(pg.black_border(page, 35), radius=18)  # 6 mm holes at 150 dpi
    page = pg.jpeg(pg.gaussian_noise(pg.light_gradient(page, 0.45), 15), 30)
    cleaned = pp.clean_page(page)
    assert abs(cleaned.skew - 4.0) <= 0.5
    # a frame dark on all four sides is cut away as a surround; the holes inside it are painted over
    assert cleaned.steps[:2] == ("sheet", "borders")
    assert "deskew" in cleaned.steps and cleaned.steps[-1] == "binarise"
    assert set(np.unique(cleaned.image).tolist()) <= {0, 255}
    assert abs(pp.estimate_skew(cleaned.image)) <= 0.3


def test_clean_page_uses_a_skew_already_measured(english: np.ndarray) -> None:
    page = pg.skew(english, 3.0)
    measured = pp.guess_layout(page).skew
    assert abs(measured - 3.0) <= 0.5
    given = pp.clean_page(page, skew=measured)
    assert given.skew == measured and "deskew" in given.steps
    assert abs(pp.estimate_skew(given.image)) <= 0.3
    assert pp.clean_page(english, skew=0.05).steps.count("deskew") == 0  # too small to resample for


def test_clean_page_without_binarising_keeps_grey(english: np.ndarray) -> None:
    cleaned = pp.clean_page(pg.gaussian_noise(english, 8), binarise_output=False)
    assert "binarise" not in cleaned.steps
    assert len(np.unique(cleaned.image)) > 2


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (15, 400), (40, 30), (2000, 1400)])
def test_clean_page_on_blank_and_tiny_pages(shape: tuple[int, int]) -> None:
    for fill in (255, 0, 180):
        cleaned = pp.clean_page(np.full(shape, fill, np.uint8))
        assert cleaned.image.ndim == 2 and cleaned.image.dtype == np.uint8
        assert cleaned.skew == 0.0
        assert set(np.unique(cleaned.image).tolist()) <= {0, 255}


def _cer(text: str, truth: str) -> float:
    a, b = " ".join(text.replace("|", "").split()), " ".join(truth.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(1, len(b))


def _tesseract(image: np.ndarray, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.png"
    cv2.imwrite(str(path), image)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    result = subprocess.run(
        ["tesseract", str(path), "stdout", "-l", "eng"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return result.stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_clean_page_makes_a_damaged_page_readable(tmp_path: Path) -> None:
    page = pg.render_page(pg.ENGLISH_LINES[:5], size=(1240, 900), font_px=26, top=120)
    damaged = pg.skew(page, -6.0)
    damaged = pg.jpeg(pg.gaussian_noise(pg.light_gradient(pg.black_border(damaged, 30), 0.3), 25), 30)
    truth = "\n".join(pg.ENGLISH_LINES[:5])
    raw = _cer(_tesseract(damaged, tmp_path, "raw"), truth)
    cleaned = _cer(_tesseract(pp.clean_page(damaged).image, tmp_path, "clean"), truth)
    assert cleaned < 0.05
    assert cleaned < raw


# --- phone photos: the sheet in a dim surround ------------------------------------------------

SHEET_CORNERS = np.array([[160, 40], [1100, 160], [1230, 1740], [30, 1580]], dtype=np.float32)  # tl tr br bl


def _phone_photo(page: np.ndarray, surround: int = 115) -> np.ndarray:
    """`page` keystoned onto SHEET_CORNERS of a same-size canvas showing a dim table, with light noise."""
    h, w = page.shape
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, SHEET_CORNERS)
    photo = cv2.warpPerspective(
        page, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=surround
    )
    return pg.jpeg(pg.gaussian_noise(photo, 6.0), 80)


def test_find_sheet_locates_the_corners_of_a_keystoned_sheet(english: np.ndarray) -> None:
    corners = pp.find_sheet(_phone_photo(english))
    assert corners is not None
    assert np.abs(corners - SHEET_CORNERS).max() < 8, corners  # within 8 px on a 150 dpi page
    unwarped, changed = pp.crop_to_sheet(_phone_photo(english))
    assert changed
    # the sheet comes back level, with no table left round it
    assert abs(pp.estimate_skew(unwarped)) < 0.3
    for strip in (unwarped[:6], unwarped[-6:], unwarped[:, :6], unwarped[:, -6:]):
        assert np.median(strip) > 200


def test_find_sheet_leaves_scans_alone(english: np.ndarray, hindi: np.ndarray) -> None:
    holed, _ = pg.punch_holes(hindi)
    pages = {
        "clean": english,
        "lid shadow": pg.light_gradient(hindi, 0.45),
        "skewed and noisy": pg.jpeg(pg.gaussian_noise(pg.skew(english, 4.0), 20), 40),
        "punch holes": holed,
    }
    for name, page in pages.items():
        assert pp.find_sheet(page) is None, name
        assert np.array_equal(pp.clean_page(page).image, pp.clean_page(page, sheet=False).image), name
        assert "sheet" not in pp.clean_page(page).steps, name


def test_find_sheet_costs_a_flat_a4_scan_only_a_few_milliseconds() -> None:
    import time

    page = np.full((3508, 2480), 250, np.uint8)  # 300 dpi A4
    page[300:3200:60, 200:2200] = 0
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        assert pp.find_sheet(page) is None
        timings.append(time.perf_counter() - start)
    assert sorted(timings)[2] < 0.005, timings


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_clean_page_reads_a_phone_photo_better_with_the_sheet_cut_out(tmp_path: Path) -> None:
    lines = (pg.ENGLISH_LINES * 3)[:20]
    page = pg.render_page(lines, size=(1240, 1754), font_px=20, line_gap=2.2, top=90, margin=40)
    photo = _phone_photo(page)
    truth = "\n".join(lines)
    cut = pp.clean_page(photo)
    assert "sheet" in cut.steps
    left = pp.clean_page(photo, sheet=False)
    with_sheet = _cer(_tesseract(cut.image, tmp_path, "sheet"), truth)
    without = _cer(_tesseract(left.image, tmp_path, "nosheet"), truth)
    assert with_sheet < 0.006, with_sheet
    assert with_sheet < without, (with_sheet, without)
