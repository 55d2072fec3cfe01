"""The audit log: each event's hash covers the previous hash, so a changed or deleted row shows."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from pipeline.errors import RegistryError
from pipeline.registry.schema import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
_HEAD = select(AuditHead.hash, AuditHead.events).where(AuditHead.id == 1).with_for_update()
_ADVANCE = (
    update(AuditHead).where(AuditHead.id == 1).values(events=AuditHead.events + 1, hash=bindparam("hash"))
)
_ADVANCE_BY = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(events=AuditHead.events + bindparam("count"), hash=bindparam("hash"))
)
_INSERT = insert(AuditEvent)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces, so the same event always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(
    prev_hash: str, at: datetime, actor: str, action: str, receipt_id: int | None, details: dict[str, Any]
) -> str:
    """sha256 over the previous hash and the canonical JSON of the event."""
    body = {
        "action": action,
        "actor": actor,
        "at": at.isoformat(),
        "details": details,
        "receipt_id": receipt_id,
    }
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def append_event(
    session: Session | Connection,
    *,
    at: datetime,
    actor: str,
    action: str,
    receipt_id: int | None,
    details: dict[str, Any],
) -> str:
    """Add an event linked to the current head, inside the caller's (write) transaction; its hash."""
    conn = session.connection() if isinstance(session, Session) else session
    head = conn.execute(_HEAD).first()
    if head is None:
        raise RegistryError("The registry's audit log has no head row; run `dak db upgrade`.")
    prev = head.hash
    details = json.loads(canonical_json(details))  # stored exactly as hashed
    digest = event_hash(prev, at, actor, action, receipt_id, details)
    conn.execute(
        _INSERT,
        {
            "at": at,
            "actor": actor,
            "action": action,
            "receipt_id": receipt_id,
            "details": details,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    conn.execute(_ADVANCE, {"hash": digest})
    return digest


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str
    action: str
    receipt_id: int | None
    details: dict[str, Any]


def append_events(conn: Connection, events: list[Event]) -> None:
    """Add several events in order, each linked to the one before, with one insert and one head update."""
    if not events:
        return
    head = conn.execute(_HEAD).first()
    if head is None:
        raise RegistryError("The registry's audit log has no head row; run `dak db upgrade`.")
    rows, last = chain(head.hash, events)
    conn.execute(_INSERT, rows)
    conn.execute(_ADVANCE_BY, {"count": len(rows), "hash": last})


def chain(prev: str, events: list[Event]) -> tuple[list[dict[str, Any]], str]:
    """The audit rows for `events` linked one after the other from `prev`; (rows, newest hash)."""
    rows = []
    for event in events:
        details = json.loads(canonical_json(event.details))
        digest = event_hash(prev, event.at, event.actor, event.action, event.receipt_id, details)
        rows.append(
            {
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                "receipt_id": event.receipt_id,
                "details": details,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return rows, prev


def start_chain(conn: Connection) -> None:
    """Create the head row for an empty log, or for an existing log (migrating an older registry)."""
    last = conn.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    count = conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    conn.execute(insert(AuditHead).values(id=1, events=count, hash=last or GENESIS_HASH))


def verify_chain(session: Session) -> int:
    """Recompute every hash in order; return the number of events, or raise RegistryError at a break."""
    prev = GENESIS_HASH
    count = 0
    for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        expected = event_hash(prev, row.at, row.actor, row.action, row.receipt_id, row.details)
        if row.prev_hash != prev or row.hash != expected:
            raise RegistryError(
                f"The registry audit log was altered at event {row.id} ({row.action}); "
                "restore the registry from a backup and report this."
            )
        prev = row.hash
        count += 1
    head = session.execute(select(AuditHead.hash, AuditHead.events)).first()
    if head is None or head.hash != prev or head.events != count:
        raise RegistryError(
            f"The registry audit log was cut short: {count} event(s) remain but "
            f"{head.events if head else 'an unknown number'} were written. "
            "Restore the registry from a backup and report this."
        )
    return count
