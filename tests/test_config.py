from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.errors import ConfigError


def test_shipped_defaults_load(tmp_path: Path) -> None:
    settings = load_settings({"DAK_HOME": str(tmp_path)})
    assert settings.home == tmp_path.resolve()
    assert settings.diary.format == "{office}/{year}/{seq:06d}"
    assert settings.registry_url == f"sqlite:///{tmp_path.resolve()}/registry.sqlite3"
    assert settings.categories_file.exists()


def test_file_then_environment_override(tmp_path: Path) -> None:
    override = tmp_path / "office.toml"
    override.write_text('[office]\ncode = "HSR"\nname = "Collectorate Hisar"\n[ocr]\npage_workers = 3\n')
    settings = load_settings({"DAK_CONFIG": str(override), "DAK_OCR__PAGE_WORKERS": "5", "DAK_HOME": "x"})
    assert settings.office.code == "HSR"
    assert settings.office.name == "Collectorate Hisar"
    assert settings.ocr.workers() == 5


def test_bad_values_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ocr.dpi"):
        load_settings({"DAK_OCR__DPI": "12"})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"DAK_CONFIG": str(tmp_path / "missing.toml")})
    with pytest.raises(ConfigError, match="office.colour"):
        load_settings({"DAK_OFFICE__COLOUR": "blue"})
