"""Tests of the results protocol (utils.results) and of make run (utils.runner), end to end on tiny notebooks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from utils import config, results, runner
from utils.results import Row


def test_report_writes_file_for_make_run(tmp_path, monkeypatch):
    target = tmp_path / "out" / "metrics.json"
    monkeypatch.setenv(results.RESULTS_FILE_ENV, str(target))
    table = results.report({"test_accuracy": 0.98123456, "loss": 0.1}, lecture={"test_accuracy": 0.978})
    written = json.loads(target.read_text())
    assert written == {
        "mode": config.MODE,
        "backend": results.backend_in_use(),
        "key_metric": "test_accuracy",
        "metrics": {"test_accuracy": 0.9812, "loss": 0.1},
        "lecture": {"test_accuracy": 0.978},
    }
    assert table.loc["test_accuracy", "lecture"] == 0.978
    results.report({"test_accuracy": 0.98, "loss": 0.1}, key_metric="loss")
    assert json.loads(target.read_text())["key_metric"] == "loss"


def test_report_without_make_run_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(results.RESULTS_FILE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    results.report({"mae": 2.5})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "metrics, kwargs, match",
    [
        ({"loss": float("nan")}, {}, "finite"),
        ({"mae": 2.5}, {"key_metric": "accuracy"}, "key_metric"),
        ({"mae": 2.5}, {"lecture": {"accuracy": 0.9}}, "does not report"),
        ({}, {}, "at least one"),
    ],
)
def test_report_rejects_what_it_cannot_store(metrics, kwargs, match):
    with pytest.raises(ValueError, match=match):
        results.report(metrics, **kwargs)


def row(name, seconds, backend="tensorflow"):
    return Row(
        notebook=name,
        backend=backend,
        mode="full",
        status="ok",
        seconds=seconds,
        peak_memory_mb=900,
        metrics={"test_accuracy": 0.98},
        lecture={"test_accuracy": 0.978},
        key_metric="test_accuracy",
    )


def test_summary_merges_rows_by_notebook_and_backend(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "output_dir", lambda: tmp_path)
    runner.record([row("02_imdb", 10.0), row("01_mnist", 5.0), row("01_mnist", 3.0, "jax")], tmp_path)
    merged, notes = runner.record([row("01_mnist", 7.0)], tmp_path)
    assert [(r.notebook, r.backend) for r in merged] == [
        ("01_mnist", "jax"),
        ("01_mnist", "tensorflow"),
        ("02_imdb", "tensorflow"),
    ]
    saved = json.loads((tmp_path / "summary.json").read_text())["notebooks"]
    assert [r["seconds"] for r in saved] == [3.0, 7.0, 10.0] and notes == []
    assert set(saved[0]) == {
        "notebook",
        "backend",
        "mode",
        "status",
        "seconds",
        "peak_memory_mb",
        "metrics",
        "lecture",
        "key_metric",
    }
    assert (tmp_path / "summary.png").is_file()
    table = (tmp_path / "summary.md").read_text()
    assert (
        "| 01_mnist | tensorflow | full | ok | test_accuracy 0.98 | test_accuracy 0.98 | test_accuracy 0.978 "
        "| 7.0 | 900 |"
    ) in table


def test_old_format_summary_is_converted_with_a_note(tmp_path):
    old = {
        "notebook": "01_mnist",
        "mode": "full",
        "status": "ok",
        "seconds": 41.4,
        "peak_memory_mb": 1480,
        "metrics": {"test_accuracy": 0.981},
        "lecture": {"test_accuracy": 0.978},
    }
    (tmp_path / "summary.json").write_text(json.dumps({"notebooks": [old]}))
    merged, notes = runner.record([row("02_imdb", 10.0)], tmp_path)
    assert [(r.notebook, r.backend, r.key_metric) for r in merged] == [
        ("01_mnist", "tensorflow", "test_accuracy"),
        ("02_imdb", "tensorflow", "test_accuracy"),
    ]
    assert len(notes) == 1 and "format without backends" in notes[0]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"rows": []}),
        json.dumps({"notebooks": [{"x": 1}]}),
        json.dumps({"notebooks": "all of them"}),
    ],
)
def test_a_damaged_summary_is_left_alone_and_the_run_printed(tmp_path, monkeypatch, capsys, content):
    (tmp_path / "summary.json").write_text(content)
    merged, notes = runner.record([row("01_mnist", 7.0)], tmp_path)
    assert merged is None and "cannot be read" in notes[0] and "git checkout" in notes[0]
    assert (tmp_path / "summary.json").read_text() == content  # nothing lost


def test_an_unwritable_results_folder_is_named(tmp_path, monkeypatch):
    (tmp_path / "results").write_text("a file where the folder should be")
    merged, notes = runner.record([row("01_mnist", 7.0)], tmp_path / "results")
    assert merged is None and "could not be written" in notes[0] and "writable" in notes[0]


def test_plain_removes_terminal_colours():
    assert results.plain("\x1b[0;31mValueError\x1b[0m: bad \x1b[1;32mthing\x1b[0m") == "ValueError: bad thing"


def test_unknown_notebook_is_named():
    with pytest.raises(SystemExit, match="99_nothing"):
        runner.find_notebooks(["99_nothing"])


def test_only_a_full_run_on_the_default_backend_writes_the_committed_notebooks(monkeypatch):
    notebook = config.PROJECT_ROOT / "notebooks" / "01_mnist.ipynb"
    monkeypatch.setattr(config, "FAST", True)
    assert runner.output_dir() == config.PROJECT_ROOT / "build" / "fast"
    assert runner.executed_path(notebook, "tensorflow") == config.PROJECT_ROOT / "build/fast/tensorflow/01_mnist.ipynb"
    monkeypatch.setattr(config, "FAST", False)
    assert runner.output_dir() == config.PROJECT_ROOT / "results"
    assert runner.executed_path(notebook, "tensorflow") == notebook
    assert runner.executed_path(notebook, "jax") == config.PROJECT_ROOT / "build/jax/01_mnist.ipynb"


def test_side_by_side_marks_stale_rows_and_the_figure_is_drawn(tmp_path):
    rows = [row("01_mnist", 40.0), row("01_mnist", 20.0, "jax"), row("02_imdb", 100.0, "jax")]
    rows[1].code_sha = "old"
    table = results.side_by_side(rows, {"01_mnist": "new"})
    assert table.splitlines()[0] == "| notebook | key metric | lecture | tensorflow | jax |"
    assert "| 01_mnist | test_accuracy | 0.978 | 0.98, 40 s | 0.98, 20 s (stale) |" in table
    assert "| 02_imdb | test_accuracy | 0.978 | - | 0.98, 100 s |" in table
    results.save_figure(rows, tmp_path / "summary.png")
    assert (tmp_path / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_code_fingerprint_changes_with_code_not_prose(tmp_path):
    path = _tiny_notebook(tmp_path / "n.ipynb", "x = 1")
    before = results.code_fingerprint(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# Another title"
    nbformat.write(nb, path)
    assert results.code_fingerprint(path) == before
    nb.cells[1].source = "x = 2"
    nbformat.write(nb, path)
    assert results.code_fingerprint(path) != before


# --------------------------------------------------------------------------- run(), end to end


def _tiny_notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A tiny notebook")] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_run_executes_a_notebook_and_returns_its_row(tmp_path, capfd):
    notebook = _tiny_notebook(
        tmp_path / "00_tiny.ipynb",
        "import utils\nblock = bytearray(50 * 2**20)  # about 50 MB resident",
        "utils.report({'answer': 42, 'other': 1.5}, lecture={'answer': 42}, key_metric='answer')",
    )
    result = runner.run(notebook, destination=tmp_path / "executed" / "00_tiny.ipynb", timings=tmp_path / "cells.json")
    assert result.status == "ok" and result.error is None
    assert result.metrics == {"answer": 42.0, "other": 1.5} and result.lecture == {"answer": 42.0}
    assert result.key_metric == "answer" and result.backend == results.backend_in_use()
    assert result.peak_memory_mb >= 50 and result.seconds > 0 and result.ran_at and result.mode == config.MODE
    executed = nbformat.read(tmp_path / "executed" / "00_tiny.ipynb", as_version=4)
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2]
    assert oct(os.stat(tmp_path / "executed" / "00_tiny.ipynb").st_mode & 0o777) == "0o644"
    assert "cell 2/2" in capfd.readouterr().err  # progress: which cell of how many
    assert set(json.loads((tmp_path / "cells.json").read_text())) == {"1", "2"}  # seconds per code cell
    assert not list(config.PROJECT_ROOT.glob("build/cell-seconds/*00_tiny*"))  # nothing written into the project


def test_run_records_a_failing_notebook_in_plain_text(tmp_path, capfd):
    notebook = _tiny_notebook(
        tmp_path / "00_broken.ipynb", "x = 1", "raise ValueError('the model did not learn')", "print('never')"
    )
    result = runner.run(notebook, destination=tmp_path / "00_broken.ipynb")
    assert result.status == "FAILED" and result.error == "ValueError: the model did not learn"
    assert result.metrics == {}
    executed = nbformat.read(notebook, as_version=4)
    assert executed.cells[2].outputs[0]["ename"] == "ValueError"  # saved, failure included
    assert "\x1b[" not in json.dumps(Row.to_dict(result))
