"""``make run``: execute notebooks top to bottom and tabulate what each reached.

    python -m utils.runner                 # every notebook in notebooks/
    python -m utils.runner 01_mnist ...    # only these (their rows replace the old ones)

The Keras backend is ``KERAS_BACKEND`` (``make run BACKEND=jax``), TensorFlow by default. Full
mode on the default backend executes the notebooks in place; on another backend the executed
copies go to ``build/<backend>/``, never over the committed ones. Either way the rows go to
``results/summary.{md,json,png}``, replacing those of the same notebooks on the same backend. Fast
mode (``DLS_FAST=1``) leaves the committed notebooks alone: executed copies go to
``build/fast/<backend>/`` and the summary to ``build/fast/``. While a notebook runs, a progress
line shows which cell of how many runs, and the time so far.

Each notebook runs in a child process of its own (``--execute-one``), so that the peak
memory measured for it is that of its kernel alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from . import config
from .results import (
    DEFAULT_BACKEND,
    Row,
    SummaryError,
    backend_in_use,
    code_fingerprint,
    load_summary,
    markdown_table,
    merge,
    plain,
    read_report,
    save_summary,
)

NOTEBOOKS_DIR = config.PROJECT_ROOT / "notebooks"
CELL_TIMEOUT_S = 3600


def output_dir() -> Path:
    """Return where the summary goes: ``results/`` in full mode, ``build/fast/`` in fast mode."""
    return config.PROJECT_ROOT / ("build/fast" if config.FAST else "results")


def executed_path(notebook: Path, backend: str) -> Path:
    """Return where the executed notebook is saved: in place only in full mode on the default backend."""
    if not config.FAST and backend == DEFAULT_BACKEND:
        return notebook
    return config.PROJECT_ROOT / "build" / ("fast/" + backend if config.FAST else backend) / notebook.name


def find_notebooks(names: list[str]) -> list[Path]:
    """Return the notebooks to run: all in ``notebooks/``, or those named (with or without .ipynb).

    Raises:
        SystemExit: a named notebook does not exist.
    """
    if not names:
        return sorted(NOTEBOOKS_DIR.glob("[0-9]*.ipynb"))
    paths = []
    for name in names:
        path = NOTEBOOKS_DIR / (Path(name).stem + ".ipynb")
        if not path.is_file():
            known = ", ".join(p.stem for p in sorted(NOTEBOOKS_DIR.glob("*.ipynb")))
            raise SystemExit(f"No notebook {name!r} in {config.display_path(NOTEBOOKS_DIR)}; known: {known}")
        paths.append(path)
    return paths


def _save_notebook(nb, destination: Path) -> None:
    import nbformat

    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a notebook is an ordinary file
        os.replace(tmp, destination)
    finally:
        Path(tmp).unlink(missing_ok=True)


def execute_one(notebook: Path, destination: Path, outcome: Path) -> int:
    """Execute ``notebook`` in a fresh kernel, save it to ``destination`` (also when a cell fails).

    Shows a progress line on stderr, and writes ``{"error": ..., "peak_memory_mb": ..., "cell_seconds": ...}``
    to ``outcome``: the failure as plain text (or None), the kernel's peak resident memory, and how
    long each code cell took (``{cell index: seconds}``).

    Returns:
        0 when every cell ran, else 1.
    """
    import nbformat
    from nbclient import NotebookClient
    from tqdm import tqdm

    from .measure import peak_memory_mb

    nb = nbformat.read(notebook, as_version=4)
    code_cells = sum(1 for cell in nb.cells if cell.cell_type == "code" and cell.source.strip())
    progress = tqdm(
        total=code_cells,
        desc=f"  {notebook.stem}",
        file=sys.stderr,
        mininterval=1.0,
        bar_format="{desc}: cell {n}/{total}, {elapsed} elapsed",
    )
    started, cell_seconds = {}, {}

    def cell_done(cell_index, **_):
        cell_seconds[cell_index] = round(time.perf_counter() - started.pop(cell_index), 2)
        progress.update(1)

    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
        on_cell_start=lambda cell_index, **_: started.__setitem__(cell_index, time.perf_counter()),
        on_cell_executed=cell_done,
    )
    error = None
    # The kernel's own log (e.g. a warning about its transport) would interleave with the progress
    # line: it goes to a file, shown only when the notebook fails.
    kernel_log = tempfile.TemporaryFile(mode="w+")
    try:
        client.execute(stderr=kernel_log)
    except Exception as failure:  # noqa: BLE001 - a cell's error, a dead kernel, a timeout: all end this notebook
        ename, evalue = getattr(failure, "ename", None), getattr(failure, "evalue", None)
        error = plain(f"{ename}: {evalue}" if ename else f"{type(failure).__name__}: {failure}")
        kernel_log.seek(0)
        print(f"\n{failure}\n{kernel_log.read()[-4000:]}", file=sys.stderr)
    finally:
        kernel_log.close()
        progress.close()
        _save_notebook(nb, destination)
        # The kernel is this process's child, and it has exited: its peak memory is recorded here.
        peak = peak_memory_mb(children=True)
        outcome.write_text(
            json.dumps(
                {"error": error, "peak_memory_mb": None if peak is None else round(peak), "cell_seconds": cell_seconds}
            )
        )
    return 1 if error else 0


def _commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def timings_path(notebook: Path) -> Path:
    """Return where ``make run`` keeps how long each cell of ``notebook`` took (for finding where time goes)."""
    return config.PROJECT_ROOT / "build" / "cell-seconds" / f"{config.MODE}-{backend_in_use()}-{notebook.stem}.json"


def run(notebook: Path, destination: Path | None = None, timings: Path | None = None) -> Row:
    """Execute one notebook in a child process; return its row of the summary.

    Args:
        notebook: the notebook to run.
        destination: where the executed notebook is saved (default: ``executed_path``).
        timings: where to write each cell's seconds as JSON (default: not written).
    """
    if destination is None:
        destination = executed_path(notebook, backend_in_use())
    with tempfile.TemporaryDirectory() as scratch:
        metrics_file, outcome_file = Path(scratch) / "metrics.json", Path(scratch) / "outcome.json"
        env = dict(os.environ, DLS_RESULTS_FILE=str(metrics_file))
        start = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-m", "utils.runner", "--execute-one", str(notebook), str(destination), str(outcome_file)],
            env=env,
            cwd=config.PROJECT_ROOT,
        )
        seconds = time.perf_counter() - start
        reported, outcome = read_report(metrics_file), read_report(outcome_file)
    if timings is not None:
        timings.parent.mkdir(parents=True, exist_ok=True)
        timings.write_text(json.dumps(outcome.get("cell_seconds", {}), indent=1))
    error = outcome.get("error")
    if child.returncode != 0 and not error:
        error = f"the process running the notebook ended with exit code {child.returncode} (killed, or out of memory?)"
    return Row(
        notebook=notebook.stem,
        backend=reported.get("backend") or backend_in_use(),
        mode=config.MODE,
        status="FAILED" if error else "ok",
        seconds=round(seconds, 1),
        peak_memory_mb=outcome.get("peak_memory_mb"),
        metrics=reported.get("metrics", {}),
        lecture=reported.get("lecture", {}),
        key_metric=reported.get("key_metric"),
        error=error,
        ran_at=datetime.now(UTC).isoformat(timespec="seconds"),
        commit=_commit(),
        code_sha=code_fingerprint(notebook),
    )


def record(rows: list[Row], folder: Path) -> tuple[list[Row] | None, list[str]]:
    """Merge ``rows`` into the summary in ``folder`` and save it.

    Returns:
        ``(all rows, notes)``; all rows is None when the summary could not be read or written,
        and the notes then say why and what to do.
    """
    summary = folder / "summary.json"
    try:
        old, note = load_summary(summary)
    except SummaryError as error:
        return None, [
            f"{error}. This run's rows were not merged into it. Fix: repair it "
            f"(`git checkout {config.display_path(summary)}`) or delete it, then run the notebooks again."
        ]
    merged = merge(old, rows)
    fingerprints = {p.stem: code_fingerprint(p) for p in find_notebooks([])}
    try:
        save_summary(merged, folder, f"Results ({config.MODE} mode)", fingerprints)
    except OSError as error:
        return None, [
            f"The summary could not be written to {config.display_path(folder)} ({error.strerror or error}). "
            "Fix: make that folder writable, then run the notebooks again."
        ]
    return merged, [note] if note else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="notebook names, e.g. 01_mnist (default: all)")
    parser.add_argument(
        "--execute-one", nargs=3, metavar=("NOTEBOOK", "DESTINATION", "OUTCOME"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.execute_one:
        return execute_one(*(Path(p) for p in args.execute_one))

    rows = []
    for notebook in find_notebooks(args.notebooks):
        print(f"Running {notebook.name} ({config.MODE} mode, {backend_in_use()}) ...", flush=True)
        row = run(notebook, timings=timings_path(notebook))
        memory = f"{row.peak_memory_mb} MB" if row.peak_memory_mb is not None else "not measured"
        print(
            f"  {row.status} in {row.seconds} s, peak memory {memory}" + (f": {row.error}" if row.error else ""),
            flush=True,
        )
        rows.append(row)
    folder = output_dir()
    merged, notes = record(rows, folder)
    for note in notes:
        print(note, file=sys.stderr if merged is None else sys.stdout)
    print()
    if merged is None:
        print("This run:")
        print(markdown_table(rows))
        return 1
    print(markdown_table(merged))
    print(f"Written to {config.display_path(folder / 'summary.md')}, summary.json and summary.png")
    return 0 if all(r.status == "ok" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
