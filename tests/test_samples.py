"""The synthetic letter generator and the shipped samples: deterministic, varied, truthfully labelled."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import regex
from PIL import Image, ImageDraw
from pypdf import PdfReader

from samples.make_samples import (
    CATEGORIES,
    LANGUAGES,
    SAMPLES,
    SAMPLES_DIR,
    TRUTH_PATH,
    degrade,
    make_corpus,
    make_spec,
    page_texts,
    render_pages,
)

TRUTH = json.loads(TRUTH_PATH.read_text(encoding="utf-8"))
SAMPLE_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _dark(img: Image.Image, threshold: int = 128) -> np.ndarray:
    return np.asarray(img.convert("L")) < threshold


# ---------------------------------------------------------------- generator


def test_same_seed_same_spec_text_and_pixels() -> None:
    a, b = make_spec(4242, long=True), make_spec(4242, long=True)
    assert a == b
    pages_a, text_a = render_pages(a, dpi=90)
    pages_b, text_b = render_pages(b, dpi=90)
    assert text_a == text_b
    assert [p.tobytes() for p in pages_a] == [p.tobytes() for p in pages_b]
    assert make_spec(4243) != a


def test_specs_vary_their_wording() -> None:
    specs = [make_spec(seed) for seed in range(60)]
    assert {s.language for s in specs} == set(LANGUAGES)
    assert len({s.category for s in specs}) >= 8
    assert len({s.no_label for s in specs if s.letter_no}) >= 5
    assert len({s.date_label for s in specs}) >= 4
    assert len({s.subject_label for s in specs}) >= 4
    date_shapes = {regex.sub(r"\d|[०-९]", "9", s.date_text) for s in specs}
    assert len(date_shapes) >= 5
    assert any(regex.search(r"[०-९]", s.date_text) for s in specs), "no Devanagari-digit dates"
    assert any(s.priority != "normal" for s in specs) and any(s.priority == "normal" for s in specs)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_prints_its_labels(category: str) -> None:
    for language in LANGUAGES:
        spec = make_spec(7, language=language, category=category)
        assert (spec.category, spec.language) == (category, language)
        text = _flat("\n".join(page_texts(spec, dpi=100)))
        assert _flat(spec.subject) in text
        assert spec.date_text in text
        if spec.letter_no:
            assert spec.letter_no in text
        if spec.file_no:
            assert spec.file_no in text
        if spec.priority_mark:
            assert spec.priority_mark in text
        if language == "hi":
            assert not regex.search(r"\p{Latin}{4,}", spec.subject), spec.subject
        if language == "en":
            assert not regex.search(
                r"\p{Devanagari}", text.replace(spec.letterhead[0], "") if spec.letterhead else text
            )


def test_long_letter_fills_two_pages_with_a_page_number() -> None:
    spec = make_spec(303, language="hi", category="letter", long=True)
    texts = page_texts(spec, dpi=150)
    assert len(texts) >= 2
    assert texts[1].splitlines()[0] == "-2-"


def test_page_is_a4_grayscale_at_the_asked_dpi() -> None:
    pages, _ = render_pages(make_spec(11, language="en", category="invoice"), dpi=100)
    assert pages[0].mode == "L"
    assert pages[0].size == (round(595.28 / 72 * 100), round(841.89 / 72 * 100))
    assert 0.01 < _dark(pages[0]).mean() < 0.2


# ---------------------------------------------------------------- degrade


def _marked_page() -> Image.Image:
    """A 200x300 white page with a dark square near the top-left corner and a horizontal rule."""
    img = Image.new("L", (200, 300), 255)
    draw = ImageDraw.Draw(img)
    draw.rectangle([10, 10, 40, 40], fill=0)
    draw.line([(30, 150), (170, 150)], fill=0, width=3)
    img.info["dpi"] = (300, 300)
    return img


@pytest.mark.parametrize(
    ("rotate", "size", "corner"),
    [(0, (200, 300), "tl"), (90, (300, 200), "bl"), (180, (200, 300), "br"), (270, (300, 200), "tr")],
)
def test_rotate_turns_the_page_counter_clockwise(rotate: int, size: tuple[int, int], corner: str) -> None:
    out = degrade(_marked_page(), rotate=rotate)
    assert out.size == size
    dark = _dark(out)
    h, w = dark.shape
    quadrants = {
        "tl": dark[: h // 2, : w // 2],
        "tr": dark[: h // 2, w // 2 :],
        "bl": dark[h // 2 :, : w // 2],
        "br": dark[h // 2 :, w // 2 :],
    }
    heaviest = max(quadrants, key=lambda q: quadrants[q].sum())
    assert heaviest == corner
    # turning it back clockwise by `rotate` restores the page exactly
    assert out.rotate(-rotate, expand=True).tobytes() == _marked_page().tobytes()


@pytest.mark.parametrize("skew", [3.0, -2.0])
def test_skew_tilts_lines_by_the_given_angle(skew: float) -> None:
    page = Image.new("L", (600, 400), 255)
    ImageDraw.Draw(page).line([(100, 200), (500, 200)], fill=0, width=3)
    out = degrade(page, skew=skew)
    assert out.size == page.size
    ys, xs = np.nonzero(_dark(out))
    slope = np.polyfit(xs, ys, 1)[0]
    angle = -math.degrees(math.atan(slope))  # image y grows downwards; counter-clockwise is positive
    assert abs(angle - skew) < 0.15


def test_dpi_scale_resamples_and_records_dpi() -> None:
    out = degrade(_marked_page(), dpi_scale=0.5)
    assert out.size == (100, 150)
    assert out.info["dpi"] == (150, 150)


def test_damage_is_seeded_and_visible() -> None:
    page = _marked_page()
    kwargs = {"noise": 0.05, "uneven_light": 0.5, "border": True, "punch_holes": True, "jpeg_quality": 60}
    a, b = degrade(page, seed=1, **kwargs), degrade(page, seed=1, **kwargs)
    assert a.tobytes() == b.tobytes()
    assert degrade(page, seed=2, **kwargs).tobytes() != a.tobytes()
    assert np.asarray(a).std() > np.asarray(page).std() * 0.5
    light = np.asarray(degrade(page, uneven_light=0.6, seed=3), dtype=float)
    assert light.max() - np.percentile(light[light > 100], 5) > 40  # paper is no longer evenly white


def test_bad_rotation_is_refused() -> None:
    with pytest.raises(ValueError):
        degrade(_marked_page(), rotate=45)


# ---------------------------------------------------------------- shipped samples


def _pages_in(path: Path) -> int:
    if path.suffix == ".pdf":
        reader = PdfReader(path)
        assert not (reader.pages[0].extract_text() or "").strip(), "samples must be image-only"
        return len(reader.pages)
    with Image.open(path) as img:
        return getattr(img, "n_frames", 1)


def test_truth_lists_every_sample_file_and_page_count() -> None:
    present = {p.name for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES}
    listed = {entry["file"] for entry in TRUTH["files"]}
    assert present == listed
    assert len(listed) == 8
    for entry in TRUTH["files"]:
        path = SAMPLES_DIR / entry["file"]
        assert _pages_in(path) == entry["pages"] == len(entry["text"]) == len(entry["degradations"])
        assert entry["expected"]["category"] in CATEGORIES
        assert entry["expected"]["language"] in LANGUAGES


def test_sample_set_covers_the_brief() -> None:
    entries = TRUTH["files"]
    kinds = [e["kind"] for e in entries]
    assert (
        kinds.count("pdf") >= 2 and kinds.count("jpeg") >= 2 and kinds.count("png") >= 2 and "tiff" in kinds
    )
    assert any(e["kind"] == "pdf" and e["pages"] == 2 for e in entries)
    assert any(e["kind"] == "tiff" and e["pages"] == 2 for e in entries)
    assert {e["expected"]["language"] for e in entries} == set(LANGUAGES)
    assert len({e["expected"]["category"] for e in entries}) >= 6
    damage = [d for e in entries for d in e["degradations"]]
    assert any(d["rotate"] == 90 for d in damage)
    assert any(2 <= abs(d["skew"]) <= 4 for d in damage)
    assert any(d.get("border") or d.get("punch_holes") for d in damage)
    assert any(d["skew"] == 0 and d["rotate"] == 0 and len(d) <= 3 for d in damage), "no clean page"
    assert sum((SAMPLES_DIR / e["file"]).stat().st_size for e in entries) < 5_000_000


def _first_page_size(path: Path) -> tuple[float, float]:
    if path.suffix == ".pdf":
        box = PdfReader(path).pages[0].mediabox
        return float(box.width), float(box.height)
    with Image.open(path) as img:
        return img.size


def test_sample_geometry_matches_truth() -> None:
    for entry in TRUTH["files"]:
        width, height = _first_page_size(SAMPLES_DIR / entry["file"])
        sideways = entry["degradations"][0]["rotate"] in (90, 270)
        assert (width > height) == sideways, entry["file"]


def test_truth_text_is_what_the_generator_prints() -> None:
    by_name = {s.name: s for s in SAMPLES}
    for entry in TRUTH["files"]:
        sample = by_name[entry["file"]]
        spec = make_spec(
            sample.seed, language=sample.language, category=sample.category, long=sample.pages > 1
        )
        assert page_texts(spec, sample.dpi) == entry["text"]
        assert spec.expected() == entry["expected"]
        assert _flat(entry["expected"]["subject"]) in _flat(" ".join(entry["text"]))


def test_corpus_writes_labelled_files(tmp_path: Path) -> None:
    entries = make_corpus(tmp_path, 2, seed=5)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert [e["file"] for e in truth["files"]] == [e["file"] for e in entries]
    for entry in entries:
        assert _pages_in(tmp_path / entry["file"]) == entry["pages"]
