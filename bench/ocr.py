"""OCR bench: dak, plain tesseract and OCRmyPDF on the same degraded letters, in one run.

Prints the character error rate of `pdftotext` on each tool's output against the ground truth,
per kind of degradation, the pages per second of each, the ceiling ratio (dak's pages/s over
2 x single-threaded tesseract on dak's own preprocessed pages) and output sizes.

    .venv/bin/python bench/ocr.py                    # 40 generated letters (about 50 pages)
    .venv/bin/python bench/ocr.py --count 10 --no-ocrmypdf

dak runs against a Prefect server the bench starts first (as in a deployment); with
`--embedded-prefect` its time includes starting Prefect's embedded server instead.

OCRmyPDF is not a dependency of dak: the bench installs it into a throwaway virtual environment
under its work directory (`python3 -m venv` + `pip install ocrmypdf`); `--clean` needs Debian's
`unpaper` (apt-get install unpaper).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cer import cer  # noqa: E402
from pipeline import ocr, pages, raster  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.intake import take_in  # noqa: E402
from samples.make_samples import make_corpus  # noqa: E402

STAMP_LINES = (  # the diary stamp's lines as dak prints them with the shipped config; * is any word
    "डायरी सं. / Diary No.: *",
    "प्राप्ति / Received: * *",
    "कार्यालय: जिला कार्यालय",
    "Office: District Office",
    "हस्ताक्षरकर्ता / Signed by: District Office (dak development signer)",
)
EVAL = ROOT.parent / "shared" / "eval"
# real scans with ground truth: (file, truth file, pages)
EVAL_SETS = (
    ("tesseract-test/phototest.tif", "tesseract-test/phototest.gt.txt"),
    ("tesseract-test/phototest-rotated-180.png", "tesseract-test/phototest.gt.txt"),
    ("tesseract-test/phototest-rotated-L.png", "tesseract-test/phototest.gt.txt"),
    ("tesseract-test/eurotext.tif", "tesseract-test/eurotext.gt.txt"),
    ("ocrmypdf/skew.pdf", "ocrmypdf/linn.gt.txt"),
    ("ocrmypdf/rotated_skew.pdf", "ocrmypdf/linn.gt.txt"),
)
os.environ["OMP_THREAD_LIMIT"] = "1"


def pdftext(pdf: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True
    )
    return out.stdout


def strip_stamp(text: str) -> str:
    """pdftotext of dak's page 1 without the diary stamp's text (it is not the letter's).

    The stamp goes wherever page 1 has room, so its lines can come anywhere in reading order;
    each is removed where it is found whole (the office names are the shipped defaults).
    """
    for pattern in STAMP_LINES:
        text = regex.sub(
            r"\s+".join(regex.escape(word) if word != "*" else r"\S+" for word in pattern.split()), " ", text
        )
    return text


def kinds(damage: dict[str, Any]) -> list[str]:
    found = [k for k, v in damage.items() if k != "seed" and v and not (k == "dpi_scale" and v == 1.0)]
    return found or ["clean"]


def build_set(work: Path, count: int, seed: int, with_eval: bool) -> list[dict[str, Any]]:
    """Files with per-page truth: the generated corpus plus the real scans that have ground truth."""
    corpus = work / "corpus"
    if not (corpus / "truth.json").exists():
        make_corpus(corpus, count, seed)
    files = []
    for entry in json.loads((corpus / "truth.json").read_text(encoding="utf-8"))["files"]:
        files.append(
            {
                "path": corpus / entry["file"],
                "truth": entry["text"],
                "kinds": [kinds(d) for d in entry["degradations"]],
            }
        )
    if with_eval:
        for name, gt in EVAL_SETS:
            if (EVAL / name).exists():
                files.append(
                    {
                        "path": EVAL / name,
                        "truth": [(EVAL / gt).read_text(encoding="utf-8")],
                        "kinds": [["real"]],
                    }
                )
    return files


@contextmanager
def prefect_server(work: Path) -> Iterator[str]:
    """A Prefect server for the bench's dak runs, as a real deployment has one running already."""
    port = 4299
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env["DO_NOT_TRACK"] = "1"
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(url + "/health", timeout=2):
                    break
            except OSError:
                time.sleep(1)
        else:
            sys.exit("the Prefect server for the bench did not start in 4 minutes")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)


def run_dak(files: list[dict[str, Any]], work: Path, api_url: str | None) -> tuple[float, list[Path | None]]:
    home = work / "dak-home"
    shutil.rmtree(home, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAK_")}
    env["DAK_HOME"] = str(home)
    env["PREFECT_HOME"] = str(work / "prefect")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    start = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv/bin/dak"), "ingest", "--json", *[str(f["path"]) for f in files]],
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if len(records) != len(files):
        sys.exit(f"dak ingest gave {len(records)} records for {len(files)} files:\n{done.stderr[-3000:]}")
    return seconds, [Path(r["output"]) if r.get("output") else None for r in records]


def prepared_pages(files: list[dict[str, Any]], work: Path) -> list[tuple[Path, int, str, Path]]:
    """Every page rasterised (for plain tesseract) and as dak preprocesses it (for the ceiling)."""
    settings = load_settings()
    out = []
    for index, f in enumerate(files):
        folder = work / "pages" / f"{index:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        document = take_in(f["path"], settings.limits)
        for page in raster.rasterise(document, folder, settings.ocr.dpi, settings.limits):
            raw = folder / f"raw-{page.number:04d}.png"
            shutil.copy(page.image, raw.with_suffix(".pgm"))
            clean = pages.prepare_page(page, folder)
            langs = ocr.languages_for(clean.script, settings.ocr.languages)
            out.append((raw.with_suffix(".pgm"), page.dpi, langs, clean.image))
    return out


def tesseract_pdf(image: Path, dpi: int, languages: str, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        ["tesseract", str(image), str(out.with_suffix("")), "-l", languages, "--dpi", str(dpi), "pdf"],
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - start


def ocrmypdf_exe(work: Path) -> Path:
    venv = work / "ocrmypdf-venv"
    exe = venv / "bin" / "ocrmypdf"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "ocrmypdf"], check=True)
    if shutil.which("unpaper") is None:
        sys.exit("OCRmyPDF --clean needs unpaper: apt-get install unpaper (or run with --no-ocrmypdf)")
    return exe


def run_ocrmypdf(files: list[dict[str, Any]], work: Path) -> tuple[float, list[Path | None]]:
    exe = ocrmypdf_exe(work)
    outs: list[Path | None] = []
    start = time.perf_counter()
    for index, f in enumerate(files):
        out = work / "ocrmypdf" / f"{index:03d}.pdf"
        out.parent.mkdir(parents=True, exist_ok=True)
        args = [str(exe), "--rotate-pages", "--deskew", "--clean", "-l", "hin+eng", "--output-type", "pdf"]
        args += ["--image-dpi", "300", "-q", str(f["path"]), str(out)]
        done = subprocess.run(
            args, capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}
        )
        outs.append(out if done.returncode == 0 and out.exists() else None)
    return time.perf_counter() - start, outs


def score(
    files: list[dict[str, Any]], outputs: list[Path | None], dak: bool = False
) -> dict[str, list[float]]:
    by_kind: dict[str, list[float]] = defaultdict(list)
    for f, out in zip(files, outputs, strict=True):
        for number, truth in enumerate(f["truth"], start=1):
            text = pdftext(out, number) if out else ""
            if dak and number == 1:
                text = strip_stamp(text)
            value = min(1.0, cer(text, truth))
            for kind in f["kinds"][number - 1]:
                by_kind[kind].append(value)
            by_kind["all"].append(value)
    return by_kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dak-bench-ocr")
    parser.add_argument("--count", type=int, default=40, help="generated letters (new work dir only)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--no-eval", action="store_true", help="leave out ../shared/eval scans")
    parser.add_argument("--no-ocrmypdf", action="store_true")
    parser.add_argument(
        "--embedded-prefect",
        action="store_true",
        help="time dak with Prefect's embedded server started by the run (adds 10-30 s) instead of a running one",
    )
    args = parser.parse_args(argv)
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    files = build_set(work, args.count, args.seed, not args.no_eval)
    n_pages = sum(len(f["truth"]) for f in files)
    print(f"{len(files)} files, {n_pages} pages with ground truth; work dir {work}", flush=True)

    if args.embedded_prefect:
        dak_seconds, dak_out = run_dak(files, work, None)
    else:
        with prefect_server(work) as url:
            dak_seconds, dak_out = run_dak(files, work, url)
    print(f"dak ingest: {dak_seconds:.1f} s", flush=True)

    shutil.rmtree(work / "pages", ignore_errors=True)
    prepared = prepared_pages(files, work)
    tess_dir = work / "tesseract"
    tess_dir.mkdir(exist_ok=True)
    # ceiling: one tesseract at a time on dak's preprocessed pages with dak's languages
    single = sum(
        tesseract_pdf(clean, dpi, langs, tess_dir / f"c{i}.pdf")
        for i, (_, dpi, langs, clean) in enumerate(prepared)
    )
    ceiling = 2 * len(prepared) / single
    # the same pages two at a time: what both cores really give when the machine is shared
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(
            pool.map(
                lambda a: tesseract_pdf(a[1][3], a[1][1], a[1][2], tess_dir / f"c{a[0]}.pdf"),
                enumerate(prepared),
            )
        )
    parallel_ceiling = len(prepared) / (time.perf_counter() - start)
    # plain tesseract on the raw pages, two at a time (both cores)
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(
            pool.map(
                lambda a: tesseract_pdf(a[1][0], a[1][1], "hin+eng", tess_dir / f"p{a[0]}.pdf"),
                enumerate(prepared),
            )
        )
    tess_seconds = time.perf_counter() - start
    tess_out: list[Path | None] = []
    merged = 0
    for index, f in enumerate(files):
        parts = [tess_dir / f"p{merged + k}.pdf" for k in range(len(f["truth"]))]
        merged += len(f["truth"])
        target = tess_dir / f"file{index:03d}.pdf"
        if len(parts) == 1:
            shutil.copy(parts[0], target)
        else:
            subprocess.run(["pdfunite", *map(str, parts), str(target)], check=True)
        tess_out.append(target)
    print(f"tesseract: {tess_seconds:.1f} s; ceiling {ceiling:.3f} pages/s", flush=True)

    results = {"dak": (dak_seconds, score(files, dak_out, dak=True), dak_out)}
    results["tesseract hin+eng"] = (tess_seconds, score(files, tess_out), tess_out)
    if not args.no_ocrmypdf:
        my_seconds, my_out = run_ocrmypdf(files, work)
        print(f"ocrmypdf: {my_seconds:.1f} s", flush=True)
        results["ocrmypdf"] = (my_seconds, score(files, my_out), my_out)

    kinds_seen = sorted({k for _, by, _ in results.values() for k in by} - {"all"})
    print()
    print("CER % by degradation kind (pages)")
    print(f"{'kind':<14}" + "".join(f"{name:>20}" for name in results))
    for kind in [*kinds_seen, "all"]:
        row = f"{kind + ' (' + str(len(results['dak'][1][kind])) + ')':<14}"
        for _, by, _ in results.values():
            row += f"{100 * statistics.mean(by[kind]):>20.2f}" if by.get(kind) else f"{'-':>20}"
        print(row)
    print()
    input_bytes = sum(f["path"].stat().st_size for f in files)
    for name, (seconds, _, outs) in results.items():
        size = sum(o.stat().st_size for o in outs if o and o.exists())
        print(
            f"{name:<20} {n_pages / seconds:6.3f} pages/s   output {size / 1e6:7.2f} MB (input {input_bytes / 1e6:.2f} MB)"
        )
    dak_rate = n_pages / dak_seconds
    print(f"\nceiling (2 x single-threaded tesseract on dak's pages): {ceiling:.3f} pages/s")
    print(f"dak / ceiling: {dak_rate / ceiling:.2f}  (target >= 0.85)")
    print(
        f"2 tesseracts side by side on dak's pages: {parallel_ceiling:.3f} pages/s; "
        f"dak / that: {dak_rate / parallel_ceiling:.2f}  (differs from the ceiling when other work shares the cores)"
    )
    if "ocrmypdf" in results:
        print(f"dak / ocrmypdf speed: {dak_rate / (n_pages / results['ocrmypdf'][0]):.2f}x  (target >= 3)")
    worst = max((statistics.mean(v), k) for k, v in results["dak"][1].items() if k != "all" and v)
    print(
        f"dak mean CER {100 * statistics.mean(results['dak'][1]['all']):.2f}% (target <= 2), worst kind {worst[1]} {100 * worst[0]:.2f}% (target <= 5)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
