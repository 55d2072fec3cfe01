"""Fonts bench: dak's reading of Hindi and bilingual letters typed in Devanagari faces its samples never use.

dak's own sample letters are typed in Noto and Lohit; real letters come in Mangal, Kokila, Kruti
Dev and many more. This bench types sample letters with `samples.make_samples`' own typesetter
in every Devanagari face installed (Latin runs in FreeSerif or DejaVu), damages each page as a
scanner does, and runs dak's page stages (`pipeline.pages`: orientation, clean-up, OCR with the second
reading) once per choice of Hindi model, printing the character error rate per face and the CPU
time per page. The baseline in the same run is tesseract's Devanagari script model alone.

    apt-get install fonts-deva-extra fonts-samyak-deva fonts-freefont-ttf   # more faces
    .venv/bin/python bench/fonts.py [--models Devanagari,Devanagari+hin,hin]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from bench.cer import cer  # noqa: E402
from pipeline import ocr, pages  # noqa: E402
from pipeline.config import OcrSettings  # noqa: E402
from pipeline.model import Page  # noqa: E402
from samples import make_samples  # noqa: E402
from samples.make_samples import LetterSpec  # noqa: E402

DPI = 300
LETTERS = ((31, "hi"), (32, "hi"), (33, "mixed"), (34, "hi"))
DAMAGE = (
    {"skew": 1.2, "noise": 0.03},
    {"uneven_light": 0.4, "jpeg_quality": 50},
    {"blur": 1.0, "dpi_scale": 0.6},
    {"skew": -0.7, "punch_holes": True, "noise": 0.02},
)
LATIN_FACES = (
    "/usr/share/fonts/truetype/freefont/FreeSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
)


def devanagari_faces() -> dict[str, Path]:
    """Every installed face that covers Hindi, regular weights only, by file name."""
    listed = subprocess.run(["fc-list", ":lang=hi", "file", "style"], capture_output=True, text=True).stdout
    faces = {}
    for line in listed.splitlines():
        path, _, style = line.partition(":")
        if "bold" in style.lower() or "bold" in path.lower() or not path.endswith((".ttf", ".otf")):
            continue
        faces[Path(path).stem] = Path(path)
    return dict(sorted(faces.items()))


def type_page(spec: LetterSpec, face: Path, latin: Path) -> tuple[Image.Image, str]:
    """The letter's first page typeset by the samples' typesetter with `face` for its Devanagari, and its text."""
    family = f"bench-{face.stem}"
    make_samples.FAMILIES[family] = (face, face, latin, latin)  # one weight: most faces have no bold
    images, texts = make_samples.render_pages(replace(spec, family=family), DPI)
    return images[0], texts[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="Devanagari,Devanagari+hin", help="Hindi models to compare")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dak-bench-fonts")
    args = parser.parse_args(argv)
    latin = next((Path(p) for p in LATIN_FACES if Path(p).exists()), None)
    faces = devanagari_faces()
    if latin is None or not faces:
        sys.exit("needs fontconfig's fc-list, a Devanagari face and FreeSerif or DejaVu Serif")
    specs = [make_samples.make_spec(seed, language=language) for seed, language in LETTERS]
    args.work.mkdir(parents=True, exist_ok=True)
    scans, texts = [], {}
    for name, face in faces.items():
        for k, spec in enumerate(specs):
            path = args.work / f"{name}-{k}.pgm"
            image, texts[name, k] = type_page(spec, face, latin)
            if not path.exists():
                make_samples.degrade(image, seed=k, **DAMAGE[k]).save(path)
            scans.append((name, k, path))
    print(
        f"{len(faces)} faces x {len(specs)} letters ({', '.join(language for _, language in LETTERS)}); work dir {args.work}"
    )
    results: dict[str, dict[str, list[float]]] = {}
    seconds: dict[str, float] = {}
    for model in args.models.split(","):
        ocr.SCRIPT_LANGUAGES["Devanagari"] = f"{model}|hin"
        by_face: dict[str, list[float]] = {}
        started = time.process_time()
        for name, k, path in scans:
            work = args.work / model.replace("+", "_") / path.stem
            work.mkdir(parents=True, exist_ok=True)
            clean = pages.prepare_page(Page(number=1, image=path, dpi=DPI), work)
            read = pages.read_page(clean, work, OcrSettings())
            by_face.setdefault(name, []).append(cer(read.text, texts[name, k]))
        seconds[model] = (time.process_time() - started) / len(scans)
        results[model] = by_face
    models = list(results)
    print(f"\nCER % per face (mean of {len(specs)} letters)")
    print(f"{'face':<26}" + "".join(f"{m:>18}" for m in models))
    for name in faces:
        print(f"{name:<26}" + "".join(f"{100 * statistics.mean(results[m][name]):>18.2f}" for m in models))
    means = {m: statistics.mean(e for v in results[m].values() for e in v) for m in models}
    print(f"{'all':<26}" + "".join(f"{100 * means[m]:>18.2f}" for m in models))
    print(f"{'CPU s a page':<26}" + "".join(f"{seconds[m]:>18.2f}" for m in models))
    base = models[0]
    for m in models[1:]:
        print(f"{m} / {base}: CER {means[m] / means[base]:.2f}x, CPU {seconds[m] / seconds[base]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
