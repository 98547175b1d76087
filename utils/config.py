"""Run mode, seeding, quiet logs and data locations: the settings every notebook shares.

The mode comes from the environment variable ``DLS_FAST``: unset or ``0`` is the
full lecture run, ``1`` a fast run on subsets with fewer epochs (for CI and quick checks).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# TensorFlow reads this once, when its C++ library loads: set it before anything imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = 42

# Lines TensorFlow writes straight to the process's stderr while it loads, before its own
# log level applies. In a notebook they would land in the first cell's output as warnings.
_STARTUP_NOISE = (
    "All log messages before absl::InitializeLog() is called",
    "oneDNN custom operations are on",
    "Unable to register cu",
    "TF-TRT Warning",
    "This TensorFlow binary is optimized",
    "To enable the following instructions",
)


def _fast_mode() -> bool:
    """Whether ``DLS_FAST`` asks for the fast run: ``1`` fast, ``0`` or unset the full run."""
    value = os.environ.get("DLS_FAST", "").strip()
    if value not in ("", "0", "1"):
        raise ValueError(f"DLS_FAST={value!r} is not understood: use DLS_FAST=1 (fast run) or DLS_FAST=0 (full run).")
    return value == "1"


FAST: bool = _fast_mode()
MODE: str = "fast" if FAST else "full"


def import_tensorflow_quietly():
    """Import TensorFlow with its load-time banner removed, and return the module.

    Only the known start-up lines are dropped; anything else TensorFlow prints while
    loading is passed on to stderr unchanged.
    """
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
    """Import Keras, on the backend ``KERAS_BACKEND`` names (TensorFlow by default), and return it.

    TensorFlow is imported first, quietly, on every backend: the notebooks' input pipelines use
    ``tf.data``, which Keras accepts on all three backends.
    """
    import_tensorflow_quietly()
    import keras

    return keras


def _project_path(value: str) -> Path:
    """An absolute path for a setting: ``~`` expanded, a relative path counted from the project root."""
    path = Path(value).expanduser()
    return (path if path.is_absolute() else PROJECT_ROOT / path).resolve()


def mirror_dir() -> Path | None:
    """Return the read-only mirror folder (``DLS_DATA_DIR``), or None when it is not set.

    A relative ``DLS_DATA_DIR`` counts from the project root, so notebooks (run in
    ``notebooks/``) and ``make`` (run in the project root) see the same folder.
    """
    value = os.environ.get("DLS_DATA_DIR", "").strip()
    return _project_path(value) if value else None


def cache_dir() -> Path:
    """Return the writable download cache: ``data/`` in the project, or ``DLS_CACHE_DIR`` when set.

    A relative ``DLS_CACHE_DIR`` counts from the project root, like ``DLS_DATA_DIR``.
    """
    value = os.environ.get("DLS_CACHE_DIR", "").strip()
    return _project_path(value) if value else PROJECT_ROOT / "data"


def data_dirs() -> list[Path]:
    """Return the folders searched for data, in order: the mirror (when set), then the cache."""
    mirror = mirror_dir()
    return ([mirror] if mirror else []) + [cache_dir()]


def display_path(path: Path | str) -> str:
    """Return ``path`` as printed to a reader: relative to the project root when it is near it.

    Printed paths must not expose the folders of the machine that ran a notebook: inside the
    project a path shows as ``data/mnist.npz``, beside it as ``../shared/data``; a path further
    away stays absolute.
    """
    path = Path(path)
    try:
        relative = Path(os.path.relpath(path, PROJECT_ROOT))
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.parts[:3] == ("..", "..", "..") else relative.as_posix()


def setup(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy and Keras, quiet TensorFlow, and print the mode and backend this run uses."""
    tf = import_tensorflow_quietly()
    keras = import_keras()

    # TensorFlow's Python logger warns about things a student cannot act on (e.g. retracing
    # when scikit-learn refits a model many times); errors still show.
    tf.get_logger().setLevel("ERROR")

    keras.utils.set_random_seed(seed)
    mirror = mirror_dir()
    where = f"mirror {display_path(mirror)}" if mirror else "no mirror (DLS_DATA_DIR unset)"
    print(
        f"Mode: {MODE} ({'DLS_FAST=1: subsets, fewer epochs' if FAST else 'the full lecture run'}); "
        f"backend: {keras.backend.backend()}; seed {seed}; data: {where}, cache {display_path(cache_dir())}"
    )
