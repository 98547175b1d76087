"""Tests of course.publish and course.colab: the public address in one place, the Colab cell, the links, what Colab
installs; and of the package's declared dependencies against the tested set."""

import importlib.metadata
import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from packaging.requirements import Requirement

from course import colab, publish
from course.canary import locked_versions
from course.lessons import lesson_notebooks
from course.results import code_fingerprint
from utils.config import PROJECT_ROOT

GITHUB_URL = "https://github.com/some-university/dls-course"


def run_colab_cell(source: str, in_colab: bool, monkeypatch) -> None:
    """Execute a Colab cell's code as its kernel would, inside or outside Colab; no pip runs."""
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    calls = []

    def pip(*args, **kwargs):
        calls.append(args)
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr("subprocess.run", pip)
    monkeypatch.setattr(colab, "install_missing", lambda: calls.append("install_missing"))
    exec(compile(source, "colab-cell", "exec"), {})
    return calls


def test_without_an_address_the_cell_tells_colab_users_how_to_set_it_and_elsewhere_does_nothing(monkeypatch):
    release = publish.Release("", "1.2.3")
    source = publish.colab_cell_source(release)
    assert "http" not in source and release.colab_url("01_mnist") is None
    assert run_colab_cell(source, in_colab=False, monkeypatch=monkeypatch) == []
    with pytest.raises(RuntimeError, match="not published.*your course's Colab link"):
        run_colab_cell(source, in_colab=True, monkeypatch=monkeypatch)


def test_with_an_address_the_cell_installs_that_release_in_colab_only(monkeypatch):
    source = publish.colab_cell_source(publish.Release(GITHUB_URL, "1.2.3"))
    assert run_colab_cell(source, in_colab=False, monkeypatch=monkeypatch) == []
    pip, then = run_colab_cell(source, in_colab=True, monkeypatch=monkeypatch)
    assert pip[0][-1] == f"dls-utils @ git+{GITHUB_URL}@v1.2.3" and "--no-deps" in pip[0]
    assert then == "install_missing"


def test_links_point_at_the_release_tag():
    release = publish.Release(GITHUB_URL + ".git", "1.2.3")
    assert release.colab_url("01_mnist") == (
        "https://colab.research.google.com/github/some-university/dls-course/blob/v1.2.3/notebooks/01_mnist.ipynb"
    )
    assert release.binder_url("01_mnist") == (
        "https://mybinder.org/v2/gh/some-university/dls-course/v1.2.3?labpath=notebooks/01_mnist.ipynb"
    )


def test_make_publish_sets_the_address_once_and_rewrites_cells_and_links(tmp_path, monkeypatch):
    pyproject = tmp_path / "pyproject.toml"
    shutil.copyfile(PROJECT_ROOT / "pyproject.toml", pyproject)
    with pytest.raises(ValueError, match="not a GitHub repository"):
        publish.set_repository("https://gitlab.com/a/b", pyproject)
    release = publish.set_repository(GITHUB_URL, pyproject)
    assert release == publish.Release(GITHUB_URL, publish.current_release().version)
    assert pyproject.read_text().count(GITHUB_URL) == 1

    notebook = tmp_path / "01_mnist.ipynb"
    shutil.copyfile(lesson_notebooks()[0], notebook)
    before = code_fingerprint(notebook)
    assert publish.write_colab_cell(notebook, release) and not publish.write_colab_cell(notebook, release)
    cells = nbformat.read(notebook, as_version=4).cells
    first_code = next(cell for cell in cells if cell.cell_type == "code")
    assert publish.is_colab_cell(first_code) and GITHUB_URL in first_code.source
    assert sum(publish.is_colab_cell(cell) for cell in cells) == 1
    assert code_fingerprint(notebook) == before  # the results' rows do not go stale

    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{publish.LINKS_BEGIN}\nold\n{publish.LINKS_END}\nrest\n")
    assert publish.write_readme_links(release, [notebook], readme)
    assert "[Open in Colab](https://colab.research.google.com/github/some-university/" in readme.read_text()
    assert (
        "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/some-university/"
        in readme.read_text()
    )
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="no <!-- links"):
        publish.write_readme_links(release, [notebook], readme)


def test_every_notebook_and_the_readme_carry_the_current_release():
    """After a version bump or an address change, `make publish` has been run."""
    release = publish.current_release()
    for path in lesson_notebooks():
        nb = nbformat.read(path, as_version=4)
        first_code = next(cell for cell in nb.cells if cell.cell_type == "code")
        assert publish.is_colab_cell(first_code), f"{path.name}: run make publish"
        assert first_code.source == publish.colab_cell_source(release), f"{path.name}: run make publish"
        assert sum(publish.is_colab_cell(cell) for cell in nb.cells) == 1
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{publish.LINKS_BEGIN}\n{publish.links_table(release, lesson_notebooks())}\n{publish.LINKS_END}" in readme


def test_colab_installs_only_what_is_missing_or_out_of_range(monkeypatch):
    assert colab.missing_requirements() == ([], [])
    real = importlib.metadata.version

    def colab_like(name):
        versions = {"tensorflow": "2.19.0", "keras": "3.5.0"}  # Colab's TensorFlow (not -cpu), an old Keras; no pooch
        if name in ("pooch", "tensorflow-cpu"):
            raise importlib.metadata.PackageNotFoundError(name)
        return versions.get(name) or real(name)

    monkeypatch.setattr(importlib.metadata, "version", colab_like)
    missing, notes = colab.missing_requirements()
    assert [Requirement(text).name for text in missing] == ["keras", "pooch"] and notes == []


def test_colab_keeps_its_own_tensorflow_even_outside_the_range_and_says_so(monkeypatch):
    real = importlib.metadata.version

    def old_colab(name):
        if name == "tensorflow-cpu":
            raise importlib.metadata.PackageNotFoundError(name)
        return "2.15.0" if name == "tensorflow" else real(name)

    monkeypatch.setattr(importlib.metadata, "version", old_colab)
    missing, notes = colab.missing_requirements()
    assert missing == [] and len(notes) == 1 and notes[0].startswith("tensorflow 2.15.0 is outside")


def test_the_tested_versions_lie_inside_the_declared_ranges():
    declared = {}
    for text in importlib.metadata.requires("dls-utils"):
        requirement = Requirement(text)
        declared.setdefault(requirement.name, []).append(requirement)
    pins = locked_versions()
    pins["tensorflow"] = pins["tensorflow-cpu"]  # macOS's requirement: the same module, the same version
    for name, requirements in declared.items():
        if name == "dls-utils":
            continue  # the lecturer extra names the jax extra
        assert name in pins, f"{name} is declared in pyproject.toml but not in requirements.lock"
        for requirement in requirements:
            assert requirement.specifier.contains(pins[name]), f"lock {name}=={pins[name]} outside {requirement}"


def test_notebooks_use_the_standard_kernel():
    for path in lesson_notebooks():
        kernelspec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert kernelspec["name"] == "python3" and kernelspec["display_name"] == "Python 3 (ipykernel)", path.name
