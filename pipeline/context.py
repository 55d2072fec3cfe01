"""The long-lived things one dak process needs: settings, registry, signer and rules, loaded once."""

from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass
from functools import cached_property

from pipeline import classify, learn, sign
from pipeline.config import Settings, load_settings
from pipeline.registry import Registry


@dataclass
class DakContext:
    settings: Settings

    @cached_property
    def registry(self) -> Registry:
        return Registry(self.settings.registry_url)

    @cached_property
    def signer(self) -> sign.DakSigner:
        # On a terminal, a passphrase or PIN not given in the environment is asked for (never echoed).
        prompt = getpass.getpass if sys.stdin.isatty() else None
        signer = sign.load_signer(
            self.settings.signing, self.settings.keys_dir, self.settings.office.name, prompt=prompt
        )
        if signer.dev_keys is not None and signer.dev_keys.created:
            print(
                f"dak: no signing key configured; generated a DEVELOPMENT signing key in "
                f"{self.settings.keys_dir} (not for real use: set signing.pkcs12 in config).",
                file=sys.stderr,
            )
        return signer

    @cached_property
    def rules(self) -> classify.Rules:
        return classify.load_rules(self.settings.categories_file)

    @property
    def model(self) -> learn.LearnedModel | None:
        """The model `dak train` learned, if any; read again when retraining replaces the file."""
        return learn.load_model(self.settings.home / learn.MODEL_FILE)


_CONTEXTS: dict[str, DakContext] = {}


def get_context(settings: Settings | None = None) -> DakContext:
    """One context per data directory and process, so keys are parsed and the database opened once."""
    settings = settings or load_settings()
    key = settings.model_dump_json()
    if key not in _CONTEXTS:
        _CONTEXTS[key] = DakContext(settings)
    return _CONTEXTS[key]
