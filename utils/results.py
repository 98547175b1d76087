"""The results protocol between a notebook and ``make run``, and the summary it builds.

A notebook calls ``report(...)`` with its key metrics. Under ``make run`` (which sets
``DLS_RESULTS_FILE``), that writes them to a file the runner reads back with ``read_report``.
The runner then stores one ``Row`` per notebook and backend in ``results/summary.json`` and
``results/summary.md``. The row schema is defined here, once:

- ``notebook``: its name, e.g. ``01_mnist``;
- ``backend``: the Keras backend it ran on (``tensorflow``, ``jax``, ``torch``);
- ``mode``: ``full`` or ``fast``;
- ``status``: ``ok`` or ``FAILED``; ``error``: for a failure, what went wrong (plain text);
- ``seconds``: wall time of the whole notebook; ``peak_memory_mb``: its kernel's peak resident memory;
- ``metrics``: ``{name: value}`` as reported; ``key_metric``: the name of the one headline metric;
- ``lecture``: the lecture notes' own values for some metrics (none where the notes give none);
- ``ran_at``: when the run finished (UTC, ISO 8601); ``commit``: the git commit it ran on;
- ``code_sha``: a fingerprint of the notebook's code cells when it ran (``code_fingerprint``), so that
  a row whose notebook's code has changed since (models, training) shows as stale, while a change to
  the prose does not.

``summary.md`` shows, per notebook, the key metric and the time on each backend side by side, then
every row in full; ``summary.png`` is the same as a figure (default backend's key metric per
notebook, the lecture's value beside it, and the time on each backend).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from . import config

RESULTS_FILE_ENV = "DLS_RESULTS_FILE"  # set by `make run` for each notebook it executes
DEFAULT_BACKEND = "tensorflow"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def plain(text: str) -> str:
    """Return ``text`` without terminal colour and cursor codes."""
    return _ANSI.sub("", text)


def backend_in_use() -> str:
    """Return the Keras backend of this process: Keras's own answer once imported, else ``KERAS_BACKEND``."""
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        return keras.backend.backend()
    return os.environ.get("KERAS_BACKEND", "").strip() or DEFAULT_BACKEND


# --------------------------------------------------------------------------- the notebook's side


def report(metrics: Mapping[str, float], lecture: Mapping[str, float] | None = None, *, key_metric: str | None = None):
    """Show this run's key metrics beside the lecture's, and hand them to ``make run``.

    Args:
        metrics: ``{name: value}``, the run's key results.
        lecture: the lecture notes' values for some of those metrics (leave out what the notes
            do not give).
        key_metric: the headline metric for tables and figures (default: the first of ``metrics``).

    Returns:
        A pandas DataFrame with one row per metric (this run, the lecture's value).
    Raises:
        ValueError: a metric is not a finite number, ``key_metric`` or a lecture value names
            no metric, or ``metrics`` is empty.
    """
    import pandas as pd

    if not metrics:
        raise ValueError("report needs at least one metric")
    clean = {}
    for name, value in metrics.items():
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"metric {name!r} is {value}, not a finite number")
        clean[name] = round(value, 4)
    lecture = {name: float(value) for name, value in (lecture or {}).items()}
    unknown = sorted(set(lecture) - set(clean))
    if unknown:
        raise ValueError(f"lecture values for metrics this run does not report: {unknown}")
    key_metric = key_metric or next(iter(clean))
    if key_metric not in clean:
        raise ValueError(f"key_metric {key_metric!r} is not one of the metrics {sorted(clean)}")
    target = os.environ.get(RESULTS_FILE_ENV)
    if target:
        _write_json(
            Path(target),
            {
                "mode": config.MODE,
                "backend": backend_in_use(),
                "metrics": clean,
                "lecture": lecture,
                "key_metric": key_metric,
            },
        )
    table = pd.DataFrame({f"this run ({config.MODE})": clean, "lecture": {k: lecture.get(k) for k in clean}})
    table.index.name = "metric"
    return table


# --------------------------------------------------------------------------- the runner's side


@dataclass
class Row:
    """One notebook's run on one backend: the summary's unit (see the module's docstring)."""

    notebook: str
    backend: str
    mode: str
    status: str
    seconds: float
    peak_memory_mb: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    lecture: dict[str, float] = field(default_factory=dict)
    key_metric: str | None = None
    error: str | None = None
    ran_at: str | None = None
    commit: str | None = None
    code_sha: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None or k in ("peak_memory_mb", "key_metric")}

    @classmethod
    def from_dict(cls, data: Mapping) -> Row:
        """Build a row from its JSON form.

        Raises:
            ValueError: a field is missing or unknown, or has the wrong type.
        """
        names = {f.name for f in fields(cls)}
        required = {"notebook", "backend", "mode", "status", "seconds"}
        if not isinstance(data, Mapping) or not required <= set(data) or not set(data) <= names:
            keys = sorted(data) if isinstance(data, Mapping) else type(data).__name__
            raise ValueError(
                f"a row needs the fields {sorted(required)} and no others than {sorted(names)}; got {keys}"
            )
        if not isinstance(data["metrics"] if "metrics" in data else {}, Mapping):
            raise ValueError(f"row {data.get('notebook')!r}: metrics must be a mapping")
        return cls(**data)


class SummaryError(Exception):
    """``results/summary.json`` cannot be used: damaged, or in a format this code cannot read."""


def read_report(path: Path) -> dict:
    """Return what a notebook's ``report`` wrote to ``path``, or ``{}`` if it wrote nothing usable."""
    try:
        reported = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return reported if isinstance(reported, dict) else {}


def load_summary(path: Path) -> tuple[list[Row], str | None]:
    """Read the rows of a summary file; return ``(rows, note)``, ``note`` saying what was converted.

    A missing file has no rows. Rows written before the schema had ``backend`` and
    ``key_metric`` (only TensorFlow ran then) are converted, and the note says so.

    Raises:
        SummaryError: the file is unreadable, not JSON, or its rows do not fit the schema.
    """
    if not path.exists():
        return [], None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        raw_rows = data["notebooks"]
        if not isinstance(raw_rows, list):
            raise TypeError("'notebooks' is not a list")
        converted = 0
        rows = []
        for raw in raw_rows:
            if isinstance(raw, dict) and "backend" not in raw:
                raw = {**raw, "backend": DEFAULT_BACKEND, "key_metric": next(iter(raw.get("metrics") or {}), None)}
                converted += 1
            rows.append(Row.from_dict(raw))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SummaryError(f"{config.display_path(path)} cannot be read ({type(error).__name__}: {error})") from error
    note = (
        (
            f"{config.display_path(path)} was in the format without backends: its {converted} rows were taken as "
            f"{DEFAULT_BACKEND} rows."
        )
        if converted
        else None
    )
    return rows, note


def code_fingerprint(notebook: Path) -> str:
    """Return a short sha256 of a notebook's code cells: it changes with the code, not with the prose."""
    import hashlib

    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    code = "\n\0".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code")
    return hashlib.sha256(code.encode()).hexdigest()[:12]


def merge(old: list[Row], new: list[Row]) -> list[Row]:
    """Return ``old`` with each row of ``new`` replacing the one of the same notebook and backend, sorted."""
    rows = {(r.notebook, r.backend): r for r in old}
    rows.update({(r.notebook, r.backend): r for r in new})
    return [rows[key] for key in sorted(rows)]


def _format(values: Mapping) -> str:
    return ", ".join(f"{k} {v:.4g}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in values.items()) or "-"


def _stale(row: Row, fingerprints: Mapping[str, str]) -> bool:
    return bool(row.code_sha) and row.notebook in fingerprints and fingerprints[row.notebook] != row.code_sha


def _by_backend(rows: list[Row]) -> tuple[list[str], dict[tuple[str, str], Row]]:
    """The backends of ``rows`` (the default first), and the rows by ``(notebook, backend)``."""
    backends = sorted({r.backend for r in rows}, key=lambda b: (b != DEFAULT_BACKEND, b))
    return backends, {(r.notebook, r.backend): r for r in rows}


def side_by_side(rows: list[Row], fingerprints: Mapping[str, str] | None = None) -> str:
    """Return a Markdown table with one line per notebook: its key metric and time on each backend.

    A result whose notebook's code changed after it ran is marked "(stale)".
    """
    fingerprints = fingerprints or {}
    backends, by_key = _by_backend(rows)
    header = "| notebook | key metric | lecture | " + " | ".join(backends) + " |"
    lines = [header, "|---|---|---|" + "---:|" * len(backends)]
    for notebook in sorted({r.notebook for r in rows}):
        first = next(by_key[(notebook, b)] for b in backends if (notebook, b) in by_key)
        key = first.key_metric or "-"
        lecture = first.lecture.get(key) if first.key_metric else None
        cells = []
        for backend in backends:
            row = by_key.get((notebook, backend))
            if row is None:
                cells.append("-")
                continue
            value = row.metrics.get(key)
            shown = f"{value:.4g}" if isinstance(value, (int, float)) and row.status == "ok" else row.status
            cells.append(f"{shown}, {row.seconds:.0f} s" + (" (stale)" if _stale(row, fingerprints) else ""))
        lines.append(f"| {notebook} | {key} | {lecture if lecture is not None else '-'} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def markdown_table(rows: list[Row]) -> str:
    """Return the rows as a Markdown table: key metric, all metrics, the lecture's, time and memory."""
    lines = [
        "| notebook | backend | mode | status | key metric | metrics | lecture | time (s) | peak memory (MB) |",
        "|---|---|---|---|---|---|---|---:|---:|",
    ]
    for r in rows:
        key = f"{r.key_metric} {r.metrics[r.key_metric]:.4g}" if r.key_metric in r.metrics else "-"
        memory = r.peak_memory_mb if r.peak_memory_mb is not None else "-"
        lines.append(
            f"| {r.notebook} | {r.backend} | {r.mode} | {r.status} | {key} | {_format(r.metrics)} | "
            f"{_format(r.lecture)} | {r.seconds} | {memory} |"
        )
    return "\n".join(lines) + "\n"


def save_summary(rows: list[Row], folder: Path, title: str, fingerprints: Mapping[str, str] | None = None) -> None:
    """Write ``summary.json``, ``summary.md`` and ``summary.png`` into ``folder``, each atomically.

    Args:
        fingerprints: ``{notebook: code_fingerprint}`` of the notebooks now, to mark stale rows.
    Raises:
        OSError: the folder cannot be written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / "summary.json", {"notebooks": [r.to_dict() for r in rows]})
    _write_text(
        folder / "summary.md",
        f"# {title}\n\n## Key metric and time per backend\n\n"
        + side_by_side(rows, fingerprints)
        + "\n## Every row\n\n"
        + markdown_table(rows),
    )
    save_figure(rows, folder / "summary.png")


def save_figure(rows: list[Row], path: Path) -> None:
    """Draw the summary: per notebook, the key metric on the default backend beside the lecture's
    value (where the notes give one), and the time on each backend; save it atomically as PNG."""
    import io

    from matplotlib.figure import Figure  # no pyplot: drawing here never touches a notebook's figures

    notebooks = sorted({r.notebook for r in rows})
    backends, by_key = _by_backend(rows)
    figure = Figure(figsize=(2.1 * max(len(notebooks), 1), 4.6))
    axes = figure.subplots(2, max(len(notebooks), 1), squeeze=False)
    for column, notebook in enumerate(notebooks):
        main = by_key.get((notebook, DEFAULT_BACKEND)) or next(
            by_key[(notebook, b)] for b in backends if (notebook, b) in by_key
        )
        ax = axes[0][column]
        key = main.key_metric
        values = [("this run", main.metrics.get(key))] + (
            [("lecture", main.lecture[key])] if key in main.lecture else []
        )
        values = [(label, value) for label, value in values if isinstance(value, (int, float))]
        ax.bar([label for label, _ in values], [value for _, value in values], color=["C0", "C7"][: len(values)])
        for i, (_, value) in enumerate(values):
            ax.text(i, value, f"{value:.3g}", ha="center", va="bottom", fontsize=8)
        ax.set_title(f"{notebook}\n{key} ({main.backend})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax = axes[1][column]
        seconds = [(b, by_key[(notebook, b)].seconds) for b in backends if (notebook, b) in by_key]
        ax.bar([b for b, _ in seconds], [s / 60 for _, s in seconds], color=[f"C{i + 1}" for i in range(len(seconds))])
        ax.set_title("minutes per backend", fontsize=8)
        ax.tick_params(labelsize=7, axis="x", rotation=30)
    figure.suptitle("Key metric of each notebook (top) and its run time (bottom)", fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    _write_bytes(path, buffer.getvalue())


def _write_text(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a result is an ordinary file
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _write_json(path: Path, data) -> None:
    _write_text(path, json.dumps(data, indent=2) + "\n")
