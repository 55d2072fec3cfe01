"""Settings: config/dak.toml (shipped defaults), then $DAK_CONFIG, then DAK_* variables."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_CONFIG = CONFIG_DIR / "dak.toml"
ENV_PREFIX = "DAK_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfficeSettings(_Section):
    code: str = "DAK"
    name: str = "District Office"
    name_hi: str = "जिला कार्यालय"


class DiarySettings(_Section):
    format: str = "{office}/{year}/{seq:06d}"


class FileSettings(_Section):
    """E-file numbers, e-Office style: {office}, {section}, {head} (standard head), {year}, {seq}."""

    format: str = "{office}-{head}/{seq}/{year}-{section}"
    head: str = "11011"


class OcrSettings(_Section):
    languages: str = "hin+eng"
    dpi: int = Field(300, ge=72, le=1200)
    timeout_seconds: int = Field(300, gt=0)
    page_workers: int = Field(0, ge=0)
    review_below: float = Field(0.6, ge=0, le=1)

    def workers(self) -> int:
        return self.page_workers or (os.cpu_count() or 1)


class LimitSettings(_Section):
    max_bytes: int = Field(200 * 1024 * 1024, gt=0)
    max_pages: int = Field(500, gt=0)
    max_pixels: int = Field(150_000_000, gt=0)


class SigningSettings(_Section):
    """The signing key (PKCS#12 file, PKCS#11 token, or a generated development key) and the PAdES level.

    `level` empty means B-T when a timestamp authority is configured, else B-B. B-LT adds the
    certificates and CRLs/OCSP responses needed to check the signature later; B-LTA adds a document
    timestamp over them. The passphrase (or token PIN) is read from `passphrase_env`, never from here.
    """

    pkcs12: str = ""
    passphrase_env: str = "DAK_SIGNING_PASSPHRASE"
    pkcs11_module: str = ""
    pkcs11_token: str = ""
    pkcs11_slot: int | None = None
    pkcs11_key: str = ""
    pkcs11_cert: str = ""
    trust_roots: list[str] = Field(default_factory=list)
    reason: str = "Diarised by dak"
    location: str = ""
    level: Literal["", "B-B", "B-T", "B-LT", "B-LTA"] = ""
    tsa_url: str = ""
    tsa_timeout_seconds: int = Field(10, gt=0)
    fetch_revocation: bool = True
    crls: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> SigningSettings:
        if self.pkcs12 and self.pkcs11_module:
            raise ValueError("set either pkcs12 or pkcs11_module, not both")
        if self.pkcs11_module and not (self.pkcs11_key or self.pkcs11_cert):
            raise ValueError("pkcs11_module needs pkcs11_key (the label of the key on the token)")
        if self.level in ("B-T", "B-LT", "B-LTA") and not self.tsa_url:
            raise ValueError(f"level {self.level} needs tsa_url (a timestamp authority)")
        return self

    def pades_level(self) -> str:
        """The PAdES baseline level signatures are made at."""
        return self.level or ("B-T" if self.tsa_url else "B-B")


class DropSettings(_Section):
    """One drop folder: scanners write here; letters are routed to `section` when no rule decides."""

    path: Path
    section: str | None = None
    polling: bool = False  # true for SMB/NFS shares, which deliver no inotify events


# names in drop folders that are never scans: hidden and temporary files (scanners write `.x.part`
# or `x.tmp`, then rename) and what Windows and macOS leave in shared folders; matched ignoring case
IGNORE = (
    ".*",
    "~*",
    "*~",
    "*.tmp",
    "*.temp",
    "*.part",
    "*.partial",
    "*.crdownload",
    "*.swp",
    "thumbs.db",
    "ehthumbs.db",
    "desktop.ini",
)


class WatchSettings(_Section):
    stable_seconds: float = Field(0.5, ge=0)
    tick_seconds: float = Field(0.2, gt=0)
    poll_seconds: float = Field(1.0, gt=0)
    rescan_seconds: float = Field(30.0, gt=0)
    schedule: str = "*/5 * * * *"
    train_schedule: str = "30 1 * * *"
    ignore: list[str] = Field(default_factory=lambda: list(IGNORE))
    drop: list[DropSettings] = Field(default_factory=list)


class BackfillSettings(_Section):
    series: str = "LEGACY"
    diary_format: str = "{office}/{series}/{year}/{seq:06d}"
    received_at: Literal["folder", "file", "now"] = "folder"
    workers: int = Field(2, ge=1)


class Settings(_Section):
    home: Path = Path("dak-data")
    database_url: str = ""
    categories_file: Path = CONFIG_DIR / "categories.toml"
    office: OfficeSettings = Field(default_factory=OfficeSettings)
    diary: DiarySettings = Field(default_factory=DiarySettings)
    files: FileSettings = Field(default_factory=FileSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    signing: SigningSettings = Field(default_factory=SigningSettings)
    watch: WatchSettings = Field(default_factory=WatchSettings)
    backfill: BackfillSettings = Field(default_factory=BackfillSettings)

    @property
    def registry_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'registry.sqlite3').resolve()}"

    @property
    def receipts_dir(self) -> Path:
        return self.home / "receipts"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def work_dir(self) -> Path:
        return self.home / "work"

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"Configuration file {path} does not exist.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Configuration file {path} is not valid TOML: {exc}") from exc


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """DAK_HOME, DAK_DATABASE_URL and DAK_<TABLE>__<KEY> as a nested mapping."""
    values: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name in ("DAK_CONFIG", "DAK_SIGNING_PASSPHRASE"):
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        node = values
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return values


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings in the documented order; raise ConfigError with the offending key."""
    env = os.environ if environ is None else environ
    data = _read_toml(DEFAULT_CONFIG)
    if env.get("DAK_CONFIG"):
        data = _merge(data, _read_toml(Path(env["DAK_CONFIG"])))
    data = _merge(data, _from_environment(env))
    data.setdefault("home", "dak-data")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise ConfigError(f"Invalid configuration: {problems}") from exc
    return settings.model_copy(update={"home": settings.home.expanduser().resolve()})
