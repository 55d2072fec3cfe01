"""Full-text search over receipts: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL.

Both databases' own word splitters can break Devanagari at vowel signs and viramas (कार्यालय
becomes क, र, य, ल, य), so dak splits words itself with the `regex` module (whose `\\w` keeps
combining marks), NFC-normalises and case-folds them, and hands the database whole words:
FTS5 with a unicode61 tokenizer told that Devanagari marks are part of words, and PostgreSQL
a tsvector dak writes out itself, word by word.

On SQLite new receipts are indexed in batches: the FTS5 index holds every receipt up to its
highest rowid, and the receipts above it are indexed together (`index_pending`) once
INDEX_BATCH of them wait, before any search, and before a receipt is indexed again. One FTS5
write of a batch costs a fraction of one per receipt, and a search never misses a receipt.
PostgreSQL indexes each receipt as it is diarised (pg_writer.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex
from sqlalchemy import text
from sqlalchemy.engine import Connection

_WORD = regex.compile(r"\w+")
MAX_POSITIONS = 8  # occurrences of a word kept for ranking on PostgreSQL
MAX_TERM = 100  # characters; longer "words" are OCR noise and would bloat the index
# Devanagari signs that are not letters (matras, virama, nukta, candrabindu, anusvara, visarga),
# plus zero-width (non-)joiners: FTS5's unicode61 would otherwise split words at them.
_DEVANAGARI_MARKS = (
    "".join(
        chr(c)
        for c in [*range(0x0900, 0x0904), *range(0x093A, 0x0950), *range(0x0951, 0x0958), 0x0962, 0x0963]
        if unicodedata.category(chr(c)).startswith("M")
    )
    + "\u200c\u200d"
)

RANK_WINDOW = 500  # newest matches ranked by relevance
INDEX_BATCH = 64  # SQLite: receipts waiting to be indexed before a diarise indexes them all
SUBJECT_WEIGHT = 5.0  # a word in the subject counts this many times one in the OCR text
_SEARCH_PG = text(
    "SELECT receipt_id, ts_rank(doc, q) AS rank FROM"
    " (SELECT receipt_id, doc FROM receipt_search WHERE doc @@ CAST(:q AS tsquery)"
    "  ORDER BY receipt_id DESC LIMIT :window) AS newest, CAST(:q AS tsquery) AS q"
    " ORDER BY rank DESC, receipt_id DESC LIMIT :limit"
)
_INDEX_SQLITE = text("INSERT INTO receipt_search (rowid, subject, body) VALUES (:id, :subject, :body)")


def terms(value: str | None) -> list[str]:
    """The searchable words of a text: NFC, case-folded, in order, duplicates kept."""
    if not value:
        return []
    normal = unicodedata.normalize("NFC", value).casefold()
    return [w[:MAX_TERM] for w in _WORD.findall(normal)]


def create_index(conn: Connection) -> None:
    """Create the search index table if missing (the migrations and a fresh registry both call this)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS receipt_search ("
                " receipt_id INTEGER PRIMARY KEY REFERENCES receipts(id) ON DELETE CASCADE,"
                " doc tsvector NOT NULL)"
            )
        )
        conn.execute(
            text("CREATE INDEX IF NOT EXISTS ix_receipt_search_doc ON receipt_search USING gin (doc)")
        )
        return
    marks = _DEVANAGARI_MARKS.replace("'", "''")
    conn.execute(
        text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS receipt_search USING fts5("
            f"subject, body, tokenize = \"unicode61 remove_diacritics 0 tokenchars '{marks}'\")"
        )
    )


def index_receipt(conn: Connection, receipt_id: int, subject: str | None, body: str | None) -> None:
    """Put (or replace) a receipt's subject and OCR text in the search index."""
    doc = document(conn.dialect.name, subject, body)
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "INSERT INTO receipt_search (receipt_id, doc) VALUES (:id, CAST(:doc AS tsvector))"
                " ON CONFLICT (receipt_id) DO UPDATE SET doc = excluded.doc"
            ),
            {"id": receipt_id, **doc},
        )
        return
    index_pending(conn)  # keeps "everything up to the highest rowid is indexed" true
    conn.execute(text("DELETE FROM receipt_search WHERE rowid = :id"), {"id": receipt_id})
    conn.execute(_INDEX_SQLITE, {"id": receipt_id, **doc})


INDEXED_UP_TO = "SELECT rowid FROM receipt_search ORDER BY rowid DESC LIMIT 1"  # SQLite's highest indexed


def pending(conn: Connection) -> int:
    """SQLite: how many receipts wait to be indexed (0 on PostgreSQL, which indexes at once)."""
    if conn.dialect.name == "postgresql":
        return 0
    newest = conn.execute(text("SELECT max(id) FROM receipts")).scalar() or 0
    return max(0, newest - (conn.execute(text(INDEXED_UP_TO)).scalar() or 0))


def index_pending(conn: Connection) -> int:
    """SQLite: index every receipt above the highest one indexed, in one statement; how many.

    Run inside a write transaction (a receipt's number and its indexing share its lock).
    """
    floor = conn.execute(text(INDEXED_UP_TO)).scalar() or 0
    rows = conn.execute(
        text("SELECT id, subject, ocr_text FROM receipts WHERE id > :floor ORDER BY id"), {"floor": floor}
    ).all()
    if rows:
        conn.execute(
            _INDEX_SQLITE, [{"id": rid, **document("sqlite", subject, body)} for rid, subject, body in rows]
        )
    return len(rows)


def document(dialect: str, subject: str | None, body: str | None) -> dict[str, str]:
    """What the search index stores for one receipt (PostgreSQL: worked out before any lock is taken)."""
    if dialect == "postgresql":
        return {"doc": tsvector_literal(terms(subject), terms(body))}
    return {"subject": " ".join(terms(subject)), "body": " ".join(terms(body))}


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(subject_terms: list[str], body_terms: list[str]) -> str:
    """A tsvector written out: each word with its positions, subject words weighted A, text words D.

    Written by dak rather than by to_tsvector() so PostgreSQL's parser never splits a word.
    """
    positions: dict[str, list[str]] = {}
    for index, term in enumerate([*subject_terms, *body_terms]):
        spots = positions.setdefault(term, [])
        if len(spots) < MAX_POSITIONS:
            weight = "A" if index < len(subject_terms) else ""
            spots.append(f"{min(index + 1, 16383)}{weight}")
    return " ".join(f"{_quote(term)}:{','.join(spots)}" for term, spots in positions.items())


def rebuild(conn: Connection) -> int:
    """Index every receipt again (after a migration); the number indexed."""
    rows = conn.execute(text("SELECT id, subject, ocr_text FROM receipts")).all()
    for receipt_id, subject, body in rows:
        index_receipt(conn, receipt_id, subject, body)
    return len(rows)


@dataclass(frozen=True)
class Hit:
    receipt_id: int
    rank: float  # higher is better


def search(conn: Connection, query: str, *, limit: int = 50) -> list[Hit]:
    """Receipts whose subject or OCR text has every word of `query`, best first.

    Ranking (subject words count SUBJECT_WEIGHT times) runs over the RANK_WINDOW newest matches,
    so a word found in most letters still answers in milliseconds, with the recent letters first.
    """
    words = list(dict.fromkeys(terms(query)))
    if not words:
        return []
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            _SEARCH_PG, {"q": " & ".join(_quote(w) for w in words), "window": RANK_WINDOW, "limit": limit}
        ).all()
        return [Hit(int(r[0]), float(r[1])) for r in rows]
    params = {"q": " ".join('"' + w.replace('"', '""') + '"' for w in words), "limit": limit}
    floor = conn.execute(
        text(
            "SELECT rowid FROM receipt_search WHERE receipt_search MATCH :q"
            " ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
        ),
        {**params, "skip": RANK_WINDOW - 1},
    ).scalar()
    rows = conn.execute(
        text(
            f"SELECT rowid, bm25(receipt_search, {SUBJECT_WEIGHT}, 1.0) AS score FROM receipt_search"
            " WHERE receipt_search MATCH :q AND rowid >= :floor ORDER BY score, rowid DESC LIMIT :limit"
        ),
        {**params, "floor": floor or 0},
    ).all()
    return [Hit(int(r[0]), -float(r[1])) for r in rows]
