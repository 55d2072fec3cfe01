"""Settings: config/dak.toml (shipped defaults), then $DAK_CONFIG, then DAK_* variables."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
    pkcs12: str = ""
    passphrase_env: str = "DAK_SIGNING_PASSPHRASE"
    trust_roots: list[str] = Field(default_factory=list)
    reason: str = "Diarised by dak"
    location: str = ""


class Settings(_Section):
    home: Path = Path("dak-data")
    database_url: str = ""
    categories_file: Path = CONFIG_DIR / "categories.toml"
    office: OfficeSettings = Field(default_factory=OfficeSettings)
    diary: DiarySettings = Field(default_factory=DiarySettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    signing: SigningSettings = Field(default_factory=SigningSettings)

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
