"""Checking signed PDFs with poppler's pdfsig against an NSS database that trusts a given root.

pdfsig exits 0 even for a broken signature, so its report is parsed instead.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PdfsigResult:
    output: str

    @property
    def signature_valid(self) -> bool:
        return "Signature Validation: Signature is Valid." in self.output

    @property
    def certificate_trusted(self) -> bool:
        return "Certificate Validation: Certificate is Trusted." in self.output

    @property
    def signature_rejected(self) -> bool:
        return "Signature is Invalid" in self.output or "Digest Mismatch" in self.output


def nss_db(directory: Path, ca_pem: Path) -> str:
    """Create an NSS database in `directory` trusting `ca_pem` for signing; return its -nssdir value."""
    directory.mkdir(parents=True, exist_ok=True)
    nssdir = f"sql:{directory}"
    subprocess.run(["certutil", "-N", "-d", nssdir, "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        ["certutil", "-A", "-n", "dak-root", "-t", "CT,C,C", "-i", str(ca_pem), "-d", nssdir],
        check=True,
        capture_output=True,
    )
    return nssdir


def pdfsig(pdf: Path, nssdir: str) -> PdfsigResult:
    """Run pdfsig on `pdf` and return its report."""
    done = subprocess.run(
        ["pdfsig", "-nssdir", nssdir, str(pdf)], capture_output=True, text=True, timeout=60, check=False
    )
    return PdfsigResult(output=done.stdout + done.stderr)
