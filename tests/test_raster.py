from __future__ import annotations

from pathlib import Path

from PIL import Image

from pipeline.config import LimitSettings
from pipeline.intake import take_in
from pipeline.raster import rasterise
from tests.conftest import make_text_pdf

LIMITS = LimitSettings()


def test_born_digital_pdf_keeps_its_text(tmp_path: Path) -> None:
    lines = ["Office of the Collector, Hisar", "Subject: Annual inspection of records in the Dak section"]
    document = take_in(make_text_pdf(tmp_path / "digital.pdf", lines), LIMITS)
    pages = list(rasterise(document, tmp_path / "work", 100, LIMITS))
    assert len(pages) == 1
    assert pages[0].text_layer is not None
    assert "Annual inspection" in pages[0].text_layer
    with Image.open(pages[0].image) as image:
        assert image.mode == "L"
        assert abs(image.width - 595 / 72 * 100) <= 1.5
        assert abs(image.height - 842 / 72 * 100) <= 1.5


def test_image_only_pdf_pages_are_rasterised_at_dpi(tmp_path: Path) -> None:
    scans = [Image.new("L", (827, 1169), 255) for _ in range(2)]  # A4 at 100 dpi
    path = tmp_path / "scan.pdf"
    scans[0].save(path, save_all=True, append_images=scans[1:], resolution=100)
    document = take_in(path, LIMITS)
    pages = list(rasterise(document, tmp_path / "work", 150, LIMITS))
    assert [p.number for p in pages] == [1, 2]
    assert all(p.text_layer is None and p.dpi == 150 for p in pages)
    with Image.open(pages[1].image) as image:
        assert abs(image.width - 1240) <= 2


def test_low_resolution_scan_is_brought_to_working_dpi(tmp_path: Path) -> None:
    path = tmp_path / "phone.png"
    Image.new("L", (1240, 1754), 255).save(path, dpi=(150, 150))
    pages = list(rasterise(take_in(path, LIMITS), tmp_path / "work", 300, LIMITS))
    assert pages[0].dpi == 300
    with Image.open(pages[0].image) as image:
        assert image.size == (2480, 3508)


def test_multipage_tiff_gives_every_page(tmp_path: Path) -> None:
    frames = [Image.new("1", (850, 1100), 1) for _ in range(3)]
    path = tmp_path / "fax.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="group4", dpi=(100, 100))
    pages = list(rasterise(take_in(path, LIMITS), tmp_path / "work", 100, LIMITS))
    assert len(pages) == 3
    assert all(Image.open(p.image).mode == "L" for p in pages)


def test_oversized_page_is_rendered_at_lower_dpi(tmp_path: Path) -> None:
    path = tmp_path / "map.png"
    Image.new("L", (3000, 3000), 255).save(path, dpi=(100, 100))  # 30 x 30 inches
    pages = list(
        rasterise(take_in(path, LIMITS), tmp_path / "work", 300, LimitSettings(max_pixels=6_000_000))
    )
    with Image.open(pages[0].image) as image:
        assert image.width * image.height <= 6_000_000
