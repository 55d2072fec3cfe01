"""PAdES B-T, B-LT and B-LTA against a timestamp authority and a CRL that the test makes and serves itself."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from pyhanko.pdf_utils.reader import PdfFileReader

from pipeline.config import SigningSettings
from pipeline.errors import SigningError
from pipeline.sign import DakSigner, load_signer, sign_pdf, verify_pdf
from pipeline.stamp import DiaryStamp
from tests.pki import LocalPki, make_test_pki, nss_db, pdfsig
from tests.test_sign import _flip_in_signed_range, make_two_page_pdf

PASS_ENV = "DAK_TEST_LEVELS_PASSPHRASE"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    made = make_test_pki(tmp_path_factory.mktemp("pki"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def nssdir(tmp_path_factory: pytest.TempPathFactory, pki: LocalPki) -> str:
    return nss_db(tmp_path_factory.mktemp("nss-levels"), pki.ca_pem)


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch, pki: LocalPki) -> None:
    monkeypatch.setenv(PASS_ENV, pki.passphrase)


def _signer(pki: LocalPki, tmp_path: Path, **settings: object) -> DakSigner:
    config = SigningSettings(
        pkcs12=str(pki.signer_p12),
        passphrase_env=PASS_ENV,
        trust_roots=[str(pki.ca_pem)],
        tsa_url=pki.tsa_url,
        **settings,  # type: ignore[arg-type]
    )
    return load_signer(config, tmp_path / "keys", "Test Office")


def _stamp(signer: DakSigner) -> DiaryStamp:
    return DiaryStamp(
        "HSR/2026/000007", dt.datetime(2026, 11, 23, 9, 30), "Test Office", "परीक्षण कार्यालय", signer.subject
    )


def _sign(pki: LocalPki, tmp_path: Path, level: str, **settings: object) -> Path:
    signer = _signer(pki, tmp_path, level=level, **settings)
    out = tmp_path / f"{level}.pdf"
    sign_pdf(make_two_page_pdf(), out, signer, _stamp(signer))
    return out


def _requests(pki: LocalPki) -> list[str]:
    return pki.server.RequestHandlerClass.requests  # type: ignore[attr-defined, no-any-return]


def _dss_crls(path: Path) -> list[bytes]:
    reader = PdfFileReader(path.open("rb"))
    dss = reader.root["/DSS"]
    return [ref.get_object().data for ref in dss.get("/CRLs", [])]


def test_tsa_url_alone_means_b_t(pki: LocalPki, tmp_path: Path, nssdir: str) -> None:
    assert SigningSettings(tsa_url=pki.tsa_url).pades_level() == "B-T"
    assert SigningSettings().pades_level() == "B-B"
    before = len(_requests(pki))
    out = _sign(pki, tmp_path, "")
    assert "POST /tsa" in _requests(pki)[before:]

    report = verify_pdf(out, [pki.ca_pem])
    assert report.valid, report.reason
    (sig,) = report.signatures
    assert sig.pades_level == "B-T"
    assert sig.timestamp is not None and sig.timestamp_trusted
    assert abs(sig.timestamp - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert "/DSS" not in PdfFileReader(out.open("rb")).root

    result = pdfsig(out, nssdir)
    assert result.signature_valid and result.certificate_trusted, result.output


def test_b_lt_embeds_the_crl_it_fetched(pki: LocalPki, tmp_path: Path, nssdir: str) -> None:
    before = len(_requests(pki))
    out = _sign(pki, tmp_path, "B-LT")
    asked = _requests(pki)[before:]
    assert "GET /root.crl" in asked and "POST /tsa" in asked

    assert pki.crl_der in _dss_crls(out)
    report = verify_pdf(out, [pki.ca_pem])
    assert report.valid, report.reason
    (sig,) = report.signatures
    assert sig.pades_level == "B-LT" and sig.covers_whole_document and sig.timestamp_trusted
    assert report.document_timestamps == ()

    result = pdfsig(out, nssdir)
    assert result.signature_valid and result.certificate_trusted, result.output


def test_b_lt_offline_with_a_configured_crl(pki: LocalPki, tmp_path: Path) -> None:
    crl_file = tmp_path / "root.crl"
    crl_file.write_bytes(pki.crl_der)
    before = len(_requests(pki))
    out = _sign(pki, tmp_path, "B-LT", fetch_revocation=False, crls=[str(crl_file)])
    assert "GET /root.crl" not in _requests(pki)[before:]
    assert asn1_crl.CertificateList.load(pki.crl_der).dump() in _dss_crls(out)
    assert verify_pdf(out, [pki.ca_pem]).valid


def test_b_lt_without_revocation_data_is_refused(pki: LocalPki, tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="HSR/2026/000007"):
        _sign(pki, tmp_path, "B-LT", fetch_revocation=False)
    assert not (tmp_path / "B-LT.pdf").exists()


def test_b_lta_adds_a_document_timestamp(pki: LocalPki, tmp_path: Path, nssdir: str) -> None:
    out = _sign(pki, tmp_path, "B-LTA")
    report = verify_pdf(out, [pki.ca_pem])
    assert report.valid, report.reason
    assert report.signatures[0].pades_level == "B-LTA"
    (stamp,) = report.document_timestamps
    assert stamp.valid and stamp.timestamp is not None
    assert report.as_dict()["document_timestamps"][0]["valid"] is True

    result = pdfsig(out, nssdir)  # pdfsig checks the signature; it cannot check RFC 3161 document timestamps
    assert result.signature_valid and result.certificate_trusted, result.output


def test_tampered_b_lt_is_rejected_by_both(pki: LocalPki, tmp_path: Path, nssdir: str) -> None:
    out = _sign(pki, tmp_path, "B-LT")
    tampered = tmp_path / "tampered.pdf"
    _flip_in_signed_range(out, tampered, b"letter page 2")
    report = verify_pdf(tampered, [pki.ca_pem])
    assert not report.valid and not report.signatures[0].intact
    result = pdfsig(tampered, nssdir)
    assert result.signature_rejected and not result.signature_valid, result.output


def test_untrusted_timestamp_authority_fails_verification(pki: LocalPki, tmp_path: Path) -> None:
    out = _sign(pki, tmp_path, "B-T")
    assert not verify_pdf(out, []).valid


def test_unreachable_tsa_is_a_clear_error(pki: LocalPki, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    signer = _signer(pki, tmp_path, level="B-T")
    signer.timestamper.url = f"http://127.0.0.1:{port}/tsa"  # type: ignore[union-attr]
    with pytest.raises(SigningError, match="timestamp authority"):
        sign_pdf(make_two_page_pdf(), tmp_path / "x.pdf", signer, _stamp(signer))
    assert not (tmp_path / "x.pdf").exists()


def test_levels_above_b_b_need_a_tsa() -> None:
    for level in ("B-T", "B-LT", "B-LTA"):
        with pytest.raises(ValueError, match="tsa_url"):
            SigningSettings(level=level)  # type: ignore[arg-type]
    assert SigningSettings(level="B-B").pades_level() == "B-B"
