"""Memory bench: `dak ingest` of one long image-only PDF, with the peak resident memory of dak.

    .venv/bin/python bench/memory.py --pages 200

The PDF is made from the shipped sample image scans' first pages (JPEG in PDF, 300 dpi A4), repeated.
Peak RSS is the largest resident set of dak or any program it ran (tesseract, poppler).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SCANS = ROOT / "samples" / "scans"


def long_pdf(path: Path, pages: int) -> None:
    """An image-only PDF of `pages` A4 pages cycling through the sample scans' first pages."""
    images = []
    for scan in sorted(SCANS.iterdir()):
        if scan.suffix.lower() == ".pdf":
            continue
        with Image.open(scan) as image:
            images.append(image.convert("L").resize((2480, 3508)))
    frames = [images[i % len(images)] for i in range(pages)]
    frames[0].save(path, "PDF", save_all=True, append_images=frames[1:], resolution=300.0, quality=70)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dak-bench-memory")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    pdf = args.work / f"long-{args.pages}.pdf"
    if not pdf.exists():
        long_pdf(pdf, args.pages)
    home = args.work / "dak-home"
    shutil.rmtree(home, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAK_")}
    env["DAK_HOME"] = str(home)
    env["PREFECT_HOME"] = str(args.work / "prefect")
    start = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv/bin/dak"), "ingest", "--json", str(pdf)], env=env, capture_output=True
    )
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode != 0:
        sys.exit(f"dak ingest failed ({done.returncode}):\n{done.stderr.decode()[-3000:]}")
    size = pdf.stat().st_size
    outputs = list((home / "receipts").rglob("*.pdf"))
    out_size = outputs[0].stat().st_size if outputs else 0
    print(f"{args.pages} pages in {seconds:.0f} s ({args.pages / seconds:.2f} pages/s)")
    print(f"peak RSS {peak_mb:.0f} MB (target < 1536 MB)")
    print(
        f"input {size / 1e6:.1f} MB, signed output {out_size / 1e6:.1f} MB ({out_size / size:.2f}x, target <= 1.2x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
