"""The visible stamp lands in an empty margin of page 1: rendered before and after signing, no ink is covered."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.config import SigningSettings
from pipeline.sign import DakSigner, load_signer, sign_pdf, verify_pdf
from pipeline.stamp import CLEARANCE_PT, STAMP_HEIGHT_PT, STAMP_WIDTH_PT, DiaryStamp, find_stamp_box
from tests.conftest import pdf_file
from tests.test_sign import diary_stamp, make_two_page_pdf

DPI = 72  # one pixel per point


def make_pdf(lines: list[tuple[float, float, int, str]], width: int = 595, height: int = 842) -> bytes:
    """A one-page PDF with Helvetica text at (x, y, size, text) positions, written by hand."""
    content = "\n".join(f"BT /F1 {size} Tf {x} {y} Td ({text}) Tj ET" for x, y, size, text in lines)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Resources << /Font << /F1 5 0 R >> >>"
        " /Contents 4 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return pdf_file(objects)


def render(pdf: Path, tmp_path: Path) -> np.ndarray:
    """Page 1 as an ink mask (True = dark), top row first, one pixel per point."""
    prefix = tmp_path / f"{pdf.stem}-render"
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
        check=True,
    )
    return np.asarray(Image.open(f"{prefix}.png").convert("L")) < 200


def _window(mask: np.ndarray, box: tuple[float, float, float, float], pad: float = 0.0) -> np.ndarray:
    height = mask.shape[0]
    x1, y1, x2, y2 = box
    return mask[
        max(0, int(height - y2 - pad)) : int(np.ceil(height - y1 + pad)),
        max(0, int(x1 - pad)) : int(np.ceil(x2 + pad)),
    ]


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> DakSigner:
    return load_signer(SigningSettings(), tmp_path_factory.mktemp("keys"), "District Office Hisar")


LETTERS = {
    # A letterhead across the top right (where a stamp usually goes) and a full body.
    "letterhead_top_right": [
        (330, 800, 16, "GOVERNMENT OF HARYANA"),
        (330, 780, 12, "Office of the Deputy Commissioner"),
    ]
    + [
        (72, 700 - 14 * i, 11, "Body text of the letter that runs across the page width " * 1)
        for i in range(40)
    ],
    # Text everywhere in the top band; the bottom margin is the clean one.
    "busy_top": [(20 + 190 * c, 820 - 14 * r, 10, "Heading text block") for c in range(3) for r in range(8)]
    + [(x, 650 - 14 * i, 11, "Body text of the letter that runs") for i in range(35) for x in (40, 300)],
}


@pytest.mark.parametrize("letter", sorted(LETTERS))
def test_stamp_never_covers_text(letter: str, signer: DakSigner, tmp_path: Path) -> None:
    unsigned = tmp_path / f"{letter}.pdf"
    unsigned.write_bytes(make_pdf(LETTERS[letter]))
    before = render(unsigned, tmp_path)
    box = find_stamp_box(before, 595, 842, STAMP_WIDTH_PT, STAMP_HEIGHT_PT)
    assert not _window(before, box, pad=CLEARANCE_PT - 1).any(), "the chosen box has text under it"

    signed = tmp_path / f"{letter}-signed.pdf"
    stamp = diary_stamp(signer.subject)
    sign_pdf(unsigned.read_bytes(), signed, signer, stamp, box)
    assert verify_pdf(signed, signer.trust_roots).valid
    after = render(signed, tmp_path)

    assert _window(after, box).mean() > 0.03  # the stamp is drawn in its box
    outside = after.copy()
    x1, y1, x2, y2 = box
    outside[int(842 - y2) - 1 : int(np.ceil(842 - y1)) + 1, int(x1) - 1 : int(np.ceil(x2)) + 1] = False
    masked_before = before.copy()
    masked_before[int(842 - y2) - 1 : int(np.ceil(842 - y1)) + 1, int(x1) - 1 : int(np.ceil(x2)) + 1] = False
    assert (outside == masked_before).all(), "the stamp changed the page outside its box"
    if letter == "busy_top":
        assert y2 < 200  # the only clean margin is at the bottom


def test_stamp_has_every_field_in_both_scripts(signer: DakSigner, tmp_path: Path) -> None:
    """The stamp's text layer, read back with pdftotext, carries diary no., time, office and signer."""
    signed = tmp_path / "text.pdf"
    stamp = diary_stamp(signer.subject)
    sign_pdf(
        make_pdf([(72, 400, 12, "Body")]),
        signed,
        signer,
        stamp,
        (300.0, 700.0, 300 + STAMP_WIDTH_PT, 700 + STAMP_HEIGHT_PT),
    )
    fonts = subprocess.run(["pdffonts", str(signed)], capture_output=True, text=True, check=True).stdout
    lohit = [line for line in fonts.splitlines() if "Lohit" in line]
    assert len(lohit) == 1 and " yes " in lohit[0]  # one embedded font for Hindi and English
    text = subprocess.run(
        ["pdftotext", "-layout", str(signed), "-"], capture_output=True, text=True, check=True
    ).stdout
    for needle in ("HSR/2026/000042", "23-11-2026 14:05", "District Office Hisar", "Diary No.", "Signed by"):
        assert needle in text, (needle, text)


def test_signing_reuses_the_parsed_key_and_font(signer: DakSigner, tmp_path: Path) -> None:
    """Twenty stamped 2-page signatures in well under two CPU seconds (the target is 25/s; see bench/sign.py)."""
    pdf = make_two_page_pdf()
    stamp = DiaryStamp(
        "HSR/2026/000043", dt.datetime(2026, 11, 23, 14, 6), "District Office Hisar", "", signer.subject
    )
    sign_pdf(pdf, tmp_path / "warm.pdf", signer, stamp)
    start = time.process_time()
    for n in range(20):
        sign_pdf(pdf, tmp_path / f"{n}.pdf", signer, stamp)
    assert time.process_time() - start < 2.0
    assert verify_pdf(tmp_path / "19.pdf", signer.trust_roots).valid
