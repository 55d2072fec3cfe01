"""Registry benchmark: diarising rate (SQLite, one writer; PostgreSQL, 8 writers) and search latency.

Baselines run in the same process on the same machine: for diarising, plain INSERTs of the same
rows with one commit each through the database driver (what any register must at least pay); for
search, a LIKE scan over the same receipts. Targets (issue 5): 500 receipts/s on SQLite, 300/s on
PostgreSQL with 8 writers, search over 100,000 receipts p95 < 50 ms.

    .venv/bin/python bench/registry.py                 # everything (a few minutes)
    .venv/bin/python bench/registry.py --search-size 20000 --no-postgres
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from registry_pg import throwaway_postgres  # noqa: E402

from pipeline.model import Classification, Letter  # noqa: E402
from pipeline.registry import NewReceipt, Registry  # noqa: E402

IST = timezone(timedelta(hours=5, minutes=30))
HINDI = [
    "कार्यालय",
    "प्रशिक्षण",
    "आवेदन",
    "सूचना",
    "अधिकार",
    "अधिनियम",
    "जिला",
    "उपायुक्त",
    "भूमि",
    "आवंटन",
    "संबंध",
    "पत्र",
    "दिनांक",
    "विभाग",
    "निदेशक",
    "सचिव",
    "शिकायत",
    "न्यायालय",
    "वेतन",
    "पेंशन",
    "अवकाश",
    "बजट",
    "अनुमान",
    "प्रतिवेदन",
    "निरीक्षण",
    "कर्मचारी",
    "अधिकारी",
    "संशोधन",
    "आदेश",
    "परिपत्र",
    "ज्ञापन",
    "सहायक",
    "लेखा",
    "स्थापना",
    "विधानसभा",
    "प्रश्न",
    "उत्तर",
    "तत्काल",
    "गोपनीय",
    "क्षेत्र",
]
ENGLISH = [
    "office",
    "training",
    "application",
    "information",
    "right",
    "act",
    "district",
    "commissioner",
    "land",
    "allotment",
    "letter",
    "dated",
    "department",
    "director",
    "secretary",
    "grievance",
    "court",
    "salary",
    "pension",
    "leave",
    "budget",
    "estimates",
    "report",
    "inspection",
    "employee",
    "officer",
    "amendment",
    "order",
    "circular",
    "memorandum",
    "assistant",
    "accounts",
    "establishment",
    "assembly",
    "question",
    "reply",
    "immediate",
    "confidential",
    "area",
]
VOCABULARY = HINDI + ENGLISH + [f"{w}{n}" for w in ("file", "ref", "case", "ward") for n in range(500)]


def letter_text(rng: random.Random, words: int) -> str:
    # Zipf-like: a few words very common, most rare, as in real letters
    return " ".join(
        VOCABULARY[min(int(rng.paretovariate(0.8)) - 1, len(VOCABULARY) - 1)] for _ in range(words)
    )


def new_receipt(i: int, rng: random.Random, tag: str = "") -> NewReceipt:
    subject = letter_text(rng, 8)
    return NewReceipt(
        office="HSR",
        diary_format="{office}/{year}/{seq:06d}",
        received_at=datetime(2026, 3, 14, 11, 30, tzinfo=IST),
        source=f"drop:scanner/{tag}{i}.pdf",
        sha256=hashlib.sha256(f"{tag}{i}".encode()).hexdigest(),
        pages=2,
        letter=Letter(subject=subject, sender="Deputy Commissioner, Hisar", letter_no=f"No. {i}/2026"),
        classification=Classification(section="Dak", confidence=0.8),
        ocr_text=letter_text(rng, 250),
        ocr_confidence=0.9,
        page_confidences=(0.9, 0.88),
    )


# --- SQLite: one writer -----------------------------------------------------------------------------


def baseline_sqlite(path: Path, receipts: list[NewReceipt]) -> float:
    """Plain INSERT of each receipt's row with its own commit, WAL and full sync like dak's registry."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(
        "CREATE TABLE r (id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE, subject TEXT, body TEXT, src TEXT)"
    )
    start = time.perf_counter()
    for new in receipts:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO r (sha256, subject, body, src) VALUES (?, ?, ?, ?)",
            (new.sha256, new.letter.subject, new.ocr_text, new.source),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return len(receipts) / elapsed


def dak_rate(url: str, receipts: list[NewReceipt], batch: int) -> float:
    with Registry(url, actor="bench") as reg:
        start = time.perf_counter()
        if batch == 1:
            for new in receipts:
                reg.diarise(new)
        else:
            for i in range(0, len(receipts), batch):
                reg.diarise_many(receipts[i : i + batch])
        elapsed = time.perf_counter() - start
        assert len(reg.list()) == len(receipts)
    return len(receipts) / elapsed


def bench_sqlite(count: int, work: Path) -> None:
    rng = random.Random(1)
    receipts = [new_receipt(i, rng) for i in range(count)]
    base = baseline_sqlite(work / "baseline.sqlite3", receipts)
    one = dak_rate(f"sqlite:///{work / 'one.sqlite3'}", receipts, 1)
    many = dak_rate(f"sqlite:///{work / 'batch.sqlite3'}", receipts, 50)
    print(f"SQLite diarise, 1 writer, {count} receipts (target 500/s):")
    print(f"  baseline: bare INSERT + COMMIT per row   {base:8.0f}/s")
    print(f"  dak diarise(), one per transaction       {one:8.0f}/s   ratio {one / base:.2f}")
    print(f"  dak diarise_many(), 50 per transaction   {many:8.0f}/s   ratio {many / base:.2f}")


# --- PostgreSQL: 8 writers --------------------------------------------------------------------------


@contextmanager
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server with its durable defaults (fsync and synchronous_commit on)."""
    with throwaway_postgres(fsync=True, settings={"max_connections": "50"}) as server:
        yield server.url()


def _writer(url: str, worker: int, count: int, batch: int, tag: str, barrier: Any, out: Any) -> None:
    rng = random.Random(worker)
    receipts = [new_receipt(worker * count + i, rng, tag) for i in range(count)]
    reg = Registry(url, actor=f"w{worker}")
    barrier.wait()
    start = time.perf_counter()
    for i in range(0, count, batch):
        if batch == 1:
            reg.diarise(receipts[i])
        else:
            reg.diarise_many(receipts[i : i + batch])
    out.put(time.perf_counter() - start)
    reg.close()


def _parallel_rate(target: Any, args_of: Any, writers: int, each: int) -> float:
    """Start `writers` processes running target(*args_of(w), barrier, out), release them together,
    and return rows per second until the last one reports."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(writers + 1), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_of(w), barrier, out)) for w in range(writers)]
    for p in procs:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    for _ in procs:
        out.get()
    elapsed = time.perf_counter() - start
    for p in procs:
        p.join()
    return writers * each / elapsed


def writers_rate(url: str, writers: int, each: int, batch: int, tag: str) -> float:
    return _parallel_rate(_writer, lambda w: (url, w, each, batch, tag), writers, each)


_BARE_INSERT = "INSERT INTO r (sha256, subject, body) VALUES (%(sha256)s, %(subject)s, %(body)s)"
# The least any gapless numbering costs: the counter row stays locked until the commit is on disk.
_COUNTED_INSERT = (
    "WITH n AS (UPDATE c SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq)"
    " INSERT INTO r (sha256, subject, body, seq) SELECT %(sha256)s, %(subject)s, %(body)s, last_seq FROM n"
)


def baseline_pg_writers(url: str, writers: int, each: int, statement: str) -> float:
    """8 processes running `statement` (one row, its own transaction) into a fresh table, no audit."""
    import psycopg
    from sqlalchemy import make_url

    parsed = make_url(url)
    params = {"host": parsed.query["host"], "port": 5432, "user": "dak", "dbname": "postgres"}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS r, c")
        conn.execute(
            "CREATE TABLE r (id serial PRIMARY KEY, sha256 text UNIQUE, subject text, body text, seq int)"
        )
        conn.execute("CREATE TABLE c (id int PRIMARY KEY, last_seq int); INSERT INTO c VALUES (1, 0)")
    return _parallel_rate(_pg_baseline_writer, lambda w: (params, statement, w, each), writers, each)


def _pg_baseline_writer(
    params: dict[str, Any], statement: str, worker: int, count: int, barrier: Any, out: Any
) -> None:
    import psycopg

    rng = random.Random(worker)
    receipts = [new_receipt(worker * count + i, rng, "base") for i in range(count)]
    with psycopg.connect(**params, autocommit=True) as conn:
        barrier.wait()
        for new in receipts:
            conn.execute(
                statement, {"sha256": new.sha256, "subject": new.letter.subject, "body": new.ocr_text}
            )
    out.put(1)


def bench_postgres(each: int, search_size: int, queries: int) -> None:
    writers = 8
    with postgres() as url:
        base = baseline_pg_writers(url, writers, each, _BARE_INSERT)
        counted = baseline_pg_writers(url, writers, each, _COUNTED_INSERT)
        one = writers_rate(url, writers, each, 1, "one")
        many = writers_rate(url, writers, each, 25, "many")
        print(f"PostgreSQL diarise, {writers} writers x {each} receipts (target 300/s):")
        print(f"  baseline: bare INSERT + COMMIT per row   {base:8.0f}/s")
        print(f"  baseline: + gapless counter, one stmt    {counted:8.0f}/s   (the counter's own ceiling)")
        print(f"  dak diarise(), one per transaction       {one:8.0f}/s   ratio {one / base:.2f}"
              f"  vs counter {one / counted:.2f}")  # fmt: skip
        print(f"  dak diarise_many(), 25 per transaction   {many:8.0f}/s   ratio {many / base:.2f}")
        with Registry(url) as reg:
            assert reg.verify_audit() == 2 * writers * each
        if search_size:
            bench_search(url, search_size, queries, "PostgreSQL", skip=2 * writers * each)


# --- search -----------------------------------------------------------------------------------------


def fill(url: str, size: int, skip: int = 0) -> None:
    rng = random.Random(7)
    with Registry(url, actor="bench") as reg:
        for i in range(skip, size, 1000):
            reg.diarise_many([new_receipt(j, rng, "s") for j in range(i, min(i + 1000, size))])
    if url.startswith("postgresql"):  # what autovacuum does after a bulk load, so the planner knows
        from sqlalchemy import create_engine, text

        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
        engine.dispose()


def bench_search(url: str, size: int, queries: int, label: str, skip: int = 0) -> None:
    start = time.perf_counter()
    fill(url, size, skip)
    fill_rate = (size - skip) / (time.perf_counter() - start)
    rng = random.Random(3)
    words = [rng.choice(VOCABULARY[: len(HINDI) + len(ENGLISH)]) for _ in range(queries // 2)]
    words += [f"{rng.choice(VOCABULARY)} {rng.choice(VOCABULARY[:40])}" for _ in range(queries - len(words))]
    with Registry(url) as reg:
        timings, hits = [], 0
        for query in words:
            t = time.perf_counter()
            hits += len(reg.search(query, limit=20))
            timings.append((time.perf_counter() - t) * 1000)
        baseline = []
        if url.startswith("sqlite"):
            conn = sqlite3.connect(url.removeprefix("sqlite:///"))
            for query in words[:20]:
                t = time.perf_counter()
                like = [f"%{w}%" for w in query.split()]
                sql = "SELECT id FROM receipts WHERE " + " AND ".join(
                    ["(subject LIKE ? OR ocr_text LIKE ?)"] * len(like)
                )
                conn.execute(sql + " LIMIT 20", [p for w in like for p in (w, w)]).fetchall()
                baseline.append((time.perf_counter() - t) * 1000)
            conn.close()
    p95 = statistics.quantiles(timings, n=20)[18]
    print(
        f"{label} search over {size} receipts, {queries} queries (target p95 < 50 ms; filled at {fill_rate:.0f}/s):"
    )
    print(f"  dak search  p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  max {max(timings):6.1f} ms"
          f"  ({hits / len(words):.1f} hits/query)")  # fmt: skip
    if baseline:
        p95_base = statistics.quantiles(baseline, n=20)[18] if len(baseline) >= 2 else baseline[0]
        print(f"  baseline LIKE scan p50 {statistics.median(baseline):6.1f} ms  p95 {p95_base:6.1f} ms"
              f"   ratio (p95) {p95 / p95_base:.3f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--receipts", type=int, default=2000, help="receipts diarised on SQLite (default 2000)"
    )
    parser.add_argument(
        "--pg-each", type=int, default=250, help="receipts per PostgreSQL writer (default 250)"
    )
    parser.add_argument("--search-size", type=int, default=100_000, help="receipts searched (default 100000)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dak-bench-") as tmp:
        work = Path(tmp)
        print(f"dak registry benchmark on {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}")
        if not args.no_sqlite:
            bench_sqlite(args.receipts, work)
            bench_search(f"sqlite:///{work / 'search.sqlite3'}", args.search_size, args.queries, "SQLite")
        if not args.no_postgres:
            bench_postgres(args.pg_each, args.search_size, args.queries)


if __name__ == "__main__":
    main()
