"""The audit log: each event's hash covers the previous hash, so a changed or deleted row shows."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pipeline.errors import RegistryError
from pipeline.registry.schema import AuditEvent

GENESIS_HASH = "0" * 64
_AUDIT_LOCK_KEY = 0x64616B_6175646974  # "dak" "audit": one PostgreSQL advisory lock for the chain head


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
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    receipt_id: int | None,
    details: dict[str, Any],
) -> AuditEvent:
    """Add an event linked to the current head, inside the caller's (write) transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS_HASH
    details = json.loads(canonical_json(details))  # stored exactly as hashed
    row = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        receipt_id=receipt_id,
        details=details,
        prev_hash=prev,
        hash=event_hash(prev, at, actor, action, receipt_id, details),
    )
    session.add(row)
    session.flush()
    return row


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
    return count
