"""Preprocess: make a scanned page easy for tesseract (OpenCV, one page at a time, no OCR here).

Every function takes and returns a 2-D uint8 grayscale array (0 = black ink, 255 = white paper).
The chain `clean_page` runs is: dark scanner borders and punch holes painted over in the paper's
shade, illumination evened out, noise removed when there is noise, skew measured and corrected,
then (optionally) binarised. Orientation (`guess_orientation`) is a separate, cheap first check.

Conventions: `rotate` turns clockwise by a multiple of 90 degrees. A skew angle is the angle in
degrees by which the text lines are turned counter-clockwise from horizontal (lines rising to the
right are positive); `deskew(image, estimate_skew(image))` straightens the page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline.errors import PreprocessError

# pages are prepared side by side in the page pool, next to tesseract: OpenCV's own worker
# threads would only add their hand-over costs (about 15% more CPU a page)
cv2.setNumThreads(1)

WORK_LONG_SIDE = 1400  # pixels on the long side of the downscaled copy used for measuring
LINE_VOTE_LONG_SIDE = 1600  # the copy whose text lines vote on up or down (ascenders must show)
MAX_SKEW_DEGREES = 20.0
COARSE_STEP = 1.0  # degrees between the angles of the first skew scan
MIDDLE_STEP = 0.25
FINE_STEP = 0.05
SEARCH_POINTS = 60_000  # ink points the coarse and middle scans look at (the fine one sees all)
PAPER_LEVEL = 230.0  # grey level paper is divided to, leaving headroom for its noise
MIN_SKEW_TO_CORRECT = 0.1  # degrees; smaller skews are left alone (resampling costs sharpness)
A4_SHORT_SIDE_INCHES = 8.27
DEVANAGARI_MIN_ASPECT = 1.3  # median width/height of a line's components above which it is Devanagari
HOLE_DIAMETER_MM = (4.0, 9.0)  # ISO 838 filing punches make 6 mm holes
HOLE_MAX_EDGE_MM = 25.0  # punch holes are looked for this close to an edge
NOISE_SIGMA_TO_DENOISE = 4.0  # grey levels of paper noise above which `denoise` filters
IMPULSE_FRACTION_TO_DENOISE = 0.0005  # fraction of salt-and-pepper pixels above which `denoise` filters
_ROTATIONS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@dataclass(frozen=True)
class Cleaned:
    """A page after `clean_page`: the image for OCR, the skew corrected, and the steps applied."""

    image: np.ndarray
    skew: float
    steps: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# loading and lossless rotation


def load_gray(path: Path) -> np.ndarray:
    """Read an image file as 8-bit grayscale; PreprocessError if it cannot be read as an image."""
    path = Path(path)
    if not path.is_file():
        raise PreprocessError(f"Page image {path} does not exist; rasterise the letter again.")
    image = _read_pgm(path)
    if image is None:
        image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None or image.size == 0:
        raise PreprocessError(
            f"Page image {path.name} is not a readable image (damaged or not PNG/PGM/TIFF/JPEG); "
            "rescan the page or re-export it."
        )
    return _to_gray_u8(image)


_PGM_HEADER = re.compile(rb"P5\s+(\d+)\s+(\d+)\s+255\s")


def _read_pgm(path: Path) -> np.ndarray | None:
    """An 8-bit binary PGM (what `raster` writes) read straight into an array, or None for any
    other file: twice as fast as cv2.imread's decoder."""
    with path.open("rb") as file:
        found = _PGM_HEADER.match(file.read(32))
    if found is None:
        return None
    width, height = int(found[1]), int(found[2])
    if path.stat().st_size != found.end() + width * height:
        return None
    return np.fromfile(path, np.uint8, count=width * height, offset=found.end()).reshape(height, width)


def _to_gray_u8(image: np.ndarray) -> np.ndarray:
    """Any image cv2 returns (8/16-bit, 1/3/4 channels) as contiguous 2-D uint8."""
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code) if image.shape[2] in (3, 4) else image[:, :, 0]
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        values = image.astype(np.float64)
        span = max(float(values.max() - values.min()), 1e-9)
        image = ((values - values.min()) * (255.0 / span)).astype(np.uint8)
    return np.ascontiguousarray(image)


def rotate(image: np.ndarray, degrees_clockwise: int) -> np.ndarray:
    """Turn the page clockwise by 0, 90, 180 or 270 degrees without resampling."""
    degrees = int(degrees_clockwise) % 360
    if degrees == 0:
        return image.copy()
    if degrees not in _ROTATIONS:
        raise ValueError(f"rotate takes a multiple of 90 degrees, not {degrees_clockwise}")
    return cv2.rotate(image, _ROTATIONS[degrees])


# ---------------------------------------------------------------------------------------------
# small helpers shared by the measurements


def _odd(n: float) -> int:
    k = max(3, int(round(n)))
    return k if k % 2 else k + 1


def downscale(image: np.ndarray, long_side: int = WORK_LONG_SIDE) -> tuple[np.ndarray, float]:
    """A copy at most `long_side` pixels long (area-averaged), and the factor small/original.

    Halving (2x2 averages) is OpenCV's fast path; the last step, by a factor between 1/2 and 1,
    is bilinear: an area resize by such a factor costs eight times as much and measures the same.
    """
    h, w = image.shape
    scale = min(1.0, long_side / max(h, w))
    if scale >= 1.0:
        return image, 1.0
    small = image
    while max(small.shape) >= 2 * long_side:
        small = _halve(small)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(small, size, interpolation=cv2.INTER_LINEAR), scale


def _halve(image: np.ndarray) -> np.ndarray:
    """Half size by 2x2 averages. An odd last row or column is left out: OpenCV's area resize is
    fast only for an exact factor of 2 (a deskewed page's odd size made it fifteen times slower)."""
    h, w = image.shape
    even = image[: h - h % 2, : w - w % 2]
    return cv2.resize(even, (w // 2, h // 2), interpolation=cv2.INTER_AREA)


def _percentile(image: np.ndarray, q: float) -> float:
    """The q-th percentile (0..100) of a uint8 image from its histogram, fast on big pages."""
    hist = cv2.calcHist([np.ascontiguousarray(image)], [0], None, [256], [0, 256]).ravel()
    cumulative = np.cumsum(hist, dtype=np.float64)
    return float(np.searchsorted(cumulative, cumulative[-1] * q / 100.0))


def estimate_dpi(image: np.ndarray) -> float:
    """Resolution guessed from the page size, assuming an A4-ish sheet (dak is almost all A4)."""
    return max(50.0, min(image.shape) / A4_SHORT_SIDE_INCHES)


def _ink_mask(small: np.ndarray) -> np.ndarray:
    """1 on text ink of a (downscaled) page: local threshold, minus borders, rules, pictures and specks."""
    return _ink_components(small)[0]


def _ink_components(small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_ink_mask`, and the connected-component stats (cv2's rows) of the ink it keeps."""
    h, w = small.shape
    block = _odd(max(h, w) / 30)
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    widths, heights, areas = (
        stats[:, cv2.CC_STAT_WIDTH],
        stats[:, cv2.CC_STAT_HEIGHT],
        stats[:, cv2.CC_STAT_AREA],
    )
    keep = (heights <= max(4, 0.06 * h)) & (widths <= max(4, 0.35 * w)) & (areas >= 3)
    keep[0] = False
    return keep.astype(np.uint8)[labels], stats[keep]


def _ink_points(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """x and y of text ink on a downscaled copy of the page (see `_ink_mask`)."""
    small, _ = downscale(image)
    h, w = small.shape
    if h < 8 or w < 8:
        return np.empty(0, np.float32), np.empty(0, np.float32), (h, w)
    ys, xs = np.nonzero(_ink_mask(small))
    if xs.size > 250_000:
        step = xs.size // 250_000 + 1
        xs, ys = xs[::step], ys[::step]
    return xs.astype(np.float32), ys.astype(np.float32), (h, w)


def _profile_score(xs: np.ndarray, ys: np.ndarray, degrees: float) -> float:
    """Sharpness of the projection of the ink on lines turned `degrees` counter-clockwise."""
    theta = math.radians(degrees)
    proj = ys * math.cos(theta) + xs * math.sin(theta)
    bins = np.bincount((proj - proj.min()).astype(np.int32)).astype(np.float64)
    return float(np.sum(np.diff(bins) ** 2))


def _thin(xs: np.ndarray, ys: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Every k-th ink point, at most `most` of them (raster order keeps them spread over the page)."""
    if xs.size <= most:
        return xs, ys
    step = xs.size // most + 1
    return xs[::step], ys[::step]


def _peak(xs: np.ndarray, ys: np.ndarray, angles: np.ndarray) -> tuple[float, float]:
    """The angle among `angles` with the sharpest profile, and its score."""
    scores = np.array([_profile_score(xs, ys, a) for a in angles])
    return float(angles[int(np.argmax(scores))]), float(scores.max())


def _refine(xs: np.ndarray, ys: np.ndarray, near: float, reach: float) -> tuple[float, float]:
    """The sharpest angle within `reach` degrees of `near`, to FINE_STEP; also its score."""
    fine = np.arange(near - reach, near + reach + FINE_STEP / 2, FINE_STEP)
    fine_scores = np.array([_profile_score(xs, ys, a) for a in fine])
    # average the plateau of near-equal maxima so a flat top does not bias to one end
    top = fine_scores >= fine_scores.max() * 0.999
    return float(np.mean(fine[top])), float(fine_scores.max())


def _rough_angle(xs: np.ndarray, ys: np.ndarray, max_angle: float) -> tuple[float, float]:
    """The sharpest angle to MIDDLE_STEP (a coarse scan, then a middle one round its best), and
    its score; callers pass a sample of the ink (`_thin`)."""
    best, _ = _peak(xs, ys, np.arange(-max_angle, max_angle + COARSE_STEP / 2, COARSE_STEP))
    return _peak(xs, ys, np.arange(best - COARSE_STEP, best + COARSE_STEP + 1e-9, MIDDLE_STEP))


def _best_angle(xs: np.ndarray, ys: np.ndarray, max_angle: float) -> tuple[float, float]:
    """Angle with the sharpest profile: coarse and middle scans on a sample of the ink, then a fine
    one on all of it; also its score."""
    best, _ = _rough_angle(*_thin(xs, ys, SEARCH_POINTS), max_angle)
    return _refine(xs, ys, best, 1.5 * MIDDLE_STEP)


# ---------------------------------------------------------------------------------------------
# skew and orientation


def estimate_skew(image: np.ndarray, *, max_angle: float = MAX_SKEW_DEGREES) -> float:
    """Degrees the text lines are turned counter-clockwise (projection-profile search); 0.0 if no text."""
    xs, ys, _ = _ink_points(image)
    if xs.size < 50:
        return 0.0
    angle, _ = _best_angle(xs, ys, max_angle)
    return round(angle, 2)


def deskew(image: np.ndarray, angle: float) -> np.ndarray:
    """Turn the page clockwise by `angle` degrees (a skew from `estimate_skew`); canvas grown, white fill."""
    if abs(angle) < 1e-3:
        return image.copy()
    h, w = image.shape
    theta = math.radians(angle)
    cos, sin = abs(math.cos(theta)), abs(math.sin(theta))
    new_w, new_h = int(math.ceil(w * cos + h * sin)), int(math.ceil(h * cos + w * sin))
    matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), -angle, 1.0)
    matrix[0, 2] += (new_w - w) / 2.0
    matrix[1, 2] += (new_h - h) / 2.0
    return cv2.warpAffine(
        image,
        matrix,
        (new_w, new_h),
        flags=cv2.INTER_CUBIC,  # bilinear is cheaper but measurably blurs strokes (bench/ocr.py)
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )


def _text_axis(image: np.ndarray) -> tuple[int, float, float]:
    """`text_orientation`, plus the skew the page will have once turned so its lines run across."""
    xs, ys, _ = _ink_points(image)
    if xs.size < 200:
        return 0, 0.0, 0.0
    # both axes are compared on a sample of the ink; only the winner's angle is refined on all of it
    sx, sy = _thin(xs, ys, SEARCH_POINTS)
    across_angle, across = _rough_angle(sx, sy, MAX_SKEW_DEGREES)
    down_angle, down = _rough_angle(sy, sx, MAX_SKEW_DEGREES)
    if across <= 0 and down <= 0:
        return 0, 0.0, 0.0
    ratio = max(across, down) / max(min(across, down), 1e-9)
    confidence = float(min(1.0, math.log(ratio) / math.log(3.0)))  # a 3:1 ratio counts as certain
    if across >= down:
        return 0, round(confidence, 3), _refine(xs, ys, across_angle, 1.5 * MIDDLE_STEP)[0]
    # turning the page a quarter turn mirrors the column projection: the angle changes sign
    return 90, round(confidence, 3), -_refine(ys, xs, down_angle, 1.5 * MIDDLE_STEP)[0]


def text_orientation(image: np.ndarray) -> tuple[int, float]:
    """Whether text lines run across (0) or up and down (90: turn by 90 or 270), with a confidence 0..1.

    Compares how sharply the ink projects onto rows and onto columns (each at its best small skew).
    A page with only a line or two of text gives a low confidence; then ask tesseract's OSD.
    """
    axis, confidence, _ = _text_axis(image)
    return axis, confidence


def _text_lines(ink: np.ndarray) -> list[tuple[int, int]]:
    """Top and bottom rows of each text line of a level ink mask (from its row profile)."""
    profile = ink.sum(axis=1)
    if profile.max() <= 0:
        return []
    in_line = (profile > 0.04 * profile.max()).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], in_line, [0]))))
    return [(int(t), int(b)) for t, b in zip(edges[::2], edges[1::2], strict=True) if b - t >= 6]


def _line_votes(image: np.ndarray, skew: float | None = None) -> list[tuple[float, float, bool]]:
    """Per text line: a vote in -1..1 (positive = upright), the line's ink as its weight, and
    whether the line looks Devanagari.

    A line whose connected components are wide (words joined by the shirorekha) is read as
    Devanagari: upright when its densest row, the headline, is in the upper half. Other lines
    are read as Latin: upright when there is more ink above the x-height band (ascenders,
    capitals, digits) than below it (descenders).
    """
    small, _ = downscale(image, LINE_VOTE_LONG_SIDE)
    if min(small.shape) < 16:
        return []
    angle = estimate_skew(small) if skew is None else skew
    if abs(angle) >= MIN_SKEW_TO_CORRECT:
        small = deskew(small, angle)
    ink, stats = _ink_components(small)  # whole components are kept: their stats are the mask's
    centres = stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT] / 2.0
    profile = ink.sum(axis=1).astype(np.float64)
    votes: list[tuple[float, float, bool]] = []
    for top, bottom in _text_lines(ink):
        rows = profile[top:bottom]
        inside = (centres >= top) & (centres < bottom)
        heights = stats[inside, cv2.CC_STAT_HEIGHT]
        tall = heights >= 0.4 * (bottom - top)
        if tall.sum() < 3:
            continue
        aspect = float(np.median(stats[inside, cv2.CC_STAT_WIDTH][tall] / heights[tall]))
        devanagari = aspect > DEVANAGARI_MIN_ASPECT
        if devanagari:
            peak = int(np.argmax(rows)) / max(1, rows.size - 1)
            vote = 1.0 - 2.0 * peak
        else:
            core = np.flatnonzero(rows >= 0.45 * rows.max())
            above, below = rows[: core[0]].sum(), rows[core[-1] + 1 :].sum()
            vote = float((above - below) / max(above + below, 1.0))
        votes.append((vote, float(rows.sum()), devanagari))
    return votes


def _upside_down(votes: list[tuple[float, float, bool]]) -> tuple[bool, float]:
    if len(votes) < 2:
        return False, 0.0
    values = np.array([v for v, _, _ in votes])
    weights = np.array([w for _, w, _ in votes])
    mean = float(np.average(values, weights=weights))
    agreement = float(weights[np.sign(values) == np.sign(mean)].sum() / weights.sum())
    confidence = min(1.0, abs(mean) / 0.3) * max(0.0, 2.0 * agreement - 1.0) * min(1.0, len(votes) / 5)
    return mean < 0, round(confidence, 3)


def guess_upside_down(image: np.ndarray) -> tuple[bool, float]:
    """Whether a page with horizontal lines is upside down, and a confidence 0..1 (low: ask OSD)."""
    return _upside_down(_line_votes(image))


@dataclass(frozen=True)
class Layout:
    """What one cheap look at a page tells: the clockwise turn that makes it upright, how sure
    that is (0..1), and the share of its text lines (by ink) that look Devanagari."""

    rotate: int
    confidence: float
    devanagari: float
    skew: float = 0.0  # the skew the page has once turned upright (see `estimate_skew`)


def guess_layout(image: np.ndarray) -> Layout:
    """Orientation (0, 90, 180, 270) and script share from the text lines, with no OCR at all."""
    small, _ = downscale(image, LINE_VOTE_LONG_SIDE)  # every measurement here works at this size
    axis, axis_confidence, skew = _text_axis(small)
    upright = rotate(small, axis) if axis else small
    votes = _line_votes(upright, skew)
    flipped, flip_confidence = _upside_down(votes)
    turn = (axis + (180 if flipped else 0)) % 360
    total = sum(w for _, w, _ in votes)
    share = sum(w for _, w, d in votes if d) / total if total else 0.0
    return Layout(turn, round(axis_confidence * flip_confidence, 3), round(share, 3), round(skew, 2))


def guess_orientation(image: np.ndarray) -> tuple[int, float]:
    """Clockwise turn (0, 90, 180, 270) that makes the page upright, with a confidence 0..1."""
    layout = guess_layout(image)
    return layout.rotate, layout.confidence


# ---------------------------------------------------------------------------------------------
# cleaning steps


def _background(image: np.ndarray) -> np.ndarray:
    """The paper's brightness everywhere: text closed away on a small copy, smoothed, scaled back up."""
    small, _ = downscale(image, 500)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(max(small.shape) / 45),) * 2)
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    smooth = cv2.GaussianBlur(closed, (0, 0), max(1.0, max(small.shape) / 150))
    h, w = image.shape
    return cv2.resize(smooth, (w, h), interpolation=cv2.INTER_LINEAR)


def _flatten(image: np.ndarray) -> np.ndarray:
    """The page divided by its background: paper at about PAPER_LEVEL everywhere, ink in proportion."""
    background = _background(image)
    paper = _percentile(background, 90)
    # a very dark "background" is a border or a picture, not shaded paper: do not brighten it
    floor = np.uint8(max(1, int(paper * 0.35)))
    return cv2.divide(image, np.maximum(background, floor), scale=PAPER_LEVEL)


def normalise_background(image: np.ndarray) -> np.ndarray:
    """Even out uneven light (divide by the paper's brightness), then stretch: paper white, ink dark."""
    if min(image.shape) < 8:
        return image.copy()
    return _stretch(_flatten(image))


def _stretch(flat: np.ndarray) -> np.ndarray:
    """Map paper (with its noise) to 255 and the darkest ink to 0 with one lookup table."""
    paper = _percentile(flat, 50)
    sample = flat[:: max(1, flat.shape[0] // 400), :: max(1, flat.shape[1] // 400)]
    near_paper = sample[sample >= paper * 0.75].astype(np.float32)
    spread = 1.4826 * float(np.median(np.abs(near_paper - paper))) if near_paper.size else 0.0
    high = max(paper * 0.6, paper - 2.5 * spread, 1.0)
    dark = sample[sample < paper * 0.5]
    low = float(np.percentile(dark, 5)) if dark.size > 20 else 0.0
    low = min(low, high * 0.5)
    levels = np.arange(256, dtype=np.float32)
    table = np.clip((levels - low) * 255.0 / max(high - low, 1.0), 0, 255).astype(np.uint8)
    return cv2.LUT(flat, table)


def noise_level(image: np.ndarray) -> tuple[float, float]:
    """Grey noise sigma (median deviation from the 5x5 local mean) and the fraction of salt-and-pepper pixels.

    The local-mean residual also sees the blotchy noise JPEG leaves behind. Paper noise is clipped
    at 255 on a bright page, so measure a flattened page (`clean_page` does) for a fair figure.
    """
    if min(image.shape) < 5:
        return 0.0, 0.0
    if image.shape[0] > 512:  # a quarter of the page, in bands, is plenty and four times cheaper
        image = np.concatenate([image[top : top + 32] for top in range(0, image.shape[0] - 31, 128)])
    residual = cv2.absdiff(image, cv2.blur(image, (5, 5)))
    sigma = 1.4826 * _percentile(residual, 50)
    ring = np.ones((3, 3), np.uint8)
    ring[1, 1] = 0
    darkest_neighbour, brightest_neighbour = cv2.erode(image, ring), cv2.dilate(image, ring)
    lone_dark = cv2.subtract(darkest_neighbour, image) > 100
    lone_bright = cv2.subtract(image, brightest_neighbour) > 100
    impulses = float(np.count_nonzero(lone_dark | lone_bright)) / image.size
    return sigma, impulses


def denoise(image: np.ndarray) -> np.ndarray:
    """Remove grey speckle and salt-and-pepper with a 3x3 median when the page is noisy; else unchanged."""
    out, _ = _denoise(image)
    return out


def _denoise(image: np.ndarray) -> tuple[np.ndarray, bool]:
    sigma, impulses = noise_level(image)
    if sigma < NOISE_SIGMA_TO_DENOISE and impulses < IMPULSE_FRACTION_TO_DENOISE:
        return image.copy(), False
    # 3x3, whatever the resolution: a 5x5 median cleared heavy grain a little better in the Noto
    # and Lohit faces of dak's samples (0.5% vs 0.7% CER at noise 0.1), but it ate the thin strokes
    # of other faces (bench/fonts.py: 4.7% -> 4.2% CER with 3x3; Samanata 8.4 -> 5.7%)
    return cv2.medianBlur(image, 3), True


SHEET_EDGE_DARKER = 0.8  # an image edge this much darker than the paper is a table round the sheet
SHEET_MIN_AREA = 0.35  # a found sheet covers at least this share of the photo
SHEET_MAX_AREA = 0.985  # ... and less than this (else there is nothing to crop)
SHEET_MAX_SURROUND_INK = 0.01  # share of the surround that may look like text
SHEET_INSET = 0.004  # share of the sheet's size trimmed inside its found edges


def find_sheet(image: np.ndarray) -> np.ndarray | None:
    """The corners of the sheet in a phone photo or a scan with a dim surround, else None.

    Corners (top-left, top-right, bottom-right, bottom-left) in the image's pixels, as float32.
    A flat scan, whose edges are as bright as its paper, costs only a look at the edges.
    """
    h, w = image.shape
    if min(h, w) < 64:
        return None
    step = max(1, min(h, w) // 400)
    paper = _percentile(image[::step, ::step], 90)
    edge = max(2, min(h, w) // 200)
    sides = (image[:edge, ::step], image[-edge:, ::step], image[::step, :edge], image[::step, -edge:])
    # a skewed photo can show a sliver of something bright at a corner: a quarter of the edge will do
    dim = sum(_percentile(side, 25) < SHEET_EDGE_DARKER * paper for side in sides)
    if dim < 3:
        return None
    small, scale = downscale(image, 800)
    sh, sw = small.shape
    # close the text away so the sheet is one bright blob, then split sheet from surround
    size = _odd(max(sh, sw) / 40)
    padded = cv2.copyMakeBorder(small, size, size, size, size, cv2.BORDER_REPLICATE)  # keep thin edges
    closed = cv2.morphologyEx(
        padded, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    )
    closed = closed[size:-size, size:-size]
    closed = cv2.GaussianBlur(closed, (5, 5), 0)
    _, bright = cv2.threshold(closed, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # open with a wide kernel: bright slivers at the photo's corners (a skewed shot) come away
    # from the sheet; that rounds the sheet's corners, so they are found again from its sides
    reach = _odd(max(sh, sw) / 25)
    bright = cv2.morphologyEx(
        bright, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach))
    )
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(outline)
    perimeter = cv2.arcLength(hull, True)
    quad = None
    for share in (0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, share * perimeter, True)
        if len(approx) == 4:
            quad = _sides_meet(approx.reshape(4, 2).astype(np.float32), outline.reshape(-1, 2), reach)
            break
    if quad is None:
        return None
    area = cv2.contourArea(quad) / float(sh * sw)
    if not SHEET_MIN_AREA <= area <= SHEET_MAX_AREA:
        return None
    # a photographed sheet shows the table on three sides at least; paper in a lid's shadow,
    # or a scanner border along two edges, leaves the found "sheet" against two or more edges
    margin = 0.003 * max(sh, sw)
    xs, ys = quad[:, 0], quad[:, 1]
    inset = (xs.min() > margin, ys.min() > margin, xs.max() < sw - 1 - margin, ys.max() < sh - 1 - margin)
    if sum(inset) < 3:
        return None
    inside = np.zeros((sh, sw), np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 1)
    outside = cv2.erode(1 - inside, np.ones((5, 5), np.uint8))
    if outside.sum() < 0.005 * sh * sw:
        return None
    paper_in = float(np.median(closed[inside > 0]))
    surround = closed[outside > 0]
    # the surround is plainly darker than the sheet (a table, not paper in a lid's shadow)
    if float(np.median(surround)) > SHEET_EDGE_DARKER * paper_in:
        return None
    if _ink_mask(small)[outside > 0].mean() > SHEET_MAX_SURROUND_INK:  # text out there: not a table
        return None
    return _order_corners(quad / scale)


def _sides_meet(quad: np.ndarray, outline: np.ndarray, reach: float) -> np.ndarray | None:
    """Corners where straight lines fitted to the outline along each side of `quad` cross."""
    points = outline.astype(np.float32)
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        ab = b - a
        length = float(np.hypot(*ab))
        if length < 4 * reach:
            return None
        along = ((points - a) @ ab) / length
        across = np.abs((points[:, 0] - a[0]) * ab[1] - (points[:, 1] - a[1]) * ab[0]) / length
        near = (along > reach) & (along < length - reach) & (across < reach / 2)
        if near.sum() < 10:
            return None
        vx, vy, x0, y0 = cv2.fitLine(points[near], cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((float(vx), float(vy), float(x0), float(y0)))
    corners = []
    for i in range(4):
        (ax, ay, ax0, ay0), (bx, by, bx0, by0) = lines[i - 1], lines[i]
        det = ax * by - ay * bx
        if abs(det) < 0.2:  # sides nearly parallel: not a quadrilateral sheet
            return None
        t = ((bx0 - ax0) * by - (by0 - ay0) * bx) / det
        corners.append((ax0 + t * ax, ay0 + t * ay))
    return np.array(corners, dtype=np.float32)


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    total, diff = points.sum(axis=1), points[:, 1] - points[:, 0]
    return np.array(
        [
            points[np.argmin(total)],
            points[np.argmin(diff)],
            points[np.argmax(total)],
            points[np.argmax(diff)],
        ],
        dtype=np.float32,
    )


def unwarp_sheet(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The sheet inside `corners` warped to an upright rectangle (keystone undone), surround cut away."""
    tl, tr, br, bl = corners.astype(np.float64)
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    inset_x, inset_y = SHEET_INSET * width, SHEET_INSET * height
    out_w, out_h = int(round(width - 2 * inset_x)), int(round(height - 2 * inset_y))
    target = np.array(
        [
            [-inset_x, -inset_y],
            [out_w + inset_x, -inset_y],
            [out_w + inset_x, out_h + inset_y],
            [-inset_x, out_h + inset_y],
        ],
        dtype=np.float32,
    )
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(
        image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )


def crop_to_sheet(image: np.ndarray) -> tuple[np.ndarray, bool]:
    """`unwarp_sheet` when `find_sheet` finds a sheet in a dim surround; else the page as it is."""
    corners = find_sheet(image)
    if corners is None:
        return image, False
    return unwarp_sheet(image, corners), True


def remove_borders(image: np.ndarray, *, dpi: float | None = None) -> np.ndarray:
    """Paint over dark scanner borders (dark areas touching an edge) and punch holes in the paper's shade."""
    out, _ = _remove_borders(image, dpi)
    return out


def _remove_borders(image: np.ndarray, dpi: float | None) -> tuple[np.ndarray, bool]:
    h, w = image.shape
    if min(h, w) < 16:
        return image.copy(), False
    small, scale = downscale(image, 1000)
    sh, sw = small.shape
    dark = (_flatten(small) < 0.5 * PAPER_LEVEL).astype(np.uint8)  # judged against the local paper
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(dark, connectivity=8)
    if count <= 1:
        return image.copy(), False
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    bw, bh, area = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
    px_per_mm = (dpi or estimate_dpi(image)) * scale / 25.4
    touches = (x == 0) | (y == 0) | (x + bw >= sw) | (y + bh >= sh)
    border = touches & (area >= (2.0 * px_per_mm) ** 2)
    cx, cy = centroids[:, 0], centroids[:, 1]
    reach = HOLE_MAX_EDGE_MM * px_per_mm  # filing punches sit about 12 mm from the edge
    in_margin = (cx < reach) | (cx > sw - reach) | (cy < reach) | (cy > sh - reach)
    diameter = np.maximum(bw, bh)
    round_ = (
        (np.minimum(bw, bh) >= 0.8 * diameter)
        & (area >= 0.68 * bw * bh)  # a filled disc covers pi/4 = 0.785 of its box
        & (area <= 0.9 * bw * bh)
        & (diameter >= HOLE_DIAMETER_MM[0] * px_per_mm)
        & (diameter <= HOLE_DIAMETER_MM[1] * px_per_mm)
    )
    holes = [i for i in np.flatnonzero(in_margin & round_ & ~border) if _isolated(dark, stats[i])]
    wipe = border.copy()
    wipe[holes] = True
    wipe[0] = False
    if not wipe.any():
        return image.copy(), False
    mask = wipe[labels].astype(np.uint8) * 255
    grow = max(1, int(round(1.0 * px_per_mm)))
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1,) * 2))
    fill = _paper_under(small, mask, px_per_mm)
    if scale < 1.0:
        mask = cv2.resize(mask, (w, h), interpolation=cv2.INTER_NEAREST)
        fill = cv2.resize(fill, (w, h), interpolation=cv2.INTER_LINEAR)
    out = image.copy()
    np.copyto(out, fill, where=mask > 0)
    return out, True


def _isolated(dark: np.ndarray, stat: np.ndarray) -> bool:
    """True if nothing else dark lies within half a diameter of this blob (a hole, not a bold letter)."""
    x, y, w, h, area = (int(v) for v in stat[:5])
    reach = max(w, h) // 2 + 1
    box = dark[max(0, y - reach) : y + h + reach, max(0, x - reach) : x + w + reach]
    return int(box.sum()) - area <= 0.1 * area


def _paper_under(small: np.ndarray, mask: np.ndarray, px_per_mm: float) -> np.ndarray:
    """The paper's shade carried in from around `mask`, to paint over it.

    Painting pure white beside shaded paper would leave a bright patch whose edge the background
    step later turns into a grey line; the neighbouring paper's own shade leaves no edge.
    """
    paper = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(3 * px_per_mm),) * 2)
    )
    keep = (mask == 0).astype(np.float32)
    sigma = max(3.0, max(small.shape) / 40)
    # the blur is wide: a quarter-size copy gives the same smooth shade for a sixteenth of the work
    quarter = (max(1, small.shape[1] // 4), max(1, small.shape[0] // 4))
    size = (small.shape[1], small.shape[0])
    near, weight = (
        cv2.resize(
            cv2.GaussianBlur(cv2.resize(layer, quarter, interpolation=cv2.INTER_AREA), (0, 0), sigma / 4),
            size,
            interpolation=cv2.INTER_LINEAR,
        )
        for layer in (paper.astype(np.float32) * keep, keep)
    )
    level = _percentile(small, 90)
    fill = (near + 0.02 * level) / (weight + 0.02)
    return np.clip(fill, 0, 255).astype(np.uint8)


def binarise(image: np.ndarray, *, window: int | None = None, k: float = 0.2) -> np.ndarray:
    """Black text on white (only 0 and 255) by Sauvola's local threshold; best on a normalised page.

    The threshold surface is smooth at the scale of the window, so it is computed on a half-size
    copy and scaled back up: a quarter of the work for the same result.
    """
    h, w = image.shape
    if min(h, w) < 8:
        return np.where(image > 127, 255, 0).astype(np.uint8)
    size = window or _odd(estimate_dpi(image) / 7)
    half = _halve(image)
    size = min(_odd(size / 2), _odd(min(half.shape) - 2))
    border = cv2.BORDER_REFLECT
    mean: np.ndarray = np.asarray(cv2.boxFilter(half, cv2.CV_32F, (size, size), borderType=border))
    # threshold = mean * (std * k / 128 + 1 - k), worked out in place: no temporaries to allocate
    threshold: np.ndarray = np.asarray(cv2.sqrBoxFilter(half, cv2.CV_32F, (size, size), borderType=border))
    threshold -= mean * mean
    np.maximum(threshold, 0.0, out=threshold)
    np.sqrt(threshold, out=threshold)  # the local standard deviation
    threshold *= k / 128.0
    threshold += 1.0 - k
    threshold *= mean
    np.clip(threshold, 0, 255, out=threshold)
    surface = cv2.resize(threshold.astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.compare(image, surface, cv2.CMP_GT)


# ---------------------------------------------------------------------------------------------
# the chain


def clean_page(
    image: np.ndarray,
    *,
    binarise_output: bool = True,
    dpi: float | None = None,
    sheet: bool = True,
    skew: float | None = None,
) -> Cleaned:
    """The sheet cut out of a photo's surround (unless `sheet` is False), borders and holes, background, noise, skew, then binarisation: the order that suits tesseract.

    Noise is judged on the flattened page before the contrast stretch, which would hide paper
    speckle (not ink speckle) by pushing it to white. `skew` is the page's skew if already
    measured (`guess_layout` measures it on the same kind of ink mask at the same scale, to
    within 0.05 degrees of a second search here): it is used as it is.
    """
    image = _to_gray_u8(np.asarray(image))
    steps: list[str] = []
    if min(image.shape) < 16:
        out = binarise(image) if binarise_output else image.copy()
        return Cleaned(out, 0.0, ("binarise",) if binarise_output else ())
    if sheet:
        image, changed = crop_to_sheet(image)
        if changed:
            steps.append("sheet")
    image, changed = _remove_borders(image, dpi)
    if changed:
        steps.append("borders")
    flat = _flatten(image)
    steps.append("normalise")
    flat, changed = _denoise(flat)
    if changed:
        steps.append("denoise")
    image = _stretch(flat)
    if skew is None:
        skew = estimate_skew(image)
    if abs(skew) >= MIN_SKEW_TO_CORRECT:
        image = deskew(image, skew)
        steps.append("deskew")
    else:
        skew = 0.0
    if binarise_output:
        image = binarise(image)
        steps.append("binarise")
    return Cleaned(image, skew, tuple(steps))
