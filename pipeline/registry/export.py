"""Receipts in the shape of e-Office's receipt diary, for bulk loading (CSV or JSON Lines)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from pipeline.model import Receipt

# (JSON key, CSV column) in e-Office's order on the "Diarise receipt" form.
EOFFICE_FIELDS: tuple[tuple[str, str], ...] = (
    ("diary_no", "Diary No."),
    ("diary_date", "Diary Date"),
    ("received_date", "Received Date"),
    ("letter_no", "Letter No."),
    ("letter_date", "Letter Date"),
    ("delivery_mode", "Delivery Mode"),
    ("sender_name", "Sender Name"),
    ("sender_designation", "Designation"),
    ("sender_organisation", "Organisation"),
    ("sender_address", "Address"),
    ("subject", "Subject"),
    ("category", "Category"),
    ("language", "Language"),
)
LANGUAGES = {"hi": "Hindi", "en": "English", "mixed": "Bilingual"}


def delivery_mode(source: str) -> str:
    """How the letter reached dak: scanned from a drop folder, a backfill, or given on the command line."""
    if source.startswith("backfill"):
        return "Backfill (scanned)"
    return "Scanned" if source.startswith("drop:") else "By Hand (scanned)"


def _sender_parts(sender: str | None) -> tuple[str, str, str, str]:
    """Name, designation, organisation, address from a sender line such as 'Deputy Commissioner, Hisar'.

    The letter gives one line; e-Office wants four boxes. The first part goes to the name and, when
    there are more, the last to the address and the middle ones to designation and organisation.
    """
    parts = [p.strip() for p in (sender or "").split(",") if p.strip()]
    if len(parts) <= 1:
        return (parts[0] if parts else "", "", "", "")
    if len(parts) == 2:
        return parts[0], "", parts[1], ""
    if len(parts) == 3:
        return parts[0], parts[1], "", parts[2]
    return parts[0], parts[1], ", ".join(parts[2:-1]), parts[-1]


def eoffice_record(receipt: Receipt) -> dict[str, Any]:
    name, designation, organisation, address = _sender_parts(receipt.sender)
    return {
        "diary_no": receipt.diary_no,
        "diary_date": receipt.diarised_at.date().isoformat() if receipt.diarised_at else None,
        "received_date": receipt.received_at.date().isoformat() if receipt.received_at else None,
        "letter_no": receipt.letter_no,
        "letter_date": receipt.letter_date.isoformat() if receipt.letter_date else None,
        "delivery_mode": delivery_mode(receipt.source),
        "sender_name": name,
        "sender_designation": designation,
        "sender_organisation": organisation,
        "sender_address": address,
        "subject": receipt.subject,
        "category": receipt.category,
        "language": LANGUAGES.get(receipt.language or "", receipt.language),
    }


def write_csv(receipts: Iterable[Receipt], stream: IO[str]) -> int:
    """CSV with e-Office's column names (UTF-8; Hindi kept as is); the number of rows."""
    writer = csv.writer(stream)
    writer.writerow([column for _, column in EOFFICE_FIELDS])
    count = 0
    for receipt in receipts:
        record = eoffice_record(receipt)
        writer.writerow(["" if record[key] is None else record[key] for key, _ in EOFFICE_FIELDS])
        count += 1
    return count


def write_jsonl(receipts: Iterable[Receipt], stream: IO[str]) -> int:
    count = 0
    for receipt in receipts:
        stream.write(json.dumps(eoffice_record(receipt), ensure_ascii=False) + "\n")
        count += 1
    return count
