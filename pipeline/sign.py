"""Signing keys, the visible diary-stamp signature (PAdES B-B) and signature verification, with pyHanko.

Keys, the parsed signer and the embedded font are loaded once and reused: pyHanko would otherwise
re-read them for every letter.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import logging
import os
import secrets
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fontTools import subset as ft_subset
from fontTools import ttLib
from pyhanko.keys import load_certs_from_pemder, load_certs_from_pemder_data
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory
from pyhanko.pdf_utils.font.opentype import CIDFontType2, GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from pipeline.config import SigningSettings
from pipeline.errors import (
    DamagedPdfError,
    EncryptedPdfError,
    InputError,
    MissingProgramError,
    SigningError,
    VerificationError,
)
from pipeline.stamp import STAMP_HEIGHT_PT, STAMP_WIDTH_PT, DiaryStamp, stamp_lines
from pipeline.store import write_atomic

log = logging.getLogger(__name__)

STAMP_FONT = Path("/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf")
STAMP_FONT_SIZE = 7
DEV_PKCS12 = "dev-signer.p12"
DEV_CA_PEM = "ca.pem"
DEV_PASSPHRASE = "dev-passphrase"
DEV_VALIDITY_DAYS = 3 * 365
FIELD_PREFIX = "DakDiaryStamp"


@dataclass(frozen=True)
class DevKeys:
    """Where the development signing key lives, and whether this call generated it."""

    pkcs12: Path
    ca_cert: Path
    created: bool


@dataclass
class DakSigner:
    """A parsed signing key with its chain, the roots that verify its signatures and the PAdES level; reuse it.

    For a PKCS#11 token the session stays open while the signer lives; call close() when done.
    """

    signer: signers.Signer
    trust_roots: list[asn1_x509.Certificate]
    is_development: bool
    subject: str
    bytes_reserved: int
    dev_keys: DevKeys | None = None
    reason: str = ""
    location: str = ""
    level: str = "B-B"
    timestamper: TimeStamper | None = None
    crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    fetch_revocation: bool = True
    key_source: str = ""
    session: Any = None

    @property
    def certificate(self) -> asn1_x509.Certificate:
        cert = self.signer.signing_cert
        assert cert is not None
        return cert

    def close(self) -> None:
        """Close the token session, if any."""
        if self.session is not None:
            with contextlib.suppress(Exception):
                self.session.close()
            self.session = None


@dataclass(frozen=True)
class SignatureReport:
    """One signature in a PDF, as judged by verify_pdf."""

    field_name: str
    signer_subject: str
    signing_time: dt.datetime | None
    pades_level: str | None
    intact: bool
    trusted: bool
    covers_whole_document: bool
    coverage: str
    valid: bool
    problems: tuple[str, ...] = ()
    timestamp: dt.datetime | None = None
    timestamp_trusted: bool | None = None
    signer_name: str = ""


@dataclass(frozen=True)
class DocumentTimestampReport:
    """A document timestamp (PAdES B-LTA archive timestamp) in a PDF."""

    field_name: str
    timestamp: dt.datetime | None
    intact: bool
    trusted: bool
    valid: bool


@dataclass(frozen=True)
class VerificationReport:
    """Whether a PDF carries at least one signature and every signature is intact, trusted and whole."""

    path: Path
    valid: bool
    reason: str
    signatures: tuple[SignatureReport, ...] = field(default_factory=tuple)
    document_timestamps: tuple[DocumentTimestampReport, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form for `dak verify --json`."""
        return {
            "path": str(self.path),
            "valid": self.valid,
            "reason": self.reason,
            "signatures": [
                {
                    "field": s.field_name,
                    "signer": s.signer_subject,
                    "signer_name": s.signer_name,
                    "signing_time": s.signing_time.isoformat() if s.signing_time else None,
                    "pades_level": s.pades_level,
                    "intact": s.intact,
                    "trusted": s.trusted,
                    "covers_whole_document": s.covers_whole_document,
                    "coverage": s.coverage,
                    "timestamp": s.timestamp.isoformat() if s.timestamp else None,
                    "timestamp_trusted": s.timestamp_trusted,
                    "valid": s.valid,
                    "problems": list(s.problems),
                }
                for s in self.signatures
            ],
            "document_timestamps": [
                {
                    "field": t.field_name,
                    "timestamp": t.timestamp.isoformat() if t.timestamp else None,
                    "intact": t.intact,
                    "trusted": t.trusted,
                    "valid": t.valid,
                }
                for t in self.document_timestamps
            ],
        }


# --- files -------------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(keys_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on keys_dir so two workers never generate two different dev keys."""
    fd = os.open(keys_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --- development keys --------------------------------------------------------------------------


def _name(**parts: str) -> x509.Name:
    oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME, "CN": NameOID.COMMON_NAME}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in parts.items()])


def _make_development_chain(
    office_name: str,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate, x509.Certificate]:
    """A development root CA and a signer certificate issued by it (key, signer cert, CA cert)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    until = now + dt.timedelta(days=DEV_VALIDITY_DAYS)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name(C="IN", O="dak development CA", CN="dak development root CA (not for real use)")
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_name = _name(C="IN", O="dak development", CN=f"{office_name} (dak development signer)")
    cert = (
        x509.CertificateBuilder()
        .subject_name(signer_name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # poppler's pdfsig (NSS) refuses a signer whose EKU lacks emailProtection.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert, ca_cert


def _generate_development_keys(keys_dir: Path, office_name: str) -> None:
    """Write a fresh development PKCS#12 (0600), its random passphrase (0600) and ca.pem."""
    key, cert, ca_cert = _make_development_chain(office_name)
    passphrase = secrets.token_urlsafe(32)
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase.encode())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        name=b"dak development signer", key=key, cert=cert, cas=[ca_cert], encryption_algorithm=encryption
    )
    write_atomic(keys_dir / DEV_PASSPHRASE, passphrase.encode() + b"\n", 0o600)
    write_atomic(keys_dir / DEV_PKCS12, p12, 0o600)
    write_atomic(keys_dir / DEV_CA_PEM, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _read_dev_passphrase(keys_dir: Path) -> bytes:
    try:
        return (keys_dir / DEV_PASSPHRASE).read_bytes().strip()
    except FileNotFoundError as exc:
        raise SigningError(
            f"The development key {keys_dir / DEV_PKCS12} has no passphrase file {keys_dir / DEV_PASSPHRASE}."
            f" Move {keys_dir / DEV_PKCS12} aside so that a new development key is generated."
        ) from exc


def _restore_ca_pem(keys_dir: Path) -> None:
    """Rewrite a deleted ca.pem from the CA certificate kept inside the development PKCS#12."""
    data = (keys_dir / DEV_PKCS12).read_bytes()
    try:
        _, _, cas = pkcs12.load_key_and_certificates(data, _read_dev_passphrase(keys_dir))
    except ValueError as exc:
        raise SigningError(
            f"The development key {keys_dir / DEV_PKCS12} does not open with {keys_dir / DEV_PASSPHRASE}."
        ) from exc
    if not cas:
        raise SigningError(f"The development key {keys_dir / DEV_PKCS12} holds no CA certificate.")
    write_atomic(keys_dir / DEV_CA_PEM, cas[-1].public_bytes(serialization.Encoding.PEM), 0o644)


def ensure_development_keys(keys_dir: Path, office_name: str) -> DevKeys:
    """Return the development CA and signer under keys_dir, generating them on first use."""
    keys_dir = Path(keys_dir)
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    p12_path, ca_path = keys_dir / DEV_PKCS12, keys_dir / DEV_CA_PEM
    with _locked(keys_dir):
        if p12_path.exists():
            if not ca_path.exists():
                _restore_ca_pem(keys_dir)
            return DevKeys(pkcs12=p12_path, ca_cert=ca_path, created=False)
        _generate_development_keys(keys_dir, office_name)
    log.info("Generated a development signing key in %s; it is not for real use.", keys_dir)
    return DevKeys(pkcs12=p12_path, ca_cert=ca_path, created=True)


# --- loading the signer ------------------------------------------------------------------------


class _ParsedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner re-parses (and re-checks) the private key on every signature; this keeps it."""

    def __init__(self, private_key: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algo = mechanism.signature_algo
        except ValueError:
            algo = mechanism["algorithm"].native
        hash_algo = getattr(hashes, digest_algorithm.upper().replace("-", "_"), None)
        key = self._private_key
        if hash_algo is not None and algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algo())
        if hash_algo is not None and algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algo()))
        return super().sign_raw(data, digest_algorithm)


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _load_pkcs12(path: Path, passphrase: bytes | None) -> signers.SimpleSigner:
    """Parse a PKCS#12 file into a signer; SigningError names the file and what to fix."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SigningError(
            f"Signing key file {path} does not exist. Check [signing] pkcs12 in the configuration."
        ) from exc
    except OSError as exc:
        raise SigningError(f"Signing key file {path} cannot be read: {exc.strerror}.") from exc
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as exc:
        raise SigningError(
            f"Signing key file {path} could not be opened:"
            " the passphrase is wrong or the file is not PKCS#12."
        ) from exc
    if key is None or cert is None:
        raise SigningError(f"Signing key file {path} must hold a private key and its certificate.")
    store = SimpleCertificateStore()
    store.register_multiple([_asn1_cert(c) for c in others])
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return _ParsedKeySigner(
        private_key=key, signing_cert=_asn1_cert(cert), signing_key=key_info, cert_registry=store
    )


def _load_trust_roots(paths: Iterable[str | Path]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM/DER files, each file may hold several."""
    roots: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            roots.extend(load_certs_from_pemder([str(path)]))
        except (OSError, ValueError) as exc:
            raise SigningError(
                f"Trust root file {path} (from [signing] trust_roots)"
                " cannot be read as a PEM/DER certificate."
            ) from exc
    return roots


def _reserve_bytes(signer: signers.Signer, timestamped: bool) -> int:
    """Hex digits to reserve for the CMS blob: embedded certificates, signature and attributes, with margin.

    Computed once per key, which spares pyHanko a dry-run signature per document. A signature
    timestamp token carries the TSA's certificates, so B-T and above reserve 12 KiB more.
    """
    certs = [signer.signing_cert, *signer.cert_registry]
    cert_bytes = sum(len(c.dump()) for c in certs if c is not None)
    key_bytes = signer.signing_cert.public_key.bit_size // 8 if signer.signing_cert else 512
    der_bytes = ((cert_bytes + 2 * key_bytes + 2048) // 1024 + 1) * 1024
    if timestamped:
        der_bytes += 12 * 1024
    return 2 * der_bytes


def _subject(cert: asn1_x509.Certificate) -> str:
    return str(cert.subject.human_friendly)


def _common_name(cert: asn1_x509.Certificate) -> str:
    """The certificate's CN, the name a clerk recognises; the full subject when it has none."""
    cn = cert.subject.native.get("common_name")
    if isinstance(cn, list):
        cn = cn[0] if cn else None
    return str(cn) if cn else _subject(cert)


def trust_roots(settings: SigningSettings, keys_dir: Path) -> list[asn1_x509.Certificate]:
    """The roots `dak verify` trusts: the configured ones, plus the development CA when that is in use."""
    dev_ca = Path(keys_dir) / "ca.pem"
    paths: list[str | Path] = [dev_ca] if not settings.pkcs12 and dev_ca.exists() else []
    return _load_trust_roots([*paths, *settings.trust_roots])


def _secret(settings: SigningSettings, what: str, prompt: Callable[[str], str] | None) -> str:
    """The passphrase or PIN from the configured environment variable, else from `prompt`; never logged."""
    value = os.environ.get(settings.passphrase_env)
    if value is None and prompt is not None:
        value = prompt(f"{what} (not echoed)")
    if value is None:
        raise SigningError(
            f"The {what.lower()} is not set: put it in the environment variable {settings.passphrase_env}."
        )
    return value


def _load_pkcs11(settings: SigningSettings, pin: str) -> tuple[signers.Signer, Any]:
    """Open the token and find the signing key and certificate; the session stays open for reuse."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as p11

    where = f"token {settings.pkcs11_token!r}" if settings.pkcs11_token else f"slot {settings.pkcs11_slot}"
    try:
        session = p11.open_pkcs11_session(
            settings.pkcs11_module,
            slot_no=settings.pkcs11_slot,
            token_criteria=TokenCriteria(label=settings.pkcs11_token) if settings.pkcs11_token else None,
            user_pin=pin,
        )
    except Exception as exc:
        raise SigningError(
            f"Could not open the signing {where} with {settings.pkcs11_module} ({exc.__class__.__name__}:"
            f" {exc}). Check that the token is plugged in, the PIN in {settings.passphrase_env} is right,"
            " and [signing] pkcs11_token / pkcs11_slot."
        ) from exc
    cert_label = settings.pkcs11_cert or settings.pkcs11_key
    signer = p11.PKCS11Signer(
        session, cert_label=cert_label, key_label=settings.pkcs11_key or None, embed_roots=True
    )
    try:
        signer.signing_cert  # noqa: B018 -- loads key and certificate now, not at the first letter
        signer.cert_registry  # noqa: B018
    except Exception as exc:
        with contextlib.suppress(Exception):
            session.close()
        raise SigningError(
            f"The signing {where} has no key {settings.pkcs11_key!r} with certificate {cert_label!r}"
            f" ({exc}). Check [signing] pkcs11_key and pkcs11_cert."
        ) from exc
    return signer, session


def _load_crls(paths: Iterable[str | Path]) -> list[asn1_crl.CertificateList]:
    crls = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
            if data.lstrip().startswith(b"-----"):
                _, _, data = pem.unarmor(data)
            crls.append(asn1_crl.CertificateList.load(data))
        except (OSError, ValueError) as exc:
            raise SigningError(f"CRL file {path} (from [signing] crls) cannot be read: {exc}") from exc
    return crls


def make_timestamper(url: str, timeout: int) -> TimeStamper:
    """An RFC 3161 client for the configured timestamp authority."""
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=timeout)


def load_signer(
    settings: SigningSettings,
    keys_dir: Path,
    office_name: str,
    *,
    prompt: Callable[[str], str] | None = None,
    create_development_key: bool = True,
) -> DakSigner:
    """Parse the configured key once: PKCS#11 token, PKCS#12 file, or the development key when none is set.

    The passphrase or PIN comes from the environment variable [signing] passphrase_env, else from
    `prompt` (the CLI asks on a terminal); it is neither logged nor kept.
    """
    dev_keys: DevKeys | None = None
    session = None
    if settings.pkcs11_module:
        signer, session = _load_pkcs11(settings, _secret(settings, "PIN of the signing token", prompt))
        roots = _load_trust_roots(settings.trust_roots)
        source = f"PKCS#11 {settings.pkcs11_token or settings.pkcs11_slot} key {settings.pkcs11_key}"
    elif settings.pkcs12:
        passphrase = _secret(settings, f"Passphrase of {settings.pkcs12}", prompt)
        signer = _load_pkcs12(Path(settings.pkcs12), passphrase.encode() or None)
        roots = _load_trust_roots(settings.trust_roots)
        source = f"PKCS#12 {settings.pkcs12}"
    else:
        if not create_development_key and not (Path(keys_dir) / DEV_PKCS12).exists():
            raise SigningError(
                f"No signing key is configured and there is no development key in {keys_dir}:"
                " run `dak keys init`, or set [signing] pkcs12 or pkcs11_module."
            )
        dev_keys = ensure_development_keys(keys_dir, office_name)
        signer = _load_pkcs12(dev_keys.pkcs12, _read_dev_passphrase(Path(keys_dir)))
        roots = _load_trust_roots([dev_keys.ca_cert, *settings.trust_roots])
        source = f"development key {dev_keys.pkcs12}"
    if signer.signing_cert is None:
        raise SigningError(f"The signing key ({source}) holds no certificate.")
    level = settings.pades_level()
    timestamper = (
        make_timestamper(settings.tsa_url, settings.tsa_timeout_seconds) if settings.tsa_url else None
    )
    return DakSigner(
        signer=signer,
        trust_roots=roots,
        is_development=dev_keys is not None,
        subject=_common_name(signer.signing_cert),
        bytes_reserved=_reserve_bytes(signer, timestamped=timestamper is not None),
        dev_keys=dev_keys,
        reason=settings.reason,
        location=settings.location,
        level=level,
        timestamper=timestamper,
        crls=_load_crls(settings.crls),
        fetch_revocation=settings.fetch_revocation,
        key_source=source,
        session=session,
    )


# --- describing the key ------------------------------------------------------------------------

EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class KeyInfo:
    """What `dak keys show` prints about the signing key, with warnings a clerk should act on."""

    source: str
    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    key_usage: tuple[str, ...]
    extended_key_usage: tuple[str, ...]
    is_development: bool
    pades_level: str
    tsa_url: str
    warnings: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for key in ("not_before", "not_after"):
            data[key] = data[key].isoformat()
        for key in ("key_usage", "extended_key_usage", "warnings"):
            data[key] = list(data[key])
        return data


def describe_key(
    signer: DakSigner, tsa_url: str = "", now: dt.datetime | None = None, warn_days: int = EXPIRY_WARNING_DAYS
) -> KeyInfo:
    """Subject, issuer, validity and usages of the signing certificate; warn on expiry soon or a development key."""
    cert = signer.certificate
    now = now or dt.datetime.now(dt.UTC)
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    usage = cert.key_usage_value
    eku = cert.extended_key_usage_value
    warnings = []
    if signer.is_development:
        warnings.append(
            "This is a development key made by dak: signatures are not trusted outside this installation."
            " Configure [signing] pkcs12 or pkcs11_module for real use."
        )
    left = not_after - now
    if left <= dt.timedelta(0):
        warnings.append(
            f"The certificate expired on {not_after:%d-%m-%Y}: signatures made now are not valid."
        )
    elif left <= dt.timedelta(days=warn_days):
        warnings.append(f"The certificate expires on {not_after:%d-%m-%Y}, in {left.days} day(s): renew it.")
    if not_before > now:
        warnings.append(f"The certificate is not valid before {not_before:%d-%m-%Y %H:%M} UTC.")
    if usage is not None and not ({"digital_signature", "non_repudiation"} & set(usage.native)):
        warnings.append("The certificate's key usage does not allow digital signatures.")
    return KeyInfo(
        source=signer.key_source,
        subject=_subject(cert),
        issuer=str(cert.issuer.human_friendly),
        serial=format(cert.serial_number, "x"),
        not_before=not_before,
        not_after=not_after,
        key_usage=tuple(sorted(usage.native)) if usage is not None else (),
        extended_key_usage=tuple(eku.native) if eku is not None else (),
        is_development=signer.is_development,
        pades_level=signer.level,
        tsa_url=tsa_url,
        warnings=tuple(warnings),
    )


def init_development_keys(keys_dir: Path, office_name: str, *, replace: bool = False) -> DevKeys:
    """`dak keys init`: make the development CA and signer; with replace, move the old ones aside first."""
    keys_dir = Path(keys_dir)
    if replace and (keys_dir / DEV_PKCS12).exists():
        keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _locked(keys_dir):
            suffix = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
            for name in (DEV_PKCS12, DEV_PASSPHRASE, DEV_CA_PEM):
                if (keys_dir / name).exists():
                    os.replace(keys_dir / name, keys_dir / f"{name}.replaced-{suffix}")
    return ensure_development_keys(keys_dir, office_name)


# --- signing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SharedFont:
    """A TrueType font parsed once per process: metrics, cmaps and a HarfBuzz font, read-only after load."""

    path: str
    data: bytes
    tt: ttLib.TTFont
    hb_font: Any
    ps_name: str
    units_per_em: int
    widths: tuple[int, ...]
    reverse_cmap: dict[str, set[int]]
    base_glyphs: frozenset[int]


@functools.lru_cache(maxsize=4)
def _shared_font(font_path: str) -> _SharedFont:
    """Load the stamp font once; every table the stamp code reads is loaded here, so sharing is safe."""
    try:
        data = Path(font_path).read_bytes()
        tt = ttLib.TTFont(BytesIO(data))
        for table in ("head", "hhea", "maxp", "OS/2", "post", "name", "hmtx", "cmap"):
            tt[table]
    except (OSError, KeyError, ttLib.TTLibError) as exc:
        raise SigningError(
            f"The stamp font {font_path} cannot be used ({exc}): install the fonts-lohit-deva package."
        ) from exc
    if "glyf" not in tt:
        raise SigningError(f"The stamp font {font_path} must be a TrueType (glyf) font.")
    order = tt.getGlyphOrder()
    hmtx = tt["hmtx"]
    cmap = tt.getBestCmap() or {}
    base_chars = [*range(0x20, 0x7F), *range(0x966, 0x970)]
    return _SharedFont(
        path=font_path,
        data=data,
        tt=tt,
        hb_font=hb.Font(hb.Face(data)),
        ps_name=tt["name"].getDebugName(6) or Path(font_path).stem,
        units_per_em=tt["head"].unitsPerEm,
        widths=tuple(hmtx[name][0] for name in order),
        reverse_cmap=tt["cmap"].buildReversed(),
        base_glyphs=frozenset(tt.getGlyphID(cmap[c]) for c in base_chars if c in cmap),
    )


@functools.lru_cache(maxsize=64)
def _font_program(font_path: str, glyphs: frozenset[int]) -> bytes:
    """Flate-compressed TrueType subset holding `glyphs` with their original glyph ids (CID = GID)."""
    font = ttLib.TTFont(BytesIO(_shared_font(font_path).data))
    options = ft_subset.Options(layout_closure=False, retain_gids=True)
    options.drop_tables += ["GPOS", "GDEF", "GSUB", "FFTM"]
    subsetter = ft_subset.Subsetter(options=options)
    subsetter.populate(gids=sorted(glyphs))
    subsetter.subset(font)
    buf = BytesIO()
    font.save(buf)
    return zlib.compress(buf.getvalue())


class _CachedCIDFont(CIDFontType2):
    """Embeds a cached, pre-compressed subset instead of re-subsetting the font for every stamp."""

    program: bytes = b""

    def set_font_file(self, writer: Any) -> generic.IndirectObject:
        stream = generic.StreamObject(
            {generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode")}, encoded_data=self.program
        )
        ref = writer.add_object(stream)
        self._font_descriptor[generic.pdf_name("/FontFile2")] = ref
        return ref


class _CachedGlyphAccumulator(GlyphAccumulator):
    """pyHanko 0.38's GlyphAccumulator over a shared parsed font and a cache of subsets.

    The stock one re-parses the font and re-subsets it for every signature, which costs more than
    the signature itself. The attributes set here are the ones GlyphAccumulator's methods read.
    """

    def __init__(self, writer: Any, font: _SharedFont, font_size: int, obj_stream: Any = None) -> None:
        FontEngine.__init__(
            self, writer, font.ps_name, embedded_subset=True, obj_stream=obj_stream, font_size=font_size
        )
        self._font = font
        self.hb_font = font.hb_font
        self.tt = font.tt
        self._font_ref = writer.allocate_placeholder()
        self.cff_charset = None
        self.use_raw_gids = True
        self.cidfont_obj = _CachedCIDFont(font.tt, font.ps_name, self.subset_prefix)
        self.features = None
        self.units_per_em = font.units_per_em
        self._glyphs: dict[int, tuple[int, int]] = {}
        self._cid_to_unicode: dict[int, str] = {}
        self.ot_language_tag = None
        self.ot_script_tag = None
        self.writing_direction = None
        self.bcp47_lang_code = None
        self._subset_created = self._write_prepared = False

    @property
    def _reverse_cmap(self) -> dict[str, set[int]]:
        return self._font.reverse_cmap

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        found = self._glyphs.get(glyph_id)
        if found is None:
            found = self._glyphs[glyph_id] = (glyph_id, self._font.widths[glyph_id])
        return found

    def _extract_subset(self, options: Any = None) -> None:
        assert isinstance(self.cidfont_obj, _CachedCIDFont)
        glyphs = frozenset(self._glyphs) | self._font.base_glyphs
        self.cidfont_obj.program = _font_program(self._font.path, glyphs)


@dataclass(frozen=True)
class _CachedFontFactory(FontEngineFactory):
    font_file: str
    font_size: int

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        return _CachedGlyphAccumulator(writer, _shared_font(self.font_file), self.font_size, obj_stream)


@functools.lru_cache(maxsize=4)
def _stamp_style(font_path: str, font_size: int) -> TextStampStyle:
    """The stamp's look: one embedded TrueType font with Devanagari and Latin, left-aligned lines."""
    _shared_font(font_path)
    font = _CachedFontFactory(font_path, font_size)
    return TextStampStyle(
        stamp_text="%(dak)s",
        text_box_style=TextBoxStyle(font=font, font_size=font_size, leading=font_size + 3),
        border_width=1,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(3),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


def _default_box(reader: PdfFileReader) -> tuple[float, float, float, float]:
    """Top-right corner of page 1, 10 pt in from the edges of its (possibly inherited) MediaBox."""
    node = reader.find_page_for_modification(0)[0].get_object()
    while "/MediaBox" not in node and "/Parent" in node:
        node = node["/Parent"].get_object()
    x1, y1, x2, y2 = (float(v) for v in node.get("/MediaBox", (0, 0, 595, 842)))
    right, top = max(x1, x2) - 10, max(y1, y2) - 10
    return (right - STAMP_WIDTH_PT, top - STAMP_HEIGHT_PT, right, top)


def _signing_validation_context(signer: DakSigner) -> ValidationContext:
    """What B-LT needs to gather validation data: trust roots, local CRLs, and fetching when allowed."""
    backend = None
    if signer.fetch_revocation:
        from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

        backend = RequestsFetcherBackend()
    return ValidationContext(
        trust_roots=signer.trust_roots,
        crls=signer.crls,
        allow_fetching=signer.fetch_revocation,
        fetcher_backend=backend,
        revocation_mode="hard-fail",
    )


def _qpdf_rewrite(pdf: bytes, why: str) -> bytes:
    """A clean copy of `pdf` written by qpdf: decrypted, cross-references rebuilt, no hybrid references."""
    with tempfile.TemporaryDirectory(prefix="dak-qpdf-") as tmp:
        source, target = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        source.write_bytes(pdf)
        try:
            done = subprocess.run(
                ["qpdf", "--decrypt", "--object-streams=preserve", str(source), str(target)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except FileNotFoundError as exc:
            raise MissingProgramError(
                f"The PDF to sign is {why} and must be rewritten first, but qpdf is not installed:"
                " apt-get install qpdf."
            ) from exc
        if "invalid password" in done.stderr:
            raise EncryptedPdfError(
                "The PDF is password-protected, so it cannot be signed: ask the sender for an unlocked copy."
            )
        if done.returncode not in (0, 3) or not target.exists():  # 3: written, with warnings (repaired)
            detail = (
                done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
            )
            raise DamagedPdfError(
                f"The PDF is {why} and qpdf could not repair it ({detail}); scan the letter again."
            )
        return target.read_bytes()


def open_for_signing(pdf: bytes) -> IncrementalPdfFileWriter:
    """An incremental writer over `pdf`; encrypted, damaged or hybrid-reference files are rewritten by qpdf first.

    Signing appends to the file, so whatever pyHanko cannot update cleanly is repaired before the
    signature, never after it. EncryptedPdfError or DamagedPdfError (both quarantine the letter) if
    it cannot be.
    """
    if b"/XRefStm" in pdf:
        why = "a hybrid-reference file"
    else:
        try:
            writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=True)
            if not writer.prev.encrypted:
                return writer
            why = "encrypted"
        except Exception as exc:
            why = f"damaged ({exc.__class__.__name__}: {exc})"
    log.info("Rewriting the PDF before signing: it is %s.", why)
    fixed = _qpdf_rewrite(pdf, why)
    try:
        return IncrementalPdfFileWriter(BytesIO(fixed), strict=True)
    except Exception as exc:
        raise DamagedPdfError(f"The PDF is {why} and could not be repaired for signing ({exc}).") from exc


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _, _ in fields.enumerate_sig_fields(writer)}
    name, n = FIELD_PREFIX, 1
    while name in taken:
        n += 1
        name = f"{FIELD_PREFIX}{n}"
    return name


def sign_pdf(
    pdf: bytes,
    output: Path,
    signer: DakSigner,
    stamp: DiaryStamp,
    box: tuple[float, float, float, float] | None = None,
) -> None:
    """Add the visible diary stamp on page 1 and a PAdES signature at the signer's level; write `output` atomically.

    B-T asks the timestamp authority for a signature timestamp; B-LT then embeds the chain and
    revocation data in a DSS; B-LTA adds a document timestamp over all of it.
    """
    try:
        writer = open_for_signing(pdf)
        box = box or _default_box(writer.prev)
        field_name = _free_field_name(writer)
        long_term = signer.level in ("B-LT", "B-LTA")
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=signer.reason or None,
            location=signer.location or None,
            embed_validation_info=long_term,
            validation_context=_signing_validation_context(signer) if long_term else None,
            use_pades_lta=signer.level == "B-LTA",
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer.signer,
            timestamper=signer.timestamper,
            stamp_style=_stamp_style(str(STAMP_FONT), STAMP_FONT_SIZE),
            # pyHanko annotates the box as ints but writes any number into /Rect.
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=0, box=box),  # type: ignore[arg-type]
        )
        out = BytesIO()
        pdf_signer.sign_pdf(
            writer,
            output=out,
            bytes_reserved=signer.bytes_reserved,
            appearance_text_params={"dak": "\n".join(stamp_lines(stamp))},
        )
    except (SigningError, InputError, MissingProgramError):
        raise
    except TimestampRequestError as exc:
        raise SigningError(
            f"Could not sign the PDF for {stamp.diary_no}: the timestamp authority"
            f" ([signing] tsa_url) did not give a timestamp: {exc}"
        ) from exc
    except Exception as exc:
        raise SigningError(f"Could not sign the PDF for {stamp.diary_no}: {exc}") from exc
    write_atomic(Path(output), out.getvalue(), 0o644)


# --- verification ------------------------------------------------------------------------------


def _as_asn1_certs(trust_roots: Sequence[Any]) -> list[asn1_x509.Certificate]:
    """Accept asn1crypto or cryptography certificates, PEM/DER bytes, or paths to PEM/DER files."""
    certs: list[asn1_x509.Certificate] = []
    for root in trust_roots:
        if isinstance(root, asn1_x509.Certificate):
            certs.append(root)
        elif isinstance(root, x509.Certificate):
            certs.append(asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER)))
        elif isinstance(root, bytes):
            certs.extend(load_certs_from_pemder_data(root))
        else:
            try:
                certs.extend(load_certs_from_pemder([str(root)]))
            except (OSError, ValueError) as exc:
                raise VerificationError(f"Trust root file {root} cannot be read as a certificate.") from exc
    return certs


def _pades_level(embedded: Any, status: Any, has_dss: bool, has_doc_ts: bool) -> str | None:
    """PAdES baseline level of one signature: B-B, B-T (signature timestamp), B-LT, B-LTA."""
    if embedded.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return None
    if status.timestamp_validity is None:
        return "B-B"
    if has_doc_ts and has_dss:
        return "B-LTA"
    return "B-LT" if has_dss else "B-T"


def _whole(status: Any) -> bool:
    """True when the signature covers the file, or only validation data was appended after it."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and status.modification_level in (
        ModificationLevel.NONE,
        ModificationLevel.LTA_UPDATES,
    )


def _signature_report(
    embedded: Any, vc_roots: list[asn1_x509.Certificate], has_dss: bool, has_doc_ts: bool
) -> SignatureReport:
    """Validate one signature; anything pyHanko cannot even parse becomes an invalid report."""
    context = ValidationContext(trust_roots=vc_roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception as exc:  # a malformed signature is a finding, not a crash
        return SignatureReport(
            field_name=embedded.field_name,
            signer_subject="",
            signing_time=None,
            pades_level=None,
            intact=False,
            trusted=False,
            covers_whole_document=False,
            coverage="unknown",
            valid=False,
            problems=(f"signature could not be validated: {exc}",),
        )
    whole = _whole(status)
    ts_status = status.timestamp_validity
    problems = []
    if not status.intact:
        problems.append("the document was changed after signing (digest mismatch)")
    elif not status.valid:
        problems.append("the cryptographic signature is invalid")
    elif not status.trusted:
        problems.append("the signer's certificate does not chain to a trusted root")
    if not whole:
        problems.append("the signature does not cover the whole document")
    ts_ok = ts_status is None or bool(ts_status.intact and ts_status.valid and ts_status.trusted)
    if not ts_ok:
        problems.append("the signature timestamp is not valid or its authority is not trusted")
    return SignatureReport(
        field_name=embedded.field_name,
        signer_subject=_subject(status.signing_cert),
        signing_time=embedded.self_reported_timestamp or status.signer_reported_dt,
        pades_level=_pades_level(embedded, status, has_dss, has_doc_ts),
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        covers_whole_document=whole,
        coverage=status.coverage.name if status.coverage is not None else "unknown",
        valid=bool(status.intact and status.valid and status.trusted and whole and ts_ok),
        problems=tuple(problems),
        timestamp=ts_status.timestamp if ts_status is not None else None,
        timestamp_trusted=bool(ts_status.trusted) if ts_status is not None else None,
        signer_name=_common_name(status.signing_cert),
    )


def _document_timestamp_report(embedded: Any, roots: list[asn1_x509.Certificate]) -> DocumentTimestampReport:
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_timestamp(embedded, validation_context=context)
    except Exception:
        return DocumentTimestampReport(embedded.field_name, None, intact=False, trusted=False, valid=False)
    intact, trusted = bool(status.intact and status.valid), bool(status.trusted)
    return DocumentTimestampReport(
        embedded.field_name, status.timestamp, intact=intact, trusted=trusted, valid=intact and trusted
    )


def verify_pdf(path: Path, trust_roots: Sequence[Any]) -> VerificationReport:
    """Check every signature in the PDF against trust_roots.

    Unsigned, unreadable or tampered PDFs give an invalid report; only a missing file raises.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise VerificationError(f"{path} does not exist.") from exc
    except OSError as exc:
        raise VerificationError(f"{path} cannot be read: {exc.strerror}.") from exc
    roots = _as_asn1_certs(trust_roots)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
        doc_timestamps = list(reader.embedded_timestamp_signatures)
        has_doc_ts = bool(doc_timestamps)
        has_dss = "/DSS" in reader.root
    except Exception as exc:
        return VerificationReport(path=path, valid=False, reason=f"not a readable PDF: {exc}")
    if not embedded:
        return VerificationReport(path=path, valid=False, reason="the PDF is not signed")
    reports = tuple(_signature_report(sig, roots, has_dss, has_doc_ts) for sig in embedded)
    stamps = tuple(_document_timestamp_report(ts, roots) for ts in doc_timestamps)
    bad = [f"{r.field_name}: {'; '.join(r.problems)}" for r in reports if not r.valid]
    bad += [
        f"{t.field_name}: the document timestamp is not valid or not trusted" for t in stamps if not t.valid
    ]
    if bad:
        return VerificationReport(
            path=path, valid=False, reason=" | ".join(bad), signatures=reports, document_timestamps=stamps
        )
    reason = f"{len(reports)} valid signature(s)" + (
        f", {len(stamps)} document timestamp(s)" if stamps else ""
    )
    return VerificationReport(
        path=path, valid=True, reason=reason, signatures=reports, document_timestamps=stamps
    )


@dataclass(frozen=True)
class OutputCheck:
    """`dak verify --registry`: one receipt's signed PDF against the sha256 the registry recorded."""

    diary_no: str
    output: str
    state: str  # "ok", "missing", "changed", "invalid" (same bytes, signature not valid), "unrecorded"
    detail: str
    report: VerificationReport | None = None

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "diary_no": self.diary_no,
            "output": self.output,
            "state": self.state,
            "ok": self.ok,
            "detail": self.detail,
            "verification": self.report.as_dict() if self.report is not None else None,
        }


def check_output(
    diary_no: str, output: str, recorded_sha256: str | None, trust_roots: Sequence[Any]
) -> OutputCheck:
    """Is the signed PDF still on disk, byte for byte as recorded, with valid signatures?"""
    path = Path(output)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return OutputCheck(diary_no, output, "missing", "the signed PDF is not on disk")
    except OSError as exc:
        return OutputCheck(diary_no, output, "missing", f"the signed PDF cannot be read: {exc.strerror}")
    report = verify_pdf(path, trust_roots)
    if recorded_sha256 is None:
        state = "unrecorded" if report.valid else "invalid"
        return OutputCheck(diary_no, output, state, f"no sha256 in the registry; {report.reason}", report)
    if digest != recorded_sha256:
        return OutputCheck(
            diary_no,
            output,
            "changed",
            f"changed on disk since it was signed (sha256 {digest[:12]}…, registry has {recorded_sha256[:12]}…);"
            f" {report.reason}",
            report,
        )
    if not report.valid:
        return OutputCheck(diary_no, output, "invalid", report.reason, report)
    return OutputCheck(diary_no, output, "ok", report.reason, report)
