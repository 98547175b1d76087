"""Colab's install of the course, second step: the helpers' declared dependencies that the runtime lacks.

Each notebook's first cell (written by :mod:`course.publish`) installs this package without its dependencies, then
calls :func:`install_missing`. pip alone would not see that Colab's ``tensorflow`` provides the module the helpers'
``tensorflow-cpu`` names, and would install a second TensorFlow; it would also bring its own Jupyter into Colab's. Only the standard library and
``packaging`` (which Keras needs) are imported here, since nothing else may be installed yet.
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


def installed_version(name: str) -> str | None:
    """Return the installed version of ``name``, or of a distribution providing the same module; None if none is."""
    for candidate in TENSORFLOW if name in TENSORFLOW else (name,):
        try:
            return importlib.metadata.version(candidate)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def missing_requirements(distribution: str = DISTRIBUTION) -> list[str]:
    """Return ``distribution``'s requirements (no extras, none Colab provides itself) that are absent or outside
    their declared range here, as pip requirement strings.

    Raises:
        importlib.metadata.PackageNotFoundError: ``distribution`` is not installed.
    """
    missing = []
    for text in importlib.metadata.requires(distribution) or []:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue  # an extra's (jax, torch, lecturer) or another platform's
        if requirement.name in RUNTIME_PROVIDES:
            continue
        version = installed_version(requirement.name)
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            missing.append(str(requirement))
    return missing


def install_missing() -> list[str]:
    """Install with pip what :func:`missing_requirements` lists; return that list (empty: nothing was installed).

    Raises:
        subprocess.CalledProcessError: pip failed (its output, printed, says why).
    """
    missing = missing_requirements()
    if missing:
        print("installing:", ", ".join(missing))
        # pip's output only when it fails: its note that the helpers' TensorFlow and Jupyter are "not installed"
        # (Colab's go by other names) would alarm a student for nothing
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", *missing], capture_output=True, text=True
        )
        if done.returncode:
            print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
            done.check_returncode()
    return missing
