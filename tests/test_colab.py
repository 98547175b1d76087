"""The Colab cell, run in a stand-in for Colab: a fresh environment with what Colab preinstalls for the course
(TensorFlow, Keras, its kernel) but not the helpers, ``google.colab`` imported as Colab's kernel has it, the course's
address pointed at a local git clone tagged with the release, and the data from the mirror. The cell must install
the helpers and what is missing without a second TensorFlow, and the notebook must then run in fast mode.

Slow (a new environment from the package registry, about a minute with pip's cache warm); CI runs it.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import MIRROR, needs_mirror
from nbclient import NotebookClient

from course import publish
from course.canary import installed_versions, locked_versions
from utils.config import PROJECT_ROOT

NOTEBOOK = "04_boston_housing"  # quick in fast mode, and its loader needs a package Colab lacks (openml)
# Colab's own packages for this course: TensorFlow (Colab's distribution, `tensorflow`), Keras and the kernel
COLAB_PREINSTALLED = ["tensorflow", "keras", "ipykernel"]


def tagged_clone(folder: Path, tag: str) -> Path:
    """Return a git repository in ``folder`` holding the project's files as they are now, tagged ``tag``."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    for name in files:
        if (PROJECT_ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, folder / name)
    git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@localhost"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "release"], ["tag", tag]):
        subprocess.run(git + step, cwd=folder, check=True)
    return folder


@pytest.mark.standin
@needs_mirror
@pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")
def test_the_colab_cell_installs_the_helpers_keeps_colabs_tensorflow_and_the_notebook_runs(tmp_path, monkeypatch):
    release = publish.current_release()
    clone = tagged_clone(tmp_path / "course", release.tag)
    colab = tmp_path / "colab-env"
    python = colab / "bin" / "python"
    subprocess.run([sys.executable, "-m", "venv", colab], check=True)
    lock = PROJECT_ROOT / "requirements.lock"
    preinstalled = [f"tensorflow=={locked_versions(lock)['tensorflow-cpu']}", *COLAB_PREINSTALLED[1:]]  # the lock's
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-c", lock, *preinstalled], check=True)
    before = installed_versions(python)

    # Colab's kernel has google.colab imported; the stand-in's kernel gets a module of that name at start-up.
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text(
        'import sys, types\n\nsys.modules["google.colab"] = types.ModuleType("google.colab")\n'
    )
    kernel = tmp_path / "jupyter" / "kernels" / "colab"
    kernel.mkdir(parents=True)
    env = {
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "DLS_DATA_DIR": str(MIRROR),
        "DLS_FAST": "1",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PIP_CONSTRAINT": str(PROJECT_ROOT / "requirements.lock"),  # the tested versions of what the cell installs
    }
    spec = {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"], "language": "python"}
    (kernel / "kernel.json").write_text(json.dumps(spec | {"display_name": "Colab stand-in", "env": env}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))

    nb = nbformat.read(clone / "notebooks" / f"{NOTEBOOK}.ipynb", as_version=4)
    cell = next(cell for cell in nb.cells if publish.is_colab_cell(cell))
    cell.source = publish.colab_cell_source(publish.Release(f"file://localhost{clone}", release.version))
    content = tmp_path / "content"  # Colab's working folder: no project files in it
    content.mkdir()
    NotebookClient(nb, kernel_name="colab", timeout=600, resources={"metadata": {"path": str(content)}}).execute()

    after = installed_versions(python)
    assert "tensorflow-cpu" not in after, "the cell installed a second TensorFlow beside Colab's"
    assert {name: after[name] for name in COLAB_PREINSTALLED} == {name: before[name] for name in COLAB_PREINSTALLED}
    assert "dls-utils" in after and "openml" in after
    outputs = "".join(output.get("text", "") for output in cell.outputs)
    assert "installing:" in outputs and "openml" in outputs
    assert not any(output.output_type == "error" for c in nb.cells for output in c.get("outputs", []))
    assert not (os.path.exists(tmp_path / "cache" / "dls")), "data came from the mirror, nothing was downloaded"
