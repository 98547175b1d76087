"""``make run``: execute notebooks top to bottom and tabulate what each reached.

    python -m utils.runner                 # every notebook in notebooks/
    python -m utils.runner 01_mnist ...    # only these (their rows replace the old ones)

Full mode (the default) executes the notebooks in place and writes
``results/summary.{md,json}``. Fast mode (``DLS_FAST=1``) leaves the committed notebooks
alone: executed copies and the summary go to ``build/fast/``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import config

NOTEBOOKS_DIR = config.PROJECT_ROOT / "notebooks"
CELL_TIMEOUT_S = 3600


def output_dir() -> Path:
    """Return where the summary goes: ``results/`` in full mode, ``build/fast/`` in fast mode."""
    return config.PROJECT_ROOT / ("build/fast" if config.FAST else "results")


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
            raise SystemExit(f"No notebook {name!r} in {NOTEBOOKS_DIR}; known: {known}")
        paths.append(path)
    return paths


def execute_one(notebook: Path, destination: Path) -> None:
    """Execute ``notebook`` in a fresh kernel and save it to ``destination`` (also when a cell fails).

    Prints ``peak_memory_mb=<the kernel's peak resident memory>`` for the parent to read.
    """
    import resource

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    try:
        client.execute()
    finally:
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=destination.parent, suffix=".ipynb.part")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a notebook is an ordinary file
        os.replace(tmp, destination)
        # The kernel is this process's child, and it has exited: its peak resident memory is here.
        # ru_maxrss is in kilobytes on Linux, bytes on macOS.
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"peak_memory_mb={peak / (1024 * 1024 if sys.platform == 'darwin' else 1024):.1f}", flush=True)


def run(notebook: Path) -> dict:
    """Execute one notebook in a child process; return its row of the summary."""
    destination = notebook if not config.FAST else output_dir() / "notebooks" / notebook.name
    with tempfile.TemporaryDirectory() as scratch:
        results_file = Path(scratch) / "metrics.json"
        env = dict(os.environ, DLS_RESULTS_FILE=str(results_file))
        start = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-m", "utils.runner", "--execute-one", str(notebook), str(destination)],
            env=env, cwd=config.PROJECT_ROOT, capture_output=True, text=True,
        )
        seconds = time.perf_counter() - start
        reported = json.loads(results_file.read_text()) if results_file.is_file() else {}
    row = {
        "notebook": notebook.stem,
        "mode": config.MODE,
        "status": "ok" if child.returncode == 0 else "FAILED",
        "seconds": round(seconds, 1),
        "peak_memory_mb": None,
        "metrics": reported.get("metrics", {}),
        "lecture": reported.get("lecture", {}),
    }
    for line in child.stdout.splitlines():
        if line.startswith("peak_memory_mb="):
            row["peak_memory_mb"] = round(float(line.split("=", 1)[1]))
    if child.returncode != 0:
        row["error"] = (child.stderr.strip().splitlines() or ["(no message)"])[-1][:500]
        print(child.stderr[-4000:], file=sys.stderr)
    return row


def _format(values: dict) -> str:
    return ", ".join(f"{k} {v:.4g}" if isinstance(v, (int, float)) else f"{k} {v}" for k, v in values.items()) or "-"


def markdown_table(rows: list[dict]) -> str:
    """Return the summary rows as a Markdown table."""
    lines = [
        "| notebook | mode | status | metrics | lecture | time (s) | peak memory (MB) |",
        "|---|---|---|---|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['notebook']} | {r['mode']} | {r['status']} | {_format(r['metrics'])} | "
            f"{_format(r['lecture'])} | {r['seconds']} | {r['peak_memory_mb'] if r['peak_memory_mb'] is not None else '-'} |"
        )
    return "\n".join(lines) + "\n"


def write_summary(new_rows: list[dict]) -> list[dict]:
    """Merge ``new_rows`` into the mode's summary (replacing rows of the same notebooks) and save it.

    Returns:
        All rows, sorted by notebook.
    """
    out = output_dir()
    out.mkdir(parents=True, exist_ok=True)
    summary_json = out / "summary.json"
    rows = {}
    if summary_json.is_file():
        rows = {r["notebook"]: r for r in json.loads(summary_json.read_text()).get("notebooks", [])}
    rows.update({r["notebook"]: r for r in new_rows})
    ordered = [rows[k] for k in sorted(rows)]
    for path, text in (
        (summary_json, json.dumps({"notebooks": ordered}, indent=2) + "\n"),
        (out / "summary.md", f"# Results ({config.MODE} mode)\n\n" + markdown_table(ordered)),
    ):
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_text(text)
        os.replace(tmp, path)
    return ordered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="notebook names, e.g. 01_mnist (default: all)")
    parser.add_argument("--execute-one", nargs=2, metavar=("NOTEBOOK", "DESTINATION"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.execute_one:
        execute_one(Path(args.execute_one[0]), Path(args.execute_one[1]))
        return 0

    rows = []
    for notebook in find_notebooks(args.notebooks):
        print(f"Running {notebook.name} ({config.MODE} mode) ...", flush=True)
        row = run(notebook)
        print(f"  {row['status']} in {row['seconds']} s, peak {row['peak_memory_mb']} MB: {_format(row['metrics'])}", flush=True)
        rows.append(row)
    ordered = write_summary(rows)
    print()
    print(markdown_table(ordered))
    print(f"Written to {output_dir() / 'summary.md'} and summary.json")
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
