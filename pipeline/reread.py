"""Second reading: words the page's model misreads, read again with the other script's model.

Tesseract reads a page with one model: the Devanagari script model for Hindi and bilingual
pages, eng+hin for English ones. Each garbles the other script (`विषय/Subject` as `faqa/Subject`,
`F. No. A-12011/3/2025-Estt.` as `£. ४०. ...`). Which words are in which script is seen in the
image: a Devanagari word hangs from its headline (shirorekha), a straight bar across the top of
the word that Latin letters do not make. The words in the other script, and the unsure ones,
are cut out, laid out line under line in one strip image, read with the other model in a single
tesseract call, and a word's second reading replaces the first when it is surer or fits the
script the image shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import regex

from pipeline.model import Word
from pipeline.text import script_of

INK = 128  # gray values below this are ink (pages reach OCR bitonal or background-evened)
HEADLINE_BAND = 0.6  # the headline lies in the top 60% of a word's box (matras above it included)
# A word is Devanagari when one row near its top is inked across most of its width in one long
# bar; a single letter under its headline (के, है, में) only spans its own width, so it needs the
# row inked almost end to end. Latin words reach 0.75 coverage (the x-height row of "the") but
# never with a bar as long as the word is tall, except ligatures ("ff", "tt": under 1.25).
WORD_COVERAGE, WORD_RUN = 0.85, 0.9
GLYPH_COVERAGE, GLYPH_RUN = 0.95, 0.5
MIXED_RUN = 1.4  # a bar this long (in word heights) in a word not inked across: `विषय/Subject`
UNSURE = 0.8  # a first reading below this confidence is read again too
SURE = 0.93  # on a Hindi page, Latin words read less surely than this are read again
NEAR = 2.5  # words this close (in word heights) are read together: a letter tesseract left out between them is cut out too
PAD = 0.35  # white margin round each cut-out, in word heights
ROW_GAP = 0.8  # white space between the strip's rows, in row heights
MIN_GAIN = 0.03  # the second reading must be this much surer, unless only it fits the script


@dataclass(frozen=True)
class Run:
    """Neighbouring words on one line that are read again together, and where they go in the strip."""

    line: int  # index into the page's lines
    first: int  # index of the first word in the line
    last: int  # index of the last word, inclusive
    targets: tuple[int, ...]  # the words to replace if read better; the others are context
    left: int
    top: int
    width: int
    height: int
    seen: tuple[str, ...]  # what the image shows of each target: "Devanagari", "Latin" or "mixed"
    strip_left: int = 0
    strip_top: int = 0


def headline(ink: np.ndarray, word: Word) -> tuple[float, float]:
    """The word's best near-top row: share of the box width it inks, and its longest bar in word heights."""
    crop = ink[word.top : word.top + word.height, word.left : word.left + word.width]
    if crop.size == 0 or crop.shape[0] < 4:
        return 0.0, 0.0
    band = crop[: max(2, round(crop.shape[0] * HEADLINE_BAND))]
    band = band[:-1] | band[1:]  # two rows together ride over a one-pixel step in the bar
    coverage = band.mean(axis=1)
    row = band[int(coverage.argmax())]
    return float(coverage.max()), _longest_bar(row) / crop.shape[0]


def _longest_bar(row: np.ndarray) -> int:
    padded = np.concatenate(([0], row.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    if not len(edges):
        return 0
    return int((edges[1::2] - edges[::2]).max())


def image_script(ink: np.ndarray, word: Word) -> str:
    """'Devanagari', 'mixed' (a headline over part of the word) or 'Latin' (digits and marks too)."""
    coverage, bar = headline(ink, word)
    if (coverage >= WORD_COVERAGE and bar >= WORD_RUN) or (coverage >= GLYPH_COVERAGE and bar >= GLYPH_RUN):
        return "Devanagari"
    if bar >= MIXED_RUN:
        return "mixed"
    return "Latin"


def needs_second_reading(word: Word, seen: str, page_script: str) -> bool:
    """True when the page's model is the wrong one for the word, or unsure of it."""
    read = script_of(word.text)
    if page_script == "Devanagari":
        # the Devanagari model reads plain English and its own letters well (short words like
        # की or है have too little headline to tell); codes and unsure words go to eng
        if seen != "Latin" or regex.search(r"[\p{Devanagari}--[०-९।॥]]", word.text, flags=regex.V1):
            return False
        return word.confidence < SURE or _code_like(word.text)
    if seen in ("Devanagari", "mixed"):
        return True  # eng+hin reads Hindi worse than the Devanagari model, and garbles it into Latin
    return read == "Devanagari" or word.confidence < UNSURE


def _code_like(text: str) -> bool:
    """Letters beside digits (`DS0-2440`) or signs the Devanagari model puts for Latin letters (`£`, `$`)."""
    letters = any(ch.isascii() and ch.isalpha() for ch in text)
    digits = any(ch.isdigit() for ch in text)
    odd = any(not ch.isascii() and not ("\u0900" <= ch <= "\u097f") for ch in text)
    return (letters and digits) or odd or any(ch in "$|\\[]{}" for ch in text)


def choose_runs(ink: np.ndarray, lines: list[list[Word]], page_script: str) -> list[Run]:
    """Runs of neighbouring words, line by line, that the other model should read again.

    A run takes one word of context on each side: tesseract's line model reads a lone word of
    the other script much worse than the same word beside its neighbours.
    """
    runs: list[Run] = []
    for index, words in enumerate(lines):
        seen = [image_script(ink, w) for w in words]
        picked = [needs_second_reading(w, s, page_script) for w, s in zip(words, seen, strict=True)]
        position = 0
        while position < len(words):
            if not picked[position]:
                position += 1
                continue
            last = position
            while last + 1 < len(words) and (
                picked[last + 1] or (last + 2 < len(words) and picked[last + 2])
            ):
                if not _near(words[last], words[last + 1]):
                    break
                last += 1
            while not picked[last]:
                last -= 1
            first = position - 1 if position > 0 and _near(words[position - 1], words[position]) else position
            end = last + 1 if last + 1 < len(words) and _near(words[last], words[last + 1]) else last
            targets = tuple(i for i in range(position, last + 1) if picked[i])
            runs.append(_run(index, words, first, end, targets, tuple(seen[i] for i in targets)))
            position = last + 1
    return runs


def _gap(left: Word, right: Word) -> int:
    return right.left - (left.left + left.width)


def _near(left: Word, right: Word) -> bool:
    return _gap(left, right) <= NEAR * max(left.height, right.height)


def _run(
    line: int, words: list[Word], first: int, last: int, targets: tuple[int, ...], seen: tuple[str, ...]
) -> Run:
    part = words[first : last + 1]
    left = min(w.left for w in part)
    top = min(w.top for w in part)
    right = max(w.left + w.width for w in part)
    bottom = max(w.top + w.height for w in part)
    return Run(line, first, last, targets, left, top, right - left, bottom - top, seen)


def build_strip(gray: np.ndarray, runs: list[Run]) -> tuple[np.ndarray, list[Run]]:
    """One white image with each run's cut-out on a row of its own, and the runs with their places in it."""
    pad = [max(4, round(PAD * r.height)) for r in runs]
    width = max(r.width + 2 * p for r, p in zip(runs, pad, strict=True))
    placed: list[Run] = []
    y = 0
    for run, p in zip(runs, pad, strict=True):
        y += p if not placed else round(ROW_GAP * run.height)
        placed.append(replace(run, strip_left=p, strip_top=y))
        y += run.height
    strip = np.full((y + pad[-1], width), 255, dtype=np.uint8)
    for run in placed:
        cut = gray[run.top : run.top + run.height, run.left : run.left + run.width]
        strip[run.strip_top : run.strip_top + run.height, run.strip_left : run.strip_left + run.width] = cut
    return strip, placed


def merge(
    lines: list[list[Word]], runs: list[Run], second: tuple[Word, ...], page_script: str
) -> tuple[list[list[Word]], int]:
    """The page's lines with the second reading put in where it is better; how many words changed.

    A run's two readings are matched word to word by where they lie on the line; a group of words
    of either reading that overlap one another is kept or replaced as one, and only groups that
    hold a word chosen for the second reading (not context) are considered.
    """
    found: dict[int, list[Word]] = {i: [] for i in range(len(runs))}
    for word in second:
        cx, cy = word.left + word.width / 2, word.top + word.height / 2
        for i, run in enumerate(runs):
            if (
                run.strip_left - 2 <= cx <= run.strip_left + run.width + 2
                and run.strip_top - 2 <= cy <= run.strip_top + run.height + 2
            ):
                found[i].append(word)
                break
    out = [list(words) for words in lines]
    changed = 0
    for i in sorted(found, key=lambda i: (runs[i].line, -runs[i].first)):  # right to left keeps indices valid
        run = runs[i]
        line = lines[run.line]
        new = [
            replace(
                w,
                left=w.left - run.strip_left + run.left,
                top=w.top - run.strip_top + run.top,
                line=line[0].line,
            )
            for w in sorted(found[i], key=lambda w: w.left)
        ]
        for olds, news in reversed(_groups(list(range(run.first, run.last + 1)), line, new)):
            if not any(o in run.targets for o in olds):
                continue
            scripts = {run.seen[run.targets.index(o)] for o in olds if o in run.targets}
            seen = scripts.pop() if len(scripts) == 1 else "mixed"
            if better([line[o] for o in olds], news, seen, page_script):
                out[run.line][olds[0] : olds[-1] + 1] = news
                changed += len(olds)
    return out, changed


def _groups(olds: list[int], line: list[Word], new: list[Word]) -> list[tuple[list[int], list[Word]]]:
    """Old words (by index) and new words joined where they overlap along the line, left to right."""
    groups: list[tuple[list[int], list[Word]]] = [([o], []) for o in olds]
    for word in new:
        hits = [g for g, (os_, _) in enumerate(groups) if any(_overlap(line[o], word) for o in os_)]
        if not hits:
            continue
        first = hits[0]
        for g in hits[1:]:
            groups[first][0].extend(groups[g][0])
            groups[first][1].extend(groups[g][1])
        for g in reversed(hits[1:]):
            del groups[g]
        groups[first][1].append(word)
    return [(sorted(os_), sorted(ns, key=lambda w: w.left)) for os_, ns in groups]


def _overlap(a: Word, b: Word) -> bool:
    shared = min(a.left + a.width, b.left + b.width) - max(a.left, b.left)
    return shared > 0.3 * min(a.width, b.width)


def better(old: list[Word], new: list[Word], seen: str, page_script: str) -> bool:
    """Whether the second reading should replace the first, for words the image shows in script `seen`."""
    if not new:
        return False
    old_text = " ".join(w.text for w in old)
    new_text = " ".join(w.text for w in new)
    if new_text == old_text:
        return False
    old_conf, new_conf = _confidence(old), _confidence(new)
    if seen == "Devanagari":
        # Latin letters read off a word under a headline are a misreading whatever their confidence
        if script_of(old_text) == "Latin" and script_of(new_text) == "Devanagari":
            return new_conf >= 0.5
        if script_of(new_text) == "Latin" and script_of(old_text) == "Devanagari":
            return False
    if seen == "Latin" and page_script == "Latin":
        # an unsure Latin-looking word on an English page is taken from the Devanagari model only
        # when it is a short Hindi word eng misread (`fe.` for `दि.`): that model garbles Latin
        # (`20/May/2025` as `A0/May/2025`)
        return script_of(new_text) == "Devanagari" and new_conf >= old_conf + MIN_GAIN
    if seen == "Latin":
        if script_of(new_text) == "Devanagari" and script_of(old_text) == "Latin":
            return False
        # `£.` or `\०.` for `F.` or `No.`: signs that are no Latin reading at all, however sure
        if _garbled(old_text) and not _garbled(new_text):
            return new_conf >= 0.5
    return new_conf >= old_conf + MIN_GAIN


def _garbled(text: str) -> bool:
    return any((not ch.isascii() and not "\u0900" <= ch <= "\u097f") or ch in "\\|[]{}" for ch in text)


def _confidence(words: list[Word]) -> float:
    total = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / total if total else 0.0
