"""Second reading: Latin codes on Hindi pages and Hindi words on English pages come out right.

Pages are typeset the way bilingual office letters are, Devanagari runs in Noto Sans Devanagari
and Latin runs in Noto Sans on the same line, and read with real tesseract. Read with one model
per page, as dak did before, these lines come out as `£. \\०. A-12011/3/2025-६5t.` and
`faya/Subject:`; the tests state the right text.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import regex
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from pipeline import ocr, reread
from pipeline.model import Word

NOTO = Path("/usr/share/fonts/truetype/noto")
HINDI_PAGE = [
    "कार्यालय उपायुक्त, जिला हिसार",
    "पत्र संख्या F. No. A-12011/3/2025-Estt. दिनांक 01.01.2025",
    "विषय: विद्यालयों में पेयजल की व्यवस्था के संबंध में",
    "ई-फाइल संख्या E-48776/2025-26 तथा NI/2025-26/0494",
    "महोदय, कृपया शीघ्र कार्रवाई करने का कष्ट करें।",
]
ENGLISH_PAGE = [
    "Office of the Deputy Commissioner, Hisar",
    "Ref. No. 4471 dated 06.01.2026",
    "विषय/Subject: Supply of drinking water to schools",
    "Sir, kindly take early action in the matter.",
]


BILINGUAL_LABELS = [
    "कार्यालय जिला आपूर्ति अधिकारी, लखनऊ",
    "पत्र सं./No. DSO-2440/2025 दिनांक/Date: 19/06/2025",
    "विषय/Subject: माननीय उच्च न्यायालय में लंबित रिट याचिका",
    "संख्या: (E- 27878) एच.आर.डी/1(71)/2020/Misc./pt",
    "महोदय, कृपया शीघ्र कार्रवाई करने का कष्ट करें।",
]


def render_mixed(lines: list[str], size: int = 40, dpi: int = 300) -> Image.Image:
    """An A4 page with each line's Devanagari runs in Noto Sans Devanagari and the rest in Noto Sans."""
    faces = {
        script: ImageFont.truetype(str(NOTO / name), size, layout_engine=ImageFont.Layout.RAQM)
        for script, name in (("d", "NotoSansDevanagari-Regular.ttf"), ("l", "NotoSans-Regular.ttf"))
    }
    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(page)
    y = round(1.2 * dpi)
    for line in lines:
        x = float(round(0.9 * dpi))
        for run in regex.findall(r"\p{Devanagari}+(?:[ ,.:]+\p{Devanagari}+)*|[^\p{Devanagari}]+", line):
            face = faces["d" if regex.match(r"\p{Devanagari}", run) else "l"]
            draw.text((x, y), run, font=face, fill=0, anchor="ls")
            x += face.getlength(run)
        y += round(size * 1.9)
    return page


def _bitonal(image: Image.Image, path: Path) -> Path:
    image.point(lambda v: 255 if v > 150 else 0).convert("1").save(path, compression="group4", dpi=(300, 300))
    return path


@pytest.fixture(scope="module")
def hindi_page(tmp_path_factory: pytest.TempPathFactory) -> ocr.OcrPage:
    folder = tmp_path_factory.mktemp("hindi")
    image = _bitonal(render_mixed(HINDI_PAGE), folder / "page.tif")
    return ocr.read_page(image, 1, 300, "Devanagari", folder, timeout=120)


@pytest.fixture(scope="module")
def english_page(tmp_path_factory: pytest.TempPathFactory) -> ocr.OcrPage:
    folder = tmp_path_factory.mktemp("english")
    image = folder / "page.png"
    render_mixed(ENGLISH_PAGE).save(image, dpi=(300, 300))
    return ocr.read_page(image, 1, 300, "eng+hin", folder, timeout=120)


@pytest.fixture(scope="module")
def labels_page(tmp_path_factory: pytest.TempPathFactory) -> ocr.OcrPage:
    folder = tmp_path_factory.mktemp("labels")
    image = _bitonal(render_mixed(BILINGUAL_LABELS), folder / "page.tif")
    return ocr.read_page(image, 1, 300, "Devanagari", folder, timeout=120)


def test_latin_codes_and_ascii_dates_on_a_hindi_page(hindi_page: ocr.OcrPage) -> None:
    lines = hindi_page.text.split("\n")
    assert "पत्र संख्या F. No. A-12011/3/2025-Estt. दिनांक 01.01.2025" in lines
    assert "E-48776/2025-26" in hindi_page.text.split()
    assert "NI/2025-26/0494" in hindi_page.text.split()
    assert "कार्यालय उपायुक्त, जिला हिसार" in lines  # the Hindi around them is left as it was read


def test_hindi_word_on_an_english_page(english_page: ocr.OcrPage) -> None:
    assert "विषय/Subject: Supply of drinking water to schools" in english_page.text.split("\n")
    assert "Ref. No. 4471 dated 06.01.2026" in english_page.text.split("\n")


def test_bilingual_labels_printed_as_one_word_on_a_hindi_page(labels_page: ocr.OcrPage) -> None:
    # Read whole by the Devanagari model these come out `पत्र a./No.`, `दिनांक/Dat€:` and
    # `विषय/5७।९८:`; cut at the headline's end, the Latin part is read with eng.
    lines = labels_page.text.split("\n")
    assert "पत्र सं./No. DSO-2440/2025 दिनांक/Date: 19/06/2025" in lines
    assert "विषय/Subject: माननीय उच्च न्यायालय में लंबित रिट याचिका" in lines
    # the slash touching डी at the headline is cut off with it, and put back between the parts
    assert "संख्या: (E- 27878) एच.आर.डी/1(71)/2020/Misc./pt" in lines


@pytest.mark.parametrize("which", ["hindi", "english"])
def test_text_layer_carries_the_second_reading(which: str, hindi_page, english_page) -> None:
    page = hindi_page if which == "hindi" else english_page
    assert page.pdf is not None
    text = subprocess.run(
        ["pdftotext", str(page.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    layer = [line for line in text.split("\n") if line.strip()]
    read = [line for line in page.text.split("\n") if line.strip()]
    assert layer == read  # same words, same lines, same order as dak's text


def test_bitonal_page_stays_g4_and_small(hindi_page: ocr.OcrPage) -> None:
    assert hindi_page.pdf is not None
    pdf_page = PdfReader(hindi_page.pdf).pages[0]
    images = pdf_page["/Resources"]["/XObject"]
    filters = [str(images[name].get_object()["/Filter"]) for name in images]
    assert filters == ["/CCITTFaxDecode"]
    assert hindi_page.pdf.stat().st_size < 60_000
    assert abs(float(pdf_page.mediabox.width) - 8.27 * 72) < 2


def _word_image(text: str, font: str) -> tuple[np.ndarray, Word]:
    face = ImageFont.truetype(str(NOTO / font), 42, layout_engine=ImageFont.Layout.RAQM)
    image = Image.new("L", (700, 120), 255)
    ImageDraw.Draw(image).text((20, 80), text, font=face, fill=0, anchor="ls")
    ink = np.asarray(image) < reread.INK
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    word = Word(
        text, 0.9, int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1), 0
    )
    return ink, word


def _mixed_word_image(parts: list[tuple[str, str]]) -> tuple[np.ndarray, Word, list[int]]:
    """One word typeset in runs of (text, font) with no space between; also where each run begins."""
    image = Image.new("L", (900, 120), 255)
    draw = ImageDraw.Draw(image)
    x, starts = 20.0, []
    for text, font in parts:
        face = ImageFont.truetype(str(NOTO / font), 42, layout_engine=ImageFont.Layout.RAQM)
        starts.append(round(x))
        draw.text((x, 80), text, font=face, fill=0, anchor="ls")
        x += face.getlength(text)
    ink = np.asarray(image) < reread.INK
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    text = "".join(t for t, _ in parts)
    word = Word(
        text, 0.5, int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1), 0
    )
    return ink, word, starts


DEVA, LATIN = "NotoSansDevanagari-Regular.ttf", "NotoSans-Regular.ttf"


@pytest.mark.parametrize(
    ("hindi", "latin", "read_as"),
    [
        ("संख्या", "/No.", "संख्या/N०."),
        ("दिनांक", "/Date:", "दिनांक/Dat९:"),
        ("सं.", "/No.", "सं./४०."),  # one letter: its bar is short beside the tall slash
        ("एच.आर.डी", "/1(71)/2020", "एच.आर.डी/1071)/2020"),  # a headline broken by dots
        ("विषय", "/Subj", "विषय/$प्7]"),  # hin reads the Latin half with Hindi letters in it
    ],
)
def test_mixed_word_is_cut_where_its_headline_ends(hindi: str, latin: str, read_as: str) -> None:
    _cut_at_the_headlines_end(hindi, latin, read_as, LATIN)


def _cut_at_the_headlines_end(hindi: str, latin: str, read_as: str, latin_font: str) -> None:
    ink, word, starts = _mixed_word_image([(hindi, DEVA), (latin, latin_font)])
    cut = reread.split_point(ink, replace(word, text=read_as))
    assert cut is not None
    assert cut.kept == hindi.rstrip(".")
    hindi_ink = np.flatnonzero(ink[:, : starts[1]].any(axis=0))
    assert hindi_ink[-1] - 6 <= cut.x <= starts[1] + 8  # at the last Hindi letter's end, before the Latin


@pytest.mark.parametrize(
    ("parts", "read_as"),
    [
        ([("कार्यालय", DEVA)], "कार्यालय/"),  # all under one headline: nothing Latin to cut off
        ([("करें।", DEVA)], "करें।]"),  # only end punctuation after the Hindi letters
        ([("The", LATIN), ("/No.", LATIN)], "The/No."),  # read as Latin: no Hindi part to keep
        ([("Total", LATIN), ("/कुल", DEVA)], "Total/कुल"),
        ([("आयुक्त", DEVA), ("-1(", LATIN), ("एच.आर.डी", DEVA), ("-1)", LATIN)], "आयुक्त-1(एच.आर.डी-1)"),
        ([("स्थापना", DEVA), ("/", LATIN), ("लेखा", DEVA)], "स्थापना/लेखा"),  # Hindi on both sides of a slash
    ],
)
def test_words_that_are_not_cut(parts: list[tuple[str, str]], read_as: str) -> None:
    ink, word, _ = _mixed_word_image(parts)
    assert reread.split_point(ink, replace(word, text=read_as)) is None


def test_merge_keeps_the_hindi_part_of_a_cut_word() -> None:
    line = [Word("दिनांक/Dat९:", 0.1, 0, 100, 260, 50, 3), Word("19/06/2025", 0.95, 290, 100, 250, 50, 3)]
    cut = reread.Cut(word=0, left=0, x=120, kept="दिनांक")
    run = reread.Run(0, 0, 1, (0,), 0, 100, 540, 50, ("cut",), strip_left=10, strip_top=10, cuts=(cut,))
    second = (Word("[Date:", 0.56, 130, 10, 140, 50, 0), Word("19/06/2025", 0.9, 300, 10, 250, 50, 0))
    merged, changed = reread.merge([line], [run], second, "Devanagari")
    assert [w.text for w in merged[0]] == ["दिनांक/Date:", "19/06/2025"]
    assert (merged[0][0].left, merged[0][0].width, merged[0][0].line) == (0, 260, 3)
    assert changed == 1
    # eng unsure of the Latin part (under 0.5): the word stays as the page's model read it
    unsure = (Word("[Date:", 0.4, 130, 10, 140, 50, 0),)
    assert reread.merge([line], [run], unsure, "Devanagari")[0][0] == line


@pytest.mark.parametrize(
    ("text", "font", "script"),
    [
        ("कार्यालय", "NotoSansDevanagari-Regular.ttf", "Devanagari"),
        ("संख्या", "NotoSerifDevanagari-Regular.ttf", "Devanagari"),
        ("के", "NotoSansDevanagari-Regular.ttf", "Devanagari"),
        ("Office", "NotoSans-Regular.ttf", "Latin"),
        ("Committee", "NotoSerif-Regular.ttf", "Latin"),
        ("E-48776/2025-26", "NotoSans-Regular.ttf", "Latin"),
        ("01.01.2025", "NotoSans-Regular.ttf", "Latin"),
    ],
)
def test_headline_tells_the_script(text: str, font: str, script: str) -> None:
    ink, word = _word_image(text, font)
    assert reread.image_script(ink, word) == script


def _w(text: str, left: int, conf: float = 0.9) -> Word:
    return Word(text, conf, left, 100, 80, 40, 3)


def test_merge_replaces_only_chosen_words_and_keeps_context() -> None:
    line = [_w("संख्या", 0, 0.96), _w("£.", 100, 0.92), _w("No.", 200, 0.95), _w("दिनांक", 300, 0.96)]
    run = reread.Run(0, 0, 3, (1,), 0, 100, 380, 40, ("Latin",), strip_left=10, strip_top=10)
    second = (
        Word("deat", 0.65, 10, 10, 80, 40, 0),  # the other model's reading of the context word
        Word("F.", 0.87, 110, 10, 80, 40, 0),
        Word("No.", 0.97, 210, 10, 80, 40, 0),
        Word("feat", 0.5, 310, 10, 80, 40, 0),
    )
    merged, changed = reread.merge([line], [run], second, "Devanagari")
    assert [w.text for w in merged[0]] == ["संख्या", "F.", "No.", "दिनांक"]
    assert changed == 1
    assert merged[0][1].left == 100 and merged[0][1].top == 100 and merged[0][1].line == 3


def test_merge_joins_words_split_differently() -> None:
    line = [_w("fe.", 0, 0.58), _w("/Date:", 90, 0.58), _w("09-07-2025", 200, 0.97)]
    run = reread.Run(0, 0, 2, (0, 1), 0, 100, 280, 40, ("Devanagari", "Latin"), strip_left=0, strip_top=0)
    second = (Word("दि./Date:", 0.81, 0, 0, 170, 40, 0), Word("09-07-2025", 0.9, 200, 0, 80, 40, 0))
    merged, _ = reread.merge([line], [run], second, "Devanagari")
    assert [w.text for w in merged[0]] == ["दि./Date:", "09-07-2025"]


def test_devanagari_word_is_not_replaced_by_latin_letters() -> None:
    assert not reread.better([_w("विषय", 0, 0.6)], [_w("faqa", 0, 0.95)], "Devanagari", "Devanagari")
    assert reread.better([_w("faqa", 0, 0.9)], [_w("विषय", 0, 0.7)], "Devanagari", "Latin")
    assert not reread.better([_w("२६", 0, 0.9)], [_w("R&", 0, 0.6)], "Latin", "Devanagari")
    assert reread.better([_w("£-48776", 0, 0.9)], [_w("E-48776", 0, 0.8)], "Latin", "Devanagari")
    # on an English page the Devanagari model's Latin is not trusted over eng's
    assert not reread.better([_w("20/May/2025", 0, 0.5)], [_w("A0/May/2025", 0, 0.9)], "Latin", "Latin")
    assert reread.better([_w("fe.", 0, 0.58)], [_w("दि.", 0, 0.81)], "Latin", "Latin")


def test_latin_part_of_a_cut_word_is_taken_from_eng() -> None:
    # whatever the Devanagari model's confidence in the Latin letters it read there
    assert reread.better([_w("/Dat९:", 0, 0.9)], [_w("/Date:", 0, 0.6)], "cut", "Devanagari")
    # eng unsure of `./No.` (a part that begins with signs), but the signs agree with `./ 0.`
    assert reread.better([_w("./", 0, 0.89), _w("0.", 90, 0.51)], [_w("./No.", 0, 0.19)], "cut", "Devanagari")
    assert not reread.better([_w("/Dat९:", 0, 0.1)], [_w("Dae", 0, 0.3)], "cut", "Devanagari")
    assert not reread.better([_w("/No.", 0, 0.1)], [_w("/नो.", 0, 0.9)], "cut", "Devanagari")


def test_hindi_figures_are_not_replaced_by_other_figures() -> None:
    # eng reads `२९/११/२०२५` as 29/28/2024, and surer than the Devanagari model was
    assert not reread.better([_w("२९/११/२०२५", 0, 0.8)], [_w("29/28/2024", 0, 0.95)], "Latin", "Devanagari")
    assert reread.better([_w("४०.", 0, 0.0)], [_w("No.", 0, 0.9)], "Latin", "Devanagari")  # a garbled No.
    # ६ for the E of an e-Office number is the Devanagari model's misreading, not eng's
    assert reread.better(
        [_w("६-71584/2025-26", 0, 0.6)], [_w("E-71584/2025-26", 0, 0.9)], "Latin", "Devanagari"
    )


def test_second_model_is_the_other_script() -> None:
    assert ocr.second_languages("Devanagari") == "eng"
    assert ocr.second_languages("hin") == "eng"
    assert ocr.second_languages("eng+hin") == ocr.languages_for("Devanagari", "hin")
    assert ocr.second_languages("eng") is None  # an English-only office gets no Hindi reading


def test_latin_initials_the_hindi_models_read_as_figures_go_to_eng() -> None:
    # `D.O.` (a demi-official letter) read `0.0.` on a bilingual page: initials are read again...
    assert reread.needs_second_reading(_w("0.0.", 0, 0.94), "Latin", "Devanagari")
    # ... and eng's letters replace the figures when the signs agree, however sure the first was
    assert reread.better([_w("0.0.", 0, 0.94)], [_w("D.O.", 0, 0.8)], "Latin", "Devanagari")
    assert not reread.better([_w("0.0.", 0, 0.94)], [_w("D.O", 0, 0.8)], "Latin", "Devanagari")
    assert not reread.better([_w("12.03.2025", 0, 0.9)], [_w("12.O3.2O25", 0, 0.6)], "Latin", "Latin")
