from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline import ocr
from pipeline.errors import MissingProgramError
from tests.conftest import DEVANAGARI_FONT, ENGLISH_LETTER, render_lines

HINDI_LINES = [
    "कार्यालय जिला उपायुक्त, हिसार",
    "विषय: विद्यालयों में पेयजल की व्यवस्था",
    "महोदय, कृपया शीघ्र कार्रवाई करें।",
]


def _words(text: str) -> set[str]:
    return {w.strip(".,:;।") for w in text.split()}


def test_read_page_gives_words_confidence_and_searchable_pdf(tmp_path: Path) -> None:
    image = tmp_path / "page.png"
    render_lines(ENGLISH_LETTER).save(image, dpi=(300, 300))
    page = ocr.read_page(image, 1, 300, "eng+hin", tmp_path, timeout=120)
    expected = _words(" ".join(ENGLISH_LETTER))
    found = _words(page.text)
    assert len(expected & found) / len(expected) > 0.9
    assert page.confidence > 0.8
    assert all(0 <= w.confidence <= 1 for w in page.words)
    assert page.pdf is not None and page.pdf.exists()
    layer = PdfReader(page.pdf).pages[0].extract_text()
    assert "drinking water" in layer
    width = float(PdfReader(page.pdf).pages[0].mediabox.width)
    assert abs(width - 8.27 * 72) < 2  # page size follows the image's dpi


def test_hindi_page_reads_devanagari(tmp_path: Path) -> None:
    image = tmp_path / "hindi.png"
    render_lines(HINDI_LINES, font=DEVANAGARI_FONT).save(image, dpi=(300, 300))
    page = ocr.read_page(image, 1, 300, "hin+eng", tmp_path, timeout=120)
    for word in ("कार्यालय", "विषय", "पेयजल", "व्यवस्था"):
        assert word in page.text


def test_orientation_of_a_sideways_page(tmp_path: Path) -> None:
    image = tmp_path / "sideways.png"
    render_lines(ENGLISH_LETTER * 3, size=30, dpi=150).rotate(90, expand=True).save(image)
    found = ocr.detect_orientation(image, dpi=150)
    assert found.rotate == 90  # turned 90 degrees anticlockwise, so 90 clockwise puts it upright
    assert found.script == "Latin"


def test_blank_page_counts_as_upright(tmp_path: Path) -> None:
    image = tmp_path / "blank.png"
    render_lines([], dpi=100).save(image)
    assert ocr.detect_orientation(image, dpi=100).rotate == 0


def test_missing_language_is_a_clear_error() -> None:
    with pytest.raises(MissingProgramError, match="tesseract-ocr-klingon"):
        ocr.check_tesseract("eng+klingon")


def test_languages_follow_the_script() -> None:
    assert ocr.languages_for("Devanagari", "hin+eng") == "Devanagari"  # the script model
    assert ocr.languages_for("Latin", "hin+eng") == "eng+hin"
    assert ocr.languages_for(None, "hin") == "hin"


def test_a_model_list_falls_back_unless_every_model_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ocr.SCRIPT_LANGUAGES, "Devanagari", "Devanagari+klingon|hin")
    assert ocr.languages_for("Devanagari", "eng") == "hin"
    monkeypatch.setitem(ocr.SCRIPT_LANGUAGES, "Devanagari", "Devanagari+hin|hin")
    assert ocr.languages_for("Devanagari", "eng") == "Devanagari+hin"


def test_parse_tsv_orders_lines_and_skips_empty_words() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96.0\tविषय:",
        "5\t1\t1\t1\t1\t2\t70\t10\t50\t20\t90.0\tपेयजल",
        "5\t1\t1\t1\t1\t3\t130\t10\t5\t20\t95.0\t ",
        "4\t1\t1\t1\t2\t0\t10\t40\t200\t20\t-1\t",
        "5\t1\t2\t1\t1\t1\t10\t80\t50\t20\t50.0\tSir",
    ]
    words, text = ocr.parse_tsv("\n".join([header, *rows]))
    assert text == "विषय: पेयजल\n\nSir"
    assert [w.line for w in words] == [0, 0, 1]
    assert ocr.mean_confidence(words) == pytest.approx((0.96 * 5 + 0.9 * 5 + 0.5 * 3) / 13)
