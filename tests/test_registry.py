"""The registry on real SQLite files (and a throwaway PostgreSQL server): diary numbers, duplicates, audit."""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import registry_pg

from pipeline.errors import ConfigError, ReceiptNotFoundError, RegistryError
from pipeline.model import Category, Classification, Letter, Priority, Security, Status
from pipeline.registry import SCHEMA_VERSION, NewReceipt, Registry
from pipeline.registry.audit import canonical_json, event_hash
from pipeline.registry.diary import diary_template, format_diary_no
from pipeline.registry.pg_writer import details_rest, event_prefix

pg_server = registry_pg.pg_server
postgres_url = registry_pg.postgres_url
IST = timezone(timedelta(hours=5, minutes=30))
FORMAT = "{office}/{year}/{seq:06d}"


def sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def new_receipt(label: str, **changes: object) -> NewReceipt:
    values: dict[str, object] = {
        "office": "HSR",
        "diary_format": FORMAT,
        "received_at": datetime(2026, 3, 14, 11, 30, tzinfo=IST),
        "source": f"drop:scanner/{label}.pdf",
        "sha256": sha(label),
        "pages": 2,
    }
    values.update(changes)
    return NewReceipt(**values)  # type: ignore[arg-type]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "registry.sqlite3"


@pytest.fixture
def registry(db_path: Path) -> Iterator[Registry]:
    reg = Registry(f"sqlite:///{db_path}", actor="tester")
    yield reg
    reg.close()


def test_creates_folder_schema_and_wal(db_path: Path, registry: Registry) -> None:
    assert db_path.exists()
    assert registry.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_diary_numbers_count_up_in_format(registry: Registry) -> None:
    receipts = [registry.diarise(new_receipt(f"letter-{i}")) for i in range(3)]
    assert [r.diary_no for r in receipts] == ["HSR/2026/000001", "HSR/2026/000002", "HSR/2026/000003"]
    assert all(r.status is Status.DIARISED for r in receipts)
    assert len({r.receipt_id for r in receipts}) == 3


def test_receipt_carries_the_letter_fields(registry: Registry) -> None:
    letter = Letter(
        letter_no="F.No. 12/4/2026-Estt",
        letter_date=date(2026, 3, 10),
        subject="भूमि आवंटन के संबंध में",
        sender="Deputy Commissioner, Hisar",
        references=("OM dated 01.02.2026",),
        file_numbers=("HSR/EST/2026/17", "HSR/EST/2026/18"),
        language="mixed",
    )
    cls = Classification(Category.RTI, Priority.IMMEDIATE, Security.CONFIDENTIAL, "RTI Cell", 0.83)
    made = registry.diarise(
        new_receipt("fields", letter=letter, classification=cls, language="mixed", ocr_confidence=0.91)
    )
    got = registry.get(made.diary_no or "")
    assert got == made
    assert (got.category, got.priority, got.security, got.section) == (
        "rti",
        "immediate",
        "confidential",
        "RTI Cell",
    )
    assert (got.letter_no, got.letter_date, got.subject, got.sender) == (
        letter.letter_no,
        letter.letter_date,
        letter.subject,
        letter.sender,
    )
    assert got.file_no == "HSR/EST/2026/17"
    assert got.confidence == {"ocr": 0.91, "category": 0.83}
    assert got.received_at == datetime(2026, 3, 14, 11, 30, tzinfo=IST)
    assert got.received_at is not None and got.received_at.utcoffset() == timedelta(hours=5, minutes=30)
    assert got.output is None and got.error is None


def test_same_bytes_give_duplicate_and_burn_no_number(registry: Registry) -> None:
    first = registry.diarise(new_receipt("same"))
    again = registry.diarise(new_receipt("same", source="drop:other/copy.pdf"))
    assert again.status is Status.DUPLICATE
    assert (again.diary_no, again.receipt_id, again.source) == (
        first.diary_no,
        first.receipt_id,
        first.source,
    )
    assert registry.diarise(new_receipt("next")).diary_no == "HSR/2026/000002"
    assert len(registry.list()) == 2
    found = registry.find_by_sha256(sha("same"))
    assert found is not None and found.status is Status.DIARISED
    assert registry.find_by_sha256(sha("never seen")) is None


def test_year_is_taken_in_the_offices_time_and_restarts_at_one(registry: Registry) -> None:
    registry.diarise(new_receipt("a", received_at=datetime(2025, 12, 31, 17, 0, tzinfo=IST)))
    registry.diarise(new_receipt("b", received_at=datetime(2025, 12, 31, 23, 0, tzinfo=IST)))
    # 00:10 IST on 1 January is still 31 December in UTC: the office's year counts
    new_year = registry.diarise(new_receipt("c", received_at=datetime(2026, 1, 1, 0, 10, tzinfo=IST)))
    assert new_year.diary_no == "HSR/2026/000001"
    assert registry.diarise(new_receipt("d")).diary_no == "HSR/2026/000002"


def test_each_series_and_office_has_its_own_counter(registry: Registry) -> None:
    legacy_format = "{office}/{series}/{year}/{seq:06d}"
    assert registry.diarise(new_receipt("r1")).diary_no == "HSR/2026/000001"
    legacy = [
        registry.diarise(new_receipt(f"old{i}", series="LEGACY", diary_format=legacy_format))
        for i in range(2)
    ]
    assert [r.diary_no for r in legacy] == ["HSR/LEGACY/2026/000001", "HSR/LEGACY/2026/000002"]
    assert registry.diarise(new_receipt("r2")).diary_no == "HSR/2026/000002"
    assert registry.diarise(new_receipt("x1", office="BWN")).diary_no == "BWN/2026/000001"


def test_clashing_diary_number_rolls_back_and_explains(registry: Registry) -> None:
    registry.diarise(new_receipt("plain"))
    with pytest.raises(RegistryError, match=r"\{series\}"):
        registry.diarise(new_receipt("clash", series="LEGACY"))  # same format: HSR/2026/000001 again
    legacy = registry.diarise(new_receipt("ok", series="LEGACY", diary_format="L/{year}/{seq}"))
    assert legacy.diary_no == "L/2026/1"  # the failed attempt used up no LEGACY number
    assert registry.find_by_sha256(sha("clash")) is None


@pytest.mark.parametrize(
    "bad", ["{office}/{year}", "{office}/{yr}/{seq}", "{office}/{seq", "{office}/{seq:x}", "{seq!r}"]
)
def test_bad_diary_format_is_refused(registry: Registry, bad: str) -> None:
    with pytest.raises(ConfigError):
        registry.diarise(new_receipt("x", diary_format=bad))
    assert registry.list() == []


def test_naive_receipt_time_is_refused(registry: Registry) -> None:
    with pytest.raises(RegistryError, match="time zone"):
        registry.diarise(new_receipt("naive", received_at=datetime(2026, 3, 14, 11, 30)))


def test_record_output_persists(db_path: Path, registry: Registry) -> None:
    made = registry.diarise(new_receipt("out"))
    assert made.receipt_id is not None
    updated = registry.record_output(made.receipt_id, "/data/receipts/HSR-2026-000001.pdf", sha("pdf"))
    assert updated.output == "/data/receipts/HSR-2026-000001.pdf"
    registry.close()
    with Registry(f"sqlite:///{db_path}") as reopened:
        assert reopened.get("HSR/2026/000001").output == "/data/receipts/HSR-2026-000001.pdf"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT output_sha256 FROM receipts").fetchone()[0] == sha("pdf")


def test_unknown_receipts_raise_not_found(registry: Registry) -> None:
    registry.diarise(new_receipt("known"))
    with pytest.raises(ReceiptNotFoundError):
        registry.get("HSR/2026/000999")
    with pytest.raises(ReceiptNotFoundError):
        registry.record_output(999, "/x.pdf", sha("x"))


def test_list_is_in_diary_order_with_limit(registry: Registry) -> None:
    registry.diarise(new_receipt("late", received_at=datetime(2027, 1, 5, tzinfo=IST)))
    registry.diarise(new_receipt("early1"))
    registry.diarise(new_receipt("early2"))
    assert [r.diary_no for r in registry.list()] == ["HSR/2026/000001", "HSR/2026/000002", "HSR/2027/000001"]
    assert [r.diary_no for r in registry.list(limit=1)] == ["HSR/2026/000001"]


def test_audit_chain_links_and_detects_tampering(db_path: Path, registry: Registry) -> None:
    first = registry.diarise(new_receipt("a1"))
    registry.diarise(new_receipt("a2"))
    registry.diarise(new_receipt("a1"))  # duplicate: no event
    assert first.receipt_id is not None
    registry.record_output(first.receipt_id, "/out/a1.pdf", sha("a1.pdf"))
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT action, actor, prev_hash, hash FROM audit_events ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["diarise", "diarise", "sign"]
    assert {r[1] for r in rows} == {"tester"}
    assert rows[0][2] == "0" * 64
    for previous, current in zip(rows, rows[1:], strict=False):
        assert current[2] == previous[3]
    assert len({r[3] for r in rows}) == 3
    assert registry.verify_audit() == 3

    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE id = 2")
    with pytest.raises(RegistryError, match="event 2"):
        registry.verify_audit()


def test_newer_schema_is_refused(db_path: Path, registry: Registry) -> None:
    registry.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(RegistryError, match="newer"):
        Registry(f"sqlite:///{db_path}")


def test_unsupported_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="not supported"):
        Registry(f"mysql://u@localhost/{tmp_path.name}")


# --- concurrency: many processes, one registry ------------------------------------------------------

WORKERS = 8
EACH = 49  # each worker's own letters; with the SHARED_COUNT letters every worker sends, 400 receipts
SHARED_COUNT = 8
SHARED = "letter scanned at every desk"


def _diarise_batch(url: str, worker: int, barrier: Any, results: Any) -> None:
    """Runs in a spawned process: the shared letters every worker sends at once, and EACH of its own."""
    reg = Registry(url, actor=f"worker{worker}")
    out: list[tuple[str, str, str]] = []
    barrier.wait()
    shared = [f"{SHARED} {(k + worker) % SHARED_COUNT}" for k in range(SHARED_COUNT)]  # each in its order
    own = [f"w{worker}-{i}" for i in range(EACH)]
    labels: list[str] = []
    for i, label in enumerate(own):
        if i % 6 == 0 and i // 6 < SHARED_COUNT:
            labels.append(shared[i // 6])
        labels.append(label)
    for label in labels:
        got = reg.diarise(new_receipt(label))
        out.append((got.sha256 or "", got.diary_no or "", str(got.status)))
    reg.close()
    results.put(out)


def _run_writers(url: str) -> tuple[list[tuple[str, str, str]], float]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS + 1)
    results = ctx.Queue()
    procs = [ctx.Process(target=_diarise_batch, args=(url, w, barrier, results)) for w in range(WORKERS)]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=60)
    start = time.perf_counter()
    collected: list[tuple[str, str, str]] = []
    for _ in procs:
        collected.extend(results.get(timeout=60))
    elapsed = time.perf_counter() - start
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    return collected, elapsed


def _check_gapless(url: str, collected: list[tuple[str, str, str]], elapsed: float, label: str) -> None:
    total = WORKERS * EACH + SHARED_COUNT  # every worker's own letters, plus each shared one once
    assert total == 400
    diarised = [c for c in collected if c[2] == "diarised"]
    duplicates = [c for c in collected if c[2] == "duplicate"]
    assert len(diarised) == total and len(duplicates) == SHARED_COUNT * (WORKERS - 1)
    shared_hashes = {sha(f"{SHARED} {k}") for k in range(SHARED_COUNT)}
    assert {c[0] for c in duplicates} == shared_hashes
    assert {(c[0], c[1]) for c in duplicates} <= {(c[0], c[1]) for c in diarised}

    with Registry(url) as reg:
        rows = reg.list()
        assert reg.verify_audit() == total
    assert sorted(int((r.diary_no or "").rsplit("/", 1)[1]) for r in rows) == list(range(1, total + 1))
    assert len({r.diary_no for r in rows}) == total
    assert {(r.sha256, r.diary_no) for r in rows} == {(c[0], c[1]) for c in diarised}
    print(f"{label}: {total} receipts by {WORKERS} writers in {elapsed:.2f} s = {total / elapsed:.0f}/s")


@pytest.mark.slow
def test_eight_processes_get_gapless_numbers_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    collected, elapsed = _run_writers(url)
    _check_gapless(url, collected, elapsed, "sqlite")


@pytest.mark.slow
def test_eight_processes_get_gapless_numbers_postgresql(postgres_url: str) -> None:
    collected, elapsed = _run_writers(postgres_url)
    _check_gapless(postgres_url, collected, elapsed, "postgresql")
    with Registry(postgres_url) as reg:
        again = reg.diarise(new_receipt(f"{SHARED} 3"))
        assert again.status is Status.DUPLICATE
        assert reg.get(again.diary_no or "").sha256 == sha(f"{SHARED} 3")


# --- the fast diarise paths: same rows, same numbers, same audit chain as the general code ----------


def test_postgresql_batch_numbers_each_series_and_chains_audit(postgres_url: str) -> None:
    legacy = "{office}/{series}/{year}/{seq:06d}"
    with Registry(postgres_url, actor="tester") as reg:
        assert reg.diarise(new_receipt("p0")).diary_no == "HSR/2026/000001"
        made = reg.diarise_many(
            [
                new_receipt("p1"),
                new_receipt("old1", series="LEGACY", diary_format=legacy),
                new_receipt("b1", office="BWN"),
                new_receipt("p1"),  # repeated within the batch
                new_receipt("p2"),
                new_receipt("old2", series="LEGACY", diary_format=legacy),
            ]
        )
        assert [r.diary_no for r in made] == [
            "HSR/2026/000002",
            "HSR/LEGACY/2026/000001",
            "BWN/2026/000001",
            "HSR/2026/000002",
            "HSR/2026/000003",
            "HSR/LEGACY/2026/000002",
        ]
        assert made[3].status is Status.DUPLICATE
        first = reg.get("HSR/2026/000001")
        assert first.receipt_id is not None
        reg.record_output(first.receipt_id, "/out/p0.pdf", sha("p0.pdf"))  # an event from the ORM path
        assert reg.diarise(new_receipt("p3")).diary_no == "HSR/2026/000004"
        assert reg.verify_audit() == 8
        assert [e.action for e in reg.history("HSR/2026/000001")] == ["diarise", "sign"]
        assert reg.history("HSR/2026/000003")[0].details == {
            "diary_no": "HSR/2026/000003",
            "sha256": sha("p2"),
            "source": "drop:scanner/p2.pdf",
        }


def test_postgresql_clashing_diary_number_rolls_back_and_explains(postgres_url: str) -> None:
    with Registry(postgres_url, actor="tester") as reg:
        reg.diarise(new_receipt("plain"))
        with pytest.raises(RegistryError, match=r"\{series\}"):
            reg.diarise(new_receipt("clash", series="LEGACY"))  # HSR/2026/000001 again
        legacy = reg.diarise(new_receipt("ok", series="LEGACY", diary_format="L/{year}/{seq}"))
        assert legacy.diary_no == "L/2026/1"  # the failed attempt used up no LEGACY number
        assert reg.find_by_sha256(sha("clash")) is None
        assert reg.verify_audit() == 2


def test_sqlite_rows_are_stored_as_sqlalchemy_stores_them(db_path: Path, registry: Registry) -> None:
    letter = Letter(letter_date=date(2026, 3, 10), references=("OM dated 01.02.2026",), subject="भूमि")
    registry.diarise(
        new_receipt("stored", letter=letter, due_date=date(2026, 3, 20), page_confidences=(0.5, 0.25))
    )
    with sqlite3.connect(db_path) as conn:
        row = conn.execute(
            'SELECT received_at, letter_date, due_date, "references", page_confidences, needs_review,'
            " confirmed_at FROM receipts"
        ).fetchone()
        details = conn.execute("SELECT details FROM audit_events").fetchone()[0]
    assert row == (
        "2026-03-14 06:00:00.000000",
        "2026-03-10",
        "2026-03-20",
        '["OM dated 01.02.2026"]',
        "[0.5, 0.25]",
        0,
        None,
    )
    assert details.startswith('{"diary_no": "HSR/2026/000001"')
    assert [r.subject for r in registry.search("भूमि")] == ["भूमि"]


# --- PostgreSQL numbers and hashes in the server: the same as Python's ------------------------------

FORMATS = [
    FORMAT,
    "{office}/{series}/{year}/{seq:06d}",
    "{seq}",
    "{seq:d}-{year:04d}",
    "{office}/{seq:6d}/{year}",
    "{office!s:>5}|{seq:03}|{seq}|{{literal}}",
    'दैनिकी "{office}"\\{year}\n{seq:0}',
]


@pytest.mark.parametrize("diary_format", FORMATS)
def test_diary_template_renders_as_format_does(diary_format: str) -> None:
    template = diary_template(diary_format, office="HSR", series="LEGACY", year=2026)
    for seq in (1, 42, 999999, 1234567):
        expected = format_diary_no(diary_format, office="HSR", series="LEGACY", year=2026, seq=seq)
        assert template.render(seq) == expected


def test_event_pieces_hash_as_event_hash() -> None:
    """What the server concatenates (pg_writer.dak_diarise) is the canonical JSON Python hashes."""
    at = datetime(2026, 3, 14, 6, 0, 0, 123456, tzinfo=UTC)
    diary_no, source, actor = 'H"S\\R/२०२६/000001', 'drop:स्कैनर/"a"\\b\n\x01.pdf', 'क्लर्क "x"'
    details = {"diary_no": diary_no, "sha256": sha("x"), "source": source}
    body = (
        event_prefix(at, actor, "diarise")
        + '{"diary_no":"'
        + canonical_json(diary_no)[1:-1]
        + '",'
        + details_rest(sha("x"), source)
        + ',"receipt_id":7}'
    )
    prev = "ab" * 32
    assert hashlib.sha256((prev + body).encode()).hexdigest() == event_hash(
        prev, at, actor, "diarise", 7, details
    )


def test_postgresql_numbers_and_hashes_awkward_text_like_python(postgres_url: str) -> None:
    odd = 'दैनिकी "{office}"\\{year}\n{seq:03d}/{seq:4}'
    with Registry(postgres_url, actor='क्लर्क "x"\\') as reg:
        made = reg.diarise_many(
            [
                new_receipt("odd1", diary_format=odd, source='drop:स्कैनर/"a"\\b\n\x01\u2028.pdf'),
                new_receipt("odd2", diary_format=odd, office='H"Q'),
                new_receipt("plain"),
            ]
        )
        assert [r.diary_no for r in made] == [
            'दैनिकी "HSR"\\2026\n001/   1',
            'दैनिकी "H"Q"\\2026\n001/   1',
            "HSR/2026/000002",  # the same counter as the first: office HSR, no series, 2026
        ]
        assert reg.verify_audit() == 3  # Python recomputes every hash the server wrote
        assert reg.history(made[0].diary_no or "")[0].details == {
            "diary_no": made[0].diary_no,
            "sha256": sha("odd1"),
            "source": 'drop:स्कैनर/"a"\\b\n\x01\u2028.pdf',
        }
        assert reg.get(made[1].diary_no or "").sha256 == sha("odd2")
