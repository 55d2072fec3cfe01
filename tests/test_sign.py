"""Development keys, the visible diary stamp, PAdES signing, and verification by pyHanko and pdfsig."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from pipeline.config import SigningSettings
from pipeline.errors import SigningError, VerificationError
from pipeline.sign import DakSigner, DevKeys, ensure_development_keys, load_signer, sign_pdf, verify_pdf
from pipeline.stamp import STAMP_HEIGHT_PT, STAMP_WIDTH_PT, DiaryStamp, find_stamp_box, stamp_lines
from tests.conftest import pdf_file
from tests.pki import nss_db, pdfsig

OFFICE = "District Office Hisar"
PAGE_W, PAGE_H = 595.0, 842.0


def make_two_page_pdf(marker: str = "letter page") -> bytes:
    """A born-digital two-page A4 PDF with uncompressed Helvetica text, written by hand."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>"]
    for page in (1, 2):
        content = (
            f"BT /F1 14 Tf 72 700 Td (Government of Haryana {marker} {page}) Tj ET\n"
            f"BT /F1 12 Tf 72 400 Td (Body of the letter on page {page}) Tj ET"
        )
        objects.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 7 0 R >> >> "
            f"/Contents {len(objects) + 2} 0 R >>"
        )
        objects.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    return pdf_file(objects)


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sign") / "keys"


@pytest.fixture(scope="module")
def dev_keys(keys_dir: Path) -> DevKeys:
    return ensure_development_keys(keys_dir, OFFICE)


@pytest.fixture(scope="module")
def signer(dev_keys: DevKeys, keys_dir: Path) -> DakSigner:
    return load_signer(SigningSettings(reason="Diarised by dak", location="Hisar"), keys_dir, OFFICE)


def diary_stamp(signer_subject: str) -> DiaryStamp:
    """The stamp the signing tests and bench/sign.py put on a letter: diary no. HSR/2026/000042."""
    return DiaryStamp(
        diary_no="HSR/2026/000042",
        received_at=dt.datetime(2026, 11, 23, 14, 5),
        office=OFFICE,
        office_hi="जिला कार्यालय हिसार",
        signer=signer_subject,
    )


@pytest.fixture(scope="module")
def stamp(signer: DakSigner) -> DiaryStamp:
    return diary_stamp(signer.subject)


@pytest.fixture(scope="module")
def signed_pdf(tmp_path_factory: pytest.TempPathFactory, signer: DakSigner, stamp: DiaryStamp) -> Path:
    out = tmp_path_factory.mktemp("signed") / "out.pdf"
    sign_pdf(make_two_page_pdf(), out, signer, stamp, None)
    return out


@pytest.fixture(scope="module")
def nssdir(tmp_path_factory: pytest.TempPathFactory, dev_keys: DevKeys) -> str:
    return nss_db(tmp_path_factory.mktemp("nss"), dev_keys.ca_cert)


def _flip_in_signed_range(signed: Path, target: Path, needle: bytes) -> None:
    """Copy `signed` to `target` with one byte of `needle` changed; the byte must lie in the signed range."""
    data = bytearray(signed.read_bytes())
    offset = data.index(needle)
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", bytes(data))
    assert match is not None
    start1, len1, start2, len2 = (int(v) for v in match.groups())
    assert start1 <= offset < start1 + len1 or start2 <= offset < start2 + len2
    data[offset] ^= 0x01
    target.write_bytes(bytes(data))


# --- keys --------------------------------------------------------------------------------------


def test_development_keys_are_private_and_labelled(dev_keys: DevKeys, keys_dir: Path) -> None:
    assert dev_keys.created
    for name in ("dev-signer.p12", "dev-passphrase"):
        assert stat.S_IMODE((keys_dir / name).stat().st_mode) == 0o600, name
    assert dev_keys.pkcs12 == keys_dir / "dev-signer.p12"

    passphrase = (keys_dir / "dev-passphrase").read_bytes().strip()
    assert len(passphrase) >= 32
    key, cert, cas = pkcs12.load_key_and_certificates(dev_keys.pkcs12.read_bytes(), passphrase)
    assert key is not None and cert is not None
    ca = x509.load_pem_x509_certificate(dev_keys.ca_cert.read_bytes())
    assert [c.fingerprint(ca.signature_hash_algorithm) for c in cas] == [
        ca.fingerprint(ca.signature_hash_algorithm)
    ]

    assert "development" in cert.subject.rfc4514_string()
    assert OFFICE in cert.subject.rfc4514_string()
    assert "development" in ca.subject.rfc4514_string()
    assert cert.issuer == ca.subject

    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ca_ski.digest
    assert cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)

    ca_usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ca_usage.key_cert_sign and ca_usage.crl_sign
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=365 * 2) <= lifetime <= dt.timedelta(days=365 * 5 + 2)


def test_development_keys_are_reused(dev_keys: DevKeys, keys_dir: Path) -> None:
    before = dev_keys.pkcs12.read_bytes()
    again = ensure_development_keys(keys_dir, OFFICE)
    assert not again.created
    assert again.pkcs12.read_bytes() == before


def test_development_signer_properties(signer: DakSigner, dev_keys: DevKeys) -> None:
    assert signer.is_development
    assert "development" in signer.subject
    assert signer.dev_keys is not None and signer.dev_keys.pkcs12 == dev_keys.pkcs12
    ca = x509.load_pem_x509_certificate(dev_keys.ca_cert.read_bytes())
    assert any(root.dump() == ca.public_bytes(Encoding.DER) for root in signer.trust_roots)


def test_configured_pkcs12_needs_the_right_passphrase(
    dev_keys: DevKeys, keys_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = SigningSettings(pkcs12=str(dev_keys.pkcs12), passphrase_env="DAK_TEST_SIGNING_PASSPHRASE")
    monkeypatch.delenv("DAK_TEST_SIGNING_PASSPHRASE", raising=False)
    with pytest.raises(SigningError, match="DAK_TEST_SIGNING_PASSPHRASE"):
        load_signer(settings, tmp_path, OFFICE)

    monkeypatch.setenv("DAK_TEST_SIGNING_PASSPHRASE", "not the passphrase")
    with pytest.raises(SigningError, match="passphrase is wrong"):
        load_signer(settings, tmp_path, OFFICE)

    monkeypatch.setenv("DAK_TEST_SIGNING_PASSPHRASE", (keys_dir / "dev-passphrase").read_text().strip())
    real = load_signer(settings, tmp_path, OFFICE)
    assert not real.is_development
    assert real.trust_roots == []
    assert not (tmp_path / "dev-signer.p12").exists()

    missing = SigningSettings(
        pkcs12=str(tmp_path / "absent.p12"), passphrase_env="DAK_TEST_SIGNING_PASSPHRASE"
    )
    with pytest.raises(SigningError, match="does not exist"):
        load_signer(missing, tmp_path, OFFICE)


# --- signing and verification ------------------------------------------------------------------


def test_signed_pdf_verifies(signed_pdf: Path, signer: DakSigner) -> None:
    report = verify_pdf(signed_pdf, signer.trust_roots)
    assert report.valid, report.reason
    assert len(report.signatures) == 1
    sig = report.signatures[0]
    assert sig.pades_level == "B-B"
    assert sig.intact and sig.trusted and sig.covers_whole_document and sig.valid
    assert "development" in sig.signer_subject
    assert sig.signing_time is not None
    assert abs(dt.datetime.now(dt.UTC) - sig.signing_time) < dt.timedelta(minutes=10)
    assert report.as_dict()["signatures"][0]["pades_level"] == "B-B"
    # Written atomically: nothing but the output is left in its directory.
    assert [p.name for p in signed_pdf.parent.iterdir()] == ["out.pdf"]


def test_signature_dictionary_is_pades(signed_pdf: Path) -> None:
    reader = PdfFileReader(signed_pdf.open("rb"))
    (embedded,) = reader.embedded_signatures
    sig = embedded.sig_object
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"
    assert sig["/Reason"] == "Diarised by dak"
    assert sig["/Location"] == "Hisar"
    assert "/M" in sig
    assert embedded.md_algorithm == "sha256"
    # PAdES puts the signing time in /M, not in a CMS signing-time attribute.
    assert "signing_time" not in [a["type"].native for a in embedded.signer_info["signed_attrs"]]


def test_pdfsig_accepts_signed_pdf(signed_pdf: Path, nssdir: str) -> None:
    result = pdfsig(signed_pdf, nssdir)
    assert result.signature_valid, result.output
    assert result.certificate_trusted, result.output
    assert "ETSI.CAdES.detached" in result.output


def test_tampered_copy_is_rejected(signed_pdf: Path, signer: DakSigner, nssdir: str, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.pdf"
    _flip_in_signed_range(signed_pdf, tampered, b"letter page 1")
    report = verify_pdf(tampered, signer.trust_roots)
    assert not report.valid
    assert report.signatures and not report.signatures[0].intact
    assert "changed after signing" in report.reason

    result = pdfsig(tampered, nssdir)
    assert result.signature_rejected, result.output
    assert not result.signature_valid


def test_untrusted_root_is_not_valid(signed_pdf: Path) -> None:
    report = verify_pdf(signed_pdf, [])
    assert not report.valid
    assert report.signatures[0].intact and not report.signatures[0].trusted


def test_unsigned_and_unreadable_pdfs_are_reports(tmp_path: Path, signer: DakSigner) -> None:
    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(make_two_page_pdf())
    report = verify_pdf(unsigned, signer.trust_roots)
    assert not report.valid and report.signatures == ()
    assert "not signed" in report.reason

    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"this is not a PDF at all")
    assert not verify_pdf(garbage, signer.trust_roots).valid

    with pytest.raises(VerificationError):
        verify_pdf(tmp_path / "missing.pdf", signer.trust_roots)


def test_stamp_renders_at_the_requested_box(tmp_path: Path, signer: DakSigner, stamp: DiaryStamp) -> None:
    box = (40.0, 30.0, 40.0 + STAMP_WIDTH_PT, 30.0 + STAMP_HEIGHT_PT)
    out = tmp_path / "boxed.pdf"
    sign_pdf(make_two_page_pdf(), out, signer, stamp, box)
    assert verify_pdf(out, signer.trust_roots).valid

    reader = PdfFileReader(out.open("rb"))
    (embedded,) = reader.embedded_signatures
    rect = [float(v) for v in embedded.sig_field["/Rect"]]
    assert rect == pytest.approx(list(box))

    png = tmp_path / "p"
    subprocess.run(["pdftoppm", "-r", "144", "-png", "-f", "1", "-l", "1", str(out), str(png)], check=True)
    page = np.asarray(Image.open(tmp_path / "p-1.png").convert("L")) < 160
    assert page.shape[:2] == (2 * 842, 2 * 595)
    x1, y1, x2, y2 = (round(2 * v) for v in box)
    inside = page[2 * 842 - y2 + 6 : 2 * 842 - y1 - 6, x1 + 6 : x2 - 6]
    assert inside.mean() > 0.02  # the stamp text is drawn inside its border
    # Nothing of the stamp lands at the default top-right place.
    assert page[24:160, 800:1160].sum() == 0


def test_signed_pdf_renders_every_page(signed_pdf: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(signed_pdf), str(tmp_path / "r")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("r-*.png")) == ["r-1.png", "r-2.png"]
    assert "Error" not in done.stderr


def test_stamp_font_is_embedded_once(signed_pdf: Path) -> None:
    data = signed_pdf.read_bytes()
    assert len(re.findall(rb"/FontFile2", data)) == 1
    assert b"Lohit-Devanagari" in data


# --- stamp text and placement ------------------------------------------------------------------


def test_stamp_lines_are_bilingual(stamp: DiaryStamp) -> None:
    lines = stamp_lines(stamp)
    text = "\n".join(lines)
    assert "HSR/2026/000042" in lines[0] and "डायरी" in lines[0] and "Diary No." in lines[0]
    assert "23-11-2026 14:05" in text
    assert "जिला कार्यालय हिसार" in text and OFFICE in text
    assert f"Signed by: {stamp.signer}" in text


def _ink_under(ink: np.ndarray, box: tuple[float, float, float, float]) -> int:
    """Ink pixels of a top-down mask under a bottom-up PDF box."""
    sy, sx = ink.shape[0] / PAGE_H, ink.shape[1] / PAGE_W
    x1, y1, x2, y2 = box
    rows = slice(int((PAGE_H - y2) * sy), int(np.ceil((PAGE_H - y1) * sy)))
    cols = slice(int(x1 * sx), int(np.ceil(x2 * sx)))
    return int(ink[rows, cols].sum())


def _letter_mask(dpi: int = 150) -> np.ndarray:
    scale = dpi / 72
    ink = np.zeros((round(PAGE_H * scale), round(PAGE_W * scale)), dtype=bool)
    for top in range(150, 700, 14):  # body text lines
        ink[round(top * scale) : round((top + 8) * scale), round(72 * scale) : round(523 * scale)] = True
    return ink


def test_find_stamp_box_avoids_letterhead_in_top_right() -> None:
    ink = _letter_mask()
    scale = ink.shape[0] / PAGE_H
    ink[round(15 * scale) : round(110 * scale), round(380 * scale) : round(585 * scale)] = True  # letterhead
    box = find_stamp_box(ink, PAGE_W, PAGE_H, STAMP_WIDTH_PT, STAMP_HEIGHT_PT)
    assert _ink_under(ink, box) == 0
    assert box[2] - box[0] == pytest.approx(STAMP_WIDTH_PT) and box[3] - box[1] == pytest.approx(
        STAMP_HEIGHT_PT
    )
    assert box[0] >= 0 and box[2] <= PAGE_W and box[1] >= 0 and box[3] <= PAGE_H


def test_find_stamp_box_prefers_top_right_of_a_clean_margin() -> None:
    ink = _letter_mask().astype(np.uint8) * 255
    box = find_stamp_box(ink, PAGE_W, PAGE_H, STAMP_WIDTH_PT, STAMP_HEIGHT_PT)
    assert _ink_under(ink > 0, box) == 0
    assert box[2] > PAGE_W - 40 and box[3] > PAGE_H - 40


def test_find_stamp_box_takes_least_ink_on_a_full_page() -> None:
    rng = np.random.default_rng(7)
    ink = rng.random((421, 298)) < 0.3
    ink[300:380, 20:150] = False  # the only clean patch: bottom left
    box = find_stamp_box(ink, PAGE_W, PAGE_H, 100.0, 40.0)
    assert _ink_under(ink, box) == 0


def test_find_stamp_box_is_fast() -> None:
    ink = np.zeros((3508, 2480), dtype=bool)  # A4 at 300 dpi
    ink[300:3200, 250:2230] = True
    start = time.process_time()
    find_stamp_box(ink, PAGE_W, PAGE_H, STAMP_WIDTH_PT, STAMP_HEIGHT_PT)
    assert time.process_time() - start < 1.0


def test_output_is_replaced_atomically(tmp_path: Path, signer: DakSigner, stamp: DiaryStamp) -> None:
    out = tmp_path / "letter.pdf"
    out.write_bytes(b"old")
    sign_pdf(make_two_page_pdf(), out, signer, stamp, None)
    assert out.read_bytes().startswith(b"%PDF")
    assert verify_pdf(out, signer.trust_roots).valid
    assert os.listdir(tmp_path) == ["letter.pdf"]
