"""Backfill of a legacy archive: nested folders, mixed formats, legacy series, resumable, CSV summary."""

from __future__ import annotations

import csv
import json
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import make_text_pdf, render_lines
from dropkit import dak, letter_lines, small_letter, start, wait_for

from pipeline import backfill as legacy
from pipeline.registry import Registry


def _archive(root: Path) -> dict[str, Path]:
    """A legacy archive: year/month/day folders, a dated folder, an undated one; PNG, TIFF, PDF."""
    for folder in ("2019/03/14", "2019/03/15", "2020-07-01 inward", "undated"):
        (root / folder).mkdir(parents=True)
    files = {
        "a": small_letter(root / "2019/03/14/a.png", 1),
        "b": root / "2019/03/15/b.tif",
        "c": make_text_pdf(root / "2020-07-01 inward/c.pdf", letter_lines(3)),
        "d": small_letter(root / "undated/d.png", 4),
        "bad": root / "undated/e.pdf",
    }
    render_lines(letter_lines(2), size=21, dpi=150).save(files["b"], dpi=(150, 150))
    files["bad"].write_bytes(b"%PDF-1.4 torn")
    (root / "undated/.DS_Store").write_bytes(b"junk")
    stamp = time.mktime((2018, 6, 9, 11, 0, 0, 0, 0, -1))
    os.utime(files["d"], (stamp, stamp))
    return files


def _rows(report: Path) -> list[dict[str, str]]:
    with report.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_backfill_diarises_the_archive_in_its_own_series_and_resumes(tmp_path: Path, dak_env: dict) -> None:
    root = tmp_path / "archive"
    files = _archive(root)
    report = tmp_path / "report.csv"
    planned = json.loads(dak("backfill", str(root), "--dry-run", "--json", env=dak_env).stdout)
    assert planned["to_ingest"] == 5 and planned["in_registry"] == 0
    assert (
        not (Path(dak_env["DAK_HOME"]) / "registry.sqlite3").exists()
        or not Registry(f"sqlite:///{Path(dak_env['DAK_HOME']) / 'registry.sqlite3'}").list()
    )

    first = dak(
        "backfill",
        str(root),
        "--report",
        str(report),
        "--json",
        "--section",
        "Records",
        env=dak_env,
        check=False,
    )
    assert first.returncode == 1, first.stderr  # one file quarantined
    summary = json.loads(first.stdout)
    assert (summary["diarised"], summary["quarantined"]) == (4, 1)
    rows = {Path(r["file"]).name: r for r in _rows(report)}
    assert set(rows) == {"a.png", "b.tif", "c.pdf", "d.png", "e.pdf"}
    assert rows["a.png"]["received_at"].startswith("2019-03-14")
    assert rows["b.tif"]["received_at"].startswith("2019-03-15")
    assert rows["c.pdf"]["received_at"].startswith("2020-07-01")
    assert rows["d.png"]["received_at"].startswith("2018-06-09")  # undated folder: the file's date
    numbers = sorted(r["diary_no"] for r in rows.values() if r["status"] == "diarised")
    assert numbers == [
        "DAK/LEGACY/2018/000001",
        "DAK/LEGACY/2019/000001",
        "DAK/LEGACY/2019/000002",
        "DAK/LEGACY/2020/000001",
    ]
    assert files["a"].exists() and files["bad"].exists(), "a backfill never moves the archive"

    # Today's dak is numbered on its own; a second run skips everything already done.
    today = dak("ingest", "--json", str(small_letter(tmp_path / "today.png", 99)), env=dak_env)
    assert "/LEGACY/" not in json.loads(today.stdout)["diary_no"]
    again = json.loads(
        dak("backfill", str(root), "--report", str(report), "--json", env=dak_env, check=False).stdout
    )
    assert again["reported_before"] == 5 and again["to_ingest"] == 0
    other_report = tmp_path / "fresh.csv"
    fresh = json.loads(
        dak("backfill", str(root), "--report", str(other_report), "--json", env=dak_env, check=False).stdout
    )
    assert fresh["in_registry"] == 4 and fresh["duplicate"] == 4


def test_plan_skips_hidden_files_and_honours_since(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    for rel in ("2019/01/02/a.pdf", "2021/05/06/b.pdf", ".hidden/c.pdf", "2021/x.part"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rel.encode())
    assert sorted(p.relative_to(root).as_posix() for p in legacy.walk(root)) == [
        "2019/01/02/a.pdf",
        "2021/05/06/b.pdf",
    ]
    with Registry(f"sqlite:///{tmp_path / 'r.sqlite3'}") as registry:
        report = legacy.Report(tmp_path / "r.csv")
        from datetime import date

        plan = legacy.plan(root, registry, report, received_mode="folder", since=date(2020, 1, 1))
        report.close()
    assert [f.path.name for f in plan.todo] == ["b.pdf"] and plan.before_since == 1


@pytest.mark.slow
def test_an_interrupted_backfill_resumes_without_gaps_or_repeats(tmp_path: Path, dak_env: dict) -> None:
    root = tmp_path / "archive" / "2021" / "01" / "05"
    root.mkdir(parents=True)
    for i in range(6):
        small_letter(root / f"l{i}.png", 20 + i)
    report = tmp_path / "report.csv"
    env = {**dak_env, "DAK_BACKFILL__WORKERS": "1"}
    log = tmp_path / "backfill.log"
    first = start(["backfill", str(tmp_path / "archive"), "--report", str(report), "--json"], env, log)
    wait_for(lambda: report.exists() and len(_rows(report)) >= 1, 300, "the first file reported", log)
    os.killpg(first.pid, signal.SIGINT)
    assert first.wait(timeout=120) == 130, log.read_text()[-3000:]
    done_first = len(_rows(report))
    assert done_first < 6
    summary = json.loads(
        dak("backfill", str(tmp_path / "archive"), "--report", str(report), "--json", env=env).stdout
    )
    assert summary["reported_before"] == done_first
    rows = _rows(report)
    assert sorted(Path(r["file"]).name for r in rows) == [f"l{i}.png" for i in range(6)]
    numbers = sorted(r["diary_no"] for r in rows)
    assert numbers == [f"DAK/LEGACY/2021/{n:06d}" for n in range(1, 7)]
