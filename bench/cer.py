"""Character error rate for the OCR benchmarks: edit distance over the truth's length, on lightly
normalised text (NFC, danda for a pipe, no joiners, whitespace runs as one space)."""

from __future__ import annotations

import unicodedata

import numpy as np

from pipeline.text import normalise


def canonical(text: str) -> str:
    """What is compared: dak's text normalisation, then every whitespace run as one space."""
    text = normalise(unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (insertions by a running minimum)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    index = np.arange(len(b) + 1, dtype=np.int64)
    row = index.copy()
    for i, ch in enumerate(a, start=1):
        cost = (codes_b != ord(ch)).astype(np.int64)
        new = np.empty_like(row)
        new[0] = i
        new[1:] = np.minimum(row[1:] + 1, row[:-1] + cost)
        row = np.minimum.accumulate(new - index) + index
    return int(row[-1])


def cer(found: str, truth: str) -> float:
    """Character error rate of `found` against `truth`, both canonicalised."""
    found, truth = canonical(found), canonical(truth)
    return edit_distance(found, truth) / max(1, len(truth))
