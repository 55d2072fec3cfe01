"""`dak receipts`, `dak files`, `dak audit verify` and `dak db upgrade` through the real CLI on a SQLite registry."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flows.cli import main
from pipeline.model import Category, Classification, Letter
from pipeline.registry import NewReceipt, Registry

IST = timezone(timedelta(hours=5, minutes=30))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAK_HOME", str(tmp_path))
    monkeypatch.setenv("DAK_OFFICE__CODE", "HSR")
    monkeypatch.delenv("DAK_DATABASE_URL", raising=False)
    monkeypatch.delenv("DAK_CONFIG", raising=False)
    return tmp_path


def dak(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def flat(result: Result) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def jsonl(result: Result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


@pytest.fixture
def seeded(home: Path) -> Path:
    """Three receipts: a Hindi training letter, an English RTI application, an older English letter."""
    letters = [
        ("hi", "कार्यालय कर्मचारियों के प्रशिक्षण के संबंध में", "जिला कार्यालय में प्रशिक्षण होगा।",
         Category.LETTER, datetime(2026, 3, 14, 11, 30, tzinfo=IST), "Deputy Commissioner, DC Office, Hisar"),
        ("rti", "Application under the Right to Information Act", "Please supply the information.",
         Category.RTI, datetime(2026, 3, 15, 9, 0, tzinfo=IST), "Ram Kumar"),
        ("old", "Annual return", "Annual return of the office.",
         Category.LETTER, datetime(2026, 1, 2, 10, 0, tzinfo=IST), None),
    ]  # fmt: skip
    with Registry(f"sqlite:///{home / 'registry.sqlite3'}", actor="scanner") as reg:
        for label, subject, text, category, received, sender in letters:
            reg.diarise(
                NewReceipt(
                    office="HSR",
                    diary_format="{office}/{year}/{seq:06d}",
                    received_at=received,
                    source=f"drop:scanner/{label}.pdf",
                    sha256=label.encode().hex().ljust(64, "0"),
                    pages=1,
                    language="hi" if label == "hi" else "en",
                    letter=Letter(subject=subject, sender=sender, letter_no=f"No. {label}/1"),
                    classification=Classification(category, section="Dak"),
                    ocr_text=text,
                )
            )
    return home


def test_every_command_has_help() -> None:
    groups = {
        "receipts": [
            "list",
            "show",
            "search",
            "mark",
            "put-in-file",
            "close",
            "correct",
            "confirm",
            "export",
        ],
        "files": ["create", "list", "show"],
        "audit": ["verify"],
        "db": ["upgrade"],
    }
    for group, commands in groups.items():
        for command in commands:
            result = dak(group, command, "--help")
            assert result.exit_code == 0 and "Usage:" in flat(result), (group, command)


def test_list_filters_and_json(seeded: Path) -> None:
    everything = jsonl(dak("receipts", "list", "--json"))
    assert [r["diary_no"] for r in everything] == ["HSR/2026/000001", "HSR/2026/000002", "HSR/2026/000003"]
    assert [r["diary_no"] for r in jsonl(dak("receipts", "list", "--category", "rti", "--json"))] == [
        "HSR/2026/000002"
    ]
    recent = jsonl(dak("receipts", "list", "--since", "2026-03-01", "--json"))
    assert [r["diary_no"] for r in recent] == ["HSR/2026/000001", "HSR/2026/000002"]
    assert jsonl(dak("receipts", "list", "--status", "closed", "--json")) == []
    table = dak("receipts", "list", "--section", "Dak")
    assert table.exit_code == 0 and "3 receipt(s)" in flat(table)
    assert dak("receipts", "list", "--since", "last week").exit_code == 2


def test_search_hindi_and_english(seeded: Path) -> None:
    assert [r["diary_no"] for r in jsonl(dak("receipts", "search", "प्रशिक्षण", "--json"))] == [
        "HSR/2026/000001"
    ]
    assert [r["diary_no"] for r in jsonl(dak("receipts", "search", "कार्यालय", "--json"))] == [
        "HSR/2026/000001"
    ]
    assert [r["diary_no"] for r in jsonl(dak("receipts", "search", "information", "--json"))] == [
        "HSR/2026/000002"
    ]
    nothing = dak("receipts", "search", "court")
    assert nothing.exit_code == 0 and "0 receipt(s)" in flat(nothing)


def test_workflow_through_the_cli(seeded: Path) -> None:
    efile = jsonl(dak("files", "create", "--subject", "Staff training", "--section", "ESTT", "--json"))[0]
    year = datetime.now().astimezone().year
    assert efile["file_no"] == f"HSR-11011/1/{year}-ESTT"
    other = jsonl(
        dak("files", "create", "--subject", "Budget", "--section", "ACCTS", "--head", "2201", "--json")
    )
    assert other[0]["file_no"] == f"HSR-2201/1/{year}-ACCTS"

    marked = jsonl(
        dak("receipts", "mark", "HSR/2026/000001", "--to", "ESTT", "--remarks", "for action", "--json")
    )
    assert (marked[0]["status"], marked[0]["section"]) == ("marked", "ESTT")
    filed = dak("receipts", "put-in-file", "HSR/2026/000001", efile["file_no"])
    assert filed.exit_code == 0 and efile["file_no"] in flat(filed)
    assert jsonl(dak("files", "show", efile["file_no"], "--json"))[0]["receipts"] == ["HSR/2026/000001"]
    assert [f["file_no"] for f in jsonl(dak("files", "list", "--section", "ESTT", "--json"))] == [
        efile["file_no"]
    ]
    assert "closed" in flat(dak("receipts", "close", "HSR/2026/000001"))
    again = dak("receipts", "close", "HSR/2026/000001")
    assert again.exit_code == 2 and "already closed" in flat(again)
    missing = dak("receipts", "put-in-file", "HSR/2026/000002", "NO-SUCH-FILE")
    assert missing.exit_code == 2 and "dak files create" in flat(missing)

    shown = jsonl(dak("receipts", "show", "HSR/2026/000001", "--json"))[0]
    assert shown["status"] == "closed" and shown["file_no"] == efile["file_no"]
    assert [(m["from_section"], m["to_section"], m["remarks"]) for m in shown["movements"]] == [
        ("Dak", "ESTT", "for action")
    ]
    assert dak("receipts", "show", "HSR/2026/000999").exit_code == 2
    assert "Audit log intact: 8 event(s)" in flat(dak("audit", "verify"))


def test_correct_and_confirm(seeded: Path) -> None:
    fixed = dak(
        "receipts", "correct", "HSR/2026/000003", "--category", "circular", "--section", "Admin",
        "--field", "letter_date=2026-01-01", "--field", "subject=वार्षिक विवरणी",
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.output
    assert "corrected category, letter_date, section, subject" in flat(fixed)
    shown = jsonl(dak("receipts", "show", "HSR/2026/000003", "--json"))[0]
    assert (shown["category"], shown["section"], shown["letter_date"]) == ("circular", "Admin", "2026-01-01")
    assert {c["field"] for c in shown["corrections"]} == {"category", "section", "letter_date", "subject"}
    assert [r["diary_no"] for r in jsonl(dak("receipts", "search", "वार्षिक", "--json"))] == [
        "HSR/2026/000003"
    ]

    bad = dak("receipts", "correct", "HSR/2026/000003", "--field", "colour=red")
    assert bad.exit_code == 2 and "Cannot correct colour" in flat(bad)
    assert dak("receipts", "correct", "HSR/2026/000003", "--field", "oops").exit_code == 2
    assert dak("receipts", "correct", "HSR/2026/000003").exit_code == 2
    confirmed = jsonl(dak("receipts", "confirm", "HSR/2026/000002", "--json"))[0]
    assert confirmed["confirmed"] is True
    with Registry(f"sqlite:///{seeded / 'registry.sqlite3'}") as reg:
        examples = {e.category: e.corrected for e in reg.training_examples()}
    assert examples == {"circular": True, "rti": False}


def test_export_csv_and_json(seeded: Path, tmp_path: Path) -> None:
    out = dak("receipts", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert [r["Diary No."] for r in rows] == ["HSR/2026/000001", "HSR/2026/000002", "HSR/2026/000003"]
    first = rows[0]
    assert first["Subject"] == "कार्यालय कर्मचारियों के प्रशिक्षण के संबंध में"
    assert (first["Received Date"], first["Letter No."], first["Language"]) == (
        "2026-03-14",
        "No. hi/1",
        "Hindi",
    )
    assert (first["Sender Name"], first["Designation"], first["Address"]) == (
        "Deputy Commissioner",
        "DC Office",
        "Hisar",
    )
    assert first["Delivery Mode"] == "Scanned"
    records = jsonl(dak("receipts", "export", "--format", "json", "--since", "2026-03-15"))
    assert [r["diary_no"] for r in records] == ["HSR/2026/000002"]
    assert set(records[0]) >= {"diary_no", "diary_date", "received_date", "letter_no", "letter_date",
                               "delivery_mode", "sender_name", "sender_designation", "sender_organisation",
                               "sender_address", "subject", "category", "language"}  # fmt: skip
    target = tmp_path / "export.csv"
    written = dak("receipts", "export", "-o", str(target))
    assert written.exit_code == 0 and "3 receipt(s)" in flat(written)
    assert target.read_text(encoding="utf-8").startswith("Diary No.,Diary Date,Received Date")


def test_audit_verify_fails_on_tampering(seeded: Path) -> None:
    assert dak("audit", "verify").exit_code == 0
    with sqlite3.connect(seeded / "registry.sqlite3") as conn:
        conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE id = 2")
    broken = dak("audit", "verify")
    assert broken.exit_code == 5 and "altered at event 2" in flat(broken)


def test_db_upgrade_migrates_an_old_registry(home: Path) -> None:
    dump = Path(__file__).parent / "fixtures" / "registry" / "v1_sqlite.sql"
    with sqlite3.connect(home / "registry.sqlite3") as conn:
        conn.executescript(dump.read_text(encoding="utf-8"))
    refused = dak("receipts", "list")
    assert refused.exit_code == 5 and "dak db upgrade" in flat(refused)
    upgraded = dak("db", "upgrade")
    assert upgraded.exit_code == 0 and "upgraded from revision 0001" in flat(upgraded)
    assert "nothing to do" in flat(dak("db", "upgrade"))
    assert len(jsonl(dak("receipts", "list", "--json"))) == 2


def test_a_long_subject_is_shortened_at_a_word_with_an_ellipsis() -> None:
    from flows.cli_common import shorten

    subject = (
        "सूचना का अधिकार अधिनियम, 2005 के अंतर्गत ग्राम सुल्तानपुर में वर्ष 2025-26 में स्वीकृत विकास कार्यो से संबंधित सूचना"
    )
    short = shorten(subject, 80)
    assert len(short) <= 82 and short.endswith(" …")
    assert subject.startswith(short[:-2]) and subject[len(short) - 2] == " "  # cut between words
    assert shorten("Audit para", 80) == "Audit para"
