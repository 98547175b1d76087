"""Run mode, seeding, quiet logs and data locations: the settings every notebook shares. ``DLS_FAST`` sets the mode:
unset or ``0`` the full lecture run, ``1`` a fast run on subsets with fewer epochs."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .memory import trim_memory_after_each_cell
from .threads import limit_threads

# TensorFlow reads this once, when its C++ library loads: set it before anything imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Likewise the thread counts of every framework: as many as the CPUs this process may use.
USABLE_CPUS: int = limit_threads()

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Lines TensorFlow writes to stderr while it loads, before its log level applies (a notebook shows them as warnings).
_STARTUP_NOISE = (
    "All log messages before absl::InitializeLog() is called",
    "oneDNN custom operations are on",
    "Unable to register cu",
    "TF-TRT Warning",
    "This TensorFlow binary is optimized",
    "To enable the following instructions",
)


def _fast_mode() -> bool:
    """Whether ``DLS_FAST`` asks for the fast run; ValueError for anything but unset, 0 or 1."""
    value = os.environ.get("DLS_FAST", "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(f"DLS_FAST={value!r} is not understood: use DLS_FAST=1 (fast run) or DLS_FAST=0 (full run).")
    return value == "1"


FAST: bool = _fast_mode()
MODE: str = "fast" if FAST else "full"


def import_tensorflow_quietly():
    """Import TensorFlow without its known start-up lines (anything else it prints passes), and return it."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    sys.stderr.flush()
    saved_fd = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf
        finally:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
        captured.seek(0)
        lines = captured.read().decode(errors="replace").splitlines()
    kept = [line for line in lines if line.strip() and not any(noise in line for noise in _STARTUP_NOISE)]
    if kept:
        print("\n".join(kept), file=sys.stderr)
    return tf


def import_keras():
    """Import TensorFlow quietly (the input pipelines use ``tf.data``), then Keras on ``KERAS_BACKEND``; return Keras."""
    import_tensorflow_quietly()
    import keras

    return keras


def _folder(variable: str) -> Path | None:
    """The folder an environment variable names (``~`` expanded; a relative path counts from the project root), or None when unset."""
    value = os.environ.get(variable, "").strip()
    return (PROJECT_ROOT / Path(value).expanduser()).resolve() if value else None


def mirror_dir() -> Path | None:
    """Return the read-only mirror folder ``DLS_DATA_DIR`` (a relative path counts from the project root), or None."""
    return _folder("DLS_DATA_DIR")


def cache_dir() -> Path:
    """Return the writable download cache: ``DLS_CACHE_DIR`` (a relative path counts from the project root), else the
    project's ``data/``, or, where the helpers were installed without the project (Colab, ``pip install`` from git),
    the user's cache folder (``~/.cache/dls`` on Linux)."""
    if folder := _folder("DLS_CACHE_DIR"):
        return folder
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "data"
    import pooch  # only here: importing utils stays light

    return Path(pooch.os_cache("dls"))


def data_dirs() -> list[Path]:
    """Return the folders searched for data, in order: the mirror (when set), then the cache."""
    mirror = mirror_dir()
    return ([mirror] if mirror else []) + [cache_dir()]


def display_path(path: Path | str) -> str:
    """Return ``path`` as printed: relative to the project root when near it (``data/mnist.npz``,
    ``../shared/data``), so that output does not show the machine's folders; a path further away stays absolute."""
    path = Path(path)
    try:
        relative = Path(os.path.relpath(path, PROJECT_ROOT))
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.parts[:3] == ("..", "..", "..") else relative.as_posix()


def setup(seed: int = 42) -> None:
    """Seed Python, NumPy and Keras, quiet TensorFlow, give freed memory back to the system after each cell, and
    print the mode and backend this run uses (no paths: the output is committed)."""
    keras = import_keras()
    # TensorFlow warns about things a student cannot act on (e.g. retracing when scikit-learn refits); errors show.
    import_tensorflow_quietly().get_logger().setLevel("ERROR")
    keras.utils.set_random_seed(seed)
    trim_memory_after_each_cell()
    fast = "fast run (DLS_FAST=1): subsets, fewer epochs" if FAST else "full run"
    print(f"{fast}; backend {keras.backend.backend()}; seed {seed}")
