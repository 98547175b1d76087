"""course.canary (make test-latest): what it installs, how it reads failures and versions; its weekly workflow."""

import subprocess
from pathlib import Path

import yaml
from packaging.requirements import Requirement

from course import canary
from utils.config import PROJECT_ROOT

# pytest writes a terminal colour code into its XML as "#x1B" (the character itself is not allowed in XML)
JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" tests="3">
<testcase classname="notebooks.01_mnist.ipynb" name="Cell 4" time="1.0"/>
<testcase classname="notebooks.02_imdb.ipynb" name="Cell 7" time="2.0">
<failure message="Error in cell">Traceback (most recent call last):
  File "x.py", line 1
#x1B[0;31mAttributeError#x1B[0m: module 'keras' has no attribute 'wrappers'</failure></testcase>
<testcase classname="notebooks.02_imdb.ipynb" name="Cell 8" time="0.1"/>
</testsuite></testsuites>"""


def test_upper_bounds_are_lifted_and_nightlies_replace_keras_and_tensorflow():
    assert canary.lifted(Requirement("keras>=3.8,<4"), pre=False) == "keras>=3.8"
    assert canary.lifted(Requirement("keras>=3.8,<4"), pre=True) == "keras-nightly"
    assert canary.lifted(Requirement("tensorflow-cpu>=2.18,<3; sys_platform != 'darwin'"), pre=True) == "tf-nightly"
    assert canary.lifted(Requirement("tensorflow>=2.18,<3; sys_platform == 'darwin'"), pre=False) is None  # Linux
    names = [Requirement(text).name for text in canary.requirements(["tensorflow", "jax"], pre=False)]
    assert {"keras", "tensorflow-cpu", "jax", "nbval", "pytest"} <= set(names) and "playwright" not in names
    assert all("<" not in text for text in canary.requirements(["tensorflow", "jax", "torch"], pre=False))


def test_a_failed_cell_is_reported_in_one_line_with_its_error(tmp_path):
    junit = tmp_path / "nbval-jax.xml"
    junit.write_text(JUNIT)
    [failure] = canary.failures_in(junit)
    assert failure.where == "notebooks.02_imdb.ipynb::Cell 7"
    assert failure.error == "AttributeError: module 'keras' has no attribute 'wrappers'"
    assert "no report" in canary.failures_in(tmp_path / "missing.xml")[0].error


def test_versions_are_compared_with_the_lock_frameworks_first(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# pins\nkeras==3.15.1\nnumpy==2.4.6\nruamel.yaml==0.19.1\n")
    locked = canary.locked_versions(lock)
    now = {"keras": "3.16.0", "numpy": "2.4.6", "ruamel-yaml": "0.19.2", "keras-nightly": "3.17.0.dev1"}
    assert canary.version_changes(now, locked) == [
        ("keras", "3.15.1", "3.16.0"), ("keras-nightly", "-", "3.17.0.dev1"), ("ruamel-yaml", "0.19.1", "0.19.2")
    ]  # fmt: skip
    text = canary.report(False, now, {"nbval on jax": [canary.Failure("02::Cell 7", "AttributeError: x")]}, [], 3)
    assert "keras 3.16.0" in text and "- nbval on jax: 1 failed\n  - 02::Cell 7: AttributeError: x" in text


def test_the_canary_workflow_runs_make_test_latest_weekly_on_releases_and_nightlies():
    workflow = yaml.safe_load(Path(PROJECT_ROOT / ".github/workflows/canary.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    [schedule] = triggers["schedule"]
    minute, hour, day_of_month, month, day_of_week = schedule["cron"].split()
    assert (day_of_month, month) == ("*", "*") and day_of_week.isdigit() and minute.isdigit() and hour.isdigit()
    [job] = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["pre"] == ["", "1"]
    assert any(step.get("run", "").startswith("make test-latest") for step in job["steps"])


def test_when_pip_cannot_install_the_report_says_so_and_the_canary_fails(tmp_path, monkeypatch, capsys):
    def failing_pip(folder, backends, pre, env):
        raise subprocess.CalledProcessError(1, ["pip", "install", "keras-nightly"])

    monkeypatch.setattr(canary, "BUILD", tmp_path)
    monkeypatch.setattr(canary, "build_environment", failing_pip)
    assert canary.main(["--pre"]) == 1
    report = (tmp_path / "latest-pre" / "report.md").read_text()
    assert "pip could not install" in report and "`pip install keras-nightly` failed (exit 1)" in report
    assert "pip could not install" in capsys.readouterr().out
