"""The registry: receipts, gapless diary numbers, e-files, movements, corrections and a hash-chained audit log."""

from __future__ import annotations

from pipeline.registry.migrate import SchemaOutdatedError, SchemaTooNewError
from pipeline.registry.records import (
    AuditEntry,
    Correction,
    Efile,
    EfileNotFoundError,
    Movement,
    TrainingExample,
    UnknownFieldError,
    WorkflowError,
)
from pipeline.registry.registry import NewReceipt, Registry, upgrade_registry
from pipeline.registry.schema import SCHEMA_VERSION
from pipeline.registry.workflow import CORRECTABLE

__all__ = [
    "CORRECTABLE",
    "SCHEMA_VERSION",
    "AuditEntry",
    "Correction",
    "Efile",
    "EfileNotFoundError",
    "Movement",
    "NewReceipt",
    "Registry",
    "SchemaOutdatedError",
    "SchemaTooNewError",
    "TrainingExample",
    "UnknownFieldError",
    "WorkflowError",
    "upgrade_registry",
]
