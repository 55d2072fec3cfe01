"""The `train` flow: learn the category and section model from corrected and confirmed receipts.

Thin wiring: read the examples from the registry, fit (`pipeline.learn.train`), store the model
under the data directory, where the next ingest picks it up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NONE

from pipeline import learn
from pipeline.context import get_context

TASK = {"cache_policy": NONE, "persist_result": False}


@task(name="training-examples", **TASK)
def examples_task() -> list[Any]:
    return list(get_context().registry.training_examples())


@task(name="fit", **TASK)
def fit_task(examples: list[Any]) -> learn.LearnedModel:
    return learn.train(examples)


@task(name="store-model", **TASK)
def store_task(model: learn.LearnedModel) -> Path:
    return learn.save_model(model, get_context().settings.home / learn.MODEL_FILE)


@flow(name="train", log_prints=False)
def train() -> dict[str, Any]:
    """Retrain from the register; return what was learned (counts per category and section, file)."""
    model = fit_task(examples_task())
    path = store_task(model)
    return {**model.meta, "model": str(path)}
