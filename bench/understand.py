"""How well dak understands letters: fields, category, priority, security, section, per letter kind.

Renders the labelled letters of `samples/letters.py` (clean and scanner-damaged), reads them with
the real page stages (`pipeline.pages`: orientation, clean-up, tesseract), and reads the EPFO
circulars in ../shared/eval/ the same way (`pipeline.raster`). OCR text is cached on disk
(bench/.cache/understand/), so a rerun only extracts and classifies again. Prints per-field
scores against the targets of issue 4, the confusion matrix, and the misses; the baseline
in the same run is the rules alone against rules plus a model learned on a separate corpus
(`samples/make_samples.py` letters, `--learn`).

    .venv/bin/python bench/understand.py [--per-cell 2] [--workers 2] [--learn] [--show-misses]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from pipeline import classify, extract, learn, pages, raster  # noqa: E402
from pipeline.config import LimitSettings, OcrSettings  # noqa: E402
from pipeline.intake import take_in  # noqa: E402
from pipeline.model import Category, Page  # noqa: E402
from pipeline.text import collapse_spaces, fold  # noqa: E402
from samples import letters, make_samples  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "understand"
EVAL = ROOT.parent / "shared" / "eval" / "epfo-circulars"
EPFO_TRUTH = ROOT / "bench" / "epfo_truth.json"
RECEIVED = date(2026, 3, 31)
TARGETS = {"category": 0.95, "macro_f1": 0.9, "no_clean": 0.95, "no_damaged": 0.9, "subject": 0.9}


@dataclass
class Case:
    name: str
    source: str  # "letters" or "epfo"
    damaged: bool
    truth: dict[str, Any]
    text: str = ""


def similar(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    return SequenceMatcher(None, fold(collapse_spaces(a)), fold(collapse_spaces(b))).ratio()


def sender_right(got: str | None, want: str, alternatives: list[str] | None = None) -> bool:
    """The sender named: close to the label, or the label plus the place or designation after a comma."""
    if not got:
        return False
    if any(sender_right(got, alt) for alt in alternatives or []):
        return True
    return (
        similar(got, want) >= 0.8
        or similar(got.split(",")[0], want) >= 0.85
        or similar(", ".join(got.split(", ")[:-1]), want) >= 0.85
    )


def _ocr_image(img: Image.Image, key: str, number: int, work: Path) -> str:
    path = work / f"{key}-{number}.png"
    img.save(path, dpi=(img.info.get("dpi", (300, 300))[0],) * 2)
    dpi = int(round(img.info.get("dpi", (300, 300))[0]))
    clean = pages.prepare_page(Page(number=number, image=path, dpi=dpi), work)
    return pages.read_page(clean, work, OcrSettings()).text


def _ocr_fingerprint() -> str:
    """The code and settings that make the OCR text: a change to any of them reads the pages again."""
    parts = [
        (ROOT / "pipeline" / f).read_bytes()
        for f in ("ocr.py", "pages.py", "preprocess.py", "text.py", "reread.py")
    ]
    parts.append(OcrSettings().model_dump_json().encode())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:8]


OCR_VERSION = _ocr_fingerprint()


def _cached(key: str, make: Any) -> str:
    path = CACHE / f"{key}-{OCR_VERSION}.txt"
    if path.exists():
        return path.read_text(encoding="utf-8")
    try:
        text = make()
    except Exception as exc:  # noqa: BLE001 - one unreadable page must not stop the benchmark
        print(f"OCR failed for {key}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return ""  # scored as read wrong, not cached: the next run tries again
    path.write_text(text, encoding="utf-8")
    return text


def letter_case(name: str, spec: make_samples.LetterSpec, damage: dict[str, Any] | None) -> Case:
    key = hashlib.sha256(
        json.dumps([make_samples.spec_json(spec), damage], sort_keys=True, default=str).encode()
    ).hexdigest()[:16]

    def ocr() -> str:
        work = CACHE / "work" / key  # one folder per letter: the page stages name their files by page
        work.mkdir(parents=True, exist_ok=True)
        images, _ = make_samples.render_pages(spec, 300)
        texts = []
        for i, img in enumerate(images, start=1):
            dpi = 300
            if damage:
                args = {k: v for k, v in damage.items() if k != "jpeg"}
                img = make_samples.degrade(img, **args)
                dpi = round(300 * args.get("dpi_scale", 1.0))
                if "jpeg" in damage:
                    buf = io.BytesIO()
                    img.save(buf, "JPEG", quality=damage["jpeg"])
                    img = Image.open(io.BytesIO(buf.getvalue()))
            img.info["dpi"] = (dpi, dpi)
            texts.append(_ocr_image(img, key, i, work))
        return "\f".join(texts)

    truth = spec.expected()
    if spec.language == "mixed" and spec.sender in spec.letterhead[:2]:
        truth["sender_alt"] = list(spec.letterhead[:2])  # a bilingual letterhead names the office twice
    return Case(name, "letters", damage is not None, truth, _cached(key, ocr))


def epfo_case(name: str, truth: dict[str, Any]) -> Case:
    pdf = EVAL / f"{name}.pdf"

    def ocr() -> str:
        work = CACHE / "work" / name
        work.mkdir(parents=True, exist_ok=True)
        limits = LimitSettings()
        document = take_in(pdf, limits)
        texts = []
        for page in raster.rasterise(document, work, 300, limits):
            clean = pages.prepare_page(page, work)
            texts.append(pages.read_page(clean, work, OcrSettings()).text)
        return "\f".join(texts)

    key = "epfo-" + hashlib.sha256(pdf.read_bytes()).hexdigest()[:16]
    return Case(name, "epfo", False, truth, _cached(key, ocr))


def learned_model() -> learn.LearnedModel:
    """A model trained on make_samples letters (printed text, not OCR): a corpus apart from the bench set."""

    @dataclass
    class Ex:
        ocr_text: str
        category: str
        section: str | None
        corrected: bool = False

    examples = []
    for seed in range(300):
        spec = make_samples.make_spec(90_000 + seed)
        examples.append(Ex("\f".join(make_samples.page_texts(spec)), spec.category, None))
    return learn.train(examples)


def evaluate(cases: list[Case], model: learn.LearnedModel | None) -> list[dict[str, Any]]:
    rules = classify.load_rules(ROOT / "config" / "categories.toml")
    rows = []
    for case in cases:
        letter = extract.extract_letter(case.text, RECEIVED)
        result = classify.classify(case.text, letter, rules, model=model)
        got = {
            "category": str(result.category),
            "priority": str(result.priority),
            "security": str(result.security),
            "letter_no": letter.letter_no,
            "letter_date": letter.letter_date.isoformat() if letter.letter_date else None,
            "subject": letter.subject,
            "sender": letter.sender,
            "file_no": letter.file_numbers[0] if letter.file_numbers else None,
            "language": letter.language,
        }
        rows.append({"case": case, "got": got})
    return rows


def _norm_no(value: str | None) -> str:
    return regex_sub_spaces(value or "").casefold()


def regex_sub_spaces(value: str) -> str:
    return "".join(value.split())


def printed_part_right(got: str | None, truth: dict[str, Any]) -> bool:
    """The letter number's printed part read right, whatever became of a handwritten serial after it."""
    return bool(got) and _norm_no(got).startswith(_norm_no(truth["letter_no_printed"]).rstrip("/"))


def scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    n = len(rows)
    cat = [(r["case"].truth["category"], r["got"]["category"]) for r in rows]
    out["category"] = sum(t == g for t, g in cat) / n
    labels = sorted({t for t, _ in cat} | {g for _, g in cat})
    f1s = []
    for label in {t for t, _ in cat}:
        tp = sum(t == g == label for t, g in cat)
        fp = sum(g == label and t != label for t, g in cat)
        fn = sum(t == label and g != label for t, g in cat)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    out["macro_f1"] = sum(f1s) / len(f1s)
    out["labels"] = labels
    for field in ("priority", "security", "language"):
        have = [r for r in rows if r["case"].truth.get(field) is not None]
        out[field] = sum(r["got"][field] == r["case"].truth[field] for r in have) / max(1, len(have))
    for kind, pick in (("clean", False), ("damaged", True)):
        part = [r for r in rows if r["case"].damaged is pick]
        out[f"no_{kind}"] = sum(
            _norm_no(r["got"]["letter_no"]) == _norm_no(r["case"].truth["letter_no"]) for r in part
        ) / max(1, len(part))
        out[f"date_{kind}"] = sum(
            r["got"]["letter_date"] == r["case"].truth["letter_date"] for r in part
        ) / max(1, len(part))
        out[f"n_{kind}"] = len(part)
    # The EPFO circulars' numbers end in a handwritten dispatch serial and some are dated with a
    # rubber stamp: how much of what is printed comes out right is scored on its own.
    have = [r for r in rows if "letter_no_printed" in r["case"].truth]
    out["printed_n"] = len(have)
    out["no_printed"] = sum(printed_part_right(r["got"]["letter_no"], r["case"].truth) for r in have)
    have = [r for r in rows if "letter_date_by" in r["case"].truth]
    for kind, pick in (("printed", True), ("other", False)):
        part = [r for r in have if (r["case"].truth["letter_date_by"] == "printed") is pick]
        out[f"date_{kind}"] = (
            sum(r["got"]["letter_date"] == r["case"].truth["letter_date"] for r in part),
            len(part),
        )
    out["subject"] = sum(similar(r["got"]["subject"], r["case"].truth["subject"]) >= 0.9 for r in rows) / n
    have = [r for r in rows if r["case"].truth.get("sender")]
    right = [
        sender_right(r["got"]["sender"], r["case"].truth["sender"], r["case"].truth.get("sender_alt"))
        for r in have
    ]
    out["sender"] = sum(right) / max(1, len(have))
    have = [r for r in rows if "file_no" in r["case"].truth]
    out["file_no_n"] = len(have)
    out["file_no"] = sum(
        _norm_no(r["got"]["file_no"]) == _norm_no(r["case"].truth["file_no"]) for r in have
    ) / max(1, len(have))
    return out


def confusion(rows: list[dict[str, Any]]) -> str:
    labels = [c.value for c in Category]
    short = {c: c[:6] for c in labels}
    counts = Counter((r["case"].truth["category"], r["got"]["category"]) for r in rows)
    head = "truth \\ got".ljust(18) + "".join(short[c].rjust(7) for c in labels)
    lines = [head]
    for t in labels:
        if not any(counts[(t, g)] for g in labels):
            continue
        lines.append(
            t.ljust(18) + "".join((str(counts[(t, g)]) if counts[(t, g)] else ".").rjust(7) for g in labels)
        )
    return "\n".join(lines)


def report(title: str, rows: list[dict[str, Any]], show_misses: bool) -> dict[str, Any]:
    s = scores(rows)
    print(f"\n== {title}: {len(rows)} letters ({s['n_clean']} clean, {s['n_damaged']} damaged)")
    line = (
        f"category {s['category']:.1%} (target {TARGETS['category']:.0%})  macro-F1 {s['macro_f1']:.3f} "
        f"(target {TARGETS['macro_f1']})\n"
        f"letter_no exact: clean {s['no_clean']:.1%}, damaged {s['no_damaged']:.1%} (targets 95% / 90%)\n"
        f"letter_date exact: clean {s['date_clean']:.1%}, damaged {s['date_damaged']:.1%} (targets 95% / 90%)\n"
        f"subject >= 90% similar: {s['subject']:.1%} (target 90%)   sender: {s['sender']:.1%}   "
        + (f"file_no: {s['file_no']:.1%}\n" if s["file_no_n"] else "file_no: not labelled\n")
        + f"priority {s['priority']:.1%}  security {s['security']:.1%}  language {s['language']:.1%}"
    )
    print(line)
    if s["printed_n"]:
        (dp, np_), (do, no) = s["date_printed"], s["date_other"]
        print(
            f"letter_no printed part right: {s['no_printed']}/{s['printed_n']}   "
            f"letter_date right: printed {dp}/{np_}, stamped or handwritten {do}/{no}"
        )
    print(confusion(rows))
    if show_misses:
        for r in rows:
            t, g, c = r["case"].truth, r["got"], r["case"]
            for field in (
                "category",
                "letter_no",
                "letter_date",
                "subject",
                "sender",
                "priority",
                "security",
                "file_no",
            ):
                if field not in t:
                    continue
                if field == "subject":
                    bad = similar(g[field], t[field]) < 0.9
                elif field == "sender":
                    bad = bool(t[field]) and not sender_right(g[field], t[field], t.get("sender_alt"))
                elif field in ("letter_no", "file_no"):
                    bad = _norm_no(g[field]) != _norm_no(t[field])
                else:
                    bad = g[field] != t[field]
                if bad:
                    how = ""
                    if field == "letter_no" and "letter_no_printed" in t:
                        how = (
                            " (printed part right)"
                            if printed_part_right(g[field], t)
                            else " (printed part wrong)"
                        )
                    if field == "letter_date" and "letter_date_by" in t:
                        how = f" ({t['letter_date_by']})"
                    print(f"  MISS {c.name} {field}: got {g[field]!r} want {t[field]!r}{how}")
    return s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--per-cell", type=int, default=1, help="letters per category x language (x2: clean, damaged)"
    )
    parser.add_argument("--workers", type=int, default=2, help="letters OCR'd at once")
    parser.add_argument(
        "--learn", action="store_true", help="also score rules + a model learned on make_samples letters"
    )
    parser.add_argument("--show-misses", action="store_true", help="list every field that is wrong")
    parser.add_argument("--no-epfo", action="store_true", help="leave out the EPFO circulars")
    args = parser.parse_args(argv)
    CACHE.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    jobs = [(n, s, d) for n, s, d in letters.labelled_set(per_cell=args.per_cell)]
    with ThreadPoolExecutor(args.workers) as pool:
        cases = list(pool.map(lambda j: letter_case(*j), jobs))
        epfo: list[Case] = []
        if not args.no_epfo and EPFO_TRUTH.exists():
            truth = json.loads(EPFO_TRUTH.read_text(encoding="utf-8"))
            epfo = list(pool.map(lambda item: epfo_case(*item), truth.items()))
    print(
        f"read {len(cases)} letters and {len(epfo)} EPFO circulars in {time.monotonic() - started:.0f} s (cached OCR is reused)"
    )
    printed = [
        Case(
            n,
            "printed",
            d is not None,
            c.truth,
            "\f".join(map(raster.join_lines, make_samples.page_lines(s))),
        )
        for (n, s, d), c in zip(jobs, cases, strict=True)
    ]
    report(
        "built letters as a born-digital PDF gives their text (no OCR: raster.join_lines), rules",
        evaluate(printed, None),
        args.show_misses,
    )
    t0 = time.monotonic()
    report("built letters, rules", evaluate(cases, None), args.show_misses)
    if epfo:
        report("EPFO circulars, rules", evaluate(epfo, None), args.show_misses)
    rules_s = time.monotonic() - t0
    if args.learn:
        model = learned_model()
        t1 = time.monotonic()
        report("built letters, rules + learned model", evaluate(cases, model), args.show_misses)
        if epfo:
            report("EPFO circulars, rules + learned model", evaluate(epfo, model), args.show_misses)
        print(
            f"\ntime to understand: rules {rules_s:.2f} s, rules + model {time.monotonic() - t1:.2f} s "
            f"(ratio {(time.monotonic() - t1) / max(rules_s, 1e-6):.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
