"""Signing keys, the visible diary-stamp signature (PAdES B-B) and signature verification, with pyHanko.

Keys, the parsed signer and the embedded font are loaded once and reused: pyHanko would otherwise
re-read them for every letter.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import logging
import os
import secrets
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from asn1crypto import keys as asn1_keys
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
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from pipeline.config import SigningSettings
from pipeline.errors import SigningError, VerificationError
from pipeline.stamp import STAMP_HEIGHT_PT, STAMP_WIDTH_PT, DiaryStamp, stamp_lines

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
    """A parsed signing key with its chain and the roots that verify its signatures; reuse it."""

    signer: signers.SimpleSigner
    trust_roots: list[asn1_x509.Certificate]
    is_development: bool
    subject: str
    bytes_reserved: int
    dev_keys: DevKeys | None = None
    reason: str = ""
    location: str = ""


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


@dataclass(frozen=True)
class VerificationReport:
    """Whether a PDF carries at least one signature and every signature is intact, trusted and whole."""

    path: Path
    valid: bool
    reason: str
    signatures: tuple[SignatureReport, ...] = field(default_factory=tuple)

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
                    "signing_time": s.signing_time.isoformat() if s.signing_time else None,
                    "pades_level": s.pades_level,
                    "intact": s.intact,
                    "trusted": s.trusted,
                    "covers_whole_document": s.covers_whole_document,
                    "coverage": s.coverage,
                    "valid": s.valid,
                    "problems": list(s.problems),
                }
                for s in self.signatures
            ],
        }


# --- files -------------------------------------------------------------------------------------


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write data to path via a same-directory temporary file, fsync and rename; created with `mode`."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
    _write_atomic(keys_dir / DEV_PASSPHRASE, passphrase.encode() + b"\n", 0o600)
    _write_atomic(keys_dir / DEV_PKCS12, p12, 0o600)
    _write_atomic(keys_dir / DEV_CA_PEM, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)


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
    _write_atomic(keys_dir / DEV_CA_PEM, cas[-1].public_bytes(serialization.Encoding.PEM), 0o644)


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
    log.warning("Generated a development signing key in %s; it is not for real use.", keys_dir)
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


def _reserve_bytes(signer: signers.SimpleSigner) -> int:
    """Hex digits to reserve for the CMS blob: embedded certificates, signature and attributes, with margin.

    Computed once per key, which spares pyHanko a dry-run signature per document.
    """
    certs = [signer.signing_cert, *signer.cert_registry]
    cert_bytes = sum(len(c.dump()) for c in certs if c is not None)
    key_bytes = signer.signing_cert.public_key.bit_size // 8 if signer.signing_cert else 512
    der_bytes = ((cert_bytes + 2 * key_bytes + 2048) // 1024 + 1) * 1024
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


def load_signer(settings: SigningSettings, keys_dir: Path, office_name: str) -> DakSigner:
    """Parse the configured PKCS#12 once (or the development key when none is configured)."""
    dev_keys: DevKeys | None = None
    if not settings.pkcs12:
        dev_keys = ensure_development_keys(keys_dir, office_name)
        signer = _load_pkcs12(dev_keys.pkcs12, _read_dev_passphrase(Path(keys_dir)))
        roots = _load_trust_roots([dev_keys.ca_cert, *settings.trust_roots])
    else:
        passphrase = os.environ.get(settings.passphrase_env)
        if passphrase is None:
            raise SigningError(
                f"The passphrase for signing key {settings.pkcs12} is not set:"
                f" put it in the environment variable {settings.passphrase_env}."
            )
        signer = _load_pkcs12(Path(settings.pkcs12), passphrase.encode() or None)
        roots = _load_trust_roots(settings.trust_roots)
    if signer.signing_cert is None:
        raise SigningError(f"Signing key file {settings.pkcs12 or keys_dir} holds no certificate.")
    return DakSigner(
        signer=signer,
        trust_roots=roots,
        is_development=dev_keys is not None,
        subject=_common_name(signer.signing_cert),
        bytes_reserved=_reserve_bytes(signer),
        dev_keys=dev_keys,
        reason=settings.reason,
        location=settings.location,
    )


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
    """Add the visible diary stamp on page 1 and a PAdES B-B signature, then write `output` atomically."""
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        box = box or _default_box(writer.prev)
        field_name = _free_field_name(writer)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=signer.reason or None,
            location=signer.location or None,
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer.signer,
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
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError(f"Could not sign the PDF for {stamp.diary_no}: {exc}") from exc
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(output, out.getvalue(), 0o644)


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
    problems = []
    if not status.intact:
        problems.append("the document was changed after signing (digest mismatch)")
    elif not status.valid:
        problems.append("the cryptographic signature is invalid")
    elif not status.trusted:
        problems.append("the signer's certificate does not chain to a trusted root")
    if not whole:
        problems.append("the signature does not cover the whole document")
    return SignatureReport(
        field_name=embedded.field_name,
        signer_subject=_subject(status.signing_cert),
        signing_time=embedded.self_reported_timestamp or status.signer_reported_dt,
        pades_level=_pades_level(embedded, status, has_dss, has_doc_ts),
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        covers_whole_document=whole,
        coverage=status.coverage.name if status.coverage is not None else "unknown",
        valid=bool(status.intact and status.valid and status.trusted and whole),
        problems=tuple(problems),
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
        has_doc_ts = bool(list(reader.embedded_timestamp_signatures))
        has_dss = "/DSS" in reader.root
    except Exception as exc:
        return VerificationReport(path=path, valid=False, reason=f"not a readable PDF: {exc}")
    if not embedded:
        return VerificationReport(path=path, valid=False, reason="the PDF is not signed")
    reports = tuple(_signature_report(sig, roots, has_dss, has_doc_ts) for sig in embedded)
    bad = [f"{r.field_name}: {'; '.join(r.problems)}" for r in reports if not r.valid]
    if bad:
        return VerificationReport(path=path, valid=False, reason=" | ".join(bad), signatures=reports)
    return VerificationReport(
        path=path, valid=True, reason=f"{len(reports)} valid signature(s)", signatures=reports
    )
