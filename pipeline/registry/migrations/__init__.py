"""Alembic migrations of the registry schema (run by `dak db upgrade`)."""
