"""Tests of how notebooks report metrics (utils.results) and how make run tabulates them (utils.runner)."""

import json

import pytest

from utils import config, results, runner


def test_report_writes_file_for_make_run(tmp_path, monkeypatch):
    target = tmp_path / "out" / "metrics.json"
    monkeypatch.setenv(results.RESULTS_FILE_ENV, str(target))
    table = results.report({"test_accuracy": 0.98123456}, lecture={"test_accuracy": 0.978})
    written = json.loads(target.read_text())
    assert written == {"mode": config.MODE, "metrics": {"test_accuracy": 0.9812}, "lecture": {"test_accuracy": 0.978}}
    assert table.loc["test_accuracy", "lecture"] == 0.978


def test_report_without_make_run_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(results.RESULTS_FILE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    results.report({"mae": 2.5})
    assert list(tmp_path.iterdir()) == []


def test_report_rejects_non_finite():
    with pytest.raises(ValueError, match="finite"):
        results.report({"loss": float("nan")})


def row(name, seconds):
    return {"notebook": name, "mode": "full", "status": "ok", "seconds": seconds, "peak_memory_mb": 900,
            "metrics": {"test_accuracy": 0.98}, "lecture": {"test_accuracy": 0.978}}


def test_summary_merges_rows_by_notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "output_dir", lambda: tmp_path)
    runner.write_summary([row("02_imdb", 10.0), row("01_mnist", 5.0)])
    merged = runner.write_summary([row("01_mnist", 7.0)])
    assert [r["notebook"] for r in merged] == ["01_mnist", "02_imdb"]
    saved = json.loads((tmp_path / "summary.json").read_text())["notebooks"]
    assert [r["seconds"] for r in saved] == [7.0, 10.0]
    table = (tmp_path / "summary.md").read_text()
    assert "| 01_mnist | full | ok | test_accuracy 0.98 | test_accuracy 0.978 | 7.0 | 900 |" in table


def test_unknown_notebook_is_named():
    with pytest.raises(SystemExit, match="99_nothing"):
        runner.find_notebooks(["99_nothing"])


def test_fast_mode_keeps_committed_notebooks(monkeypatch):
    monkeypatch.setattr(config, "FAST", True)
    assert runner.output_dir() == config.PROJECT_ROOT / "build" / "fast"
    monkeypatch.setattr(config, "FAST", False)
    assert runner.output_dir() == config.PROJECT_ROOT / "results"
