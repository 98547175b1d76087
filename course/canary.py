"""``make test-latest``: the course on the newest Keras, TensorFlow, JAX (and PyTorch), before a lecturer upgrades.

    python -m course.canary [--pre] [--backends tensorflow jax]

Builds its own environment in ``build/latest/`` (``build/latest-pre/`` with ``--pre``), never ``.venv``: the
notebooks' dependencies as ``pyproject.toml`` declares them, upper bounds lifted and no lock, so pip takes the newest
release of each. ``--pre`` takes pre-releases too, with ``keras-nightly`` for ``keras`` and ``tf-nightly`` for
``tensorflow-cpu`` (each pair installs the same module). It then runs every notebook under nbval in fast mode on each
backend, to the end (no stop at the first failure), and the students' copies on each, and writes a short report: the versions
it ran, each failed cell with its error in one line, and what changed against ``requirements.lock``. It never writes
the committed notebooks or ``results/``. Exits 1 when something failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from utils.config import PROJECT_ROOT, display_path

from .lessons import BUILD

PYPROJECT = PROJECT_ROOT / "pyproject.toml"
LOCK = PROJECT_ROOT / "requirements.lock"
# What the canary needs of the lecturer's tooling: nbval and what runs it, not the site's or the slides'.
TEST_TOOLS = {"nbval", "pytest", "nbclient", "nbformat"}
NIGHTLIES = {"keras": "keras-nightly", "tensorflow-cpu": "tf-nightly", "tensorflow": "tf-nightly"}
SHOWN = ("keras", "keras-nightly", "tensorflow", "tensorflow-cpu", "tf-nightly", "jax", "jaxlib", "torch", "numpy")


def lifted(requirement: Requirement, pre: bool) -> str | None:
    """Return ``requirement`` for this machine without its upper bounds (with ``pre``, a nightly in place of Keras and
    TensorFlow, without bounds); None when it does not apply here (another platform)."""
    if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
        return None
    if pre and requirement.name in NIGHTLIES:
        return NIGHTLIES[requirement.name]
    lower = [str(spec) for spec in requirement.specifier if spec.operator in (">=", ">", "!=")]
    return requirement.name + ",".join(lower)


def requirements(backends: list[str], pre: bool, pyproject: Path = PYPROJECT) -> list[str]:
    """Return what the canary installs: the notebooks' dependencies, the backends' extras and nbval's tools, as
    :func:`lifted` makes them."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    texts = list(project["dependencies"])
    texts += [text for backend in backends if backend in extras for text in extras[backend]]
    texts += [text for text in extras["lecturer"] if Requirement(text).name in TEST_TOOLS]
    made = (lifted(Requirement(text), pre) for text in texts)
    return list(dict.fromkeys(text for text in made if text))


@dataclass
class Failure:
    """A notebook cell (or the students' copies) that failed, and its error in one line."""

    where: str
    error: str


def failures_in(junit: Path) -> list[Failure]:
    """Return the failed or erroring tests of pytest's JUnit XML report ``junit``; one for the file if it is missing."""
    if not junit.is_file():
        return [Failure(junit.stem, "pytest wrote no report (it did not start: see its output above)")]
    found = []
    for case in ElementTree.parse(junit).iter("testcase"):
        for problem in [*case.iter("failure"), *case.iter("error")]:
            text = "\n".join(filter(None, [problem.get("message"), problem.text]))  # the traceback last
            lines = [line.strip() for line in re.sub(r"(\x1b|#x1B)\[[0-9;]*m", "", text).splitlines() if line.strip()]
            error = next((line for line in reversed(lines) if re.match(r"\w*(Error|Exception)\b", line)), None)
            found.append(Failure(f"{case.get('classname', '')}::{case.get('name', '')}", (error or lines[-1])[:200]))
    return found


def installed_versions(python: Path) -> dict[str, str]:
    """Return ``{canonical name: version}`` of the environment of ``python``."""
    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format", "json"], capture_output=True, text=True, check=True
    )
    return {canonicalize_name(item["name"]): item["version"] for item in json.loads(listed.stdout)}


def locked_versions(lock: Path = LOCK) -> dict[str, str]:
    """Return ``{canonical name: version}`` of ``requirements.lock``."""
    pins = (line.split("==") for line in lock.read_text().splitlines() if "==" in line and not line.startswith("#"))
    return {canonicalize_name(name): version.strip() for name, version in pins}


def version_changes(now: dict[str, str], locked: dict[str, str]) -> list[tuple[str, str, str]]:
    """Return ``(name, locked version or "-", canary's version)`` for every package whose version differs, the
    frameworks first."""
    changed = [(name, locked.get(name, "-"), version) for name, version in now.items() if locked.get(name) != version]
    return sorted(changed, key=lambda row: (row[0] not in SHOWN, row[0]))


def heading(pre: bool) -> str:
    """Return the first words of the canary's report: which run it is."""
    return f"# make test-latest{' PRE=1' if pre else ''}"


def report(
    pre: bool, versions: dict[str, str], failures: dict[str, list[Failure]], changes: list, minutes: float
) -> str:
    """Return the canary's report as Markdown."""
    ran = ", ".join(f"{name} {versions[name]}" for name in SHOWN if name in versions)
    lines = [f"{heading(pre)}: {ran} ({minutes:.0f} min)", ""]
    for part, found in failures.items():
        lines.append(f"- {part}: " + (f"{len(found)} failed" if found else "ok"))
        lines += [f"  - {failure.where}: {failure.error}" for failure in found]
    lines += ["", f"## Versions against requirements.lock ({len(changes)} differ)", "", "| package | lock | now |"]
    lines += ["|---|---|---|"] + [f"| {name} | {old} | {new} |" for name, old, new in changes]
    return "\n".join(lines) + "\n"


def build_environment(folder: Path, backends: list[str], pre: bool, env: dict[str, str]) -> Path:
    """Create a fresh virtual environment in ``folder`` with :func:`requirements` and the helpers (editable); return
    its Python. ``env``: the environment pip runs in.

    Raises:
        subprocess.CalledProcessError: pip could not install them (its output says why).
    """
    subprocess.run([sys.executable, "-m", "venv", "--clear", folder / "venv"], check=True)
    python = folder / "venv" / "bin" / "python"
    pip = [python, "-m", "pip", "install", "--quiet", "--upgrade", *(["--pre"] if pre else [])]
    subprocess.run([*pip, "pip"], check=True, env=env)
    subprocess.run([*pip, *requirements(backends, pre)], check=True, env=env)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", PROJECT_ROOT], check=True, env=env)
    return python


def run_backend(python: Path, backend: str, folder: Path, env: dict[str, str]) -> dict[str, list[Failure]]:
    """Run every notebook under nbval in fast mode on ``backend``, then the students' copies; return their failures
    as ``{part: [Failure, ...]}``."""
    env = env | {"DLS_FAST": "1", "MPLBACKEND": "Agg", "KERAS_BACKEND": backend}
    junit = folder / f"nbval-{backend}.xml"
    junit.unlink(missing_ok=True)
    print(f"nbval on {backend} ...", flush=True)
    nbval = [python, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval-lax", "--nbval-current-env"]
    nbval += ["--nbval-sanitize-with", "tests/nbval-sanitize.cfg", "--nbval-cell-timeout=900", f"--junitxml={junit}"]
    subprocess.run([*nbval, "notebooks/"], cwd=PROJECT_ROOT, env=env)
    print(f"the students' copies on {backend} ...", flush=True)
    copies = subprocess.run(
        [python, "-m", "course.student_copies", "--verify", "--into", folder / "exercises"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    print(copies.stdout, copies.stderr, sep="", flush=True)
    problems = [Failure("copies", line[:200]) for line in copies.stderr.splitlines() if line.strip()]
    return {
        f"nbval on {backend}": failures_in(junit),
        f"students' copies on {backend}": problems[-5:] if copies.returncode else [],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.canary", description=__doc__.splitlines()[0])
    parser.add_argument("--pre", action="store_true", help="pre-releases and nightlies")
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax"], choices=["tensorflow", "jax", "torch"])
    args = parser.parse_args(argv)
    start = time.time()
    folder = BUILD / ("latest-pre" if args.pre else "latest")
    folder.mkdir(parents=True, exist_ok=True)
    # No lock, no constraint and not the project's environment: the newest versions are the point.
    env = {key: value for key, value in os.environ.items() if key not in ("PIP_CONSTRAINT", "VIRTUAL_ENV")}
    try:
        python = build_environment(folder, args.backends, args.pre, env)
    except subprocess.CalledProcessError as error:  # pip's own output above says what it could not install
        command = " ".join(map(str, error.cmd))
        text = f"{heading(args.pre)}: pip could not install the newest versions\n\n"
        text += f"`{command}` failed (exit {error.returncode}): pip's error is in the log above.\n"
        failed = True
    else:
        failures = {}
        for backend in args.backends:
            failures |= run_backend(python, backend, folder, env)
        versions = installed_versions(python)
        changes = version_changes(versions, locked_versions())
        text = report(args.pre, versions, failures, changes, (time.time() - start) / 60)
        failed = any(failures.values())
    (folder / "report.md").write_text(text, encoding="utf-8")
    print(f"\n{text}\n(written to {display_path(folder / 'report.md')})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
