"""Category, priority, security and section of a letter, by weighted cues kept in config/categories.toml.

OCR drops matras and misreads letters, so long cues match approximately (the `regex` module's
fuzzy matching, about one edit per seven characters); short cues and acronyms match whole
words. Where a cue is found matters: the title lines at the top of page 1 and the subject
weigh more than the body, and later pages less.
"""

from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import regex

from pipeline.errors import ConfigError
from pipeline.learn import LearnedModel, Prediction
from pipeline.model import Category, Classification, Letter, Priority, Security
from pipeline.text import fold, normalise

_PRIORITY_ORDER = [Priority.NORMAL, Priority.PRIORITY, Priority.IMMEDIATE, Priority.MOST_IMMEDIATE]
_SECURITY_ORDER = [Security.NORMAL, Security.CONFIDENTIAL, Security.SECRET]
_FUZZY_MIN = 8  # cues this long or longer match with OCR errors
# The title zone ends at the subject line: a title ("CIRCULAR", "कार्यालय ज्ञापन") stands above it.
_SUBJECT_LINE = regex.compile(r"^\s*(?:विषय|subject|subj?\s*[.:\-])", regex.IGNORECASE | regex.V1)


@dataclass(frozen=True)
class Cue:
    text: str
    weight: float
    pattern: regex.Pattern[str]
    case: bool = False  # matched on the text as printed, not case-folded
    anchors: tuple[str, ...] = ()  # pieces of which one must occur before the slow fuzzy search runs

    def search(self, raw: str, folded: str) -> bool:
        """Whether the cue occurs in the text (raw for case-sensitive cues, else folded)."""
        zone = raw if self.case else folded
        if not self.anchors:
            return self.pattern.search(zone) is not None
        return any(self.pattern.search(zone, lo, hi) for lo, hi in self._windows(zone))

    def _windows(self, zone: str) -> list[tuple[int, int]]:
        """Stretches of `zone` around the anchors found, merged; the fuzzy search runs only there."""
        reach = len(self.text) + 8
        hits = sorted({i for a in self.anchors for i in _find_all(zone, a)})
        windows: list[tuple[int, int]] = []
        for i in hits:
            lo, hi = max(0, i - reach), min(len(zone), i + reach)
            if windows and lo <= windows[-1][1]:
                windows[-1] = (windows[-1][0], hi)
            else:
                windows.append((lo, hi))
        return windows


def _find_all(text: str, piece: str) -> list[int]:
    found, i = [], text.find(piece)
    while i >= 0:
        found.append(i)
        i = text.find(piece, i + 1)
    return found


@dataclass(frozen=True)
class Route:
    section: str
    categories: frozenset[str] = frozenset()
    keywords: tuple[Cue, ...] = ()
    senders: tuple[regex.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Rules:
    """The parsed categories.toml: cues per category, markings, routing and reply times."""

    cues: dict[Category, tuple[Cue, ...]]
    due: dict[Category, int | None]
    priority: tuple[tuple[Priority, Cue], ...]
    security: tuple[tuple[Security, Cue], ...]
    routes: tuple[Route, ...] = ()
    default_section: str | None = None
    title_lines: int = 14
    title_factor: float = 2.0
    subject_factor: float = 1.5
    later_factor: float = 0.5
    min_score: float = 3.0
    addressed_to_all: float = 0.0  # added to `circular` for a letter addressed to "All ..." offices
    model_weight: float = 0.5  # share of the learned model in the category decision
    model_section_min: float = 0.7  # a learned section is used only this sure, and only when no rule routes
    source: Path | None = field(default=None, compare=False)


def _pattern(text: str, case: bool = False) -> regex.Pattern[str]:
    """Whole-word pattern for a cue; approximate for long cues (OCR errors), exact for short ones."""
    key = text if case else fold(text)
    body = r"\s+".join(regex.escape(part) for part in key.split())
    if len(key) >= _FUZZY_MIN and not case:
        errors = min(3, max(1, len(key) // 7))
        body = f"(?:{body}){{e<={errors}}}"
    return regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}])(?:{body})(?![\p{{L}}\p{{M}}])", regex.V1)


def _anchors(text: str, case: bool) -> tuple[str, ...]:
    """5-character pieces of a long cue: OCR errors rarely hit all of them, and `in` is fast."""
    key = text if case else fold(text)
    if len(key) < _FUZZY_MIN or case:
        return ()
    return tuple({key[i : i + 5] for i in range(0, len(key) - 4)})


def _make_cue(text: str, weight: float = 1.0, case: bool = False) -> Cue:
    return Cue(text, weight, _pattern(text, case), case, _anchors(text, case))


def _cue(item: object, where: str) -> Cue:
    if isinstance(item, str):
        return _make_cue(item)
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return _make_cue(item["text"], float(item.get("weight", 1.0)), bool(item.get("case", False)))
    raise ConfigError(f"{where}: each cue must be a string or {{ text = ..., weight = ... }}, not {item!r}.")


def load_rules(path: Path) -> Rules:
    """Read and compile categories.toml; raise ConfigError naming the bad entry."""
    path = Path(path).resolve()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise ConfigError(f"Category rules file {path} does not exist.") from exc
    return _load_rules(path, mtime)


@functools.lru_cache(maxsize=8)
def _load_rules(path: Path, mtime: int) -> Rules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Category rules file {path} is not valid TOML: {exc}") from exc
    cues: dict[Category, tuple[Cue, ...]] = {}
    due: dict[Category, int | None] = {}
    for name, table in data.get("categories", {}).items():
        try:
            category = Category(name)
        except ValueError as exc:
            known = ", ".join(c.value for c in Category)
            raise ConfigError(f"{path}: unknown category '{name}' (known: {known}).") from exc
        cues[category] = tuple(_cue(c, f"{path} [categories.{name}]") for c in table.get("cues", []))
        due[category] = int(table["due_days"]) if "due_days" in table else None
    scoring = data.get("scoring", {})
    learning = data.get("learning", {})
    return Rules(
        cues=cues,
        due=due,
        priority=_markings(data.get("priority", {}), Priority, path),
        security=_markings(data.get("security", {}), Security, path),
        routes=tuple(_route(r, path) for r in data.get("routing", [])),
        default_section=data.get("defaults", {}).get("section"),
        title_lines=int(scoring.get("title_lines", 14)),
        title_factor=float(scoring.get("title_factor", 2.0)),
        subject_factor=float(scoring.get("subject_factor", 1.5)),
        later_factor=float(scoring.get("later_factor", 0.5)),
        min_score=float(scoring.get("min_score", 3.0)),
        addressed_to_all=float(scoring.get("addressed_to_all", 0.0)),
        model_weight=float(learning.get("model_weight", 0.5)),
        model_section_min=float(learning.get("section_min_confidence", 0.7)),
        source=path,
    )


def _markings(table: dict[str, list[str]], kind: type, path: Path) -> tuple:
    """(level, cue) pairs, longest cue first, so a longer marking blanks out the shorter one inside it."""
    pairs = []
    for level, texts in table.items():
        try:
            value = kind(level)
        except ValueError as exc:
            raise ConfigError(f"{path}: unknown {kind.__name__.lower()} level '{level}'.") from exc
        for text in texts:
            key = fold(text)
            body = r"[\s\-]*".join(regex.escape(p) for p in regex.split(r"[\s\-]+", key))
            pattern = regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}])(?:{body})(?![\p{{L}}\p{{M}}])", regex.V1)
            pairs.append((value, Cue(text, 1.0, pattern)))
    return tuple(sorted(pairs, key=lambda p: -len(p[1].text)))


def _route(item: dict, path: Path) -> Route:
    if "section" not in item:
        raise ConfigError(f"{path}: every [[routing]] entry needs a section.")
    try:
        senders = tuple(regex.compile(s, regex.IGNORECASE) for s in item.get("sender", []))
    except regex.error as exc:
        raise ConfigError(f"{path}: bad sender pattern in routing to '{item['section']}': {exc}") from exc
    return Route(
        section=str(item["section"]),
        categories=frozenset(item.get("category", [])),
        keywords=tuple(_cue(k, f"{path} [[routing]]") for k in item.get("keywords", [])),
        senders=senders,
    )


def due_days(rules: Rules, category: Category | str) -> int | None:
    """Days allowed for a reply to a letter of this category, or None when none is expected."""
    return rules.due.get(Category(category))


@dataclass(frozen=True)
class _Zone:
    """One place in the letter whose cues weigh `factor`: its text as printed and folded."""

    raw: str
    folded: str
    factor: float


def _zones(text: str, letter: Letter, rules: Rules) -> list[_Zone]:
    pages = normalise(text).split("\f")
    lines = [ln for ln in pages[0].split("\n") if ln.strip()]
    top = next((i for i, ln in enumerate(lines) if _SUBJECT_LINE.match(ln)), rules.title_lines)
    top = min(top, rules.title_lines)
    later = pages[1:3] + pages[-1:] if len(pages) > 3 else pages[1:]
    parts = [
        ("\n".join(lines[:top]), rules.title_factor),
        (normalise(letter.subject or ""), rules.subject_factor),
        ("\n".join(lines[top:]), 1.0),
        ("\n".join(later), rules.later_factor),
    ]
    return [_Zone(raw, fold(raw), factor) for raw, factor in parts if raw.strip()]


def _cue_score(cue: Cue, zones: list[_Zone]) -> float:
    """The cue's weight times the factor of the best place it is found in (0 if nowhere)."""
    for zone in zones:
        if cue.search(zone.raw, zone.folded):
            return cue.weight * zone.factor
    return 0.0


def category_scores(text: str, letter: Letter, rules: Rules) -> dict[Category, float]:
    """Summed cue scores per category, for explaining a decision."""
    zones = _zones(text, letter, rules)
    scores = {cat: sum(_cue_score(c, zones) for c in cues) for cat, cues in rules.cues.items()}
    if rules.addressed_to_all and _addressed_to_all(text):
        scores[Category.CIRCULAR] = scores.get(Category.CIRCULAR, 0.0) + rules.addressed_to_all
    return scores


_TO_ALL = regex.compile(r"^\W{0,3}(?:all|सभी|समस्त)\s+\S", regex.IGNORECASE | regex.V1)


def _addressed_to_all(text: str) -> bool:
    """Two or more addressee lines "All ..." / "सभी ..." above the subject: a letter sent round to every office."""
    lines = [ln for ln in normalise(text).split("\f")[0].split("\n") if ln.strip()]
    top = next((i for i, ln in enumerate(lines) if _SUBJECT_LINE.match(ln)), min(len(lines), 25))
    return sum(1 for ln in lines[:top] if _TO_ALL.match(ln)) >= 2


def _category(scores: dict[Category, float], min_score: float) -> tuple[Category, float]:
    ranked = sorted(((s, c) for c, s in scores.items() if c is not Category.LETTER), reverse=True)
    best, cat = ranked[0] if ranked else (0.0, Category.LETTER)
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    if best < min_score:
        return Category.LETTER, round(0.25 + 0.5 * (1 - max(best, 0.0) / min_score), 3)
    margin = (best - max(second, 0.0)) / best
    strength = 1 - math.exp(-best / min_score)
    return cat, round(0.5 * margin + 0.5 * strength, 3)


def _marking_zone(text: str, title_lines: int) -> str:
    """Where markings are read: short segments at the top of page 1, and short lines of their own."""
    first = normalise(text).split("\f")[0]
    lines = [ln for ln in first.split("\n") if ln.strip()]
    parts: list[str] = []
    for i, line in enumerate(lines):
        segments = regex.split(r"\s{3,}|\t", line.strip())
        for seg in segments:
            words = regex.findall(r"[\p{L}\p{M}]+", seg)
            if (i < title_lines and len(words) <= 6) or len(segments) == 1 and len(words) <= 3:
                parts.append(seg)
    return fold("\n".join(parts))


_L = TypeVar("_L", Priority, Security)


def _highest(pairs: tuple[tuple[_L, Cue], ...], zone: str, order: list[_L]) -> _L:
    """The highest level whose cue is in `zone`; a matched cue blanks out its span first."""
    found = order[0]
    for level, cue in pairs:
        while True:
            m = cue.pattern.search(zone)
            if not m:
                break
            zone = zone[: m.start()] + " " * (m.end() - m.start()) + zone[m.end() :]
            if order.index(level) > order.index(found):
                found = level
    return found


def _section(
    letter: Letter,
    text: str,
    category: Category,
    rules: Rules,
    drop_section: str | None,
    learned: tuple[str, float] | None = None,
) -> str | None:
    """First matching routing rule; else the learned section when sure; else the drop folder's; else the default."""
    # Keywords are looked for in the subject (what the letter is about), else on page 1.
    zone = fold(letter.subject or normalise(text).split("\f")[0])
    for route in rules.routes:
        if route.categories and category.value not in route.categories:
            continue
        if route.keywords and not any(k.search(zone, zone) for k in route.keywords):
            continue
        if route.senders and not (letter.sender and any(p.search(letter.sender) for p in route.senders)):
            continue
        if route.categories or route.keywords or route.senders:
            return route.section
    if learned is not None and learned[1] >= rules.model_section_min:
        return learned[0]
    return drop_section or rules.default_section


def _rule_probabilities(category: Category, confidence: float) -> dict[str, float]:
    """The rules' decision as a distribution: `confidence` on their category, the rest shared out."""
    others = (1.0 - confidence) / (len(Category) - 1)
    return {c.value: (confidence if c is category else others) for c in Category}


def _combine(
    category: Category, confidence: float, learned: Prediction | None, weight: float
) -> tuple[Category, float]:
    """Mix the rules' and the model's distributions; the model counts `weight` (0..1)."""
    if learned is None:
        return category, confidence
    rules_p = _rule_probabilities(category, confidence)
    mixed = {c: (1 - weight) * p + weight * learned.probabilities.get(c, 0.0) for c, p in rules_p.items()}
    best = max(mixed, key=lambda c: mixed[c])
    return Category(best), round(mixed[best], 3)


def classify(
    text: str,
    letter: Letter,
    rules: Rules,
    drop_section: str | None = None,
    model: LearnedModel | None = None,
) -> Classification:
    """Category (with a 0..1 confidence), priority, security marking and section of a letter.

    With a model learned from corrected receipts, the category is the rules' and the model's
    distributions mixed (`[learning].model_weight`), and a section the model is sure of is used
    when no routing rule applies.
    """
    category, confidence = _category(category_scores(text, letter, rules), rules.min_score)
    predicted = model.predict(text) if model is not None else {}
    category, confidence = _combine(category, confidence, predicted.get("category"), rules.model_weight)
    section_guess = predicted.get("section")
    marks = _marking_zone(text, rules.title_lines)
    return Classification(
        category=category,
        priority=_highest(rules.priority, marks, _PRIORITY_ORDER),
        security=_highest(rules.security, marks, _SECURITY_ORDER),
        section=_section(
            letter,
            text,
            category,
            rules,
            drop_section,
            (section_guess.label, section_guess.confidence) if section_guess else None,
        ),
        confidence=confidence,
        learned=model is not None,
    )
