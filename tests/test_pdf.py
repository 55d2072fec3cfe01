from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from pipeline.model import Word
from pipeline.pdf import write_text_layer


def _tesseract_page(tmp_path: Path) -> Path:
    """A one-page PDF as tesseract makes it (page image and glyphless font), from a blank A4 page."""
    image = tmp_path / "blank.png"
    Image.new("L", (2480, 3508), 255).save(image, dpi=(300, 300))
    subprocess.run(
        ["tesseract", str(image), str(tmp_path / "page"), "-l", "eng", "pdf"], check=True, capture_output=True
    )
    return tmp_path / "page.pdf"


def _row(number: int, top: int, cells: list[tuple[int, str]]) -> list[Word]:
    return [Word(text, 0.9, left, top, 28 * len(text), 34, number) for left, text in cells]


def test_a_tall_speck_read_as_a_word_does_not_move_its_line(tmp_path: Path) -> None:
    """A punch hole or the page's edge read as `|` in a line makes that line's extent page-high.

    Sized by that extent, the line's invisible text was huge: pdftotext put it first on the page
    and ran its words together ("mayplesbtreadsMOSTURGENT."), as on a generated letter in the bench.
    """
    sentences = [
        "You are requested to furnish the factual material in both",
        "Hindi and English versions to this Secretariat by e-mail.",
        "The matter may please be treated as MOST URGENT.",
    ]
    lines = []
    for index, sentence in enumerate(sentences):
        words, left = [], 420
        for text in sentence.split():
            words.append(Word(text, 0.9, left, 1520 + 75 * index, 24 * len(text), 38, index))
            left += 24 * len(text) + 24
        lines.append(words)
    lines[2].insert(0, Word("|", 0.2, 330, 1300, 8, 1850, 2))
    out = tmp_path / "layer.pdf"
    write_text_layer(_tesseract_page(tmp_path), out, lines, 300)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    found = [line.replace("|", "").split() for line in text.splitlines() if line.replace("|", "").strip()]
    assert found == [s.split() for s in sentences], text


def test_font_size_follows_the_type_not_the_lines_extent() -> None:
    words = _row(0, 100, [(100, "Amount"), (400, "in"), (500, "words")])
    tall = [*words, Word("|", 0.3, 700, 0, 6, 400, 0)]
    from pipeline.pdf import font_size

    assert font_size(tall, 300) == font_size(words, 300)
    assert 8 < font_size(words, 300) < 12  # 34 px at 300 dpi is 8.2 pt of ink: about a 10 pt type
