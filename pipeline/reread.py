"""Second reading: words the page's model misreads, read again with the other script's model.

Tesseract reads a page with one model: the Devanagari script model for Hindi and bilingual
pages, eng+hin for English ones. Each garbles the other script (`विषय/Subject` as `faqa/Subject`,
`F. No. A-12011/3/2025-Estt.` as `£. ४०. ...`). Which words are in which script is seen in the
image: a Devanagari word hangs from its headline (shirorekha), a straight bar across the top of
the word that Latin letters do not make. The words in the other script, and the unsure ones,
are cut out, laid out line under line in one strip image, read with the other model in a single
tesseract call, and a word's second reading replaces the first when it is surer or fits the
script the image shows.

A bilingual label printed as one word (`संख्या/No.`, `दिनांक/Date:`, `एच.आर.डी/1(71)/2020`) has a
headline over only its Hindi part: on a Hindi page that word is cut at the headline's edge, the
Hindi part is kept as the Devanagari model read it and only the Latin part is read with eng.
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
# A word's Hindi part is a chain of headline bars from its left edge: pieces at least this long
# (in heights of the letters hanging from them; a Hindi letter's bar is 0.8 or more, a Latin
# letter's serif or stroke much less), with gaps no wider than SPLIT_GAP word heights between
# them where the Hindi part has a dot (`एच.आर.डी`).
SPLIT_PIECE = 0.5
SPLIT_MIN = 0.3  # and at least this long in word heights: not the top of N's diagonal
SPLIT_GAP = 0.8
SPLIT_BREAK = 0.4  # a break in a headline narrower than this (in letter heights) is within a word
SPLIT_NICK = 0.1  # a gap in a bar this narrow (in word heights) is a scanning nick, not a break
SPLIT_REST = 0.3  # the Latin part must be at least this wide (in word heights): `/1` is


@dataclass(frozen=True)
class Cut:
    """A word read as one whose left part is Hindi and right part Latin: where it is cut."""

    word: int  # index of the word in its line
    left: int  # page column where the word (and its Hindi part) begins
    x: int  # page column where the Latin part begins
    kept: str  # the Hindi part as the page's model read it, kept as it is


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
    # what the image shows of each target: "Devanagari", "Latin", "mixed", or "cut" (the Latin
    # part of a word cut at its headline's end)
    seen: tuple[str, ...]
    strip_left: int = 0
    strip_top: int = 0
    cuts: tuple[Cut, ...] = ()  # words of which only the Latin part is read again


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


_HINDI_PART = regex.compile(
    r"^[\p{Devanagari}--[०-९।॥ऽ॰]]+(?:\.[\p{Devanagari}--[०-९।॥ऽ॰]]+)*", flags=regex.V1
)


def split_point(ink: np.ndarray, word: Word) -> Cut | None:
    """Where a word whose first reading begins in Hindi turns Latin, if its image shows it.

    The first reading must begin with Devanagari letters and go on with a slash, Latin letters
    or digits (`/No.`, `/1`, `/Dat९:`), not only end punctuation (`करें।`), and with no more
    Hindi letters (`आयुक्त-1(एच.आर.डी-1)`: the Devanagari model's garbled Latin has figures,
    dandas and `ऽ`, not letters); the image must show
    a headline from the word's left edge that stops well before its right edge. The cut is made
    where the headline ends: a Hindi letter ends with its bar (`डी`), and a slash after it may
    touch it (`डी/1`).
    """
    hindi = _HINDI_PART.match(word.text)
    if not hindi:
        return None
    rest = word.text[hindi.end() :]
    # `hin` reads a bilingual label's Latin half with Hindi letters in it (`विषय/$प्7]`): after a
    # slash and a sign that is no Hindi letter, the image decides
    slashed = bool(regex.match(r"/[^\p{Devanagari}\s]", rest))
    if not regex.search(r"[A-Za-z0-9/]", rest) or (
        regex.search(r"[[\p{Devanagari}&&\p{L}]--[ऽ]]", rest, flags=regex.V1) and not slashed
    ):
        return None  # nothing Latin after the Hindi letters, or Hindi letters further on too
    crop = ink[word.top : word.top + word.height, word.left : word.left + word.width]
    height = crop.shape[0]
    if crop.size == 0 or height < 4:
        return None
    band = crop[: max(2, round(height * HEADLINE_BAND))]
    band = band[:-1] | band[1:]
    at = int(band.mean(axis=1).argmax())
    padded = np.concatenate(([0], band[at].astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    runs = [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    joined: list[tuple[int, int]] = []
    for a, b in runs:  # a bar a rough scan nicked (one or two blank pixels) is one bar
        if joined and a - joined[-1][1] <= SPLIT_NICK * height:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    pieces = [
        (a, b) for a, b in joined if b - a >= max(SPLIT_PIECE * _hanging(crop[at:, a:b]), SPLIT_MIN * height)
    ]
    if not pieces or pieces[0][0] > SPLIT_GAP * height:
        return None
    # The headline runs on over a letter's own small breaks (ख, ध); a wider gap is crossed only
    # where the first reading has a dot (`एच.आर.डी`): after a slash (`दिनांक/Date`) a Latin
    # capital's flat top (D, T, E) lies on the same row and is as long as a Hindi letter's bar.
    end, dots = pieces[0][1], hindi.group(0).count(".")
    small = SPLIT_BREAK * _hanging(crop[at:, pieces[0][0] : pieces[0][1]])
    for start, stop in pieces[1:]:
        if start - end > SPLIT_GAP * height or (start - end > small and not dots):
            break
        dots -= start - end > small
        end = stop
    inked = np.flatnonzero(crop[:, end:].any(axis=0))
    if not len(inked) or inked[-1] - inked[0] + 1 < SPLIT_REST * height:
        return None
    return Cut(word=-1, left=word.left, x=word.left + end, kept=hindi.group(0))


def _hanging(below: np.ndarray) -> int:
    """How far ink reaches down from a bar (the bar's row first): a letter's height under its headline.

    Measured under the bar itself, not over the whole word, whose box a slash, a bracket or an
    anusvara makes taller than its letters (`सं./No.`).
    """
    rows = np.flatnonzero(below.any(axis=1))
    return int(rows[-1]) + 1 if len(rows) else below.shape[0]


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
    initials = bool(regex.fullmatch(r"(?:[A-Za-z0-9]\.){2,}", text))  # `D.O.`, which hin reads `0.0.`
    return (letters and digits) or odd or initials or any(ch in "$|\\[]{}" for ch in text)


def choose_runs(ink: np.ndarray, lines: list[list[Word]], page_script: str) -> list[Run]:
    """Runs of neighbouring words, line by line, that the other model should read again.

    A run takes one word of context on each side: tesseract's line model reads a lone word of
    the other script much worse than the same word beside its neighbours.
    """
    runs: list[Run] = []
    for index, words in enumerate(lines):
        seen = [image_script(ink, w) for w in words]
        picked = [needs_second_reading(w, s, page_script) for w, s in zip(words, seen, strict=True)]
        cuts: dict[int, Cut] = {}
        if page_script == "Devanagari":
            for i, word in enumerate(words):
                cut = split_point(ink, word)
                if cut is not None:
                    cuts[i] = replace(cut, word=i)
                    picked[i], seen[i] = True, "cut"
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
            run = _run(index, words, first, end, targets, tuple(seen[i] for i in targets))
            runs.append(replace(run, cuts=tuple(cuts[i] for i in targets if i in cuts)))
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
        for c in run.cuts:  # the Hindi part of a cut word is left out: eng would read it as Latin
            strip[
                run.strip_top : run.strip_top + run.height,
                run.strip_left + c.left - run.left : run.strip_left + c.x - run.left,
            ] = 255
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
        view = list(line)  # a cut word stands for its Latin part only
        for c in run.cuts:
            w = line[c.word]
            view[c.word] = replace(w, text=w.text[len(c.kept) :], left=c.x, width=w.left + w.width - c.x)
        for olds, news in reversed(_groups(list(range(run.first, run.last + 1)), view, new)):
            if not any(o in run.targets for o in olds):
                continue
            scripts = {run.seen[run.targets.index(o)] for o in olds if o in run.targets}
            seen = "cut" if "cut" in scripts else scripts.pop() if len(scripts) == 1 else "mixed"
            cut = next((c for c in run.cuts if c.word in olds), None)
            if cut is not None and cut.word != olds[0]:
                continue  # a word read across the cut word's Hindi part: no place to keep that part
            if cut is not None and not _begins_alike(view[cut.word].text, news[0].text if news else ""):
                continue
            if better([view[o] for o in olds], news, seen, page_script):
                if cut is not None:
                    news = _rejoin(line[cut.word], cut, view[cut.word].text, news)
                out[run.line][olds[0] : olds[-1] + 1] = news
                changed += len(olds)
    return out, changed


_EDGE = r"[\[\]|(){}!]"  # what eng makes of a slash at the start of a line


def _begins_alike(first_read: str, second: str) -> bool:
    """Whether eng's reading of a cut word's Latin part begins where the page's model's did.

    `/Dat९:` may come back as `/Date:`, `[Date:`, or `Date:` (the slash cut off with the Hindi
    letter it touches), not as `ate:`: that cut went through the D, whose flat top the headline
    was taken to run on to; nor `/ऽ॥७।` as `aqa/Subject:`, a cut inside the Hindi part.
    """
    if not first_read.startswith("/") or not second:
        return bool(second)
    after = first_read[1:2]
    return (
        second.startswith("/")
        or bool(regex.match(_EDGE, second))
        or second[0] == after
        # the first reading was no Latin there; but a slash further on (`aqa/Subject:`) means
        # the cut went through the Hindi part, which eng read as Latin letters
        or (second[0].isalnum() and not after.isascii() and "/" not in second)
    )


def _rejoin(word: Word, cut: Cut, first_read: str, news: list[Word]) -> list[Word]:
    """A cut word's Hindi part, as first read, joined again to the first word read in its Latin part.

    The page's model read the slash between the two parts in the middle of a word, and its
    slash is kept: eng sees the Latin part's first sign at the start of a line, where a slash
    comes out as `[` or `|` (`दिनांक/Date:` as `[Date:`), and a slash that touches the last
    Hindi letter at the headline is cut off with that letter.
    """
    first, rest = news[0], news[1:]
    if first.left >= word.left + word.width:  # nothing read where the Latin part was
        return [replace(word, text=cut.kept, width=cut.x - word.left), *news]
    if first_read.startswith("/") and not first.text.startswith("/"):
        edge = regex.match(_EDGE + r"\p{L}", first.text)  # `[Date:`; but `(71)` keeps its bracket
        first = replace(first, text="/" + first.text[1:] if edge else "/" + first.text)
    kept_chars, new_chars = len(cut.kept), len(first.text)
    right = max(cut.x, first.left + first.width)
    bottom = max(word.top + word.height, first.top + first.height)
    top = min(word.top, first.top)
    joined = replace(
        word,
        text=cut.kept + first.text,
        confidence=(word.confidence * kept_chars + first.confidence * new_chars) / (kept_chars + new_chars),
        width=right - word.left,
        top=top,
        height=bottom - top,
    )
    return [joined, *rest]


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
    if (
        _hindi_figures(old_text)
        and not regex.search(r"\p{L}", new_text)
        and _figures(old_text) != _figures(new_text)
    ):
        # eng misreads Hindi figures as other figures (a letter instead is the Devanagari
        # model's misreading: ६ for the E of `E-71584/2025-26`)
        return False
    if seen == "cut":
        # the Latin part of a word the page's model read whole with its Hindi part
        # (`दिनांक/Dat९:`): that model's Latin there is a guess, however sure it says it is. eng
        # is unsure of a part that begins with signs (`./No.` at 0.19); where both readings
        # have the same signs in the same order (`./ 0.`), only the letters are in question.
        if script_of(new_text) == "Devanagari":
            return False
        same_signs = _signs(new_text) == _signs(old_text) and bool(regex.search(r"[A-Za-z]", new_text))
        return new_conf >= 0.5 or same_signs
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
        if (
            not regex.search(r"\p{L}", old_text)
            and regex.search(r"[A-Za-z]", new_text)
            and _signs(new_text) == _signs(old_text)
        ):
            return new_conf >= 0.5  # the Hindi models put figures for Latin letters: `0.0.` for `D.O.`
        # `£.` or `\०.` for `F.` or `No.`: signs that are no Latin reading at all, however sure
        if _garbled(old_text) and not _garbled(new_text):
            return new_conf >= 0.5
    return new_conf >= old_conf + MIN_GAIN


def _signs(text: str) -> str:
    """What is left of `text` without its letters, figures and spaces: `./.` of `./No.`."""
    return regex.sub(r"[\p{L}\p{M}\p{N}\s]", "", text)


def _hindi_figures(text: str) -> bool:
    """A date or number written in Hindi figures (`१९/०६/२०२५`), not `४०.` for a garbled No."""
    return len(_figures(text)) >= 4 and bool(
        regex.fullmatch(r"[०-९0-9 ./\-:,()]*[०-९][०-९0-9 ./\-:,()]*", text)
    )


def _figures(text: str) -> str:
    """The figures in `text`, Devanagari ones as ASCII."""
    return "".join(str(int(ch)) for ch in text if ch.isdecimal() and ("0" <= ch <= "9" or "०" <= ch <= "९"))


def _garbled(text: str) -> bool:
    return any((not ch.isascii() and not "\u0900" <= ch <= "\u097f") or ch in "\\|[]{}" for ch in text)


def _confidence(words: list[Word]) -> float:
    total = sum(len(w.text) for w in words)
    return sum(w.confidence * len(w.text) for w in words) / total if total else 0.0
