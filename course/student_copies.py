"""``make exercises``: the students' copies of the notebooks, solutions replaced by their stubs, outputs cleared.

python -m course.student_copies             # into build/exercises/
python -m course.student_copies --verify    # and run each copy: every check answers "not attempted yet"
python -m course.student_copies --into DIR  # into another folder (the canary's, so that two runs never share one)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from utils.config import display_path

from .lessons import BUILD, clear_solutions, lesson_notebooks


def write_student_copy(notebook: Path, destination: Path) -> None:
    """Write the student's copy of ``notebook`` to ``destination``: solutions cleared, no outputs.

    Raises:
        ValueError: a cell's solution markers do not pair up.
    """
    from nbconvert.preprocessors import ClearOutputPreprocessor

    nb = clear_solutions(nbformat.read(notebook, as_version=4))
    ClearOutputPreprocessor().preprocess(nb, {})
    destination.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, destination)


def verify_student_copy(notebook: Path) -> list[str]:
    """Execute a student's copy top to bottom; return its problems (empty when all is well).

    A problem is an error in any cell, or a lab's check that does not answer "not attempted yet".
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from utils.checks import NOT_ATTEMPTED

    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        return [f"{notebook.name}: a cell failed: {error.ename}: {error.evalue}"]
    problems = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "utils.check_" in cell.source:
            text = "".join(output.get("text", "") for output in cell.outputs)
            if NOT_ATTEMPTED.upper() not in text:
                problems.append(f"{notebook.name}: {cell.source.strip()[:60]!r} answered {text.strip()[:80]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Write the copies (``make exercises``) and, with ``--verify``, run each one (``make exercises CHECK=1``)."""
    parser = argparse.ArgumentParser(prog="python -m course.student_copies", description=__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="run each copy: every check must answer not attempted")
    parser.add_argument("--into", type=Path, default=BUILD / "exercises", help="the folder (default: build/exercises)")
    args = parser.parse_args(argv)
    copies = []
    for notebook in lesson_notebooks():
        copies.append(args.into / notebook.name)
        write_student_copy(notebook, copies[-1])
    print(f"{len(copies)} student copies in {display_path(args.into)}")
    if not args.verify:
        return 0
    problems = []
    for copy in copies:
        found = verify_student_copy(copy)
        print(f"  {copy.name}: {'ok, every check answers not attempted yet' if not found else 'PROBLEMS'}", flush=True)
        problems += found
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
