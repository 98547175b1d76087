"""A notebook's key results: shown beside the lecture's and, under ``make run`` (which sets ``DLS_RESULTS_FILE``),
written to that file as JSON, which the course tooling reads into ``results/summary.*``."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from . import config

RESULTS_FILE_ENV = "DLS_RESULTS_FILE"
DEFAULT_BACKEND = "tensorflow"


def backend_in_use() -> str:
    """Return the Keras backend of this process: Keras's own answer once imported, else ``KERAS_BACKEND``."""
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        return keras.backend.backend()
    return os.environ.get("KERAS_BACKEND", "").strip() or DEFAULT_BACKEND


def _shown(value: float) -> str:
    """A metric as the table prints it: whole numbers without decimals, others to at most four."""
    return str(int(value)) if value == int(value) else f"{value:.4f}".rstrip("0")


def report(metrics: Mapping[str, float], lecture: Mapping[str, float] | None = None, *, key_metric: str | None = None):
    """Show this run's key metrics beside the lecture's, and hand them to ``make run``.

    Args:
        metrics: ``{name: value}``, the run's key results.
        lecture: the lecture notes' values for some of those metrics (leave out what the notes do not give).
        key_metric: the headline metric for tables and figures (default: the first of ``metrics``).

    Returns:
        A pandas DataFrame with one row per metric: this run's value and the lecture's (``-`` where the notes give none).
    Raises:
        ValueError: ``metrics`` is empty, a metric is not a finite number, or ``key_metric`` or a lecture value
            names no metric.
    """
    import pandas as pd

    if not metrics:
        raise ValueError("report needs at least one metric")
    clean = {name: round(float(value), 4) for name, value in metrics.items()}
    not_finite = {name: value for name, value in clean.items() if not math.isfinite(value)}
    if not_finite:
        raise ValueError(f"metrics {not_finite} are not finite numbers")
    lecture = {name: float(value) for name, value in (lecture or {}).items()}
    unknown = sorted(set(lecture) - set(clean))
    if unknown:
        raise ValueError(f"lecture values for metrics this run does not report: {unknown}")
    key_metric = key_metric or next(iter(clean))
    if key_metric not in clean:
        raise ValueError(f"key_metric {key_metric!r} is not one of the metrics {sorted(clean)}")
    target = os.environ.get(RESULTS_FILE_ENV)
    if target:
        reported = {"mode": config.MODE, "backend": backend_in_use(), "metrics": clean, "lecture": lecture}
        Path(target).write_text(json.dumps({**reported, "key_metric": key_metric}, indent=2) + "\n")
    table = pd.DataFrame(
        {
            f"this run ({config.MODE})": {k: _shown(v) for k, v in clean.items()},
            "lecture": {k: _shown(lecture[k]) if k in lecture else "-" for k in clean},
        }
    )
    table.index.name = "metric"
    return table
