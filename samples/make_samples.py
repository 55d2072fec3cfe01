"""Synthetic inward letters (dak) for tests and benchmarks: spec, typeset, scan damage, labels.

`python samples/make_samples.py` rewrites the eight shipped samples and samples/truth.json;
`python samples/make_samples.py --out DIR --count N --seed S` writes a larger labelled corpus.
Everything is a pure function of its seed, so the same command gives the same files.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, features

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from samples import content  # noqa: E402
from samples.content import Ctx, Para, Parts  # noqa: E402

SAMPLES_DIR = Path(__file__).resolve().parent / "scans"
TRUTH_PATH = SAMPLES_DIR.parent / "truth.json"  # beside scans/, so `dak ingest samples/scans` sees only scans
LANGUAGES = ("hi", "en", "mixed")
CATEGORIES = tuple(content.CATEGORIES)
NOTO = Path("/usr/share/fonts/truetype/noto")
FAMILIES: dict[str, tuple[Path, Path, Path, Path]] = {
    # Devanagari regular, Devanagari bold, Latin regular, Latin bold
    "serif": (
        NOTO / "NotoSerifDevanagari-Regular.ttf",
        NOTO / "NotoSerifDevanagari-Bold.ttf",
        NOTO / "NotoSerif-Regular.ttf",
        NOTO / "NotoSerif-Bold.ttf",
    ),
    "sans": (
        NOTO / "NotoSansDevanagari-Regular.ttf",
        NOTO / "NotoSansDevanagari-Bold.ttf",
        NOTO / "NotoSans-Regular.ttf",
        NOTO / "NotoSans-Bold.ttf",
    ),
    "lohit": (
        Path("/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf"),
        NOTO / "NotoSansDevanagari-Bold.ttf",
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
}
A4_PT = (595.28, 841.89)
MARGINS_PT = (72.0, 48.0, 60.0, 62.0)  # left, top, right, bottom
BODY_PT = 12.0
LEADING = 1.55
INK = 22
EPOCH = date(2025, 4, 1)

PRIORITY_MARKS = {
    "hi": {"priority": ("प्राथमिकता",), "immediate": ("तत्काल",), "most_immediate": ("अति तत्काल",)},
    "en": {
        "priority": ("Priority", "PRIORITY"),
        "immediate": ("Immediate", "IMMEDIATE"),
        "most_immediate": ("Most Immediate", "MOST IMMEDIATE"),
    },
}
SECURITY_MARKS = {
    "hi": {"confidential": ("गोपनीय",), "secret": ("गुप्त",)},
    "en": {"confidential": ("CONFIDENTIAL", "Confidential"), "secret": ("SECRET",)},
}
NO_LABELS = {
    "hi": ("पत्रांक", "क्रमांक", "संख्या", "पत्र संख्या"),
    "en": ("No.", "Letter No.", "Memo No.", "Ref. No."),
}
DATE_LABELS = {"hi": ("दिनांक", "दि.", "दिनांक"), "en": ("Dated", "Date", "Dt.")}
SUBJECT_LABELS = {"hi": ("विषय:", "विषयः", "विषय :-"), "en": ("Subject:", "Sub.:", "Sub:", "Subject :-")}
FILE_LABELS = {
    "hi": ("ई-फाइल सं.", "ई-ऑफिस फाइल संख्या", "फाइल संख्या"),
    "en": ("e-File No.", "File No.", "e-Office File No."),
}
SECTIONS_HI = ("स्था.", "लेखा", "सा.प्र.", "विकास")
SECTIONS_EN = ("Estt", "Accts", "GA", "Dev", "Admn-II")
NO_MARK_CATEGORIES = ("rti", "grievance", "invoice")
SECURE_CATEGORIES = ("do_letter", "vip", "letter", "office_memorandum", "circular")


@dataclass(frozen=True)
class LetterSpec:
    """Everything printed on one synthetic letter, and the labels a reader should extract."""

    seed: int
    language: str  # "hi", "en" or "mixed"
    category: str
    letter_date: date
    date_text: str  # the date as printed
    subject: str
    sender: str  # the sending office or person, as printed
    body: tuple[Para, ...]
    priority: str = "normal"
    priority_mark: str | None = None
    security: str = "normal"
    security_mark: str | None = None
    letterhead: tuple[str, ...] = ()
    letter_no: str | None = None
    no_label: str = "No."
    date_label: str = "Dated"
    date_own_line: bool = False
    place_line: str | None = None  # replaces the date on OMs: "New Delhi, dated the ..."
    file_no: str | None = None
    file_label: str | None = None  # None: the file number is the letter number (F. No.)
    heading: str | None = None
    addressee: tuple[str, ...] = ()
    addressee_at_end: bool = False
    subject_label: str = "Subject:"
    references: tuple[str, ...] = ()
    salutation: str = ""
    closing: str = ""
    signature: tuple[str, ...] = ()  # name, designation, office, ...
    enclosure: str | None = None
    copy_to: tuple[str, ...] = ()
    family: str = "serif"
    indent_paras: bool = False
    rule_under_letterhead: bool = True

    def expected(self) -> dict[str, Any]:
        """The fields dak should read off this letter (the receipt record's names)."""
        return {
            "language": self.language,
            "category": self.category,
            "priority": self.priority,
            "security": self.security,
            "letter_no": self.letter_no,
            "letter_date": self.letter_date.isoformat(),
            "subject": self.subject,
            "sender": self.sender,
            "file_no": self.file_no,
        }


# --------------------------------------------------------------------------- spec


def _fy(d: date) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _ctx(r: random.Random) -> Ctx:
    letter_date = EPOCH + timedelta(days=r.randrange(365))
    extra = {
        "ref": letter_date - timedelta(days=r.randint(10, 60)),
        "deadline": letter_date + timedelta(days=r.randint(7, 21)),
        "deadline2": letter_date + timedelta(days=r.randint(22, 35)),
        "letter": letter_date,
    }
    dates = {
        f"{k}_{lang}": content.format_date(v, lang, r) for k, v in extra.items() for lang in ("hi", "en")
    }
    people = r.sample(content.PEOPLE, 3)
    first = r.choice(content.FATHER_NAMES)
    surname = (people[2][0].split()[-1], people[2][1].split()[-1])
    if surname[1] in ("Devi", "Kumar"):
        surname = ("सिंह", "Singh")
    father = (f"{first[0]} {surname[0]}", f"{first[1]} {surname[1]}", "m")
    return Ctx(
        place=r.choice(content.PLACES),
        office=r.choice(content.DISTRICT_OFFICES),
        ministry=r.choice(content.MINISTRIES),
        officer=people[0],
        addressee_person=people[1],
        citizen=people[2],
        father=father,
        village=r.choice(content.VILLAGES),
        letter_date=letter_date,
        dates=dates,
        numbers={
            "n1": r.randrange(10_000),
            "n2": r.randrange(100, 10_000),
            "n3": r.randrange(100, 10_000),
            "n4": r.randrange(1_000_000),
            "house": r.randrange(1, 500),
            "mobile": r.randrange(7_000_000_000, 9_999_999_999),
        },
        topic=r.randrange(1000),
        year=letter_date.year,
        fy=_fy(letter_date),
    )


def _parts(category: str, lang: str, ctx: Ctx, seed: int) -> Parts:
    return content.CATEGORIES[category](random.Random(seed * 7919 + 17), lang, ctx)


def _invent_letter_no(r: random.Random, lang: str, ctx: Ctx) -> str:
    n = ctx.numbers["n2"]
    forms = [
        f"{ctx.office[2]}/{ctx.place[1][:3].upper()}/{r.choice(SECTIONS_EN)}/{ctx.year}/{n}",
        f"{r.choice(SECTIONS_EN)}/{r.randint(1, 40)}/{ctx.year}/{n}",
        f"{n}-{r.randint(10, 99)}/{r.choice(SECTIONS_EN)}",
    ]
    if lang == "hi":
        forms.append(f"{n}/{r.choice(SECTIONS_HI)}/{ctx.year}")
    return r.choice(forms)


def _marks(r: random.Random, category: str, lang: str, floor: str) -> tuple[str, str | None, str, str | None]:
    priority = "normal"
    if floor != "normal":
        priority = r.choice(("immediate", "most_immediate"))
    elif category not in NO_MARK_CATEGORIES and r.random() < 0.3:
        priority = r.choice(("priority", "immediate", "most_immediate"))
    security = "normal"
    if category in SECURE_CATEGORIES and r.random() < 0.2:
        security = "secret" if r.random() < 0.15 else "confidential"

    def mark(table: dict[str, dict[str, tuple[str, ...]]], key: str) -> str | None:
        if key == "normal":
            return None
        if lang == "mixed":
            return f"{table['hi'][key][0]} / {table['en'][key][0].upper()}"
        return r.choice(table[lang][key])

    return priority, mark(PRIORITY_MARKS, priority), security, mark(SECURITY_MARKS, security)


def _label(r: random.Random, options: tuple[str, ...], colon: bool = True) -> str:
    text = r.choice(options)
    if colon and not text.endswith((":", "ः", ":-")):
        text += r.choice((":", " :", ":"))
    return text


def make_spec(
    seed: int, *, language: str | None = None, category: str | None = None, long: bool = False
) -> LetterSpec:
    """A varied random letter; the same arguments always give the same spec."""
    r = random.Random(seed)
    language = language or r.choice(LANGUAGES)
    category = category or r.choice(CATEGORIES)
    if language not in LANGUAGES or category not in CATEGORIES:
        raise ValueError(f"unknown language {language!r} or category {category!r}")
    ctx = _ctx(r)
    main = "en" if language == "en" else "hi"
    parts = _parts(category, main, ctx, seed)
    other = _parts(category, "en", ctx, seed) if language == "mixed" else None

    letterhead = parts.letterhead
    if letterhead is None:
        hi_head = (ctx.office_name("hi"), f"{ctx.d('hi')}, {ctx.state('hi')}")
        en_head = (ctx.office_name("en"), f"{ctx.d('en')}, {ctx.state('en')}")
        phone = f"दूरभाष: 0{r.randint(120, 189)}-{r.randint(2200000, 2899999)}"
        email = f"{ctx.office[2].lower()}-{ctx.place[1].lower()}@{r.choice(('nic.in', 'gov.in'))}"
        if language == "hi":
            letterhead = (*hi_head, f"{phone}, ई-मेल: {email}")
        elif language == "en":
            tail = f"Phone: {phone.split(': ')[1]}, E-mail: {email}"
            letterhead = (hi_head[0], *en_head, tail) if r.random() < 0.4 else (*en_head, tail)
        else:
            letterhead = (hi_head[0], en_head[0], hi_head[1], f"{phone}, E-mail: {email}")
    elif other is not None and other.letterhead:
        letterhead = tuple(dict.fromkeys(letterhead + other.letterhead))

    labels_lang = main
    no_label = parts.no_label or _label(r, NO_LABELS[labels_lang], colon=False)
    date_label = _label(r, DATE_LABELS[labels_lang])
    subject_label = _label(r, SUBJECT_LABELS[labels_lang])
    if other is not None:
        no_label = f"{no_label}/{other.no_label or 'No.'}"
        date_label = f"{date_label.rstrip(' :')}/Date:"
        subject_label = f"{subject_label.rstrip(' :-ः')}/Subject:"
    if not no_label.endswith(":") and r.random() < 0.6:
        no_label += ":"

    letter_no = parts.letter_no
    if letter_no == "":
        letter_no = _invent_letter_no(r, main, ctx)
    file_no = parts.extra.get("file_no")
    file_label = None
    if (
        file_no is None
        and letter_no is not None
        and category not in ("invoice", "court")
        and r.random() < 0.35
    ):
        file_label = _label(r, FILE_LABELS[main])
        file_no = r.choice(
            (
                f"E-{r.randint(10000, 99999)}/{ctx.fy}",
                f"{r.randint(1, 40)}/{r.randint(1, 20)}/{ctx.year}-{r.choice(SECTIONS_EN)}",
            )
        )

    priority, priority_mark, security, security_mark = _marks(r, category, language, parts.priority_floor)
    body = list(parts.body)
    if other is not None:
        english = next((p for p in other.body if p.kind == "text" and len(p.text) > 50), None)
        if english is not None:
            body.append(english)
    if long:
        extras = list(parts.more) + [p for p in content.GENERIC_MORE[main] if p not in parts.more]
        body += [Para(t) for t in extras[:7]]
    subject = parts.subject
    if other is not None and r.random() < 0.5:
        subject = other.subject
    signature = parts.signature
    if signature is None:
        desig = ctx.office[3] if main == "hi" else ctx.office[4]
        signature = (f"({ctx.name(ctx.officer, main, False)})", desig, ctx.office_name(main))
    if other is not None and other.signature and len(signature) > 1:
        signature = (*signature[:2], other.signature[1])
    closing = parts.closing or ""
    return LetterSpec(
        seed=seed,
        language=language,
        category=category,
        letter_date=ctx.letter_date,
        date_text=ctx.dates[f"letter_{main}"],
        subject=subject,
        sender=parts.sender,
        body=tuple(body),
        priority=priority,
        priority_mark=priority_mark,
        security=security,
        security_mark=security_mark,
        letterhead=letterhead,
        letter_no=letter_no,
        no_label=no_label,
        date_label=date_label,
        date_own_line=r.random() < 0.3,
        place_line=parts.place_line,
        file_no=file_no,
        file_label=file_label,
        heading=parts.heading,
        addressee=parts.addressee or (),
        addressee_at_end=parts.addressee_at_end,
        subject_label=subject_label,
        references=parts.references,
        salutation=parts.salutation,
        closing=closing,
        signature=signature,
        enclosure=parts.enclosure,
        copy_to=content.copy_to_lines(ctx, main) if (parts.copy_to or long and r.random() < 0.7) else (),
        family=r.choice(tuple(FAMILIES)),
        indent_paras=r.random() < 0.5,
        rule_under_letterhead=r.random() < 0.75,
    )


# --------------------------------------------------------------------------- typesetting


def _is_devanagari(ch: str) -> bool:
    o = ord(ch)
    return 0x0900 <= o <= 0x097F or 0xA8E0 <= o <= 0xA8FF or 0x1CD0 <= o <= 0x1CFF or o in (0x200C, 0x200D)


# Non-letters every Devanagari face in FAMILIES has a glyph for (checked with fontTools); any other
# character outside the Devanagari block is drawn with the family's Latin face.
DEVANAGARI_FACE_NEUTRALS = frozenset(" !\"#%'()*+,-./0123456789:;<=>?[\\]^_{|}~।॥–—‘’“”₹")


@lru_cache(maxsize=128)
def _font(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size_px, layout_engine=ImageFont.Layout.RAQM)


def _check_raqm() -> None:
    if not features.check("raqm"):
        raise RuntimeError("Pillow was built without libraqm; Devanagari would be drawn unshaped")


@dataclass
class _Page:
    ops: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    baselines: list[float] = field(default_factory=list)  # each line's baseline, pixels from the top


class _Typesetter:
    """Lays lines out top to bottom on A4 pages, breaking pages, and remembers the text of each line."""

    def __init__(self, family: str, dpi: int) -> None:
        _check_raqm()
        self.paths = FAMILIES[family]
        self.k = dpi / 72.0
        self.size = (round(A4_PT[0] / 72 * dpi), round(A4_PT[1] / 72 * dpi))
        self.left = MARGINS_PT[0] * self.k
        self.right = self.size[0] - MARGINS_PT[2] * self.k
        self.bottom = self.size[1] - MARGINS_PT[3] * self.k
        self.pages: list[_Page] = []
        self.y = 0.0
        self.new_page()

    # fonts and measuring
    def runs(self, text: str, bold: bool, size: float) -> list[tuple[str, ImageFont.FreeTypeFont]]:
        """Splits text into Devanagari and Latin runs; digits and punctuation join the run they are in."""
        deva_path, latin_path = self.paths[1 if bold else 0], self.paths[3 if bold else 2]
        px = max(6, round(size * self.k))
        kinds: list[str | None] = []
        for ch in text:
            if _is_devanagari(ch):
                kinds.append("d")
            elif ch not in DEVANAGARI_FACE_NEUTRALS:
                kinds.append("l")
            else:
                kinds.append(None)
        first = next((k for k in kinds if k), "l")
        current = first
        out: list[tuple[str, str]] = []
        for ch, kind in zip(text, kinds, strict=True):
            kind = kind or current
            if out and out[-1][1] == kind:
                out[-1] = (out[-1][0] + ch, kind)
            else:
                out.append((ch, kind))
            current = kind
        return [(t, _font(deva_path if k == "d" else latin_path, px)) for t, k in out]

    def width(self, text: str, bold: bool = False, size: float = BODY_PT) -> float:
        return sum(font.getlength(t) for t, font in self.runs(text, bold, size))

    # page flow
    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.y = MARGINS_PT[1] * self.k
        if len(self.pages) > 1:
            self.line(f"-{len(self.pages)}-", align="center")
            self.gap(6)

    def need(self, height_pt: float) -> None:
        if self.y + height_pt * self.k > self.bottom:
            self.new_page()

    def gap(self, pt: float) -> None:
        self.y += pt * self.k

    def line(
        self,
        text: str,
        *,
        x: float | None = None,
        align: str = "left",
        bold: bool = False,
        size: float = BODY_PT,
        right: str | None = None,
        underline: bool = False,
        box: bool = False,
    ) -> None:
        """One line of text (optionally a second, right-aligned text on the same line)."""
        self.need(size * LEADING)
        width = self.width(text, bold, size)
        if align == "center":
            x = (self.left + self.right) / 2 - width / 2
        elif align == "right":
            x = self.right - width
        elif x is None:
            x = self.left
        baseline = self.y + size * self.k * 1.15
        self.page.ops.append(("text", x, baseline, text, bold, size))
        if underline:
            self.page.ops.append(("rule", x, baseline + 0.22 * size * self.k, x + width, 0.8))
        if box:
            pad = 0.35 * size * self.k
            self.page.ops.append(
                (
                    "box",
                    x - pad,
                    baseline - 1.05 * size * self.k,
                    x + width + pad,
                    baseline + 0.45 * size * self.k,
                )
            )
        shown = text
        if right:
            rx = self.right - self.width(right, bold, size)
            self.page.ops.append(("text", rx, baseline, right, bold, size))
            shown = f"{text} {right}"
        self.page.lines.append(shown)
        self.page.baselines.append(baseline)
        self.y += size * LEADING * self.k

    def wrap(self, text: str, first: float, rest: float, bold: bool, size: float) -> list[str]:
        words = text.split(" ")
        space = self.width(" ", bold, size)
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word in words:
            w = self.width(word, bold, size)
            limit = first if not lines else rest
            if current and used + space + w > limit:
                lines.append(" ".join(current))
                current, used = [word], w
            else:
                used += (space if current else 0) + w
                current.append(word)
        if current:
            lines.append(" ".join(current))
        return lines

    def para(
        self,
        text: str,
        *,
        x0: float | None = None,
        first_indent: float = 0.0,
        hanging: float = 0.0,
        bold: bool = False,
        size: float = BODY_PT,
    ) -> None:
        x0 = self.left if x0 is None else x0
        avail = self.right - x0
        for i, ln in enumerate(self.wrap(text, avail - first_indent, avail - hanging, bold, size)):
            self.line(ln, x=x0 + (first_indent if i == 0 else hanging), bold=bold, size=size)

    def hrule(self, weight: float = 1.2) -> None:
        self.page.ops.append(("rule", self.left, self.y, self.right, weight))
        self.gap(6)

    def scribble(self, x: float, seed: int) -> None:
        self.page.ops.append(("scribble", x, self.y, 110 * self.k, 26 * self.k, seed))
        self.gap(30)

    def table_row(self, cells: tuple[str, ...], bold: bool, widths: tuple[float, ...]) -> None:
        self.need(BODY_PT * LEADING * 1.2)
        total = self.right - self.left
        top = self.y
        xs = [self.left]
        for w in widths:
            xs.append(xs[-1] + w * total)
        baseline = top + BODY_PT * self.k * 1.25
        pad = 4 * self.k
        for i, cell in enumerate(cells):
            if not cell:
                continue
            numeric = i >= len(cells) - 3 and not bold and i != 1
            cx = xs[i + 1] - pad - self.width(cell, bold) if numeric else xs[i] + pad
            self.page.ops.append(("text", cx, baseline, cell, bold, BODY_PT))
        bottom = top + BODY_PT * LEADING * 1.2 * self.k
        self.page.ops.append(("rule", self.left, top, self.right, 0.8))
        self.page.ops.append(("rule", self.left, bottom, self.right, 0.8))
        for x in xs:
            self.page.ops.append(("vrule", x, top, bottom, 0.8))
        self.page.lines.append(" ".join(c for c in cells if c))
        self.page.baselines.append(baseline)
        self.y = bottom


TABLE_WIDTHS = (0.07, 0.39, 0.1, 0.1, 0.15, 0.19)


def _layout(spec: LetterSpec, dpi: int) -> _Typesetter:
    """Places every element of the letter; the order here is the reading order of the truth text."""
    ts = _Typesetter(spec.family, dpi)
    if spec.security_mark:
        ts.line(spec.security_mark, align="center", bold=True, underline=True)
    if spec.priority_mark:
        ts.line(spec.priority_mark, align="right", bold=True, box=True)
    for i, text in enumerate(spec.letterhead):
        last = i == len(spec.letterhead) - 1 and i > 0
        ts.line(text, align="center", bold=not last, size=15.5 if i == 0 else (10.5 if last else 12.5))
    if spec.letterhead:
        if spec.rule_under_letterhead:
            ts.gap(2)
            ts.hrule()
        else:
            ts.gap(8)
    date_part = f"{spec.date_label} {spec.date_text}"
    if spec.letter_no is not None:
        number = f"{spec.no_label} {spec.letter_no}"
        inline_date = None if (spec.date_own_line or spec.place_line) else date_part
        ts.line(number, right=inline_date)
    if spec.place_line:
        ts.line(spec.place_line, align="right")
    elif spec.letter_no is None or spec.date_own_line:
        ts.line(date_part, align="right")
    if spec.file_label and spec.file_no:
        ts.line(f"{spec.file_label} {spec.file_no}")
    ts.gap(6)
    if spec.heading:
        ts.line(spec.heading, align="center", bold=True, underline=True, size=13.5)
        ts.gap(4)
    if spec.addressee and not spec.addressee_at_end:
        for text in spec.addressee:
            ts.line(
                text, x=ts.left + (0 if text in ("सेवा में,", "To", "Bill To:", "प्राप्तकर्ता:") else 18 * ts.k)
            )
        ts.gap(6)
    label_w = ts.width(spec.subject_label + " ", True)
    ts.para(f"{spec.subject_label} {spec.subject}", bold=True, hanging=label_w)
    for ref in spec.references:
        ts.para(ref, hanging=ts.width(ref.split(":")[0] + ": "))
    ts.gap(6)
    if spec.salutation:
        ts.line(spec.salutation)
        ts.gap(2)
    indent = 36 * ts.k if spec.indent_paras else 0.0
    for para in spec.body:
        if para.kind == "row":
            ts.table_row(para.cells, para.bold, TABLE_WIDTHS)
            continue
        if para.kind == "center":
            ts.line(para.text, align="center", bold=True)
            continue
        if para.kind == "item":
            num = para.text.split(" ")[0] + " "
            ts.para(para.text, x0=ts.left + 24 * ts.k, hanging=ts.width(num))
        else:
            ts.para(para.text, first_indent=indent, bold=para.bold)
        ts.gap(5)
    _signature_block(ts, spec)
    if spec.enclosure:
        ts.line(spec.enclosure)
    if spec.addressee and spec.addressee_at_end:
        ts.gap(6)
        for text in spec.addressee:
            ts.line(text)
    if spec.copy_to:
        ts.gap(10)
        ts.para(spec.copy_to[0], bold=True)
        for item in spec.copy_to[1:]:
            ts.para(item, x0=ts.left + 18 * ts.k, hanging=ts.width(item.split(" ")[0] + " "))
    return ts


def _signature_block(ts: _Typesetter, spec: LetterSpec) -> None:
    closing = [c for c in spec.closing.split("\n") if c]
    height = (len(closing) + len(spec.signature)) * BODY_PT * LEADING + 40
    ts.need(height)
    ts.gap(8)
    x = ts.left + 0.56 * (ts.right - ts.left)
    for text in closing:
        ts.line(text, x=x)
    ts.scribble(x + 10 * ts.k, spec.seed)
    for text in spec.signature:
        ts.line(text, x=x, size=BODY_PT if len(text) < 40 else 10.5)


def _draw_scribble(
    draw: ImageDraw.ImageDraw, x: float, y: float, w: float, h: float, seed: int, k: float
) -> None:
    r = random.Random(seed)
    points = []
    steps = 60
    loops = r.randint(3, 6)
    for i in range(steps):
        t = i / (steps - 1)
        px = x + t * w + math.sin(t * loops * 2 * math.pi) * w * 0.05
        py = y + h * (0.5 + 0.4 * math.sin(t * loops * math.pi + r.random() * 0.3) * (1 - 0.5 * t))
        points.append((px, py))
    draw.line(points, fill=40, width=max(1, round(1.3 * k)), joint="curve")


def _paint(ts: _Typesetter, page: _Page, seed: int) -> Image.Image:
    img = Image.new("L", ts.size, 255)
    draw = ImageDraw.Draw(img)
    for op in page.ops:
        kind = op[0]
        if kind == "text":
            _, x, baseline, text, bold, size = op
            for run, font in ts.runs(text, bold, size):
                draw.text((x, baseline), run, font=font, fill=INK, anchor="ls")
                x += font.getlength(run)
        elif kind == "rule":
            _, x0, y, x1, weight = op
            draw.line([(x0, y), (x1, y)], fill=INK, width=max(1, round(weight * ts.k)))
        elif kind == "vrule":
            _, x, y0, y1, weight = op
            draw.line([(x, y0), (x, y1)], fill=INK, width=max(1, round(weight * ts.k)))
        elif kind == "box":
            _, x0, y0, x1, y1 = op
            draw.rectangle([x0, y0, x1, y1], outline=INK, width=max(1, round(1.2 * ts.k)))
        elif kind == "scribble":
            _, x, y, w, h, s = op
            _draw_scribble(draw, x, y, w, h, s, ts.k)
    img.info["dpi"] = (round(ts.k * 72), round(ts.k * 72))
    return img


def render_pages(spec: LetterSpec, dpi: int = 300) -> tuple[list[Image.Image], list[str]]:
    """The letter's A4 grayscale pages and, for each, its text in reading order (lines joined by \\n)."""
    ts = _layout(spec, dpi)
    images = [_paint(ts, page, spec.seed + i) for i, page in enumerate(ts.pages)]
    return images, ["\n".join(page.lines) for page in ts.pages]


def render_letter(spec: LetterSpec, dpi: int = 300) -> list[Image.Image]:
    """The letter as A4 grayscale page images at `dpi`."""
    return render_pages(spec, dpi)[0]


def page_texts(spec: LetterSpec, dpi: int = 300) -> list[str]:
    """The text of each page exactly as `render_letter` prints it, without drawing."""
    return ["\n".join(page.lines) for page in _layout(spec, dpi).pages]


def page_lines(spec: LetterSpec, dpi: int = 300) -> list[list[tuple[str, float]]]:
    """Each page's lines with their baseline's height above the foot of the page, as a PDF places them."""
    ts = _layout(spec, dpi)
    return [[(t, ts.size[1] - y) for t, y in zip(p.lines, p.baselines, strict=True)] for p in ts.pages]


# --------------------------------------------------------------------------- scanner damage


def _punch_holes(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Two 6 mm file holes 80 mm apart, centred on the left margin, as a dark lid shows them."""
    w, h = img.size
    dpi = w / 8.27
    radius = 3.0 / 25.4 * dpi
    cx = 12.0 / 25.4 * dpi + rng.uniform(-1, 1) * dpi / 25.4
    cy = h / 2 + rng.uniform(-4, 4) * dpi / 25.4
    out = img.copy()
    draw = ImageDraw.Draw(out)
    for dy in (-40.0, 40.0):
        y = cy + dy / 25.4 * dpi
        draw.ellipse([cx - radius, y - radius, cx + radius, y + radius], fill=int(rng.integers(35, 70)))
    return out


def _dark_border(arr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dark bands with ragged inner edges along two to four sides, like an open scanner lid."""
    h, w = arr.shape
    out = arr.copy()
    sides = [s for s in ("top", "bottom", "left", "right") if rng.random() < 0.7] or ["left", "top"]
    for side in sides:
        length = w if side in ("top", "bottom") else h
        depth = max(4, int(rng.uniform(0.008, 0.03) * min(h, w)))
        wobble = (np.sin(np.linspace(0, rng.uniform(2, 6) * np.pi, length)) * depth * 0.3).astype(int)
        edge = np.clip(depth + wobble, 2, None)
        shade = int(rng.integers(20, 60))
        idx = np.arange(w if side in ("left", "right") else h)
        if side == "top":
            out[idx[:, None] < edge[None, :]] = shade
        elif side == "bottom":
            out[(h - 1 - idx)[:, None] < edge[None, :]] = shade
        elif side == "left":
            out[idx[None, :] < edge[:, None]] = shade
        else:
            out[(w - 1 - idx)[None, :] < edge[:, None]] = shade
    return out


def _uneven_light(arr: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Darkening towards one edge (a lifted lid or a book spine) plus a gentle overall gradient."""
    h, w = arr.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    side = int(rng.integers(4))
    dist = (xx / w, 1 - xx / w, yy / h, 1 - yy / h)[side]
    shadow = np.exp(-dist / 0.12)
    gradient = 1 - 0.35 * amount * (xx / w * rng.uniform(0.3, 1) + yy / h * rng.uniform(0.3, 1)) / 2
    light = np.clip(gradient * (1 - 0.75 * amount * shadow), 0.15, 1)
    return arr.astype(np.float32) * light


def _perspective(img: Image.Image, amount: float, rng: np.random.Generator) -> Image.Image:
    """A phone photo of the sheet: corners pulled in unevenly (keystone), a dim table showing round it."""
    w, h = img.size
    pull = amount * 0.08
    corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
    moved = [
        (
            x + (1 if x == 0 else -1) * rng.uniform(0.2, 1) * pull * w,
            y + (1 if y == 0 else -1) * rng.uniform(0.2, 1) * pull * h,
        )
        for x, y in corners
    ]
    # PIL's perspective maps output pixels to input pixels: solve for the sheet's corners landing on `moved`
    matrix = []
    for (x, y), (u, v) in zip(moved, corners, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coeffs = np.linalg.solve(np.array(matrix), np.array([c for xy in corners for c in xy], dtype=float))
    fill = int(rng.integers(90, 140))
    return img.transform(
        (w, h), Image.Transform.PERSPECTIVE, tuple(coeffs), Image.Resampling.BICUBIC, fillcolor=fill
    )


def degrade(
    image: Image.Image,
    *,
    perspective: float = 0.0,
    skew: float = 0.0,
    rotate: int = 0,
    uneven_light: float = 0.0,
    noise: float = 0.0,
    blur: float = 0.0,
    jpeg_quality: int | None = None,
    border: bool = False,
    punch_holes: bool = False,
    dpi_scale: float = 1.0,
    seed: int = 0,
) -> Image.Image:
    """A scanner's version of a clean page, grayscale.

    `rotate` (0/90/180/270) turns the page counter-clockwise as if fed sideways or upside down: turning
    the result `rotate` degrees clockwise makes it upright. `skew` tilts it counter-clockwise by that many
    degrees (negative: clockwise) within the same canvas. `uneven_light` and `noise` run 0..1 (noise is the
    grey noise sigma as a fraction of full scale), `blur` is a Gaussian radius in pixels, `dpi_scale`
    resamples (0.5 turns 300 dpi into 150 dpi). `perspective` (0..1) photographs the sheet with a phone:
    keystoned by up to 8% of the page per corner, a dim table round it.
    """
    if rotate % 90 or rotate not in (0, 90, 180, 270):
        raise ValueError("rotate must be 0, 90, 180 or 270")
    rng = np.random.default_rng(seed)
    img = image.convert("L")
    dpi = img.info.get("dpi", (300, 300))[0]
    if punch_holes:
        img = _punch_holes(img, rng)
    if rotate:
        img = img.transpose(
            {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}[
                rotate
            ]
        )
    if dpi_scale != 1.0:
        size = (max(1, round(img.width * dpi_scale)), max(1, round(img.height * dpi_scale)))
        img = img.resize(size, Image.Resampling.LANCZOS)
    if perspective:
        img = _perspective(img, perspective, rng)
    if skew:
        fill = 45 if border else 250
        img = img.rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)
    arr = np.asarray(img).astype(np.float32)
    if border:
        arr = _dark_border(arr, rng)
    if uneven_light:
        arr = _uneven_light(arr, uneven_light, rng)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        arr = np.asarray(img).astype(np.float32)
        arr += rng.normal(0, noise * 255, arr.shape).astype(np.float32)
        specks = rng.random(arr.shape) < noise * 0.004
        arr[specks] = rng.uniform(0, 90, int(specks.sum()))
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    if jpeg_quality:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=jpeg_quality)
        buf.seek(0)
        img = Image.open(buf)
        img.load()
        img = img.convert("L")
    new_dpi = round(dpi * dpi_scale)
    img.info["dpi"] = (new_dpi, new_dpi)
    return img


# --------------------------------------------------------------------------- files and truth


@dataclass(frozen=True)
class SampleDef:
    """One sample file: which letter, which scanner damage per page, and how it is saved."""

    name: str
    seed: int
    language: str
    category: str
    pages: int = 1  # pages the letter must have (a long letter when 2)
    damage: tuple[dict[str, Any], ...] = ({},)  # per page; the last applies to any further page
    dpi: int = 300
    jpeg_quality: int = 80  # for .jpg and for the JPEG images inside a .pdf
    bitonal: bool = False  # .tif only: CCITT G4 when True, deflate-compressed gray otherwise


SAMPLES = (
    SampleDef("01_rti_hi_clean.png", 101, "hi", "rti", dpi=300),
    SampleDef(
        "02_circular_en_skew.jpg",
        202,
        "en",
        "circular",
        damage=({"skew": 2.5, "uneven_light": 0.3, "noise": 0.03, "dpi_scale": 2 / 3},),
        jpeg_quality=75,
    ),
    SampleDef(
        "03_court_mixed_2p.pdf",
        303,
        "mixed",
        "court",
        pages=2,
        damage=(
            {"skew": -1.5, "uneven_light": 0.45, "noise": 0.012},
            {"skew": 0.8, "uneven_light": 0.3, "noise": 0.012},
        ),
        dpi=250,
        jpeg_quality=70,
    ),
    SampleDef("04_om_en.pdf", 404, "en", "office_memorandum", damage=({"skew": 0.4},), jpeg_quality=70),
    SampleDef(
        "05_grievance_hi_2p.tif",
        505,
        "hi",
        "grievance",
        pages=2,
        damage=({"skew": 3.0, "punch_holes": True}, {"skew": -2.0, "punch_holes": True}),
        bitonal=True,
    ),
    SampleDef(
        "06_parliament_hi_rot90.jpg",
        606,
        "hi",
        "parliament",
        damage=({"rotate": 90, "noise": 0.02, "blur": 0.6, "dpi_scale": 2 / 3},),
        jpeg_quality=80,
    ),
    SampleDef(
        "07_vip_en_border.png",
        707,
        "en",
        "vip",
        damage=({"skew": -3.5, "border": True, "punch_holes": True, "dpi_scale": 2 / 3},),
    ),
    SampleDef(
        "08_do_letter_mixed_upside_down.tif",
        808,
        "mixed",
        "do_letter",
        damage=({"rotate": 180, "uneven_light": 0.25, "dpi_scale": 2 / 3},),
    ),
)

KINDS = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".tif": "tiff", ".tiff": "tiff"}


def _bitonal(img: Image.Image, threshold: int = 150) -> Image.Image:
    return img.point(lambda v: 255 if v > threshold else 0).convert("1", dither=Image.Dither.NONE)


def save_pages(
    pages: list[Image.Image],
    path: Path,
    *,
    dpi: int,
    jpeg_quality: int = 80,
    bitonal: bool = False,
    when: date = EPOCH,
) -> None:
    """Writes page images as one file of the type its suffix names, reproducibly (no timestamps)."""
    kind = KINDS[path.suffix.lower()]
    if kind != "pdf" and kind != "tiff" and len(pages) != 1:
        raise ValueError(f"{path.name}: a {kind} file holds one page, not {len(pages)}")
    tmp = path.with_name(path.name + ".tmp")
    if kind == "png":
        pages[0].save(tmp, "PNG", dpi=(dpi, dpi), optimize=True)
    elif kind == "jpeg":
        pages[0].save(tmp, "JPEG", quality=jpeg_quality, dpi=(dpi, dpi), optimize=True)
    elif kind == "tiff":
        imgs = [_bitonal(p) for p in pages] if bitonal else pages
        compression = "group4" if bitonal else "tiff_adobe_deflate"
        imgs[0].save(
            tmp, "TIFF", save_all=True, append_images=imgs[1:], compression=compression, dpi=(dpi, dpi)
        )
    else:
        stamp = time.struct_time((when.year, when.month, when.day, 10, 0, 0, 0, 1, 0))
        pages[0].save(
            tmp,
            "PDF",
            save_all=True,
            append_images=pages[1:],
            resolution=float(dpi),
            quality=jpeg_quality,
            title=path.stem,
            producer="dak samples/make_samples.py",
            creationDate=stamp,
            modDate=stamp,
        )
    tmp.replace(path)


def make_file(sample: SampleDef, out_dir: Path) -> dict[str, Any]:
    """Renders, damages and saves one sample; returns its truth.json entry."""
    spec = make_spec(sample.seed, language=sample.language, category=sample.category, long=sample.pages > 1)
    clean, texts = render_pages(spec, sample.dpi)
    if len(clean) != sample.pages:
        raise RuntimeError(f"{sample.name}: letter came out with {len(clean)} pages, wanted {sample.pages}")
    pages, applied = [], []
    for i, img in enumerate(clean):
        damage = dict(sample.damage[min(i, len(sample.damage) - 1)])
        damage.setdefault("seed", sample.seed * 10 + i)
        pages.append(degrade(img, **damage))
        applied.append({"skew": 0.0, "rotate": 0, **damage})
    dpi = round(sample.dpi * applied[0].get("dpi_scale", 1.0))
    kind = KINDS[Path(sample.name).suffix.lower()]
    save_pages(
        pages,
        out_dir / sample.name,
        dpi=dpi,
        jpeg_quality=sample.jpeg_quality,
        bitonal=sample.bitonal,
        when=spec.letter_date,
    )
    storage = {
        "pdf": f"JPEG q{sample.jpeg_quality} in PDF",
        "jpeg": f"JPEG q{sample.jpeg_quality}",
        "png": "PNG gray",
    }.get(kind, "TIFF CCITT G4 bitonal" if sample.bitonal else "TIFF deflate gray")
    return {
        "file": sample.name,
        "kind": kind,
        "pages": len(pages),
        "dpi": dpi,
        "storage": storage,
        "seed": sample.seed,
        "degradations": applied,
        "expected": spec.expected(),
        "text": texts,
    }


def _write_truth(entries: list[dict[str, Any]], path: Path) -> None:
    data = {
        "generator": "samples/make_samples.py",
        "note": (
            "Synthetic letters. skew: degrees the page is tilted counter-clockwise; rotate: degrees to turn"
            " the page clockwise to make it upright. text: each page's lines in reading order."
        ),
        "files": entries,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def make_samples(out_dir: Path = SAMPLES_DIR) -> list[dict[str, Any]]:
    """Regenerates the shipped samples and their truth.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = [make_file(s, out_dir) for s in SAMPLES]
    _write_truth(entries, TRUTH_PATH if out_dir == SAMPLES_DIR else out_dir / "truth.json")
    return entries


def random_sample(seed: int) -> SampleDef:
    """A corpus entry: random letter, file type and scanner damage, all from the seed."""
    r = random.Random(seed ^ 0x5EED)
    suffix = r.choice((".pdf", ".pdf", ".png", ".jpg", ".jpg", ".tif"))
    pages = 2 if suffix in (".pdf", ".tif") and r.random() < 0.3 else 1
    language = r.choice(LANGUAGES)
    category = CATEGORIES[seed % len(CATEGORIES)]
    damage = []
    for _ in range(pages):
        d: dict[str, Any] = {}
        if r.random() < 0.6:
            d["skew"] = round(r.uniform(-4, 4), 2)
        if r.random() < 0.15:
            d["rotate"] = r.choice((90, 180, 270))
        if r.random() < 0.4:
            d["uneven_light"] = round(r.uniform(0.1, 0.5), 2)
        if r.random() < 0.4 and suffix != ".png":  # noise would make lossless PNGs huge
            d["noise"] = round(r.uniform(0.01, 0.05), 3)
        if r.random() < 0.2:
            d["blur"] = round(r.uniform(0.3, 1.0), 2)
        if r.random() < 0.15:
            d["border"] = True
        if r.random() < 0.15:
            d["punch_holes"] = True
        if r.random() < 0.3:
            d["dpi_scale"] = r.choice((0.5, 2 / 3))
        if r.random() < 0.1:
            d["perspective"] = round(r.uniform(0.3, 1.0), 2)
        damage.append(d)
    if pages == 2:
        damage[1]["dpi_scale"] = damage[0].get("dpi_scale", 1.0)
    name = f"{seed:06d}_{category}_{language}{suffix}"
    return SampleDef(
        name,
        seed,
        language,
        category,
        pages=pages,
        damage=tuple(damage),
        jpeg_quality=r.choice((60, 70, 80, 90)),
        bitonal=r.random() < 0.6,
    )


def make_corpus(out_dir: Path, count: int, seed: int = 0) -> list[dict[str, Any]]:
    """A larger labelled corpus for benchmarks: `count` files plus truth.json in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for i in range(count):
        sample = random_sample(seed * 100_000 + i)
        try:
            entries.append(make_file(sample, out_dir))
        except RuntimeError:
            # the letter did not fill the page count asked for; take it as it comes
            entries.append(make_file(replace(sample, pages=_natural_pages(sample)), out_dir))
    _write_truth(entries, out_dir / "truth.json")
    return entries


def _natural_pages(sample: SampleDef) -> int:
    spec = make_spec(sample.seed, language=sample.language, category=sample.category, long=sample.pages > 1)
    return len(page_texts(spec, sample.dpi))


def spec_json(spec: LetterSpec) -> dict[str, Any]:
    """The whole spec as JSON-ready data (dates as ISO strings)."""
    data = asdict(spec)
    data["letter_date"] = spec.letter_date.isoformat()
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write a corpus here instead of regenerating samples/")
    parser.add_argument("--count", type=int, default=50, help="corpus size (with --out)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (with --out)")
    args = parser.parse_args(argv)
    if args.out is None:
        entries = make_samples()
        where = SAMPLES_DIR
    else:
        entries = make_corpus(args.out, args.count, args.seed)
        where = args.out
    total = sum((where / e["file"]).stat().st_size for e in entries)
    print(f"wrote {len(entries)} files, {total / 1e6:.2f} MB, and truth.json to {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
