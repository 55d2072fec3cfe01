"""Checking signed PDFs with poppler's pdfsig against an NSS database that trusts a given root.

pdfsig exits 0 even for a broken signature, so its report is parsed instead.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID


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


# --- a test PKI with a timestamp authority and a CRL, served over HTTP from this process ----------


@dataclass
class LocalPki:
    """A root CA, a signer (PKCS#12) whose certificate names a CRL URL, and an RFC 3161 TSA, all local."""

    directory: Path
    base_url: str
    ca_pem: Path
    signer_p12: Path
    passphrase: str
    crl_der: bytes
    server: ThreadingHTTPServer

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"

    @property
    def crl_url(self) -> str:
        return f"{self.base_url}/root.crl"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _cert(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: Any,
    signing_key: Any,
    *,
    ca: bool,
    eku: x509.ObjectIdentifier | None,
    crl_url: str | None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=eku == EKU.TIME_STAMPING)
    if crl_url is not None:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dak test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


class _Handler(BaseHTTPRequestHandler):
    """GET /root.crl gives the CRL; POST /tsa answers an RFC 3161 request with pyHanko's DummyTimeStamper."""

    pki_crl: bytes = b""
    tsa: Any = None
    requests: list[str] = []  # noqa: RUF012 -- shared on purpose: what the server was asked for

    def do_GET(self) -> None:
        type(self).requests.append(f"GET {self.path}")
        if self.path != "/root.crl":
            self.send_error(404)
            return
        self._reply(self.pki_crl, "application/pkix-crl")

    def do_POST(self) -> None:
        type(self).requests.append(f"POST {self.path}")
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/tsa":
            self.send_error(404)
            return
        response = self.tsa.request_tsa_response(tsp.TimeStampReq.load(body))
        self._reply(response.dump(), "application/timestamp-reply")

    def _reply(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_test_pki(directory: Path) -> LocalPki:
    """Generate the PKI under `directory` and start its HTTP server (TSA and CRL) on a free local port."""
    from pyhanko.sign.timestamps import DummyTimeStamper

    directory.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    crl_url = f"{base_url}/root.crl"

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("dak test root CA")
    root = _cert(root_name, root_name, root_key.public_key(), root_key, ca=True, eku=None, crl_url=None)

    def issue(cn: str, eku: x509.ObjectIdentifier) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        """A new key and its end-entity certificate, issued by the root and naming the CRL."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return key, _cert(
            _name(cn), root_name, key.public_key(), root_key, ca=False, eku=eku, crl_url=crl_url
        )

    signer_key, signer = issue("Section Officer, test office", EKU.EMAIL_PROTECTION)
    tsa_key, tsa_cert = issue("dak test TSA", EKU.TIME_STAMPING)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_name)
        .last_update(now)
        .next_update(now + dt.timedelta(days=7))
        .sign(root_key, hashes.SHA256())
    )
    crl_der = crl.public_bytes(Encoding.DER)

    passphrase = "test pass phrase"
    p12 = pkcs12.serialize_key_and_certificates(
        b"test signer", signer_key, signer, [root], BestAvailableEncryption(passphrase.encode())
    )
    (directory / "signer.p12").write_bytes(p12)
    (directory / "root.pem").write_bytes(root.public_bytes(Encoding.PEM))
    (directory / "root.crl").write_bytes(crl_der)

    tsa_key_info = asn1_keys.PrivateKeyInfo.load(
        tsa_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    )
    handler = type(
        "PkiHandler",
        (_Handler,),
        {
            "pki_crl": crl_der,
            "tsa": DummyTimeStamper(
                tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(Encoding.DER)),
                tsa_key=tsa_key_info,
                certs_to_embed=[asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))],
            ),
            "requests": [],
        },
    )
    server.RequestHandlerClass = handler
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return LocalPki(
        directory=directory,
        base_url=base_url,
        ca_pem=directory / "root.pem",
        signer_p12=directory / "signer.p12",
        passphrase=passphrase,
        crl_der=crl_der,
        server=server,
    )
