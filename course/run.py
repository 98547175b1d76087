"""``make run``: execute notebooks top to bottom (nbclient) and tabulate what each reached.

    python -m course.run [NOTEBOOK ...]   # e.g. 01_mnist; default: every notebook; KERAS_BACKEND picks the backend
    python -m course.run --memory 2G [--cpus 1] [NOTEBOOK ...]   # each inside a student's container limits

Full mode on the default backend executes the notebooks in place, another backend into ``build/<backend>/``;
either way the rows replace those of the same notebooks and backend in ``results/summary.*``. Fast mode
(``DLS_FAST=1``) writes to ``build/fast/`` only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.filters import strip_ansi
from tqdm import tqdm

from utils import config
from utils.measure import peak_memory_mb
from utils.report import DEFAULT_BACKEND, RESULTS_FILE_ENV, backend_in_use

from . import limits, results
from .lessons import NOTEBOOKS_DIR, lesson_notebooks
from .results import Row, code_fingerprint, markdown_table


def output_dir() -> Path:
    """Return where the summary goes: ``results/`` in full mode, ``build/fast/`` in fast mode."""
    return config.PROJECT_ROOT / ("build/fast" if config.FAST else "results")


def executed_path(notebook: Path, backend: str) -> Path:
    """Return where the executed notebook is saved: in place only in full mode on the default backend."""
    if not config.FAST and backend == DEFAULT_BACKEND:
        return notebook
    return config.PROJECT_ROOT / "build" / ("fast/" + backend if config.FAST else backend) / notebook.name


def execute_one(notebook: Path, destination: Path, outcome: Path) -> int:
    """Execute ``notebook`` in a fresh kernel, showing progress on stderr, and save it to ``destination`` (also on failure).

    Writes ``{"error": plain text or None, "peak_memory_mb": the kernel's peak}`` to ``outcome``; returns 0 or 1 on failure.
    """
    nb = nbformat.read(notebook, as_version=4)
    cells = sum(1 for cell in nb.cells if cell.cell_type == "code" and cell.source.strip())
    bar = f"  {notebook.stem}: cell {{n}}/{{total}}, {{elapsed}} elapsed"
    progress = tqdm(total=cells, file=sys.stderr, mininterval=1.0, bar_format=bar)
    client = NotebookClient(
        nb,
        timeout=3600,  # seconds a cell may take
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
        on_cell_executed=lambda **_: progress.update(1),
    )
    error = None
    # The kernel's own log would break the progress line: it goes to a file, shown only when the notebook fails.
    kernel_log = tempfile.TemporaryFile(mode="w+")
    try:
        client.execute(stderr=kernel_log)
    except Exception as failure:  # noqa: BLE001 - a cell's error, a dead kernel, a timeout: all end this notebook
        ename, evalue = getattr(failure, "ename", None), getattr(failure, "evalue", None)
        error = strip_ansi(f"{ename}: {evalue}" if ename else f"{type(failure).__name__}: {failure}")
        kernel_log.seek(0)
        print(f"\n{failure}\n{kernel_log.read()[-4000:]}", file=sys.stderr)
    finally:
        kernel_log.close()
        progress.close()
        # Keras prints model.summary() through rich, whose plain-text copy keeps terminal colour codes.
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                if "text" in output:
                    output["text"] = strip_ansi(output["text"])
                if "text/plain" in output.get("data", {}):
                    output["data"]["text/plain"] = strip_ansi(output["data"]["text/plain"])
        results.write_atomically(destination, nbformat.writes(nb))
        # The kernel is this process's child, and it has exited: its peak memory is recorded here.
        peak = peak_memory_mb(children=True)
        outcome.write_text(json.dumps({"error": error, "peak_memory_mb": None if peak is None else round(peak)}))
    return 1 if error else 0


def _read_json(path: Path) -> dict:
    """What a child wrote to ``path`` (the notebook's report, or the outcome), or ``{}`` if nothing usable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _commit() -> str | None:
    git = ["git", "rev-parse", "--short", "HEAD"]
    try:
        done = subprocess.run(git, cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def run_notebook(
    notebook: Path, destination: Path | None = None, memory: int | None = None, cpus: float | None = None
) -> Row:
    """Execute one notebook in a child process, save it to ``destination`` (:func:`executed_path`); return its row.

    With ``memory`` (bytes), the child runs in a cgroup of that size and, with ``cpus``, of that CPU quota
    (:mod:`course.limits`), which also measures its peak memory, and the peak of what the kernel cannot drop of it.
    Raises LimitsError where no cgroup can be made."""
    destination = executed_path(notebook, backend_in_use()) if destination is None else destination
    code_sha = code_fingerprint(notebook)  # of the code that runs, even if the file is edited meanwhile
    contained = limits.limited(notebook.stem, memory, cpus) if memory else contextlib.nullcontext()
    with contextlib.ExitStack() as stack:
        scratch, group = stack.enter_context(tempfile.TemporaryDirectory()), stack.enter_context(contained)
        resident = stack.enter_context(group.resident_peak()) if group else None
        metrics_file, outcome_file = Path(scratch) / "metrics.json", Path(scratch) / "outcome.json"
        start = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-m", "course.run", "--execute-one", str(notebook), str(destination), str(outcome_file)],
            env=dict(os.environ, **{RESULTS_FILE_ENV: str(metrics_file)}),
            cwd=config.PROJECT_ROOT,
            preexec_fn=group.enter if group else None,  # the child joins the cgroup before it starts
        )
        seconds = time.perf_counter() - start
        reported, outcome = _read_json(metrics_file), _read_json(outcome_file)
        peak = round(group.peak_memory_mb()) if group else outcome.get("peak_memory_mb")
        resident_peak = round(resident[0]) if group else None
        killed = group.out_of_memory_kills() if group else 0
    error = outcome.get("error")
    if killed:
        error = (
            f"out of memory: the {limits.describe_limits(memory, None)} limit was reached ({error or 'process killed'})"
        )
    elif child.returncode != 0 and not error:
        error = f"the process running the notebook ended with exit code {child.returncode} (killed, or out of memory?)"
    return Row(
        notebook=notebook.stem,
        backend=reported.get("backend") or backend_in_use(),
        mode=config.MODE,
        status="FAILED" if error else "ok",
        seconds=round(seconds, 1),
        peak_memory_mb=peak,
        resident_mb=resident_peak,
        metrics=reported.get("metrics", {}),
        lecture=reported.get("lecture", {}),
        key_metric=reported.get("key_metric"),
        error=error,
        ran_at=datetime.now(UTC).isoformat(timespec="seconds"),
        commit=_commit(),
        code_sha=code_sha,
        limits=limits.describe_limits(memory, cpus) if memory else None,
    )


def record(rows: list[Row], folder: Path) -> list[Row] | None:
    """Merge ``rows`` into the summary in ``folder`` and save it; return all its rows.

    Returns None, the old summary left as it was, when it cannot be read or written (stderr says why and the fix).
    """
    summary = folder / "summary.json"
    try:
        # This run's rows replace those of the same notebook and backend.
        by_key = {(row.notebook, row.backend): row for row in [*results.load_summary(summary), *rows]}
        merged = [by_key[key] for key in sorted(by_key)]
        fingerprints = {p.stem: code_fingerprint(p) for p in lesson_notebooks()}
        results.save_summary(merged, folder, f"Results ({config.MODE} mode)", fingerprints)
        return merged
    except results.SummaryError as error:
        fix = f"repair it (`git checkout {config.display_path(summary)}`) or delete it, then run the notebooks again"
        print(f"{error}. This run's rows were not merged into it. Fix: {fix}.", file=sys.stderr)
    except OSError as error:
        where = f"{config.display_path(folder)} ({error.strerror or error})"
        fix = "make that folder writable, then run again"
        print(f"The summary could not be written to {where}. Fix: {fix}.", file=sys.stderr)
    return None


def main(argv: list[str] | None = None) -> int:
    """``make run``: run the notebooks named in ``argv`` (default: all), record and print the summary."""
    parser = argparse.ArgumentParser(
        prog="python -m course.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", help="notebook names, e.g. 01_mnist (default: all)")
    parser.add_argument("--memory", type=limits.parse_memory, help="run each inside a cgroup of this size, e.g. 2G")
    parser.add_argument("--cpus", type=float, help="with --memory: and this CPU quota, e.g. 1")
    parser.add_argument("--execute-one", nargs=3, help=argparse.SUPPRESS)  # NOTEBOOK DESTINATION OUTCOME
    args = parser.parse_args(argv)
    if args.execute_one:
        return execute_one(*(Path(p) for p in args.execute_one))
    if args.cpus and not args.memory:
        parser.error("--cpus needs --memory: give both, e.g. --memory 2G --cpus 1")

    rows, merged, folder = [], None, output_dir()
    inside = f", inside {limits.describe_limits(args.memory, args.cpus)}" if args.memory else ""
    for notebook in lesson_notebooks(args.notebooks):
        print(f"Running {notebook.name} ({config.MODE} mode, {backend_in_use()}{inside}) ...", flush=True)
        try:
            row = run_notebook(notebook, memory=args.memory, cpus=args.cpus)
        except limits.LimitsError as error:
            print(error, file=sys.stderr)
            return 1
        memory = f"{row.peak_memory_mb} MB" if row.peak_memory_mb is not None else "not measured"
        memory += f" (resident {row.resident_mb} MB)" if row.resident_mb is not None else ""
        error = f": {row.error}" if row.error else ""
        print(f"  {row.status} in {row.seconds} s, peak memory {memory}{error}", flush=True)
        rows.append(row)
        merged = record([row], folder)  # at once: a run stopped later keeps the rows of the notebooks it finished
    if merged is None:
        print(f"\nThis run:\n{markdown_table(rows)}")
        return 1
    print(f"\n{markdown_table(merged)}")
    print(f"Written to {config.display_path(folder / 'summary.md')}, summary.json and summary.png")
    return 0 if all(r.status == "ok" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
