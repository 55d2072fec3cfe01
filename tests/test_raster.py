from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from pipeline.config import LimitSettings
from pipeline.intake import take_in
from pipeline.raster import join_lines, rasterise
from tests.conftest import make_text_pdf, pdf_file, render_lines

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


LETTER = ["Office of the Collector, Hisar", "Subject: Annual inspection of records in the Dak section"]


SCANNER_LINE = "BT /F1 6 Tf 400 20 Td (Scanned 08-12-2026 10:42) Tj ET"


@pytest.mark.parametrize(
    ("before", "trusted"),
    [
        ("3 Tr", False),
        ("7 Tr", False),
        (f"{SCANNER_LINE} 3 Tr", False),
        ("q 3 Tr Q", True),
        ("0 Tr", True),
        ("BT 3 Tr (hidden) Tj ET 0 Tr", True),
    ],
    ids=[
        "invisible",
        "invisible-clip",
        "invisible-under-a-printed-line",
        "invisible-undone-by-Q",
        "painted",
        "painted-with-a-hidden-word",
    ],
)
def test_invisible_text_is_an_ocr_layer_not_the_letters_text(
    tmp_path: Path, before: str, trusted: bool
) -> None:
    document = take_in(make_text_pdf(tmp_path / "layer.pdf", LETTER, before=before), LIMITS)
    page = next(iter(rasterise(document, tmp_path / "work", 100, LIMITS)))
    assert (page.text_layer is not None) is trusted


def test_a_scanners_searchable_pdf_is_read_again(tmp_path: Path) -> None:
    """Tesseract's own searchable PDF (page image under invisible text) is what scanners make."""
    image = tmp_path / "scan.png"
    render_lines(["Government of Haryana", *LETTER], dpi=150).save(image, dpi=(150, 150))
    subprocess.run(
        ["tesseract", str(image), str(tmp_path / "scan"), "-l", "eng", "pdf"], check=True, capture_output=True
    )
    assert (
        "Annual"
        in subprocess.run(
            ["pdftotext", str(tmp_path / "scan.pdf"), "-"], check=True, capture_output=True, text=True
        ).stdout
    )
    page = next(iter(rasterise(take_in(tmp_path / "scan.pdf", LIMITS), tmp_path / "work", 150, LIMITS)))
    assert page.text_layer is None


def test_text_in_a_legacy_hindi_font_is_not_trusted(tmp_path: Path) -> None:
    """Kruti Dev types विषय as `fo"k;`: the page must be read from its image."""
    hindi = ['fo"k; & okf"kZd fujh{k.k ds lEca/k esa', 'mi;qZDr fo"k; ij funs"kkuqlkj dk;Zokgh dh tk;sA']
    document = take_in(make_text_pdf(tmp_path / "kruti.pdf", hindi, font="ABCDEF+KrutiDev010"), LIMITS)
    assert next(iter(rasterise(document, tmp_path / "work", 100, LIMITS))).text_layer is None
    document = take_in(make_text_pdf(tmp_path / "plain.pdf", hindi), LIMITS)
    assert next(iter(rasterise(document, tmp_path / "work2", 100, LIMITS))).text_layer is not None


def test_text_without_unicode_is_not_trusted(tmp_path: Path) -> None:
    """A font whose ToUnicode map sends some glyphs (here capitals, figures, spaces) to the private use area."""
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Odd def "
        "1 begincodespacerange <00> <FF> endcodespacerange "
        "1 beginbfrange <20> <5A> <E020> endbfrange endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    path = make_text_pdf(
        tmp_path / "odd.pdf",
        LETTER,
        font_extra="/ToUnicode 6 0 R ",
        extra_objects=(f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream",),
    )
    page = next(iter(rasterise(take_in(path, LIMITS), tmp_path / "work", 100, LIMITS)))
    assert page.text_layer is None


def test_gaps_on_the_page_become_blank_lines_so_a_subject_ends_where_the_body_begins(tmp_path: Path) -> None:
    from pipeline.extract import extract_letter

    lines = [
        "Office of the Collector, Hisar",
        "No. 12/Estt/2026",
        "",
        "Subject: Biometric attendance of all employees",
    ]
    lines += ["", "It has been observed that several employees are not marking their attendance"]
    lines += ["through the biometric system and all of them shall now mark it without fail."]
    page = next(
        iter(
            rasterise(take_in(make_text_pdf(tmp_path / "c.pdf", lines), LIMITS), tmp_path / "w", 100, LIMITS)
        )
    )
    assert page.text_layer is not None
    assert "employees\n\nIt has been observed" in page.text_layer
    assert "attendance\nthrough the biometric" in page.text_layer  # a line of the same paragraph: no gap
    assert extract_letter(page.text_layer).subject == "Biometric attendance of all employees"


# codes a hand-made font maps to Devanagari, as a Hindi PDF's font does; `h` maps to a control code
HINDI_CODES = {"a": "0939", "b": "0930", "c": "093F", "d": "092F", "e": "093E", "f": "0923", "h": "0003"}
HINDI_CODES |= {"i": "0938", "j": "0915", "k": "0932", " ": "0020"}


def _hindi_pdf(path: Path, lines: list[str]) -> Path:
    entries = " ".join(f"<{ord(code):02X}> <{value}>" for code, value in HINDI_CODES.items())
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Hindi def "
        "1 begincodespacerange <00> <FF> endcodespacerange "
        f"{len(HINDI_CODES)} beginbfchar {entries} endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    return make_text_pdf(
        path,
        lines,
        font_extra="/ToUnicode 6 0 R ",
        extra_objects=(f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream",),
    )


WHOLE = "abcdefe ibjeb"  # हरियाणा सरकार


@pytest.mark.parametrize(
    ("broken", "trusted"),
    [(WHOLE, True), ("abchdefe ibjeb", False), ("cabdefe ibjeb", False), ("aefe ibjeb", True)],
    ids=["whole", "glyph-mapped-to-a-control-code", "i-sign-before-its-consonant", "a-typing-slip"],
)
def test_devanagari_its_fonts_broke_apart_is_read_from_the_image(
    tmp_path: Path, broken: str, trusted: bool
) -> None:
    """हरियाणा सरकार as a font maps it: whole, with a glyph mapped to U+0003 (too few to trip the
    unmapped-character share), or in visual order (िहरयाणा), on two lines of ten."""
    path = _hindi_pdf(tmp_path / "hindi.pdf", [broken] * 2 + [WHOLE] * 8)
    page = next(iter(rasterise(take_in(path, LIMITS), tmp_path / "work", 100, LIMITS)))
    assert (page.text_layer is not None) is trusted
    if trusted:
        assert "हरियाणा सरकार" in page.text_layer


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


def test_join_lines_puts_blank_lines_at_the_pages_gaps() -> None:
    lines = [
        ("Head", 800.0),
        ("Subject: a", 760.0),
        ("wrapped", 746.0),
        ("Body one", 728.0),
        ("body two", 714.0),
    ]
    lines += [("th", 712.0), ("Foot", 500.0), ("Right column", 790.0), ("", None)]
    assert join_lines(lines).split("\n") == [
        "Head",
        "",
        "Subject: a",
        "wrapped",  # the paragraph's own step (14): no gap
        "",
        "Body one",  # 18 is more than 1.2 steps
        "body two",
        "th",  # a 2-point sliver (a superscript) is neither a gap nor the line step
        "",
        "Foot",
        "",
        "Right column",  # back up the page: another block
        "",
    ]


@pytest.mark.parametrize(
    ("mode", "trusted"), [(3, False), (0, True)], ids=["hidden-in-a-form", "painted-in-a-form"]
)
def test_text_drawn_inside_a_form_xobject_counts_too(tmp_path: Path, mode: int, trusted: bool) -> None:
    """Producers often draw a page's text inside a form XObject the page only calls (`/Fm0 Do`)."""
    text = " ".join(f"({line}) Tj T*" for line in LETTER * 2)
    form = f"{mode} Tr BT /F1 12 Tf 72 760 Td 16 TL {text} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Fm0 6 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        "<< /Length 8 >>\nstream\n/Fm0 Do\nendstream",
        f"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        f"/Length {len(form)} >>\nstream\n{form}\nendstream",
    ]
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf_file(objects))
    page = next(iter(rasterise(take_in(path, LIMITS), tmp_path / "work", 100, LIMITS)))
    assert (page.text_layer is not None) is trusted
