"""Awkward PDFs: encrypted, broken cross-references, hybrid-reference files. Repaired before signing, or refused."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from pipeline.config import LimitSettings, SigningSettings
from pipeline.errors import DamagedPdfError, EncryptedPdfError, InputError
from pipeline.intake import take_in
from pipeline.sign import DakSigner, load_signer, sign_pdf, verify_pdf
from pipeline.stamp import DiaryStamp
from tests.pki import nss_db, pdfsig
from tests.test_sign import make_two_page_pdf


def _objects_pdf(header: bytes, bodies: list[bytes]) -> tuple[bytes, list[int]]:
    out = header
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    return out, offsets


def make_hybrid_pdf() -> bytes:
    """A hybrid-reference file: the font lives in an object stream listed only by the /XRefStm stream."""
    content = b"BT /F1 14 Tf 72 700 Td (Hybrid reference letter page 1) Tj ET"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objstm = b"6 0 " + font
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 6 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /ObjStm /N 1 /First 4 /Length %d >>\nstream\n%s\nendstream" % (len(objstm), objstm),
    ]
    out, offsets = _objects_pdf(b"%PDF-1.5\n", bodies)
    xref_stream_data = bytes([2]) + (5).to_bytes(4, "big") + (0).to_bytes(2, "big")
    offsets.append(-1)  # object 6: compressed, not in the classic table
    offsets.append(len(out))
    out += (
        b"7 0 obj\n<< /Type /XRef /W [1 4 2] /Index [6 1] /Size 8 /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (len(xref_stream_data), xref_stream_data)
    )
    xref = len(out)
    table = b"xref\n0 8\n0000000000 65535 f \n"
    for offset in offsets:
        table += b"0000000000 65535 f \n" if offset < 0 else b"%010d 00000 n \n" % offset
    out += table
    out += b"trailer\n<< /Size 8 /Root 1 0 R /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n" % (offsets[6], xref)
    return out


def make_broken_xref_pdf() -> bytes:
    """The test letter with every cross-reference offset wrong and a wrong startxref."""
    data = make_two_page_pdf("broken xref letter")
    data = re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" % (int(m.group(1)) + 7), data)
    return re.sub(rb"startxref\n\d+", b"startxref\n123", data)


def _qpdf_encrypt(pdf: bytes, tmp_path: Path, user: str) -> bytes:
    src, dst = tmp_path / "plain.pdf", tmp_path / f"enc-{user or 'owner'}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["qpdf", "--encrypt", user, "owner-secret", "256", "--", str(src), str(dst)], check=True)
    return dst.read_bytes()


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> DakSigner:
    return load_signer(SigningSettings(), tmp_path_factory.mktemp("keys"), "District Office")


@pytest.fixture(scope="module")
def nssdir(tmp_path_factory: pytest.TempPathFactory, signer: DakSigner) -> str:
    assert signer.dev_keys is not None
    return nss_db(tmp_path_factory.mktemp("nss-inputs"), signer.dev_keys.ca_cert)


def _stamp(signer: DakSigner) -> DiaryStamp:
    return DiaryStamp(
        "DAK/2026/000099", dt.datetime(2026, 11, 23, 12, 0), "District Office", "", signer.subject
    )


def _awkward(kind: str, tmp_path: Path) -> bytes:
    if kind == "hybrid":
        return make_hybrid_pdf()
    if kind == "broken_xref":
        return make_broken_xref_pdf()
    return _qpdf_encrypt(make_two_page_pdf("encrypted letter"), tmp_path, user="")


EXPECTED_TEXT = {
    "hybrid": "Hybrid reference letter",
    "broken_xref": "broken xref letter",
    "owner_encrypted": "encrypted letter",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED_TEXT))
def test_awkward_pdf_is_rewritten_then_signed(
    kind: str, signer: DakSigner, nssdir: str, tmp_path: Path
) -> None:
    pdf = _awkward(kind, tmp_path)
    out = tmp_path / "signed.pdf"
    sign_pdf(pdf, out, signer, _stamp(signer))
    data = out.read_bytes()
    assert b"/XRefStm" not in data and b"/Encrypt" not in data
    report = verify_pdf(out, signer.trust_roots)
    assert report.valid and report.signatures[0].covers_whole_document, report.reason
    result = pdfsig(out, nssdir)
    assert result.signature_valid and result.certificate_trusted, result.output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert EXPECTED_TEXT[kind] in text


def test_password_protected_pdf_is_refused_with_a_reason(signer: DakSigner, tmp_path: Path) -> None:
    locked = _qpdf_encrypt(make_two_page_pdf(), tmp_path, user="user-secret")
    with pytest.raises(EncryptedPdfError, match="password-protected") as caught:
        sign_pdf(locked, tmp_path / "x.pdf", signer, _stamp(signer))
    assert isinstance(caught.value, InputError)  # quarantined, not a crash
    assert not (tmp_path / "x.pdf").exists()


def test_unrepairable_pdf_is_refused_with_a_reason(signer: DakSigner, tmp_path: Path) -> None:
    with pytest.raises(DamagedPdfError, match="scan the letter again"):
        sign_pdf(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", tmp_path / "x.pdf", signer, _stamp(signer))


@pytest.mark.parametrize("kind", sorted(EXPECTED_TEXT))
def test_intake_takes_repairable_pdfs(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(_awkward(kind, tmp_path))
    document = take_in(path, LimitSettings())
    assert document.pages == (1 if kind == "hybrid" else 2)


def test_intake_quarantines_password_protected_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_qpdf_encrypt(make_two_page_pdf(), tmp_path, user="user-secret"))
    with pytest.raises(EncryptedPdfError, match="password-protected"):
        take_in(path, LimitSettings())
