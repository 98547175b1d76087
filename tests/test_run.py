"""``make run`` (course.run): tiny notebooks executed end to end, and the summary it records."""

import json
import os
import re

import nbformat
import pytest
from conftest import row

from course import run
from utils import config
from utils.report import backend_in_use


def tiny_notebook(path, *cells):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells]), path)
    return path


def test_a_notebook_runs_and_gives_its_row(tmp_path, capfd):
    notebook = tiny_notebook(
        tmp_path / "00_tiny.ipynb",
        "import utils\nblock = bytearray(50 * 2**20)  # about 50 MB resident",
        "utils.report({'answer': 42, 'other': 1.5}, lecture={'answer': 42}, key_metric='other')",
        "from IPython.display import display\n"
        "display({'text/plain': '\\x1b[1mModel\\x1b[0m', 'text/html': '<b>Model</b>'}, raw=True)\n"
        "print('\\x1b[32mgreen\\x1b[0m')",
    )
    executed = tmp_path / "executed" / "00_tiny.ipynb"
    result = run.run_notebook(notebook, destination=executed)
    assert result.status == "ok" and result.error is None and result.mode == config.MODE
    assert result.metrics == {"answer": 42.0, "other": 1.5} and result.lecture == {"answer": 42.0}
    assert result.key_metric == "other" and result.backend == backend_in_use()
    assert result.peak_memory_mb >= 50 and result.seconds > 0 and result.ran_at and result.code_sha
    saved = nbformat.read(executed, as_version=4)
    assert [c.execution_count for c in saved.cells] == [1, 2, 3]
    shown = [out.get("text", "") + out.get("data", {}).get("text/plain", "") for out in saved.cells[2].outputs]
    assert shown == ["Model", "green\n"]  # stored without terminal colour codes
    assert oct(os.stat(executed).st_mode & 0o777) == "0o644"
    assert "cell 3/3" in capfd.readouterr().err  # progress: which cell of how many


def test_a_failing_notebook_is_saved_and_its_error_recorded_in_plain_text(tmp_path):
    notebook = tiny_notebook(tmp_path / "00_broken.ipynb", "raise ValueError('did not learn')", "print('never')")
    result = run.run_notebook(notebook, destination=notebook)
    assert result.status == "FAILED" and result.error == "ValueError: did not learn" and result.metrics == {}
    assert nbformat.read(notebook, as_version=4).cells[0].outputs[0]["ename"] == "ValueError"


def test_unknown_notebook_is_named():
    with pytest.raises(SystemExit, match="99_nothing.*known: 01_mnist"):
        run.lesson_notebooks(["99_nothing"])


def test_only_a_full_run_on_the_default_backend_writes_the_committed_notebooks(monkeypatch):
    notebook = config.PROJECT_ROOT / "notebooks" / "01_mnist.ipynb"
    monkeypatch.setattr(config, "FAST", True)
    assert run.output_dir() == config.PROJECT_ROOT / "build" / "fast"
    assert run.executed_path(notebook, "tensorflow") == config.PROJECT_ROOT / "build/fast/tensorflow/01_mnist.ipynb"
    monkeypatch.setattr(config, "FAST", False)
    assert run.output_dir() == config.PROJECT_ROOT / "results"
    assert run.executed_path(notebook, "tensorflow") == notebook
    assert run.executed_path(notebook, "jax") == config.PROJECT_ROOT / "build/jax/01_mnist.ipynb"


@pytest.fixture
def runs_mnist(tmp_path, monkeypatch):
    """``make run 01_mnist`` without running it: its row comes at once, the summary goes into ``tmp_path/results``."""
    monkeypatch.setattr(run, "output_dir", lambda: tmp_path / "results")
    monkeypatch.setattr(run, "run_notebook", lambda notebook, **limits: row(notebook.stem, 7.0))
    return tmp_path / "results"


def test_make_run_merges_its_rows_into_the_summary(runs_mnist, capsys):
    run.record([row("02_imdb", 10.0), row("01_mnist", 3.0, "jax")], runs_mnist)
    assert run.main(["01_mnist"]) == 0
    saved = json.loads((runs_mnist / "summary.json").read_text())["notebooks"]
    keys = [f"{r['notebook']} {r['backend']}" for r in saved]
    assert keys == ["01_mnist jax", "01_mnist tensorflow", "02_imdb tensorflow"]
    out = capsys.readouterr().out
    assert "Running 01_mnist.ipynb" in out and "ok in 7.0 s, peak memory 900 MB" in out and "| 02_imdb |" in out


@pytest.mark.parametrize("damaged, message", [(True, r"cannot be read.*Fix: repair it"), (False, "writable")])
def test_a_summary_that_cannot_be_used_is_left_alone_and_the_run_printed(runs_mnist, capsys, damaged, message):
    if damaged:
        runs_mnist.mkdir()
    spoilt = runs_mnist / "summary.json" if damaged else runs_mnist  # else a file where the folder should be
    spoilt.write_text("{not json")
    assert run.main(["01_mnist"]) == 1
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and re.search(message, err)
    assert "This run:" in out and "| 01_mnist | tensorflow | full | ok |" in out
    assert spoilt.read_text() == "{not json"
