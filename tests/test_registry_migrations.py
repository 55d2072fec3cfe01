"""Schema migrations on real SQLite and PostgreSQL: an older registry is upgraded by `dak db upgrade`
with its receipts and audit chain intact; a newer one is refused; migrations match the models."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import registry_pg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import MetaData, create_engine, insert, text

from flows.cli import main
from pipeline.registry import (
    SCHEMA_VERSION,
    NewReceipt,
    Registry,
    SchemaOutdatedError,
    SchemaTooNewError,
    migrate,
    upgrade_registry,
)
from pipeline.registry.audit import event_hash
from pipeline.registry.schema import Base

pg_server = registry_pg.pg_server
V1_DUMP = Path(__file__).parent / "fixtures" / "registry" / "v1_sqlite.sql"


def v1_sqlite(path: Path) -> str:
    """A registry written by dak before Alembic (schema version 1), from a dump of one."""
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_DUMP.read_text(encoding="utf-8"))
    return f"sqlite:///{path}"


def schema_differences(url: str) -> list[Any]:
    """What Alembic's autogenerate sees between the database and the models (the search index aside)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    return [d for d in diffs if "receipt_search" not in str(d)]


def test_old_sqlite_registry_is_refused_then_upgraded(tmp_path: Path) -> None:
    url = v1_sqlite(tmp_path / "registry.sqlite3")
    with pytest.raises(SchemaOutdatedError, match="dak db upgrade"):
        Registry(url)
    assert upgrade_registry(url) == ("0001", migrate.head())
    assert upgrade_registry(url) == (migrate.head(), migrate.head())  # a second run changes nothing
    assert schema_differences(url) == []
    with Registry(url, actor="clerk") as reg:
        assert reg.schema_version() == SCHEMA_VERSION
        old = reg.get("HSR/2026/000001")
        assert (old.subject, old.output, old.references) == (
            "कार्यालय प्रशिक्षण कार्यक्रम",
            "/out/a.pdf",
            ("OM 1",),
        )
        assert [r.diary_no for r in reg.search("प्रशिक्षण")] == ["HSR/2026/000001"]
        assert [r.diary_no for r in reg.search("training")] == ["HSR/2026/000002"]
        assert reg.verify_audit() == 3  # the old chain carries on
        reg.mark("HSR/2026/000002", "ESTT")
        assert reg.verify_audit() == 4


def test_migrations_from_empty_match_the_models_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "head")
    engine.dispose()
    assert schema_differences(url) == []


def test_fresh_registry_is_stamped_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    Registry(url).close()
    assert schema_differences(url) == []
    assert upgrade_registry(url) == (migrate.head(), migrate.head())


def _v1_postgres(url: str) -> None:
    """Revision 0001 on PostgreSQL with a receipt and its audit event, as the old dak wrote them."""
    engine = create_engine(url)
    at = datetime(2026, 3, 14, 6, 0, tzinfo=UTC)
    details = {"diary_no": "HSR/2026/000001", "sha256": "ab" * 32, "source": "cli"}
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0001")
        conn.execute(text("DROP TABLE alembic_version"))  # the old dak had no Alembic
        tables = MetaData()
        tables.reflect(conn)
        conn.execute(insert(tables.tables["schema_version"]).values(id=1, version=1, updated_at=at))
        counters = tables.tables["diary_counters"]
        conn.execute(insert(counters).values(office="HSR", series="", year=2026, last_seq=1))
        receipts = tables.tables["receipts"]
        receipt_id = conn.execute(
            insert(receipts)
            .values(
                diary_no="HSR/2026/000001",
                office="HSR",
                series="",
                year=2026,
                seq=1,
                received_at=at,
                received_utc_offset=330,
                diarised_at=at,
                source="cli",
                sha256="ab" * 32,
                pages=1,
                language="hi",
                category="letter",
                priority="normal",
                security="normal",
                subject="कार्यालय प्रशिक्षण",
                references=[],
                status="diarised",
                needs_review=False,
                ocr_confidence=0.9,
                category_confidence=0.5,
                ocr_text="जिला कार्यालय में प्रशिक्षण कार्यक्रम",
            )
            .returning(receipts.c.id)
        ).scalar_one()
        conn.execute(
            insert(tables.tables["audit_events"]).values(
                at=at,
                actor="old",
                action="diarise",
                receipt_id=receipt_id,
                details=details,
                prev_hash="0" * 64,
                hash=event_hash("0" * 64, at, "old", "diarise", receipt_id, details),
            )
        )
    engine.dispose()


def test_old_postgresql_registry_is_upgraded(pg_server: registry_pg.PgServer) -> None:
    url = pg_server.new_database()
    _v1_postgres(url)
    with pytest.raises(SchemaOutdatedError):
        Registry(url)
    assert upgrade_registry(url) == ("0001", migrate.head())
    assert schema_differences(url) == []
    with Registry(url) as reg:
        assert reg.verify_audit() == 1
        assert [r.diary_no for r in reg.search("कार्यक्रम")] == ["HSR/2026/000001"]
        new = reg.diarise(
            NewReceipt(
                office="HSR",
                diary_format="{office}/{year}/{seq:06d}",
                received_at=datetime(2026, 3, 15, tzinfo=UTC),
                source="cli",
                sha256="cd" * 32,
                pages=1,
            )
        )
        assert new.diary_no == "HSR/2026/000002"  # the diary counter carries on
        assert reg.verify_audit() == 2


def test_migrations_from_empty_match_the_models_postgresql(pg_server: registry_pg.PgServer) -> None:
    url = pg_server.new_database()
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "head")
    engine.dispose()
    assert schema_differences(url) == []


def test_newer_registry_is_refused_everywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    Registry(url).close()
    with sqlite3.connect(tmp_path / "registry.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(SchemaTooNewError, match="newer than this dak"):
        Registry(url)
    with pytest.raises(SchemaTooNewError):
        upgrade_registry(url)
    monkeypatch.setenv("DAK_HOME", str(tmp_path))
    monkeypatch.delenv("DAK_DATABASE_URL", raising=False)
    runner = CliRunner()
    for args in (["db", "upgrade"], ["receipts", "list"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 5, result.output
        assert "newer than this dak" in result.output
    with sqlite3.connect(tmp_path / "registry.sqlite3") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0099"


def _has_diarise_function(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return (
                conn.execute(
                    text("SELECT to_regprocedure('dak_diarise(jsonb,timestamptz,text,text)')")
                ).scalar()
                is not None
            )
    finally:
        engine.dispose()


def _migrate(url: str, direction: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        getattr(command, direction)(migrate._config(conn), revision)
    engine.dispose()


def _schema_version(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT version FROM schema_version WHERE id = 1")).scalar_one())
    finally:
        engine.dispose()


def _letter(label: str) -> NewReceipt:
    return NewReceipt(
        office="HSR",
        diary_format="{office}/{year}/{seq:06d}",
        received_at=datetime(2026, 3, 15, tzinfo=UTC),
        source=f"drop:{label}.pdf",
        sha256=label.encode().hex().ljust(64, "0"),
        pages=1,
    )


def test_postgresql_upgrade_from_0002_and_downgrade(pg_server: registry_pg.PgServer) -> None:
    url = pg_server.new_database()
    _migrate(url, "upgrade", "0002")
    assert not _has_diarise_function(url)
    with pytest.raises(SchemaOutdatedError):
        Registry(url)
    assert upgrade_registry(url) == ("0002", "0003")
    assert _has_diarise_function(url) and _schema_version(url) == 3
    with Registry(url) as reg:
        assert reg.diarise(_letter("a")).diary_no == "HSR/2026/000001"
    _migrate(url, "downgrade", "0002")
    assert not _has_diarise_function(url) and _schema_version(url) == 2
    with pytest.raises(SchemaOutdatedError):
        Registry(url)
    assert upgrade_registry(url) == ("0002", migrate.head())
    with Registry(url) as reg:
        assert reg.diarise(_letter("b")).diary_no == "HSR/2026/000002"
        assert reg.verify_audit() == 2


def test_sqlite_upgrade_from_0002_and_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    _migrate(url, "upgrade", "0002")
    assert upgrade_registry(url) == ("0002", "0003")
    assert _schema_version(url) == 3
    with Registry(url) as reg:
        assert reg.diarise(_letter("a")).diary_no == "HSR/2026/000001"
    _migrate(url, "downgrade", "0002")
    assert _schema_version(url) == 2
    with pytest.raises(SchemaOutdatedError):
        Registry(url)
    upgrade_registry(url)
    with Registry(url) as reg:
        assert reg.verify_audit() == 1


def test_fresh_postgresql_registry_has_the_diarise_function(pg_server: registry_pg.PgServer) -> None:
    url = pg_server.new_database()
    Registry(url).close()
    assert _has_diarise_function(url)
