"""How a notebook reports its key metrics: a table in the notebook, and a file for ``make run``."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Mapping

from . import config

RESULTS_FILE_ENV = "DLS_RESULTS_FILE"  # set by `make run` for each notebook it executes


def report(metrics: Mapping[str, float], lecture: Mapping[str, float] | None = None):
    """Show this run's key metrics beside the lecture's, and hand them to ``make run``.

    When ``DLS_RESULTS_FILE`` is set (``make run`` sets it), the metrics are also written
    there as JSON: ``{"mode": ..., "metrics": {...}, "lecture": {...}}``.

    Returns:
        A pandas DataFrame with one row per metric (this run, the lecture's value).
    Raises:
        ValueError: a metric is not a finite number.
    """
    import math

    import pandas as pd

    lecture = dict(lecture or {})
    clean = {}
    for name, value in metrics.items():
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"metric {name!r} is {value}, not a finite number")
        clean[name] = round(value, 4)
    target = os.environ.get(RESULTS_FILE_ENV)
    if target:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "w") as f:
            json.dump({"mode": config.MODE, "metrics": clean, "lecture": lecture}, f, indent=2)
        os.replace(tmp, path)
    table = pd.DataFrame(
        {f"this run ({config.MODE})": clean, "lecture": {k: lecture.get(k) for k in clean}}
    )
    table.index.name = "metric"
    return table
