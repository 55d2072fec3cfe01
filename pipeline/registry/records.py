"""What the registry hands back besides receipts: e-files, movements, corrections, training examples."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pipeline.errors import ExitCode, RegistryError


class UnknownFieldError(RegistryError):
    """A correction names a field that cannot be corrected, or gives a value it cannot take."""

    exit_code = ExitCode.USAGE


class WorkflowError(RegistryError):
    """The receipt or e-file is not in a state that allows this step (e.g. marking a closed receipt)."""

    exit_code = ExitCode.USAGE


class EfileNotFoundError(RegistryError):
    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class Efile:
    """An e-Office file that receipts are put into."""

    file_no: str
    subject: str
    section: str
    head: str
    opened_at: datetime
    opened_by: str
    status: str  # "open" or "closed"
    receipts: tuple[str, ...] = ()  # diary numbers put in this file

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["opened_at"] = self.opened_at.isoformat()
        data["receipts"] = list(self.receipts)
        return data


@dataclass(frozen=True)
class Movement:
    """A receipt (or e-file) marked from one section to another."""

    at: datetime
    actor: str
    from_section: str | None
    to_section: str
    remarks: str | None
    diary_no: str | None = None
    file_no: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


@dataclass(frozen=True)
class Correction:
    """One field of a receipt changed by a clerk."""

    diary_no: str
    field: str
    old_value: str | None
    new_value: str | None
    at: datetime
    actor: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


@dataclass(frozen=True)
class TrainingExample:
    """A receipt whose category a clerk has vouched for: corrected, confirmed, or acted upon."""

    ocr_text: str
    category: str
    section: str | None
    corrected: bool  # the clerk changed the category or the section


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    diary_no: str | None
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data
