"""Shared text utilities for OCR output in Hindi and English.

OCR text of Indian office letters mixes Devanagari and Latin script, Devanagari digits, a pipe
read for the danda and stray joiners; everything downstream works on `normalise`d text.
Word matching uses the `regex` module, because stdlib `\\w` splits Devanagari at vowel signs.
"""

from __future__ import annotations

import unicodedata

import regex

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
# Zero-width characters OCR and copy-paste leave behind (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen).
_INVISIBLES = regex.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# A pipe after Devanagari text is a danda read wrongly; a double pipe is a double danda.
_PIPE_DANDA = regex.compile(r"(?<=[\p{Devanagari}--[।॥]][\p{M}]*)[ \t]?(\|\||\|)(?=\s|$)", regex.V1)
# The visarga stands in for a colon after a label: "विषयः", "दिनांकः 12.03.2026".
_LABEL_WORDS = (
    "विषय",
    "दिनांक",
    "दिनाँक",
    "पत्रांक",
    "क्रमांक",
    "संख्या",
    "संदर्भ",
    "सन्दर्भ",
    "प्रेषक",
    "प्रति",
    "प्रतिलिपि",
    "पृष्ठांकन",
    "सेवा में",
)
_LABEL_VISARGA = regex.compile(r"(?<![\p{L}\p{M}])(" + "|".join(_LABEL_WORDS) + r")\s*ः")
_VISARGA_BEFORE_DIGIT = regex.compile(r"ः(?=\s*\d)")
_SPACES = regex.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u3000]+")
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}]*")
_LETTER = regex.compile(r"\p{L}")


def normalise(text: str) -> str:
    """NFC, ASCII digits, no stray joiners, danda for a pipe after Hindi, `:` for a label's visarga.

    Line breaks and form feeds (page breaks) are kept; runs of spaces are kept too, because
    wide gaps separate columns (`No. 12/2026        Date: 01.01.2026`).
    """
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_DEVANAGARI_DIGITS)
    text = _INVISIBLES.sub("", text)
    text = text.replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    text = _PIPE_DANDA.sub(lambda m: "॥" if m.group(1) == "||" else "।", text)
    text = _LABEL_VISARGA.sub(r"\1:", text)
    return _VISARGA_BEFORE_DIGIT.sub(":", text)


def fold(text: str) -> str:
    """A matching key: case-folded, nukta dropped, chandrabindu as anusvara, single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_DEVANAGARI_DIGITS)
    text = unicodedata.normalize("NFD", text).replace("\u093c", "")
    text = unicodedata.normalize("NFC", text).replace("\u0901", "\u0902")
    text = _INVISIBLES.sub("", text).casefold()
    return _SPACES.sub(" ", text)


def collapse_spaces(text: str) -> str:
    """One space between words, none at the ends."""
    return _SPACES.sub(" ", text).strip()


def tokenise(text: str) -> list[str]:
    """Words with their vowel signs kept on (Devanagari-safe), digits included."""
    return _WORD.findall(text)


def script_of(text: str) -> str | None:
    """'Devanagari', 'Latin' or None: the script of most letters in `text`."""
    deva, latin = _script_counts(text)
    if deva == latin == 0:
        return None
    return "Devanagari" if deva >= latin else "Latin"


def _script_counts(text: str) -> tuple[int, int]:
    deva = latin = 0
    for ch in _LETTER.findall(text):
        if "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff":
            deva += 1
        elif ch.isascii() or "\u00c0" <= ch <= "\u024f":
            latin += 1
    return deva, latin


def detect_language(text: str) -> str:
    """'hi', 'en' or 'mixed' by the share of Devanagari and Latin letters.

    Mixed when each script holds at least 20% of the letters; a Devanagari letter counts with
    its vowel signs, so a Hindi word weighs about as much as an English word of the same sound.
    """
    deva = len(regex.findall(r"[\p{Devanagari}--[।॥०-९]]", text, flags=regex.V1))
    _, latin = _script_counts(text)
    total = deva + latin
    if total == 0:
        return "en"
    share = deva / total
    if share >= 0.8:
        return "hi"
    if share <= 0.2:
        return "en"
    return "mixed"
