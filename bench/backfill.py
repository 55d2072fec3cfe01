"""Backfill throughput and Prefect's share of it: the `backfill` flow against the same stages called plainly.

    .venv/bin/python -m bench.backfill [--files 200] [--workers 2]

Both runs work on the same generated one-page letters, each into a fresh data directory, with the
same number of files at once. Orchestration overhead = (flow time - plain time) / flow time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _letters(folder: Path, count: int) -> list[Path]:
    from dropkit import small_letter

    paths = [folder / f"{i // 50:02d}" / f"letter-{i:04d}.png" for i in range(count)]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    return [small_letter(path, i) for i, path in enumerate(paths)]


def _plain_one(path: Path) -> int:
    """The ingest flow's stages, called as plain functions (no Prefect)."""
    from flows import ingest as wiring
    from pipeline import diarise, pages, raster
    from pipeline.context import get_context

    settings = get_context().settings
    work = Path(tempfile.mkdtemp(dir=settings.work_dir))
    document = wiring.intake_task.fn(path)
    raster_pages = list(raster.rasterise(document, work, settings.ocr.dpi, settings.limits))
    cleaned = [pages.prepare_page(p, work) for p in raster_pages]
    ocr_pages = [pages.read_page(c, work, settings.ocr) for c in cleaned]
    received = datetime.now().astimezone()
    letter, category, due_days = wiring.understand_task.fn(ocr_pages, received, None)
    new = diarise.new_receipt(
        settings, document, ocr_pages, letter, category, received_at=received, source="bench", due_days=due_days,
        series=settings.backfill.series,
    )  # fmt: skip
    receipt = wiring.diarise_task.fn(new)
    wiring.sign_task.fn(document, receipt, ocr_pages, cleaned[0].image)
    return document.pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="dak-bench-backfill-"))
    os.environ["DAK_BACKFILL__WORKERS"] = str(args.workers)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from flows.cli_common import prepare_prefect
    from pipeline.config import load_settings

    os.environ["DAK_HOME"] = str(base / "warm")
    prepare_prefect(load_settings())
    from flows.backfill import backfill

    letters = _letters(base / "archive", args.files)
    warm = _letters(base / "warm-archive", 2)  # into its own data directory, so no duplicates later

    # Warm-up: Prefect's client and server, tesseract's models, the signing key.
    backfill(root=str(warm[0].parent.parent), report=str(base / "warm.csv"))

    os.environ["DAK_HOME"] = str(base / "plain")
    from pipeline.context import get_context

    get_context().settings.work_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        plain_pages = sum(pool.map(_plain_one, letters))
    plain = time.monotonic() - started

    os.environ["DAK_HOME"] = str(base / "flow")
    started = time.monotonic()
    counts = backfill(root=str(base / "archive"), report=str(base / "flow.csv"))
    flow = time.monotonic() - started
    assert counts.get("diarised") == args.files, counts

    overhead = (flow - plain) / flow
    print(f"backfill of {args.files} one-page letters, {args.workers} at once")
    print(f"  plain stages : {plain:7.1f} s  {plain_pages / plain:5.2f} pages/s")
    print(f"  backfill flow: {flow:7.1f} s  {counts['pages'] / flow:5.2f} pages/s  (one flow run)")
    print(f"  orchestration overhead: {overhead:6.1%} (flow/plain = {flow / plain:.3f})")


if __name__ == "__main__":
    main()
