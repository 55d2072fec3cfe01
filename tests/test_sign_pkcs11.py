"""Signing with a key on a PKCS#11 token (a Class 3 DSC USB token in an office), tested against SoftHSM2."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, pkcs12

from pipeline.config import SigningSettings
from pipeline.errors import SigningError
from pipeline.sign import DakSigner, describe_key, load_signer, sign_pdf, verify_pdf
from pipeline.stamp import DiaryStamp
from tests.pki import LocalPki, make_test_pki, nss_db, pdfsig
from tests.test_sign import _flip_in_signed_range, make_two_page_pdf

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "dak-test-token"
PIN = "271828"
PIN_ENV = "DAK_TEST_TOKEN_PIN"


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPki]:
    """A SoftHSM2 token in its own directory holding the test PKI's signer key and certificate."""
    if not Path(SOFTHSM_MODULE).exists() or shutil.which("softhsm2-util") is None:
        pytest.fail(
            "SoftHSM2 is not installed: apt-get install softhsm2 (scripts/install-system-deps.sh --test)"
        )
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    old_conf = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    util = ["softhsm2-util"]
    subprocess.run(
        [*util, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "314159"],
        check=True,
        capture_output=True,
    )
    pki = make_test_pki(base / "pki")
    key, cert, _ = pkcs12.load_key_and_certificates(pki.signer_p12.read_bytes(), pki.passphrase.encode())
    assert key is not None and cert is not None
    key_pem = base / "key.pem"
    key_pem.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    subprocess.run(
        [*util, "--import", str(key_pem), "--token", TOKEN, "--label", "signer", "--id", "01", "--pin", PIN],
        check=True,
        capture_output=True,
    )
    key_pem.unlink()
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    with pkcs11.lib(SOFTHSM_MODULE).get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "signer",
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(Encoding.DER),
            }
        )
    yield pki
    pki.close()
    if old_conf is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old_conf


def _settings(pki: LocalPki, **changes: object) -> SigningSettings:
    values: dict[str, object] = {
        "pkcs11_module": SOFTHSM_MODULE,
        "pkcs11_token": TOKEN,
        "pkcs11_key": "signer",
        "passphrase_env": PIN_ENV,
        "trust_roots": [str(pki.ca_pem)],
    }
    values.update(changes)
    return SigningSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def token_signer(token: LocalPki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DakSigner]:
    monkeypatch.setenv(PIN_ENV, PIN)
    signer = load_signer(_settings(token), tmp_path, "Test Office")
    yield signer
    signer.close()


def _stamp(signer: DakSigner) -> DiaryStamp:
    return DiaryStamp(
        "HSR/2026/000011", dt.datetime(2026, 11, 23, 11, 0), "Test Office", "परीक्षण कार्यालय", signer.subject
    )


def test_token_signs_pades_that_pyhanko_and_pdfsig_accept(
    token: LocalPki, token_signer: DakSigner, tmp_path: Path
) -> None:
    assert token_signer.subject == "Section Officer, test office"
    assert not token_signer.is_development and "PKCS#11" in token_signer.key_source
    assert not (tmp_path / "dev-signer.p12").exists()

    outputs = [tmp_path / f"letter-{n}.pdf" for n in range(3)]
    for out in outputs:  # one open session, reused
        sign_pdf(make_two_page_pdf(), out, token_signer, _stamp(token_signer))
    for out in outputs:
        report = verify_pdf(out, token_signer.trust_roots)
        assert report.valid, report.reason
        assert report.signatures[0].pades_level == "B-B"
        assert report.signatures[0].signer_name == "Section Officer, test office"

    nssdir = nss_db(tmp_path / "nss", token.ca_pem)
    result = pdfsig(outputs[0], nssdir)
    assert result.signature_valid and result.certificate_trusted, result.output
    tampered = tmp_path / "tampered.pdf"
    _flip_in_signed_range(outputs[0], tampered, b"letter page 1")
    assert pdfsig(tampered, nssdir).signature_rejected
    assert not verify_pdf(tampered, token_signer.trust_roots).valid


def test_token_key_is_described(token_signer: DakSigner) -> None:
    info = describe_key(token_signer)
    assert (
        info.subject.endswith("Common Name: Section Officer, test office")
        or "Section Officer" in info.subject
    )
    assert "dak test root CA" in info.issuer
    assert "digital_signature" in info.key_usage
    assert not info.is_development and info.warnings == ()


def test_wrong_pin_and_missing_key_are_clear_errors(
    token: LocalPki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PIN_ENV, raising=False)
    with pytest.raises(SigningError, match=PIN_ENV):
        load_signer(_settings(token), tmp_path, "Test Office")
    monkeypatch.setenv(PIN_ENV, "000000")
    with pytest.raises(SigningError, match="PIN"):
        load_signer(_settings(token), tmp_path, "Test Office")
    monkeypatch.setenv(PIN_ENV, PIN)
    with pytest.raises(SigningError, match="no key 'absent'"):
        load_signer(_settings(token, pkcs11_key="absent"), tmp_path, "Test Office")
    with pytest.raises(SigningError, match="plugged in"):
        load_signer(_settings(token, pkcs11_token="no-such-token"), tmp_path, "Test Office")


def test_pin_from_a_prompt_is_not_kept(
    token: LocalPki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PIN_ENV, raising=False)
    asked: list[str] = []

    def prompt(message: str) -> str:
        asked.append(message)
        return PIN

    signer = load_signer(_settings(token), tmp_path, "Test Office", prompt=prompt)
    try:
        assert asked and "PIN" in asked[0]
        assert PIN not in repr(signer.__dict__)
    finally:
        signer.close()
