"""A receipt's way after diarising: corrected, confirmed, marked, put in an e-file, closed.

Each function runs inside the caller's write transaction and appends its own audit event.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from string import Formatter
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pipeline.errors import ConfigError, ReceiptNotFoundError
from pipeline.model import Category, Priority, Security, Status
from pipeline.registry import search
from pipeline.registry.audit import append_event
from pipeline.registry.records import EfileNotFoundError, UnknownFieldError, WorkflowError
from pipeline.registry.schema import CorrectionRow, EfileRow, FileCounter, MovementRow, ReceiptRow

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_CHOICES: dict[str, frozenset[str]] = {
    "category": frozenset(Category),
    "priority": frozenset(Priority),
    "security": frozenset(Security),
    "language": frozenset({"hi", "en", "mixed"}),
}
_DATES = frozenset({"letter_date", "due_date"})
_REQUIRED = frozenset({"category", "priority", "security", "language"})
CORRECTABLE = frozenset(
    {"category", "section", "priority", "security", "letter_no", "letter_date", "subject", "sender"}
    | {"file_no", "language", "due_date"}
)
FILE_FIELDS = frozenset({"office", "section", "head", "year", "seq"})
_OPEN_FOR_MARKING = frozenset({Status.DIARISED, Status.MARKED})


def receipt_row(session: Session, diary_no: str, *, lock: bool = True) -> ReceiptRow:
    query = select(ReceiptRow).where(ReceiptRow.diary_no == diary_no)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise ReceiptNotFoundError(f"No receipt with diary number {diary_no!r} in the registry.")
    return row


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _parse(field: str, raw: str) -> Any:
    value = raw.strip()
    if field in _DATES:
        if not value:
            return None
        try:
            return date.fromisoformat(value.translate(_DEVANAGARI_DIGITS))
        except ValueError as exc:
            raise UnknownFieldError(f"{field} must be a date as YYYY-MM-DD, not {raw!r}.") from exc
    if field in _CHOICES:
        value = value.lower()
        if value not in _CHOICES[field]:
            raise UnknownFieldError(
                f"{value!r} is not a {field} dak knows; use one of: {', '.join(sorted(_CHOICES[field]))}."
            )
    if not value:
        if field in _REQUIRED:
            raise UnknownFieldError(f"{field} cannot be empty.")
        return None
    return value


def correct(
    session: Session, diary_no: str, changes: dict[str, str], *, actor: str
) -> tuple[ReceiptRow, list[str]]:
    """Change fields of a receipt, one corrections row per field that really changed; the fields changed."""
    unknown = sorted(set(changes) - CORRECTABLE)
    if unknown:
        raise UnknownFieldError(
            f"Cannot correct {', '.join(unknown)}; the fields a clerk can correct are: "
            f"{', '.join(sorted(CORRECTABLE))}."
        )
    parsed = {name: _parse(name, raw) for name, raw in changes.items()}
    row = receipt_row(session, diary_no)
    now = datetime.now(UTC)
    changed: dict[str, dict[str, str | None]] = {}
    for name, value in sorted(parsed.items()):
        old = getattr(row, name)
        if old == value:
            continue
        session.add(
            CorrectionRow(
                receipt_id=row.id,
                field=name,
                old_value=_as_text(old),
                new_value=_as_text(value),
                at=now,
                actor=actor,
            )
        )
        setattr(row, name, value)
        changed[name] = {"old": _as_text(old), "new": _as_text(value)}
    if not changed:
        return row, []
    session.flush()
    if "subject" in changed:
        search.index_receipt(session.connection(), row.id, row.subject, row.ocr_text)
    append_event(
        session,
        at=now,
        actor=actor,
        action="correct",
        receipt_id=row.id,
        details={"diary_no": diary_no, "changes": changed},
    )
    return row, sorted(changed)


def confirm(session: Session, diary_no: str, *, actor: str) -> ReceiptRow:
    """Record that a clerk checked the receipt's fields as read and found them right."""
    row = receipt_row(session, diary_no)
    now = datetime.now(UTC)
    row.confirmed_at, row.confirmed_by = now, actor
    session.flush()
    fields = {"category": row.category, "section": row.section, "priority": row.priority}
    append_event(
        session,
        at=now,
        actor=actor,
        action="confirm",
        receipt_id=row.id,
        details={"diary_no": diary_no, "fields": fields},
    )
    return row


def mark(session: Session, diary_no: str, to_section: str, remarks: str | None, *, actor: str) -> ReceiptRow:
    """Send a receipt to another section (or officer): a movement, and status `marked`."""
    to_section = to_section.strip()
    if not to_section:
        raise WorkflowError("Say which section (or officer) to mark the receipt to: --to SECTION.")
    row = receipt_row(session, diary_no)
    if Status(row.status) not in _OPEN_FOR_MARKING:
        raise WorkflowError(
            f"Receipt {diary_no} is {row.status}; only a diarised or marked receipt can be marked."
            + (f" It is in e-file {row.file_no}: mark the file instead." if row.file_no else "")
        )
    now = datetime.now(UTC)
    from_section = row.section
    session.add(
        MovementRow(
            receipt_id=row.id,
            from_section=from_section,
            to_section=to_section,
            at=now,
            actor=actor,
            remarks=remarks or None,
        )
    )
    row.section, row.status = to_section, str(Status.MARKED)
    session.flush()
    append_event(
        session,
        at=now,
        actor=actor,
        action="mark",
        receipt_id=row.id,
        details={"diary_no": diary_no, "from": from_section, "to": to_section, "remarks": remarks or None},
    )
    return row


def put_in_file(session: Session, diary_no: str, file_no: str, *, actor: str) -> ReceiptRow:
    """Attach a receipt to an open e-file: status `put_in_file`."""
    row = receipt_row(session, diary_no)
    efile = session.scalar(select(EfileRow).where(EfileRow.file_no == file_no))
    if efile is None:
        raise EfileNotFoundError(f"No e-file {file_no!r} in the registry; create it with `dak files create`.")
    if efile.status != "open":
        raise WorkflowError(f"E-file {file_no} is {efile.status}; put the receipt in an open file.")
    if Status(row.status) not in _OPEN_FOR_MARKING:
        raise WorkflowError(f"Receipt {diary_no} is {row.status}; it cannot be put in a file now.")
    now = datetime.now(UTC)
    previous = row.file_no
    row.file_no, row.status = file_no, str(Status.PUT_IN_FILE)
    session.flush()
    append_event(
        session,
        at=now,
        actor=actor,
        action="put_in_file",
        receipt_id=row.id,
        details={"diary_no": diary_no, "file_no": file_no, "previous_file_no": previous},
    )
    return row


def close(session: Session, diary_no: str, *, actor: str) -> ReceiptRow:
    """Close a receipt (no further action): status `closed`."""
    row = receipt_row(session, diary_no)
    if row.status == Status.CLOSED:
        raise WorkflowError(f"Receipt {diary_no} is already closed.")
    now = datetime.now(UTC)
    previous = row.status
    row.status = str(Status.CLOSED)
    session.flush()
    append_event(
        session,
        at=now,
        actor=actor,
        action="close",
        receipt_id=row.id,
        details={"diary_no": diary_no, "previous_status": previous},
    )
    return row


def check_file_format(file_format: str) -> None:
    """Refuse an e-file number format with unknown fields or without {seq}."""
    try:
        names = {name for _, name, _, _ in Formatter().parse(file_format) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"E-file number format {file_format!r} is not valid: {exc}") from exc
    if names - FILE_FIELDS or "seq" not in names:
        raise ConfigError(
            f"E-file number format {file_format!r} must contain {{seq}} and may use only "
            "{office}, {section}, {head}, {year} and {seq}, e.g. {office}-{head}/{seq}/{year}-{section}."
        )


def _next_file_seq(session: Session, office: str, section: str, head: str, year: int) -> int:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(FileCounter)
        .values(office=office, section=section, head=head, year=year, last_seq=0)
        .on_conflict_do_nothing(index_elements=["office", "section", "head", "year"])
    )
    key = (
        FileCounter.office == office,
        FileCounter.section == section,
        FileCounter.head == head,
        FileCounter.year == year,
    )
    seq = (session.scalar(select(FileCounter.last_seq).where(*key).with_for_update()) or 0) + 1
    session.execute(update(FileCounter).where(*key).values(last_seq=seq))
    return seq


def create_file(
    session: Session,
    *,
    subject: str,
    section: str,
    head: str,
    office: str,
    file_format: str,
    opened_at: datetime,
    actor: str,
) -> EfileRow:
    """Open a new e-file with the next number for office, section, head and year."""
    check_file_format(file_format)
    subject, section, head = subject.strip(), section.strip(), head.strip()
    if not subject or not section or not head:
        raise WorkflowError("An e-file needs a subject, a section and a standard head.")
    year = opened_at.year
    seq = _next_file_seq(session, office, section, head, year)
    file_no = file_format.format(office=office, section=section, head=head, year=year, seq=seq)
    if session.scalar(select(EfileRow.id).where(EfileRow.file_no == file_no)) is not None:
        raise WorkflowError(
            f"E-file number {file_no} is already taken; the file number format needs {{section}} and "
            "{head} to tell files apart."
        )
    row = EfileRow(
        file_no=file_no,
        subject=subject,
        section=section,
        head=head,
        opened_at=opened_at,
        opened_by=actor,
        status="open",
    )
    session.add(row)
    session.flush()
    append_event(
        session,
        at=opened_at,
        actor=actor,
        action="create_file",
        receipt_id=None,
        details={"file_no": file_no, "subject": subject, "section": section},
    )
    return row
