"""The registry after diarising, on real SQLite and real PostgreSQL: search (Hindi and English),
corrections, confirmation, marking, e-files, closing, training examples and the audit trail."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
import registry_pg
from sqlalchemy import make_url

from pipeline.errors import ConfigError, ReceiptNotFoundError, RegistryError
from pipeline.model import Category, Classification, Letter, Status
from pipeline.registry import (
    EfileNotFoundError,
    NewReceipt,
    Registry,
    TrainingExample,
    UnknownFieldError,
    WorkflowError,
)
from pipeline.registry.search import INDEX_BATCH, terms

pg_server = registry_pg.pg_server
IST = timezone(timedelta(hours=5, minutes=30))
FILE_FORMAT = "{office}-{head}/{seq}/{year}-{section}"

LETTERS = {
    "training": (
        "कार्यालय कर्मचारियों के प्रशिक्षण के संबंध में",
        "जिला कार्यालय हिसार में दिनांक 12.03.2026 को प्रशिक्षण कार्यक्रम आयोजित किया जाएगा।",
    ),
    "rti": (
        "सूचना का अधिकार अधिनियम 2005 के अंतर्गत आवेदन",
        "प्रार्थी ने कार्यालय से भूमि आवंटन की सूचना मांगी है।",
    ),
    "budget": ("Budget estimates for 2026-27", "Please send the revised estimates of the office by Friday."),
    "leave": ("Leave application", "I request casual leave for two days. Training is not affected."),
}


def new_receipt(label: str, subject: str | None = None, text: str = "", **changes: object) -> NewReceipt:
    values: dict[str, object] = {
        "office": "HSR",
        "diary_format": "{office}/{year}/{seq:06d}",
        "received_at": datetime(2026, 3, 14, 11, 30, tzinfo=IST),
        "source": f"drop:scanner/{label}.pdf",
        "sha256": hashlib.sha256(label.encode()).hexdigest(),
        "pages": 1,
        "letter": Letter(subject=subject),
        "ocr_text": text,
        "classification": Classification(section="Dak"),
    }
    values.update(changes)
    return NewReceipt(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    server: registry_pg.PgServer = request.getfixturevalue("pg_server")
    return server.new_database()


@pytest.fixture
def registry(url: str) -> Iterator[Registry]:
    reg = Registry(url, actor="clerk")
    yield reg
    reg.close()


def diarise_letters(registry: Registry) -> dict[str, str]:
    return {
        name: registry.diarise(new_receipt(name, subject, text)).diary_no or ""
        for name, (subject, text) in LETTERS.items()
    }


def tamper(url: str, sql: str) -> None:
    """Change the database behind dak's back, as someone with direct access could."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(parsed.database or "") as conn:
            conn.execute(sql)
        return
    host = parsed.query["host"]
    with psycopg.connect(host=str(host), port=5432, user="dak", dbname=parsed.database) as conn:
        conn.execute(sql)


# --- search ---------------------------------------------------------------------------------------


def test_terms_keep_devanagari_words_whole() -> None:
    assert terms("कार्यालय, प्रशिक्षण; क्षेत्र!") == ["कार्यालय", "प्रशिक्षण", "क्षेत्र"]
    assert terms("Office OFFICE office's") == ["office", "office", "office", "s"]
    decomposed = "क\u093c"  # ka + nukta, decomposed; NFC composes it to qa
    assert terms(decomposed) == terms("\u0958")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("कार्यालय", ["training", "rti"]),  # subject hit ranks above a hit in the text
        ("प्रशिक्षण", ["training"]),
        ("प्रशिक्षण कार्यक्रम", ["training"]),  # every word must be there
        ("सूचना अधिनियम", ["rti"]),
        ("training", ["leave"]),
        ("ESTIMATES", ["budget"]),
        ("कार्य", []),  # a word, not a piece of one
        ("कार्यालय budget", []),
    ],
)
def test_search_finds_hindi_and_english_words_ranked(
    registry: Registry, query: str, expected: list[str]
) -> None:
    numbers = diarise_letters(registry)
    found = registry.search(query)
    assert [r.diary_no for r in found] == [numbers[name] for name in expected]


def test_search_follows_a_corrected_subject(registry: Registry) -> None:
    numbers = diarise_letters(registry)
    assert registry.search("वार्षिक") == []
    registry.correct(numbers["leave"], {"subject": "वार्षिक अवकाश आवेदन"})
    assert [r.diary_no for r in registry.search("वार्षिक")] == [numbers["leave"]]
    assert registry.search("application") == []
    assert registry.search("  ,; ") == []


def _waiting_for_index(url: str) -> int:
    """Receipts not yet in the search index, read behind dak's back (SQLite batches them)."""
    if not url.startswith("sqlite"):
        return 0
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        newest = conn.execute("SELECT max(id) FROM receipts").fetchone()[0] or 0
        indexed = conn.execute("SELECT max(rowid) FROM receipt_search").fetchone()[0] or 0
    return newest - indexed


def test_search_never_misses_a_receipt_waiting_for_its_batch(url: str, registry: Registry) -> None:
    count = INDEX_BATCH + 5
    made = [
        registry.diarise(new_receipt(f"batch{i}", f"Letter {i}", f"ward{i} routine")).diary_no
        for i in range(count)
    ]
    # a whole batch was indexed while diarising, with no search asking for it
    assert _waiting_for_index(url) < INDEX_BATCH
    # correcting the newest receipt while earlier ones still wait leaves none of them out
    registry.correct(made[-1] or "", {"subject": "वार्षिक निरीक्षण"})
    assert _waiting_for_index(url) == 0
    assert len(registry.search("routine", limit=200)) == count
    for i in (0, INDEX_BATCH - 1, INDEX_BATCH, count - 2):
        assert [r.diary_no for r in registry.search(f"ward{i}")] == [made[i]]
    assert [r.diary_no for r in registry.search("निरीक्षण")] == [made[-1]]
    registry.diarise(new_receipt("late", "Late letter", "afterthought"))
    assert _waiting_for_index(url) in (0, 1)
    assert len(registry.search("afterthought")) == 1


# --- corrections, confirmation, training examples -------------------------------------------------


def test_correct_records_old_and_new_values(registry: Registry) -> None:
    numbers = diarise_letters(registry)
    diary_no = numbers["rti"]
    fixed = registry.correct(
        diary_no,
        {"category": "rti", "section": "RTI Cell", "letter_date": "२०२६-०३-१०", "sender": "Ram Kumar"},
        actor="asha",
    )
    assert (fixed.category, fixed.section, fixed.letter_date, fixed.sender) == (
        "rti",
        "RTI Cell",
        date(2026, 3, 10),
        "Ram Kumar",
    )
    assert registry.get(diary_no) == fixed
    got = {(c.field, c.old_value, c.new_value, c.actor) for c in registry.corrections(diary_no)}
    assert got == {
        ("category", "letter", "rti", "asha"),
        ("section", "Dak", "RTI Cell", "asha"),
        ("letter_date", None, "2026-03-10", "asha"),
        ("sender", None, "Ram Kumar", "asha"),
    }
    # the same values again change nothing and record nothing
    registry.correct(diary_no, {"category": "rti"})
    assert len(registry.corrections(diary_no)) == 4
    actions = [e.action for e in registry.history(diary_no)]
    assert actions == ["diarise", "correct"]
    assert registry.verify_audit() == len(LETTERS) + 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "Cannot correct colour"),
        ({"category": "love_letter"}, "not a category"),
        ({"priority": "whenever"}, "not a priority"),
        ({"letter_date": "10/03/2026"}, "YYYY-MM-DD"),
        ({"category": ""}, "not a category"),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(
    registry: Registry, changes: dict[str, str], message: str
) -> None:
    numbers = diarise_letters(registry)
    before = registry.get(numbers["budget"])
    with pytest.raises(UnknownFieldError, match=message):
        registry.correct(numbers["budget"], {"section": "Accounts", **changes})
    assert registry.get(numbers["budget"]) == before
    assert registry.corrections(numbers["budget"]) == []
    with pytest.raises(ReceiptNotFoundError):
        registry.correct("HSR/2026/999999", {"section": "Accounts"})


def test_training_examples_cover_vouched_receipts_only(registry: Registry) -> None:
    numbers = diarise_letters(registry)
    registry.correct(numbers["rti"], {"category": "rti"})
    registry.confirm(numbers["training"])
    registry.mark(numbers["budget"], "Accounts")
    assert registry.get(numbers["training"]).confirmed
    examples = registry.training_examples()
    assert all(isinstance(e, TrainingExample) for e in examples)
    by_text = {e.ocr_text: e for e in examples}
    assert set(by_text) == {LETTERS[n][1] for n in ("rti", "training", "budget")}
    assert by_text[LETTERS["rti"][1]] == TrainingExample(LETTERS["rti"][1], "rti", "Dak", True)
    assert by_text[LETTERS["training"][1]] == TrainingExample(LETTERS["training"][1], "letter", "Dak", False)
    assert by_text[LETTERS["budget"][1]] == TrainingExample(LETTERS["budget"][1], "letter", "Accounts", False)
    with pytest.raises(AttributeError):
        examples[0].category = "x"  # type: ignore[misc]


# --- marking, e-files, closing --------------------------------------------------------------------


def test_receipt_moves_through_the_workflow(registry: Registry) -> None:
    numbers = diarise_letters(registry)
    diary_no = numbers["training"]
    marked = registry.mark(diary_no, "ESTT", remarks="for necessary action", actor="dak clerk")
    assert (marked.status, marked.section) == (Status.MARKED, "ESTT")
    registry.mark(diary_no, "Under Secretary (Admn)")
    moves = registry.movements(diary_no)
    assert [(m.from_section, m.to_section, m.remarks) for m in moves] == [
        ("Dak", "ESTT", "for necessary action"),
        ("ESTT", "Under Secretary (Admn)", None),
    ]
    assert moves[0].actor == "dak clerk"

    efile = registry.create_file(
        "Training of staff", "ESTT", office="HSR", file_format=FILE_FORMAT, head="11011"
    )
    second = registry.create_file(
        "Training calendar", "ESTT", office="HSR", file_format=FILE_FORMAT, head="11011"
    )
    other = registry.create_file("Budget", "ACCTS", office="HSR", file_format=FILE_FORMAT, head="11011")
    year = efile.opened_at.year
    assert [efile.file_no, second.file_no, other.file_no] == [
        f"HSR-11011/1/{year}-ESTT",
        f"HSR-11011/2/{year}-ESTT",
        f"HSR-11011/1/{year}-ACCTS",
    ]
    filed = registry.put_in_file(diary_no, efile.file_no)
    assert (filed.status, filed.file_no) == (Status.PUT_IN_FILE, efile.file_no)
    assert registry.get_file(efile.file_no).receipts == (diary_no,)
    assert [f.file_no for f in registry.files(section="ESTT")] == [efile.file_no, second.file_no]
    with pytest.raises(WorkflowError, match="mark the file"):
        registry.mark(diary_no, "ACCTS")
    with pytest.raises(EfileNotFoundError, match="dak files create"):
        registry.put_in_file(numbers["rti"], "HSR-99999/1/2026-X")

    closed = registry.close_receipt(diary_no)
    assert closed.status is Status.CLOSED
    with pytest.raises(WorkflowError, match="already closed"):
        registry.close_receipt(diary_no)
    assert registry.close_receipt(numbers["leave"]).status is Status.CLOSED
    assert [r.diary_no for r in registry.list(status="closed")] == [diary_no, numbers["leave"]]
    assert [r.diary_no for r in registry.list(section="Dak")] == [
        numbers[n] for n in ("rti", "budget", "leave")
    ]

    actions = [e.action for e in registry.history(diary_no)]
    assert actions == ["diarise", "mark", "mark", "put_in_file", "close"]
    assert registry.verify_audit() == len(LETTERS) + 3 + 3 + 1 + 1  # diarise, files, marks, file, closes


def test_bad_file_number_format_is_refused(registry: Registry) -> None:
    with pytest.raises(ConfigError, match=r"\{seq\}"):
        registry.create_file("x", "ESTT", office="HSR", file_format="{office}/{section}", head="1")
    with pytest.raises(WorkflowError, match="subject"):
        registry.create_file(" ", "ESTT", office="HSR", file_format=FILE_FORMAT, head="1")


def test_list_filters(registry: Registry) -> None:
    registry.diarise(new_receipt("old", "Old letter", received_at=datetime(2026, 1, 5, 10, 0, tzinfo=IST)))
    rti = Classification(Category.RTI, section="RTI Cell")
    registry.diarise(new_receipt("new", "New RTI", classification=rti))
    since = datetime(2026, 2, 1, tzinfo=IST)
    assert [r.subject for r in registry.list(since=since)] == ["New RTI"]
    assert [r.subject for r in registry.list(category="rti")] == ["New RTI"]
    assert [r.subject for r in registry.list(section="RTI Cell", status="diarised")] == ["New RTI"]
    assert registry.list(category="court") == []


# --- the audit trail ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        'UPDATE audit_events SET details = \'{"diary_no": "HSR/2026/000009"}\' WHERE id = 3',
        "DELETE FROM audit_events WHERE id = 3",
        "UPDATE audit_events SET actor = 'mallory' WHERE id = 6",
        "DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)",
    ],
)
def test_audit_verify_detects_changed_or_deleted_events(registry: Registry, url: str, sql: str) -> None:
    numbers = diarise_letters(registry)
    registry.mark(numbers["rti"], "RTI Cell")
    registry.correct(numbers["budget"], {"section": "Accounts"})
    registry.log_event("verify_failed", diary_no=numbers["rti"], details={"reason": "signature broken"})
    assert registry.verify_audit() == len(LETTERS) + 3
    tamper(url, sql)
    with pytest.raises(RegistryError, match="altered|cut short"):
        registry.verify_audit()


def test_audit_events_carry_actor_and_chain(registry: Registry) -> None:
    numbers = diarise_letters(registry)
    registry.confirm(numbers["rti"], actor="asha")
    history = registry.history(numbers["rti"])
    assert [(e.action, e.actor) for e in history] == [("diarise", "clerk"), ("confirm", "asha")]
    assert history[1].details["fields"]["category"] == "letter"


def test_search_ranks_the_newest_matches_when_a_word_is_everywhere(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = registry.diarise_many(
        [new_receipt(f"common-{i}", "साधारण पत्र", "कार्यालय " * (1 + (i % 3))) for i in range(8)]
    )
    monkeypatch.setattr("pipeline.registry.search.RANK_WINDOW", 4)
    found = [r.diary_no for r in registry.search("कार्यालय", limit=10)]
    newest = [r.diary_no for r in made[4:]]
    assert sorted(found) == sorted(newest)  # only the window of newest matches is ranked
    assert found[0] == made[5].diary_no  # the most mentions first (ties: newest first)
    monkeypatch.setattr("pipeline.registry.search.RANK_WINDOW", 100)
    assert len(registry.search("कार्यालय", limit=10)) == 8


def test_diarise_many_numbers_in_order_and_reports_duplicates(registry: Registry) -> None:
    first = registry.diarise(new_receipt("seen before"))
    batch = [
        new_receipt("b1", page_confidences=(0.91, 0.42)),
        new_receipt("seen before"),
        new_receipt("b2"),
        new_receipt("b1"),
        new_receipt("legacy", series="L", diary_format="{office}/{series}/{year}/{seq:06d}"),
    ]
    got = registry.diarise_many(batch)
    assert [(r.diary_no, r.status) for r in got] == [
        ("HSR/2026/000002", Status.DIARISED),
        (first.diary_no, Status.DUPLICATE),
        ("HSR/2026/000003", Status.DIARISED),
        ("HSR/2026/000002", Status.DUPLICATE),
        ("HSR/L/2026/000001", Status.DIARISED),
    ]
    assert registry.get("HSR/2026/000002").page_confidences == (0.91, 0.42)
    assert registry.verify_audit() == 4
    with pytest.raises(RegistryError, match="time zone"):
        registry.diarise_many([new_receipt("ok"), new_receipt("naive", received_at=datetime(2026, 3, 14))])
    assert registry.find_by_sha256(hashlib.sha256(b"ok").hexdigest()) is None  # all or nothing
