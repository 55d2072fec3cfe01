"""PostgreSQL: diary numbers and diarise audit events written by one server-side function.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

`dak_number_receipts` (see pipeline/registry/pg_writer.py) lets a writer take its diary number,
write it and log it without a trip back to the client while the counter is locked. Nothing changes
on SQLite but the schema version. A later change to the function comes with its own migration.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from pipeline.registry import pg_writer
from pipeline.registry.schema import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _set_version(version: int) -> None:
    table = sa.table(
        "schema_version", sa.column("id"), sa.column("version"), sa.column("updated_at", UtcDateTime())
    )
    conn = op.get_bind()
    conn.execute(
        sa.update(table).where(table.c.id == 1).values(version=version, updated_at=datetime.now(UTC))
    )


def upgrade() -> None:
    pg_writer.install(op.get_bind())
    _set_version(3)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(pg_writer.DROP_FUNCTION)
    _set_version(2)
