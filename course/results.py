"""The summary of ``make run``: one :class:`Row` per notebook and backend, in ``results/summary.{json,md,png}``.

A notebook hands its metrics to the run with ``utils.report``; ``course.run`` adds how the run went.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from utils.config import display_path
from utils.report import DEFAULT_BACKEND

from .lessons import COLAB_SETUP


@dataclass
class Row:
    """One notebook's run on one backend: the summary's unit."""

    notebook: str  # e.g. 01_mnist
    backend: str  # the Keras backend: tensorflow, jax or torch
    mode: str  # full or fast
    status: str  # ok or FAILED
    seconds: float  # wall time of the whole notebook
    peak_memory_mb: int | None = None  # inside limits, its cgroup's peak; else its kernel's peak resident memory
    metrics: dict[str, float] = field(default_factory=dict)  # as the notebook reported them
    lecture: dict[str, float] = field(default_factory=dict)  # the lecture notes' values, where they give some
    key_metric: str | None = None  # the name of the one headline metric
    error: str | None = None  # for a failure, what went wrong (plain text)
    ran_at: str | None = None  # when the run finished (UTC, ISO 8601)
    commit: str | None = None  # the git commit it ran on
    code_sha: str | None = None  # code_fingerprint() when it ran: a row whose code changed since shows as stale
    limits: str | None = None  # the container limits it ran inside, e.g. "2 GB, 1 CPU"; None: none
    resident_mb: int | None = None  # inside limits, its cgroup's peak of memory that cannot be dropped (anonymous)

    def to_dict(self) -> dict:
        """Return the row's JSON form: the fields that are set (``peak_memory_mb`` and ``key_metric`` always)."""
        return {k: v for k, v in asdict(self).items() if v is not None or k in ("peak_memory_mb", "key_metric")}


class SummaryError(Exception):
    """``summary.json`` cannot be used: unreadable, not JSON, or rows that do not fit the schema."""


def load_summary(path: Path) -> list[Row]:
    """Return the rows of summary file ``path``; none when it does not exist.

    Raises:
        SummaryError: the file is unreadable, not JSON, or its rows do not fit the schema.
    """
    if not path.exists():
        return []
    try:
        return [Row(**raw) for raw in json.loads(path.read_text(encoding="utf-8"))["notebooks"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SummaryError(f"{display_path(path)} cannot be read ({type(error).__name__}: {error})") from error


def code_fingerprint(notebook: Path) -> str:
    """Return a short sha256 of a notebook's code cells: it changes with the code, not with the prose, nor with the
    Colab cell (which only Colab runs, and ``make publish`` rewrites)."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    lesson = [
        c for c in cells if c.get("cell_type") == "code" and COLAB_SETUP not in c.get("metadata", {}).get("tags", [])
    ]
    code = "\n\0".join("".join(c.get("source", "")) for c in lesson)
    return hashlib.sha256(code.encode()).hexdigest()[:12]


def _format_values(values: Mapping) -> str:
    return ", ".join(f"{k} {v:.4g}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in values.items()) or "-"


def _by_notebook(rows: list[Row]) -> tuple[list[str], dict[str, dict[str, Row]]]:
    """The backends of ``rows`` (the default first), and ``{notebook: {backend: row}}``, both in that order."""
    backends = sorted({r.backend for r in rows}, key=lambda b: (b != DEFAULT_BACKEND, b))
    table = {}
    for r in sorted(rows, key=lambda r: (r.notebook, backends.index(r.backend))):
        table.setdefault(r.notebook, {})[r.backend] = r
    return backends, table


def side_by_side(rows: list[Row], fingerprints: Mapping[str, str]) -> str:
    """Return a Markdown table, one line per notebook: its key metric and time on each backend.

    A result whose code changed after it ran (``fingerprints``: ``{notebook: code_fingerprint}`` now) is "(stale)".
    """
    backends, table = _by_notebook(rows)
    lines = [
        "| notebook | key metric | lecture | " + " | ".join(backends) + " |",
        "|---|---|---|" + "---:|" * len(backends),
    ]
    for notebook, runs in table.items():
        first = next(iter(runs.values()))
        key = first.key_metric or "-"
        cells = []
        for row in (runs.get(backend) for backend in backends):
            if row is None:
                cells.append("-")
                continue
            value = row.metrics.get(key)
            shown = f"{value:.4g}" if isinstance(value, (int, float)) and row.status == "ok" else row.status
            stale = row.code_sha and fingerprints.get(notebook, row.code_sha) != row.code_sha
            cells.append(f"{shown}, {row.seconds:.0f} s" + (" (stale)" if stale else ""))
        lines.append(f"| {notebook} | {key} | {first.lecture.get(key, '-')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def markdown_table(rows: list[Row]) -> str:
    """Return the rows as a Markdown table: key metric, all metrics, the lecture's, time and memory."""
    lines = [
        "| notebook | backend | mode | status | key metric | metrics | lecture | time (s) | peak memory (MB) "
        "| resident (MB) | limits |",
        "|---|---|---|---|---|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        key = f"{r.key_metric} {r.metrics[r.key_metric]:.4g}" if r.key_metric in r.metrics else "-"
        memory = r.peak_memory_mb if r.peak_memory_mb is not None else "-"
        lines.append(
            f"| {r.notebook} | {r.backend} | {r.mode} | {r.status} | {key} | {_format_values(r.metrics)} | "
            f"{_format_values(r.lecture)} | {r.seconds} | {memory} | {r.resident_mb or '-'} | {r.limits or '-'} |"
        )
    return "\n".join(lines) + "\n"


def save_summary(rows: list[Row], folder: Path, title: str, fingerprints: Mapping[str, str]) -> None:
    """Write ``summary.json``, ``summary.md`` and ``summary.png`` into ``folder``, each atomically.

    Raises:
        OSError: the folder cannot be written.
    """
    write_atomically(folder / "summary.json", json.dumps({"notebooks": [r.to_dict() for r in rows]}, indent=2) + "\n")
    write_atomically(
        folder / "summary.md",
        f"# {title}\n\n## Key metric and time per backend\n\n{side_by_side(rows, fingerprints)}"
        f"\n## Every row\n\n{markdown_table(rows)}",
    )
    write_atomically(folder / "summary.png", summary_figure(rows))


def summary_figure(rows: list[Row]) -> bytes:
    """Return the summary as a PNG: per notebook, the key metric beside the lecture's, and the time per backend."""
    from matplotlib.figure import Figure  # no pyplot: drawing here never touches a notebook's figures

    _, table = _by_notebook(rows)
    figure = Figure(figsize=(2.1 * max(len(table), 1), 4.6))
    axes = figure.subplots(2, max(len(table), 1), squeeze=False)
    for column, (notebook, runs) in enumerate(table.items()):
        main = next(iter(runs.values()))  # on the default backend where it ran there
        ax, key = axes[0][column], main.key_metric
        bars = {"this run": main.metrics.get(key), "lecture": main.lecture.get(key)}
        bars = {label: value for label, value in bars.items() if isinstance(value, (int, float))}
        drawn = ax.bar(list(bars), list(bars.values()), color=["C0", "C7"][: len(bars)])
        ax.bar_label(drawn, fmt="%.3g", fontsize=8)
        ax.set_title(f"{notebook}\n{key} ({main.backend})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax = axes[1][column]
        ax.bar(list(runs), [r.seconds / 60 for r in runs.values()], color=[f"C{i + 1}" for i in range(len(runs))])
        ax.set_title("minutes per backend", fontsize=8)
        ax.tick_params(labelsize=7, axis="x", rotation=30)
    figure.suptitle("Key metric of each notebook (top) and its run time (bottom)", fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file beside it, readable by all (0644).

    Raises:
        OSError: the folder cannot be made or written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a result is an ordinary file
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
