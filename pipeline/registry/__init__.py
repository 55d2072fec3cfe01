"""The registry: receipts, gapless diary numbers and a hash-chained audit log (SQLite or PostgreSQL)."""

from __future__ import annotations

from pipeline.registry.registry import NewReceipt, Registry
from pipeline.registry.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "NewReceipt", "Registry"]
