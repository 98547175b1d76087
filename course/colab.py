"""Colab's install of the course, second step: the helpers' declared dependencies that the runtime lacks.

Each notebook's first cell (written by :mod:`course.publish`) installs this package without its dependencies, then
calls :func:`install_missing`. pip alone would not see that Colab's ``tensorflow`` provides the module the helpers'
``tensorflow-cpu`` names, and would install a second TensorFlow; it would also bring its own Jupyter into Colab's.
Only the standard library and ``packaging`` (which Keras needs) are imported here: nothing else may be installed yet.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

from packaging.requirements import Requirement

DISTRIBUTION = "dls-utils"
# Colab serves its own notebook front end and kernel: the student's JupyterLab is not wanted there.
RUNTIME_PROVIDES = {"jupyterlab", "ipykernel"}
# Distributions that install the same module: any of them satisfies a requirement naming another.
TENSORFLOW = ("tensorflow", "tensorflow-cpu", "tf-nightly")


def installed(name: str) -> tuple[str, str] | None:
    """Return ``(distribution, version)`` of ``name`` as installed, or of a distribution that provides the same
    module; None if none is."""
    for candidate in TENSORFLOW if name in TENSORFLOW else (name,):
        try:
            return candidate, importlib.metadata.version(candidate)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def missing_requirements(distribution: str = DISTRIBUTION) -> tuple[list[str], list[str]]:
    """Return ``distribution``'s requirements (no extras, none Colab provides itself) that are absent or outside
    their declared range here, as pip requirement strings, and notes on those left alone: a TensorFlow of another
    distribution outside the range stays, since installing ours beside it would overwrite its files (and, on a GPU
    runtime, its GPU build).

    Raises:
        importlib.metadata.PackageNotFoundError: ``distribution`` is not installed.
    """
    missing, notes = [], []
    for text in importlib.metadata.requires(distribution) or []:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue  # an extra's (jax, torch, lecturer) or another platform's
        if requirement.name in RUNTIME_PROVIDES:
            continue
        found = installed(requirement.name)
        if found and requirement.specifier.contains(found[1], prereleases=True):
            continue
        if found and found[0] != requirement.name:
            notes.append(f"{found[0]} {found[1]} is outside {requirement.specifier}: kept, the notebooks may not run")
        else:
            missing.append(str(requirement))
    return missing, notes


def install_missing() -> list[str]:
    """Install with pip what :func:`missing_requirements` lists and print its notes; return the list installed
    (empty: nothing was). Where a package already installed was replaced, ask for a restart: the running kernel may
    hold the old one.

    Raises:
        subprocess.CalledProcessError: pip failed (its output, printed, says why).
    """
    missing, notes = missing_requirements()
    for note in notes:
        print("note:", note)
    if missing:
        print("installing:", ", ".join(missing))
        replaced = [text for text in missing if installed(Requirement(text).name)]
        # pip's output only when it fails: its note that the helpers' TensorFlow and Jupyter are "not installed"
        # (Colab's go by other names) would alarm a student for nothing
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", *missing], capture_output=True, text=True
        )
        if done.returncode:
            print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
            done.check_returncode()
        if replaced:
            print(
                "Restart the session (Runtime > Restart session), then run the notebook from the top: "
                "packages it may have loaded were replaced."
            )
    print("the course's helpers are ready")
    return missing
