"""A category and section model learned from the clerks' corrected and confirmed receipts.

Character n-grams (scikit-learn's `char_wb` TF-IDF) suit noisy Hindi and English OCR text: a
misread matra spoils one n-gram, not the word. A logistic regression per head (category,
section) is fitted on them. The model is stored as plain arrays in a `.npz` file read with
`allow_pickle=False`, so loading a model file can never run code (unlike a pickle or joblib).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pipeline.errors import DakError, ExitCode
from pipeline.text import fold, normalise

FORMAT = "dak-classifier/1"
NGRAMS = (2, 4)
MAX_FEATURES = 60_000
TEXT_CHARS = 3000  # page 1 and a little more: what says what kind of letter it is
CORRECTED_WEIGHT = 2.0  # a clerk's correction teaches more than a confirmation
MODEL_FILE = Path("model") / "classifier.npz"  # under the data directory (DAK_HOME)


class ModelError(DakError):
    """The learned model cannot be trained or read."""

    exit_code = ExitCode.CONFIG
    stage = "train"


class Example(Protocol):
    """What the registry hands over for training (`Registry.training_examples()`)."""

    ocr_text: str
    category: str
    section: str | None
    corrected: bool


@dataclass(frozen=True)
class Head:
    """One learned decision (category or section): its labels and a linear model over the features."""

    classes: tuple[str, ...]
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray  # (classes,)

    def probabilities(self, features: Any) -> dict[str, float]:
        scores = np.asarray(features @ self.coef.T).ravel() + self.intercept
        scores = scores - scores.max()
        exp = np.exp(scores)
        probs = exp / exp.sum()
        return {c: float(p) for c, p in zip(self.classes, probs, strict=True)}


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    probabilities: dict[str, float]


@dataclass(frozen=True)
class LearnedModel:
    """Vocabulary, IDF weights and the heads; `predict` gives each head's answer for an OCR text."""

    vocabulary: tuple[str, ...]
    idf: np.ndarray
    heads: dict[str, Head]
    meta: dict[str, Any]

    @functools.cached_property
    def _vectorizer(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(**_VECTORIZER_ARGS, vocabulary={t: i for i, t in enumerate(self.vocabulary)})
        vec.idf_ = self.idf
        return vec

    def features(self, text: str) -> Any:
        return self._vectorizer.transform([model_text(text)])

    def predict(self, text: str) -> dict[str, Prediction]:
        features = self.features(text)
        out = {}
        for name, head in self.heads.items():
            probs = head.probabilities(features)
            label = max(probs, key=lambda k: probs[k])
            out[name] = Prediction(label, probs[label], probs)
        return out


_VECTORIZER_ARGS: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": NGRAMS,
    "sublinear_tf": True,
    "lowercase": False,  # `model_text` folds case (and nukta, chandrabindu) already
    "dtype": np.float64,
}


def model_text(text: str) -> str:
    """What the model reads: the folded OCR text, digits blurred (numbers differ from letter to letter)."""
    text = fold(normalise(text))[:TEXT_CHARS]
    return "".join("0" if ch.isdigit() else ch for ch in text)


def usable(examples: Iterable[Example]) -> list[Example]:
    """The examples with text and a category; raise ModelError (saying what to do) when too few to learn from."""
    rows = [e for e in examples if e.ocr_text and e.ocr_text.strip() and e.category]
    categories = Counter(e.category for e in rows)
    if len(categories) < 2:
        raise ModelError(
            f"Training needs corrected or confirmed receipts of at least two categories; found "
            f"{len(rows)} receipt(s) of {len(categories)} categor{'y' if len(categories) == 1 else 'ies'}. "
            "Confirm or correct more receipts (`dak receipts confirm`, `dak receipts correct`) first."
        )
    return rows


def train(examples: Iterable[Example]) -> LearnedModel:
    """Fit the category head (and the section head, when sections were given) on the examples."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = usable(examples)
    categories = Counter(e.category for e in rows)
    vec = TfidfVectorizer(**_VECTORIZER_ARGS, max_features=MAX_FEATURES)
    matrix = vec.fit_transform([model_text(e.ocr_text) for e in rows])
    weights = np.array([CORRECTED_WEIGHT if e.corrected else 1.0 for e in rows])
    heads = {"category": _fit_head(matrix, [e.category for e in rows], weights)}
    with_section = [i for i, e in enumerate(rows) if e.section]
    if len({rows[i].section for i in with_section}) >= 2:
        heads["section"] = _fit_head(
            matrix[with_section], [str(rows[i].section) for i in with_section], weights[with_section]
        )
    vocabulary = sorted(vec.vocabulary_, key=lambda t: vec.vocabulary_[t])
    meta = {
        "format": FORMAT,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "examples": len(rows),
        "corrected": sum(1 for e in rows if e.corrected),
        "categories": dict(sorted(categories.items())),
        "sections": dict(sorted(Counter(rows[i].section for i in with_section).items())),
        "ngrams": list(NGRAMS),
    }
    return LearnedModel(tuple(vocabulary), np.asarray(vec.idf_, dtype=np.float64), heads, meta)


def _fit_head(matrix: Any, labels: Sequence[str], weights: np.ndarray) -> Head:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=20.0, max_iter=2000)
    clf.fit(matrix, labels, sample_weight=weights)
    coef, intercept = clf.coef_, clf.intercept_
    if len(clf.classes_) == 2:  # scikit-learn keeps one row for two classes; make it a softmax over both
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return Head(tuple(str(c) for c in clf.classes_), np.asarray(coef), np.asarray(intercept))


def save_model(model: LearnedModel, path: Path) -> Path:
    """Write the model as plain arrays (`.npz`), atomically: a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {
        "meta": np.array(json.dumps(model.meta, ensure_ascii=False)),
        "vocabulary": np.array(model.vocabulary, dtype=str),
        "idf": model.idf,
    }
    for name, head in model.heads.items():
        arrays[f"{name}.classes"] = np.array(head.classes, dtype=str)
        arrays[f"{name}.coef"] = head.coef
        arrays[f"{name}.intercept"] = head.intercept
    fd, tmp = tempfile.mkstemp(prefix=".model-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_model(path: Path) -> LearnedModel | None:
    """The model stored at `path`, or None when none has been trained; reloaded when the file changes."""
    path = Path(path)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return _load(path.resolve(), mtime)


@functools.lru_cache(maxsize=4)
def _load(path: Path, mtime: int) -> LearnedModel:
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT:
                raise ModelError(f"Model file {path} has format {meta.get('format')!r}, not {FORMAT}.")
            heads = {
                name: Head(
                    tuple(str(c) for c in data[f"{name}.classes"]),
                    np.asarray(data[f"{name}.coef"], dtype=np.float64),
                    np.asarray(data[f"{name}.intercept"], dtype=np.float64),
                )
                for name in ("category", "section")
                if f"{name}.classes" in data
            }
            vocabulary = tuple(str(t) for t in data["vocabulary"])
            idf = np.asarray(data["idf"], dtype=np.float64)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"Model file {path} cannot be read ({exc}); run `dak train` again.") from exc
    if "category" not in heads or len(idf) != len(vocabulary):
        raise ModelError(f"Model file {path} is incomplete; run `dak train` again.")
    return LearnedModel(vocabulary, idf, heads, meta)
