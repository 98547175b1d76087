"""The results protocol: a notebook's ``utils.report`` and the summary of ``make run`` (course.results)."""

import json

import nbformat
import pytest
from conftest import row

from course import results
from utils import config
from utils.report import RESULTS_FILE_ENV, backend_in_use, report


def test_report_writes_the_file_for_make_run(tmp_path, monkeypatch):
    target = tmp_path / "metrics.json"
    monkeypatch.setenv(RESULTS_FILE_ENV, str(target))
    table = report({"test_accuracy": 0.98123456, "loss": 0.1}, lecture={"test_accuracy": 0.978})
    assert json.loads(target.read_text()) == {
        "mode": config.MODE,
        "backend": backend_in_use(),
        "key_metric": "test_accuracy",
        "metrics": {"test_accuracy": 0.9812, "loss": 0.1},
        "lecture": {"test_accuracy": 0.978},
    }
    assert table.loc["test_accuracy", "lecture"] == "0.978" and table.loc["loss", "lecture"] == "-"
    assert table.iloc[:, 0].tolist() == ["0.9812", "0.1"]
    assert report({"epochs": 9.0}).iloc[0, 0] == "9"  # a count prints without decimals
    monkeypatch.delenv(RESULTS_FILE_ENV)  # without make run, nothing is written
    monkeypatch.chdir(tmp_path)
    target.unlink()
    report({"mae": 2.5})
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
        report(metrics, **kwargs)


def test_the_summary_is_saved_as_json_markdown_and_figure(tmp_path):
    rows = [row("01_mnist", 40.0, code_sha="new"), row("01_mnist", 20.0, "jax", code_sha="old")]
    rows.append(row("02_imdb", 100.0, "jax"))
    results.save_summary(rows, tmp_path, "Results (full mode)", {"01_mnist": "new"})
    assert results.load_summary(tmp_path / "summary.json") == rows
    saved = json.loads((tmp_path / "summary.json").read_text())["notebooks"]
    fields = "notebook backend mode status seconds peak_memory_mb metrics lecture key_metric"
    assert set(saved[2]) == set(fields.split())  # fields not set are left out
    table = (tmp_path / "summary.md").read_text()
    assert "| notebook | key metric | lecture | tensorflow | jax |" in table
    assert "| 01_mnist | test_accuracy | 0.978 | 0.98, 40 s | 0.98, 20 s (stale) |" in table
    assert "| 02_imdb | test_accuracy | 0.978 | - | 0.98, 100 s |" in table
    assert "| tensorflow | full | ok | test_accuracy 0.98 | test_accuracy 0.98 | test_accuracy 0.978 |" in table
    assert (tmp_path / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert oct((tmp_path / "summary.md").stat().st_mode & 0o777) == "0o644"


@pytest.mark.parametrize("content", ["{not json", '{"rows": []}', '{"notebooks": [{"x": 1}]}', '{"notebooks": "all"}'])
def test_a_damaged_summary_cannot_be_read(tmp_path, content):
    (tmp_path / "summary.json").write_text(content)
    with pytest.raises(results.SummaryError, match="summary.json cannot be read"):
        results.load_summary(tmp_path / "summary.json")


def test_code_fingerprint_changes_with_code_not_prose(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")])
    fingerprints = []
    for cell, source in [(0, "# Title"), (0, "# Another title"), (1, "x = 2")]:
        nb.cells[cell].source = source
        nbformat.write(nb, tmp_path / "n.ipynb")
        fingerprints.append(results.code_fingerprint(tmp_path / "n.ipynb"))
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]
