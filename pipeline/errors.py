"""One exception hierarchy; each class carries the exit code the CLI uses and a stage name.

Messages are written for the clerk who will read them: what went wrong and what to do.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    QUARANTINED = 1  # some input could not be processed and was quarantined
    USAGE = 2
    CONFIG = 3
    MISSING_PROGRAM = 4
    REGISTRY = 5
    SIGNATURE = 6
    INTERNAL = 15


class DakError(Exception):
    """Base of every error dak raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL
    stage: str = "dak"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(DakError):
    exit_code = ExitCode.CONFIG
    stage = "config"


class MissingProgramError(DakError):
    """An outside program (tesseract, pdftoppm, a language pack) is not installed."""

    exit_code = ExitCode.MISSING_PROGRAM
    stage = "setup"


class InputError(DakError):
    """The input file cannot be processed; the file is quarantined with this reason."""

    exit_code = ExitCode.QUARANTINED
    stage = "intake"


class UnsupportedFileError(InputError):
    stage = "intake"


class FileTooLargeError(InputError):
    stage = "intake"


class RasterError(InputError):
    stage = "raster"


class PreprocessError(InputError):
    stage = "preprocess"


class OcrError(InputError):
    stage = "ocr"


class PdfError(InputError):
    stage = "pdf"


class RegistryError(DakError):
    exit_code = ExitCode.REGISTRY
    stage = "diarise"


class ReceiptNotFoundError(RegistryError):
    exit_code = ExitCode.USAGE


class SigningError(DakError):
    exit_code = ExitCode.SIGNATURE
    stage = "sign"


class VerificationError(SigningError):
    stage = "verify"


class EncryptedPdfError(InputError):
    """A PDF that needs a password to open: dak cannot read or sign it."""

    stage = "intake"


class DamagedPdfError(InputError):
    """A PDF too damaged to read or repair (qpdf could not rebuild it)."""

    stage = "intake"
