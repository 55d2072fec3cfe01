"""Deployments: a cron sweep per drop folder, the backfill flow and classifier retraining.

`dak serve` serves them from this process (schedules need a real Prefect server, not the
ephemeral one); `dak deploy --pool NAME` registers them with a process work pool instead, for
`prefect worker start --pool NAME` on as many machines as share the drop folders and store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import Flow
from prefect.deployments.runner import RunnerDeployment

from flows.backfill import backfill
from flows.watch import sweep
from pipeline import drop
from pipeline.config import Settings
from pipeline.store import safe_name

ROOT = Path(__file__).resolve().parent.parent


def _train_flow() -> Flow[..., Any] | None:
    try:
        from flows.train import train
    except ImportError:  # dak without the learning module: nothing to retrain
        return None
    return train


def sweep_name(folder: drop.DropFolder) -> str:
    return f"sweep-{safe_name(folder.path.name)}"


def plan(settings: Settings, folders: list[drop.DropFolder]) -> list[tuple[Flow[..., Any], dict[str, Any]]]:
    """Each deployment as (flow, to_deployment arguments)."""
    items: list[tuple[Flow[..., Any], dict[str, Any]]] = [
        (
            sweep,
            {
                "name": sweep_name(folder),
                "cron": settings.watch.schedule,
                "parameters": {"folder": str(folder.path), "section": folder.section},
                "description": f"Sweep of drop folder {folder.path}",
            },
        )
        for folder in folders
    ]
    items.append(
        (backfill, {"name": "backfill", "description": "Backfill of a legacy archive (run on demand)"})
    )
    train = _train_flow()
    if train is not None:
        items.append((train, {"name": "train", "cron": settings.watch.train_schedule}))
    return items


def serve_all(settings: Settings, folders: list[drop.DropFolder], limit: int | None = None) -> None:
    """Register the deployments and run their scheduled and on-demand runs from this process."""
    from prefect import serve

    deployments: list[RunnerDeployment] = [
        flow.to_deployment(**args) for flow, args in plan(settings, folders)
    ]
    serve(*deployments, limit=limit, pause_on_shutdown=False, print_starting_message=True)


ENTRYPOINTS = {
    "sweep": "flows/watch.py:sweep",
    "backfill": "flows/backfill.py:backfill",
    "train": "flows/train.py:train",
}


def deploy_all(settings: Settings, folders: list[drop.DropFolder], pool: str) -> list[str]:
    """Register the deployments with a process work pool; return their names (flow/deployment)."""
    names = []
    for flow, args in plan(settings, folders):
        source = Flow.from_source(source=str(ROOT), entrypoint=ENTRYPOINTS[flow.name])
        # `to_deployment` + `apply`, not `deploy`: Prefect 3.8.8's deploy() asks the server for its
        # online workers with a request its own server refuses (422 on limit=None).
        deployment = source.to_deployment(work_pool_name=pool, **args)  # type: ignore[attr-defined]
        deployment.apply(work_pool_name=pool)
        names.append(f"{flow.name}/{args['name']}")
    return names
