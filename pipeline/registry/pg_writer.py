"""Diarising on PostgreSQL in one statement, with the diary counter locked only inside the server.

Diary numbers are gapless, so the counter row stays locked from the moment a writer takes a number
until its commit is on disk: writers queue on it one after the other, and the rate is at most one
over the time the lock is held. So a diarise is a single call of `dak_diarise` (a PL/pgSQL
function installed by migration 0003), run as its own transaction (autocommit): it inserts the
receipts and their search entries under placeholder numbers, then locks the counters and the
audit head, writes the numbers and appends the audit events. One round trip; the locks are held
for the server's own work and the commit's fsync, never for a trip to the client.

The audit events are hashed in the server exactly as `audit.event_hash` hashes them in Python: the
client hands over each event's canonical JSON in pieces, and the server puts in the two things it
alone knows, the diary number (from a `DiaryTemplate`) and the receipt id, before hashing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from pipeline.registry.audit import canonical_json
from pipeline.registry.diary import DiaryTemplate

_DIARISE = (
    "SELECT r_sha256, r_id, r_seq, r_diary_no"
    " FROM dak_diarise(%(receipts)s::jsonb, %(at)s, %(actor)s, %(body)s)"
)


@dataclass(frozen=True)
class PgReceipt:
    """One new letter for `diarise`: its receipts row, search entry and diary number."""

    values: dict[str, Any]  # the receipts row, under its placeholder diary number
    doc: str  # the search index entry (a tsvector written out)
    template: DiaryTemplate


@dataclass(frozen=True)
class Numbered:
    receipt_id: int
    seq: int
    diary_no: str


def diarise(conn: Connection, batch: Sequence[PgReceipt], *, at: datetime, actor: str) -> dict[str, Numbered]:
    """Insert, number and log `batch` in one statement; the numbered receipts by sha256.

    `conn` must be in autocommit mode: the statement is its own transaction, committed (or rolled
    back) by the server before it answers. A letter whose bytes are already in the registry (or
    are being diarised by another writer that then commits) is skipped, takes no number, and is
    missing from the answer.
    """
    params = {
        "receipts": json.dumps([_request(r) for r in batch], ensure_ascii=False, default=_iso),
        "at": at,
        "actor": actor,
        "body": event_prefix(at, actor, "diarise"),
    }
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection) and driver.autocommit
    try:
        numbered = driver.execute(_DIARISE, params).fetchall()
    except psycopg.Error as exc:
        raise DBAPIError.instance(_DIARISE, params, exc, psycopg.Error) from exc
    return {sha256: Numbered(rid, seq, no) for sha256, rid, seq, no in numbered}


def _iso(value: Any) -> str:
    if isinstance(value, date):  # and datetime: timestamptz and date read ISO 8601
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go into a receipts row")


def _request(receipt: PgReceipt) -> dict[str, Any]:
    """What `dak_diarise` needs to insert, number and log one receipt."""
    values, template = receipt.values, receipt.template
    return {
        "row": values,
        "doc": receipt.doc,
        "office": values["office"],
        "series": values["series"],
        "year": values["year"],
        "parts": list(template.parts),
        "escaped": [canonical_json(part)[1:-1] for part in template.parts],
        "pads": [list(pad) for pad in template.pads],
        "rest": details_rest(values["sha256"], values["source"]),
    }


def event_prefix(at: datetime, actor: str, action: str) -> str:
    """An event's canonical JSON (`audit.event_hash`) up to its details: the keys sort as
    action, actor, at, details, receipt_id, so the rest is details + ',"receipt_id":<id>}'."""
    return (
        f'{{"action":{canonical_json(action)},"actor":{canonical_json(actor)},'
        f'"at":{canonical_json(at.isoformat())},"details":'
    )


def details_rest(sha256: str, source: str) -> str:
    """A diarise event's details after the diary number: '{"diary_no":"…",' + this is their JSON."""
    return canonical_json({"sha256": sha256, "source": source})[1:]


# Installed by migration 0003 (and on a new registry). Inserts in sha256 order, so writers with
# overlapping batches cannot deadlock (ids still follow the batch's order); then locks in a fixed
# order: the diary counters (by office, series, year, in code-point order), then the audit head;
# both are held until commit, so a rolled-back diarise gives its numbers back.
CREATE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION dak_diarise(p_receipts jsonb, p_at timestamptz, p_actor text, p_body text)
RETURNS TABLE (r_sha256 text, r_id integer, r_seq integer, r_diary_no text)
LANGUAGE plpgsql AS $fn$
DECLARE
    new_row receipts;
    item jsonb;
    ord bigint;
    new_ids bigint[];
    ids integer[] := '{}';
    orders bigint[] := '{}';
    items jsonb[];
    counter record;
    keys text[] := '{}';
    next_free integer[] := '{}';
    slot integer;
    prev text;
    no text;
    no_json text;
    seq_text text;
    details_json text;
    digest text;
BEGIN
    -- Receipt ids in the batch's order (search ranks the newest, highest ids first).
    SELECT array_agg(nextval(pg_get_serial_sequence('receipts', 'id')) ORDER BY n) INTO new_ids
    FROM generate_series(1, jsonb_array_length(p_receipts)) AS n;
    FOR item, ord IN
        SELECT e.item, e.ord FROM jsonb_array_elements(p_receipts) WITH ORDINALITY AS e(item, ord)
        ORDER BY e.item->'row'->>'sha256' COLLATE "C"
    LOOP
        new_row := jsonb_populate_record(NULL::receipts, item->'row');
        new_row.id := new_ids[ord];
        INSERT INTO receipts SELECT new_row.* ON CONFLICT (sha256) DO NOTHING;
        IF FOUND THEN  -- not seen before
            INSERT INTO receipt_search (receipt_id, doc) VALUES (new_row.id, (item->>'doc')::tsvector);
            ids := ids || new_row.id;
            orders := orders || ord;
        END IF;
    END LOOP;
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    SELECT array_agg(i.id ORDER BY i.ord), array_agg(p_receipts->(i.ord::integer - 1) ORDER BY i.ord)
    INTO ids, items FROM unnest(ids, orders) AS i(id, ord);

    FOR counter IN
        SELECT k.office, k.series, k.year, count(*)::integer AS n
        FROM (SELECT req->>'office' AS office, req->>'series' AS series, (req->>'year')::integer AS year
              FROM unnest(items) AS req) AS k
        GROUP BY k.office, k.series, k.year
        ORDER BY k.office COLLATE "C", k.series COLLATE "C", k.year
    LOOP
        INSERT INTO diary_counters AS c (office, series, year, last_seq)
        VALUES (counter.office, counter.series, counter.year, counter.n)
        ON CONFLICT (office, series, year) DO UPDATE SET last_seq = c.last_seq + excluded.last_seq
        RETURNING c.last_seq - counter.n + 1 INTO slot;
        keys := keys || jsonb_build_array(counter.office, counter.series, counter.year)::text;
        next_free := next_free || slot;
    END LOOP;
    SELECT h.hash INTO prev FROM audit_head AS h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'The registry''s audit log has no head row; run `dak db upgrade`.';
    END IF;
    FOR i IN 1 .. cardinality(ids) LOOP
        item := items[i];
        slot := array_position(
            keys, jsonb_build_array(item->>'office', item->>'series', (item->>'year')::integer)::text);
        r_seq := next_free[slot];
        next_free[slot] := r_seq + 1;
        no := item->'parts'->>0;
        no_json := item->'escaped'->>0;
        FOR j IN 1 .. jsonb_array_length(item->'pads') LOOP
            seq_text := r_seq::text;
            IF (item->'pads'->(j - 1)->>1)::integer > length(seq_text) THEN
                seq_text := lpad(seq_text, (item->'pads'->(j - 1)->>1)::integer, item->'pads'->(j - 1)->>0);
            END IF;
            no := no || seq_text || (item->'parts'->>j);
            no_json := no_json || seq_text || (item->'escaped'->>j);
        END LOOP;
        details_json := '{"diary_no":"' || no_json || '",' || (item->>'rest');
        digest := encode(sha256(convert_to(
            prev || p_body || details_json || ',"receipt_id":' || ids[i] || '}', 'UTF8')), 'hex');
        UPDATE receipts SET diary_no = no, seq = r_seq WHERE id = ids[i];
        INSERT INTO audit_events (at, actor, action, receipt_id, details, prev_hash, hash)
        VALUES (p_at, p_actor, 'diarise', ids[i], details_json::json, prev, digest);
        prev := digest;
        r_sha256 := item->'row'->>'sha256';
        r_id := ids[i];
        r_diary_no := no;
        RETURN NEXT;
    END LOOP;
    UPDATE audit_head SET events = events + cardinality(ids), hash = prev WHERE id = 1;
END
$fn$
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS dak_diarise(jsonb, timestamptz, text, text)"


def install(conn: Connection) -> None:
    """Create (or replace) the numbering function on a PostgreSQL registry; nothing on SQLite."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(CREATE_FUNCTION)
