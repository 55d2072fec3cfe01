"""`dak keys init`, `dak keys show` and `dak verify` (files and --registry), through the real CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

from flows.cli import main
from pipeline.config import SigningSettings
from pipeline.registry import Registry
from pipeline.registry.registry import NewReceipt
from pipeline.sign import load_signer, sign_pdf
from pipeline.stamp import DiaryStamp
from tests.test_sign import _flip_in_signed_range, make_two_page_pdf


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dak-data"
    monkeypatch.setenv("DAK_HOME", str(home))
    monkeypatch.delenv("DAK_CONFIG", raising=False)
    for name in ("DAK_SIGNING__PKCS12", "DAK_SIGNING__TSA_URL", "DAK_SIGNING__LEVEL"):
        monkeypatch.delenv(name, raising=False)
    return home


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _signed(home: Path, name: str, diary_no: str) -> Path:
    signer = load_signer(SigningSettings(), home / "keys", "District Office")
    out = home / "receipts" / "2026" / name
    stamp = DiaryStamp(
        diary_no, dt.datetime(2026, 11, 23, 10, 0), "District Office", "जिला कार्यालय", signer.subject
    )
    sign_pdf(make_two_page_pdf(name), out, signer, stamp)
    return out


def test_keys_show_before_init_says_what_to_do(home: Path) -> None:
    code, _, err = run("keys", "show")
    assert code == 6
    assert "dak keys init" in err and "[signing] pkcs12" in err.replace("\n", " ")
    assert not (home / "keys" / "dev-signer.p12").exists()


def test_keys_init_then_show(home: Path) -> None:
    code, out, err = run("keys", "init", "--json")
    assert code == 0, err
    assert (home / "keys" / "dev-signer.p12").exists() and (home / "keys" / "ca.pem").exists()
    info = json.loads(out)
    assert info["is_development"] and "development" in info["subject"]
    assert "development" in err

    code, out, err = run("keys", "show", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["serial"] == info["serial"]
    assert {"digital_signature", "non_repudiation"} <= set(shown["key_usage"])
    assert shown["issuer"].startswith("Common Name: dak development root CA")
    assert dt.datetime.fromisoformat(shown["not_after"]) > dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
    assert shown["pades_level"] == "B-B"
    assert any("development key" in w for w in shown["warnings"])
    assert "warning:" in err and "development key" in err

    code, out, _ = run("keys", "show")
    assert code == 0 and "Valid until" in out and "digital_signature" in out

    code, out, _ = run("keys", "init", "--json")
    assert code == 0 and json.loads(out)["serial"] == info["serial"]  # kept, not replaced
    code, out, _ = run("keys", "init", "--replace", "--json")
    assert code == 0 and json.loads(out)["serial"] != info["serial"]
    assert list((home / "keys").glob("dev-signer.p12.replaced-*"))


def test_keys_show_warns_when_the_certificate_expires_soon(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Under Secretary, Hisar")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=700))
        .not_valid_after(now + dt.timedelta(days=12))
        .sign(key, hashes.SHA256())
    )
    p12 = home / "office.p12"
    home.mkdir(parents=True)
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(b"o", key, cert, None, BestAvailableEncryption(b"s3cret"))
    )
    monkeypatch.setenv("DAK_SIGNING__PKCS12", str(p12))
    monkeypatch.setenv("DAK_SIGNING_PASSPHRASE", "s3cret")
    code, out, err = run("keys", "show", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert not shown["is_development"]
    assert any("expires on" in w and "renew" in w for w in shown["warnings"])
    assert "s3cret" not in out + err

    monkeypatch.setenv("DAK_SIGNING_PASSPHRASE", "wrong")
    code, _, err = run("keys", "show")
    assert code == 6 and "passphrase is wrong" in err and "wrong" not in err.replace("is wrong", "")


def test_verify_reports_each_file_and_fails_on_any(home: Path, tmp_path: Path) -> None:
    good = _signed(home, "good.pdf", "DAK/2026/000001")
    tampered = tmp_path / "tampered.pdf"
    _flip_in_signed_range(good, tampered, b"good.pdf 1")

    code, out, err = run("verify", "--json", str(good))
    assert code == 0, err
    (record,) = [json.loads(line) for line in out.splitlines()]
    sig = record["signatures"][0]
    assert record["valid"] and sig["pades_level"] == "B-B" and sig["intact"] and sig["trusted"]
    assert sig["covers_whole_document"] and sig["signing_time"] and sig["timestamp"] is None

    code, out, err = run("verify", "--json", str(good), str(tampered))
    assert code == 6
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["valid"] for r in records] == [True, False]
    assert records[1]["signatures"][0]["intact"] is False

    code, out, err = run("verify", str(good), str(tampered))
    assert code == 6 and "B-B" in out and "changed after signing" in err

    code, _, err = run("verify")
    assert code == 2 and "--registry" in err


def test_verify_registry_finds_changed_and_missing_outputs(home: Path) -> None:
    outputs = [_signed(home, f"r{n}.pdf", f"DAK/2026/00000{n}") for n in (1, 2, 3)]
    with Registry(f"sqlite:///{home / 'registry.sqlite3'}") as registry:
        for n, out in enumerate(outputs, start=1):
            receipt = registry.diarise(
                NewReceipt(
                    office="DAK",
                    diary_format="{office}/{year}/{seq:06d}",
                    received_at=dt.datetime(2026, 11, 23, 10, n, tzinfo=dt.UTC),
                    source=f"scan-{n}.pdf",
                    sha256=hashlib.sha256(f"scan {n}".encode()).hexdigest(),
                    pages=2,
                )
            )
            assert receipt.receipt_id is not None
            registry.record_output(receipt.receipt_id, str(out), hashlib.sha256(out.read_bytes()).hexdigest())

    code, out, err = run("verify", "--registry", "--json")
    assert code == 0, out + err
    assert [json.loads(line)["state"] for line in out.splitlines()] == ["ok", "ok", "ok"]

    # An incremental update keeps the signature intact but changes the file: still caught by the sha256.
    with outputs[0].open("ab") as fh:
        fh.write(b"\n% appended later\n")
    outputs[2].unlink()
    code, out, err = run("verify", "--registry", "--json")
    assert code == 6
    states = {r["output"]: r["state"] for r in map(json.loads, out.splitlines())}
    assert states == {str(outputs[0]): "changed", str(outputs[1]): "ok", str(outputs[2]): "missing"}

    code, out, err = run("verify", "--registry")
    assert code == 6 and "CHANGED" in out and "MISSING" in out and "2 signed PDF(s)" in err


def test_dak_greets_the_clerk_without_library_warnings(tmp_path: Path) -> None:
    """pyhanko's import of DSA makes newer cryptography warn of its deprecation on every command."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DAK_HOME": str(tmp_path / "dak-data"), "PYTHONWARNINGS": "default"}
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", "receipts", "list"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr
