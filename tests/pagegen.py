"""Synthetic dak pages for the preprocessing tests: known text, then known damage.

Pages are rendered with Pillow (Noto Sans Devanagari through Raqm for Hindi, DejaVu Sans for
English) and degraded the way real scans are: skew, uneven light, noise, JPEG, a dark scanner
border and punch holes. Every damage is a pure function of its arguments, so tests can state the
truth (the angle, the border width) instead of copying numbers from a run.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

DEVANAGARI_FONT = Path("/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf")
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

HINDI_LINES = (
    "भारत सरकार",
    "ग्रामीण विकास मंत्रालय",
    "पत्र संख्या: 12/45/2025-प्रशा",
    "दिनांक: 15 मार्च 2025",
    "विषय: सूचना का अधिकार अधिनियम के अंतर्गत आवेदन",
    "महोदय, उपर्युक्त विषय पर आपका ध्यान आकर्षित किया जाता है",
    "कृपया इस पत्र की प्राप्ति की सूचना शीघ्र भेजने का कष्ट करें",
    "यह आदेश सक्षम अधिकारी के अनुमोदन से जारी किया जाता है",
)
ENGLISH_LINES = (
    "Government of India",
    "Ministry of Rural Development",
    "Letter No. 12/45/2025-Admn dated 15 March 2025",
    "Subject: Application under the Right to Information Act",
    "Sir, I am directed to refer to your letter on the above subject",
    "and to request that the information may be sent within thirty days.",
    "This issues with the approval of the competent authority.",
    "Yours faithfully, Under Secretary to the Government of India",
)


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def render_page(
    lines: tuple[str, ...] = ENGLISH_LINES,
    *,
    devanagari: bool = False,
    size: tuple[int, int] = (1240, 1754),
    font_px: int = 28,
    line_gap: float = 1.9,
    margin: int = 110,
    top: int = 160,
) -> np.ndarray:
    """A white grayscale page with `lines` of black text from `top`, one line per entry."""
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    font = _font(DEVANAGARI_FONT if devanagari else LATIN_FONT, font_px)
    y = top
    for line in lines:
        draw.text((margin, y), line, fill=0, font=font)
        y += int(font_px * line_gap)
    return np.asarray(page, dtype=np.uint8).copy()


def text_block_page(
    *, devanagari: bool, size: tuple[int, int] = (1240, 1754), font_px: int = 28
) -> np.ndarray:
    """A page filled down to its foot with the sample lines repeated, like a long letter."""
    lines = HINDI_LINES if devanagari else ENGLISH_LINES
    rows = max(1, (size[1] - 320) // int(font_px * 1.9))
    return render_page(
        tuple(lines[i % len(lines)] for i in range(rows)), devanagari=devanagari, size=size, font_px=font_px
    )


def skew(image: np.ndarray, degrees_ccw: float) -> np.ndarray:
    """Rotate the page content counter-clockwise by `degrees_ccw`, keeping the page size, white fill."""
    pil = Image.fromarray(image).rotate(degrees_ccw, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return np.asarray(pil, dtype=np.uint8).copy()


def light_gradient(image: np.ndarray, darkest: float = 0.45) -> np.ndarray:
    """Uneven light as from a lifted scanner lid: full light at the left edge, `darkest` at the right."""
    h, w = image.shape
    ramp = np.linspace(1.0, darkest, w, dtype=np.float32)
    shade = np.broadcast_to(ramp, (h, w))
    return np.clip(image.astype(np.float32) * shade, 0, 255).astype(np.uint8)


def gaussian_noise(image: np.ndarray, sigma: float = 18.0, seed: int = 7) -> np.ndarray:
    """Additive grey noise of standard deviation `sigma` grey levels."""
    rng = np.random.default_rng(seed)
    noisy = image.astype(np.float32) + rng.normal(0.0, sigma, image.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def salt_pepper(image: np.ndarray, fraction: float = 0.01, seed: int = 11) -> np.ndarray:
    """Set `fraction` of the pixels to black or white at random."""
    rng = np.random.default_rng(seed)
    out = image.copy()
    hits = rng.random(image.shape)
    out[hits < fraction / 2] = 0
    out[(hits >= fraction / 2) & (hits < fraction)] = 255
    return out


def jpeg(image: np.ndarray, quality: int = 30) -> np.ndarray:
    """Round-trip through JPEG at `quality`, leaving its block and ringing artefacts."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L"), dtype=np.uint8).copy()


def black_border(image: np.ndarray, width: int = 40, level: int = 25) -> np.ndarray:
    """A dark frame `width` pixels wide on all four sides, as when the scanner sees past the paper."""
    out = image.copy()
    out[:width, :] = level
    out[-width:, :] = level
    out[:, :width] = level
    out[:, -width:] = level
    return out


def punch_holes(
    image: np.ndarray, radius: int = 30, level: int = 20
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Two filled dark discs 12 mm from the left edge of an A4 page, as on a filed letter; and centres."""
    out = image.copy()
    h, w = image.shape
    x = max(radius + 5, int(0.058 * w))
    centres = [(x, int(h * 0.38)), (x, int(h * 0.62))]
    yy, xx = np.ogrid[:h, :w]
    for cx, cy in centres:
        out[(xx - cx) ** 2 + (yy - cy) ** 2 <= radius**2] = level
    return out, centres


def stamp(image: np.ndarray, centre: tuple[int, int], radius: int = 90) -> np.ndarray:
    """A round office stamp (two grey rings and a bar): a non-text object skew estimation must ignore."""
    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil)
    cx, cy = centre
    for r in (radius, int(radius * 0.7)):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=90, width=5)
    angle = math.radians(35)
    dx, dy = int(radius * 0.6 * math.cos(angle)), int(radius * 0.6 * math.sin(angle))
    draw.line((cx - dx, cy + dy, cx + dx, cy - dy), fill=90, width=6)
    return np.asarray(pil, dtype=np.uint8).copy()
