"""E-files, movements, corrections, page confidences, confirmation, audit head, search index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from pipeline.registry import audit, search
from pipeline.registry.schema import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    with op.batch_alter_table("receipts") as batch:
        batch.add_column(sa.Column("page_confidences", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("confirmed_at", ts, nullable=True))
        batch.add_column(sa.Column("confirmed_by", sa.String(128), nullable=True))
    op.create_index("ix_receipts_received_at", "receipts", ["received_at"])
    op.create_index("ix_receipts_status", "receipts", ["status"])
    op.create_index("ix_receipts_section", "receipts", ["section"])
    op.create_table(
        "file_counters",
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("section", sa.String(128), nullable=False),
        sa.Column("head", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office", "section", "head", "year"),
    )
    op.create_table(
        "efiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_no", sa.String(128), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("section", sa.String(128), nullable=False),
        sa.Column("head", sa.String(32), nullable=False),
        sa.Column("opened_at", ts, nullable=False),
        sa.Column("opened_by", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_no"),
    )
    op.create_table(
        "movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("efile_id", sa.Integer(), nullable=True),
        sa.Column("from_section", sa.String(128), nullable=True),
        sa.Column("to_section", sa.String(128), nullable=False),
        sa.Column("at", ts, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["efile_id"], ["efiles.id"]),
        sa.ForeignKeyConstraint(["receipt_id"], ["receipts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_movements_receipt_id", "movements", ["receipt_id"])
    op.create_index("ix_movements_efile_id", "movements", ["efile_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("at", ts, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(["receipt_id"], ["receipts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_corrections_receipt_id", "corrections", ["receipt_id"])

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )

    conn = op.get_bind()
    audit.start_chain(conn)
    search.create_index(conn)
    search.rebuild(conn)
    version = sa.table(
        "schema_version", sa.column("id"), sa.column("version"), sa.column("updated_at", UtcDateTime())
    )
    conn.execute(sa.delete(version))
    conn.execute(sa.insert(version).values(id=1, version=2, updated_at=datetime.now(UTC)))
