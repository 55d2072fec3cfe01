"""Drop-folder watching: a watchdog observer (or a polling one) per folder, a periodic rescan, and
one `drop` flow run per complete file, which runs the `ingest` flow's steps and files the source.

The watcher is a long-lived process: it stops cleanly on SIGTERM or SIGINT (after the file in
hand), and anything a crash leaves in a folder's processing/ is ingested again on the next start.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from prefect.task_runners import ThreadPoolTaskRunner
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from flows.ingest import ingest
from pipeline import drop
from pipeline.config import Settings, WatchSettings
from pipeline.context import get_context
from pipeline.model import Status

LOG = logging.getLogger("dak.watch")


@flow(name="drop", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=False)
def drop_file(path: str, folder: str, section: str | None = None) -> dict[str, Any]:
    """Ingest one file a watcher moved into <folder>/processing/; quarantine it there if it fails."""
    record = ingest.fn(
        path=path,
        section=section,
        source=f"drop:{folder}",
        move_to_quarantine=True,
        quarantine_dir=str(drop.DropFolder(Path(folder)).quarantine),
    )
    message = f"{Path(path).name}: {record['status']} {record.get('diary_no') or record.get('error') or ''}"
    get_run_logger().info(message)
    return record


Handler = Callable[[drop.Claim], dict[str, Any]]


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Flow runs without Prefect's heartbeat thread, whose shutdown costs up to 1 s per run.

    Heartbeats find crashed flow runs; a watcher finds its crashed files itself (in processing/).
    """
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def file_claim(claim: drop.Claim, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Run the `drop` flow (or anything with its signature) on a claimed file, then file it."""
    try:
        record = run(path=str(claim.path), folder=str(claim.folder.path), section=claim.folder.section)
    except BaseException:
        claim.release()  # stays in processing/ and is taken again on the next start or rescan
        raise
    if record["status"] == Status.QUARANTINED:
        claim.release()  # the flow moved it into quarantine/ beside its reason
    else:
        drop.finish(claim, record, run_id=flow_run.get_id())
    LOG.info(
        "%s: %s %s", claim.path.name, record["status"], record.get("diary_no") or record.get("error") or ""
    )
    return record


def drop_runner(settings: Settings) -> Callable[..., dict[str, Any]]:
    return drop_file.with_options(task_runner=ThreadPoolTaskRunner(max_workers=settings.ocr.workers()))


class _Events(FileSystemEventHandler):
    def __init__(self, folder: drop.DropFolder, inbox: queue.SimpleQueue[Path]) -> None:
        self.folder = folder
        self.inbox = inbox

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(os.fsdecode(raw))
            if path.parent == self.folder.path:
                self.inbox.put(path)


class Watcher:
    """Hands every complete file in the drop folders to `handle`, one at a time, until stopped."""

    def __init__(self, folders: Iterable[drop.DropFolder], settings: WatchSettings, handle: Handler) -> None:
        self.folders = list(folders)
        self.settings = settings
        self.handle = handle
        self.tracker = drop.StabilityTracker(settings.stable_seconds)
        self.inbox: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.handled = 0
        self._observers: list[BaseObserver] = []

    def stop(self) -> None:
        self.stopping.set()

    def _folder_of(self, path: Path) -> drop.DropFolder:
        return next(f for f in self.folders if f.path == path.parent)

    def _recover(self) -> None:
        for folder in self.folders:
            for claim in drop.leftovers(folder):
                if self.stopping.is_set():
                    claim.release()
                    return
                LOG.warning(
                    "%s was left in %s by an earlier run; ingesting it again",
                    claim.path.name,
                    folder.processing,
                )
                self._handle(claim)

    def _handle(self, claim: drop.Claim) -> None:
        try:
            self.handle(claim)
            self.handled += 1
        except Exception:  # noqa: BLE001 - one file's failure must not stop the watcher
            LOG.exception(
                "%s could not be processed; it stays in %s and is retried",
                claim.path.name,
                claim.folder.processing,
            )

    def _rescan(self, now: float) -> None:
        for folder in self.folders:
            for path in drop.candidates(folder, self.settings.ignore):
                self.tracker.see(path, now)

    def _start_observers(self) -> None:
        for folder in self.folders:
            observer: BaseObserver = (
                PollingObserver(timeout=self.settings.poll_seconds) if folder.polling else Observer()
            )
            observer.schedule(_Events(folder, self.inbox), str(folder.path), recursive=False)
            observer.daemon = True
            observer.start()
            self._observers.append(observer)

    def _stop_observers(self) -> None:
        for observer in self._observers:
            observer.stop()
        for observer in self._observers:
            observer.join(timeout=5)
        self._observers.clear()

    def run(self, once: bool = False) -> int:
        """Watch until stopped (or, with `once`, until what was there is done); return files handled."""
        for folder in self.folders:
            folder.prepare()
        LOG.info("started; taking up what an earlier run left in processing/")
        self._recover()
        if not once:
            self._start_observers()
        last_rescan = time.monotonic()
        self._rescan(last_rescan)
        LOG.info("watching %s", ", ".join(str(f.path) for f in self.folders))
        try:
            while not self.stopping.is_set():
                now = time.monotonic()
                while not self.inbox.empty():
                    path = self.inbox.get_nowait()
                    if not drop.is_ignored(path.name, self.settings.ignore):
                        self.tracker.see(path, now)
                for path in self.tracker.ready(now):
                    if self.stopping.is_set():
                        break
                    claim = drop.claim(self._folder_of(path), path)
                    if claim is not None:
                        self._handle(claim)
                if once and self.tracker.pending() == 0 and self.inbox.empty():
                    break
                if time.monotonic() - last_rescan >= self.settings.rescan_seconds:
                    self._recover()
                    last_rescan = time.monotonic()
                    self._rescan(last_rescan)
                self.stopping.wait(self.settings.tick_seconds)
        finally:
            self._stop_observers()
        LOG.info("stopped after %d file(s)", self.handled)
        return self.handled


@flow(name="sweep", log_prints=False)
def sweep(folder: str, section: str | None = None) -> int:
    """Scheduled sweep of one drop folder (for sites that prefer polling): take what is complete, then stop.

    Several sweeps of one shared folder (on several workers) split the files between them: each
    file is claimed by exactly one of them.
    """
    settings = get_context().settings
    runner = drop_runner(settings)
    target = drop.DropFolder(Path(folder).expanduser().resolve(), section)
    watcher = Watcher([target], settings.watch, lambda claim: file_claim(claim, runner))
    handled = watcher.run(once=True)
    get_run_logger().info("swept %s: %d file(s)", folder, handled)
    return handled
