"""Shared fixtures: real files made on the fly (images, image-only PDFs, born-digital PDFs)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

os.environ["OMP_THREAD_LIMIT"] = "1"

# A shell starts a background job (`make test &`) with Ctrl-C ignored, and an ignored signal stays
# ignored in every program the tests start: the interrupt and shutdown tests would then see dak
# ignore Ctrl-C. A handler, unlike "ignore", is reset to the default in a started program.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEVANAGARI_FONT = "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf"


def render_lines(lines: list[str], *, font: str = LATIN_FONT, size: int = 42, dpi: int = 300) -> Image.Image:
    """A white A4 page at `dpi` with the lines typed on it (Devanagari shaped by raqm)."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    face = ImageFont.truetype(font, size, layout_engine=ImageFont.Layout.RAQM)
    y = round(1.2 * dpi)
    for line in lines:
        draw.text((round(0.9 * dpi), y), line, font=face, fill=0)
        y += round(size * 1.9)
    page.info["dpi"] = (dpi, dpi)
    return page


def pdf_file(objects: list[str], version: str = "1.7") -> bytes:
    """A PDF made of `objects` (numbered from 1; object 1 is the catalog) with a correct xref table."""
    out = f"%PDF-{version}\n".encode()
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def make_text_pdf(
    path: Path,
    lines: list[str],
    *,
    before: str = "",
    font: str = "Helvetica",
    font_extra: str = "",
    extra_objects: tuple[str, ...] = (),
) -> Path:
    """A born-digital one-page PDF (Helvetica text), written by hand with a correct xref table.

    `before` goes ahead of the text in the content stream (`3 Tr` makes it invisible, as an OCR
    layer is); `font`, `font_extra` and `extra_objects` (numbered from 6) change the font.
    """
    content = f"{before} BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(
        f"({line.replace('(', '[').replace(')', ']')}) Tj T*" for line in lines
    )
    content += " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        f"<< /Type /Font /Subtype /Type1 /BaseFont /{font} /Encoding /WinAnsiEncoding {font_extra}>>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        *extra_objects,
    ]
    path.write_bytes(pdf_file(objects, version="1.4"))
    return path


ENGLISH_LETTER = [
    "Government of Haryana",
    "Office of the Deputy Commissioner, Hisar",
    "No. 1234/DC/2026        Dated: 14.02.2026",
    "To The Director General, Revenue Department",
    "Subject: Supply of drinking water to village schools",
    "Sir, kindly arrange tankers for the schools listed below.",
]


@pytest.fixture
def english_page() -> Image.Image:
    return render_lines(ENGLISH_LETTER)


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One Prefect test server for the whole session, shared with `dak` subprocesses via PREFECT_API_URL."""
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        url = str(PREFECT_API_URL.value())
        os.environ["PREFECT_API_URL"] = url
        yield url
        os.environ.pop("PREFECT_API_URL", None)


@pytest.fixture
def dak_env(tmp_path: Path, prefect_api: str) -> dict[str, str]:
    """Environment for running `dak` on a fresh data directory against the session's Prefect server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAK_")}
    env.update({"DAK_HOME": str(tmp_path / "dak-data"), "PREFECT_API_URL": prefect_api})
    return env
