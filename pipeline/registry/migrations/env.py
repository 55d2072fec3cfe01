"""Alembic environment: always runs on a connection dak hands over (see pipeline/registry/migrate.py)."""

from __future__ import annotations

from alembic import context

from pipeline.registry.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
