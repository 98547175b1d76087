"""Student copies of the notebooks: solutions replaced by their starters (``make exercises``).

A lab's solution sits in a code cell between nbgrader's markers, after the starter's
placeholder, so that the solved notebook runs the solution and the student's copy the
placeholder::

    model = None  # your model here
    ### BEGIN SOLUTION
    model = keras.Sequential([...])
    ### END SOLUTION

``clear_solutions`` does what nbgrader's ``ClearSolutions`` step does with these markers:
the region is replaced by ``# YOUR CODE HERE`` (in markdown, by "YOUR ANSWER HERE"), and
the outputs of a cell that held a solution are removed. A cell tagged ``solutions-only`` (the
solved notebook's check that every solution passes) is left out of the student's copy. nbgrader itself is not a dependency:
for this one text transformation it would install a database layer (SQLAlchemy, alembic),
the classic notebook server, and grading menus in every student's JupyterLab.

    python -m utils.exercises [OUTPUT_FOLDER]           # default build/exercises
    python -m utils.exercises --check                   # and run each copy: every check "not attempted yet"
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SOLUTIONS_ONLY = "solutions-only"  # cell tag: the cell is left out of students' copies
CODE_STUB, TEXT_STUB = "# YOUR CODE HERE", "YOUR ANSWER HERE"


def clear_cell(source: str, stub: str) -> tuple[str, bool]:
    """Return ``source`` with each solution region replaced by ``stub``, and whether it held one.

    Raises:
        ValueError: a region is nested, or begins without ending (or ends without beginning).
    """
    lines, inside, found = [], False, False
    for line in source.split("\n"):
        if BEGIN in line:
            if inside:
                raise ValueError(f"a solution region begins inside another:\n{source}")
            inside = found = True
            lines.append(re.match(r"\s*", line).group(0) + stub)
        elif END in line:
            if not inside:
                raise ValueError(f"a solution region ends without beginning:\n{source}")
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"a solution region does not end:\n{source}")
    return "\n".join(lines), found


def clear_solutions(nb):
    """Replace every solution in notebook ``nb`` (an ``nbformat`` node) by its stub, in place; return ``nb``.

    Cells that held a solution lose their outputs and execution counts, and cells tagged
    ``solutions-only`` are removed. Other cells keep their outputs (``make exercises`` clears
    every output afterwards; the site keeps the lesson's outputs).
    """
    nb.cells = [cell for cell in nb.cells if SOLUTIONS_ONLY not in cell.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type not in ("code", "markdown"):
            continue
        source, found = clear_cell(cell.source, CODE_STUB if cell.cell_type == "code" else TEXT_STUB)
        if found:
            cell.source = source
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    return nb


def student_copy(notebook: Path, destination: Path) -> None:
    """Write the student's copy of ``notebook`` to ``destination``: solutions cleared, no outputs."""
    import nbformat
    from nbconvert.preprocessors import ClearOutputPreprocessor

    nb = clear_solutions(nbformat.read(notebook, as_version=4))
    ClearOutputPreprocessor().preprocess(nb, {})
    destination.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, destination)


def check_student_copy(notebook: Path) -> list[str]:
    """Execute a student's copy top to bottom and return its problems (empty when all is well).

    A problem is an error in any cell, or a check cell that does not answer "not attempted yet".
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from .checks import NOT_ATTEMPTED

    nb = nbformat.read(notebook, as_version=4)
    try:
        NotebookClient(
            nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
        ).execute()
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
    """``make exercises`` (write the copies) and, with ``--check``, run each one (CI)."""
    import argparse

    from . import config
    from .runner import find_notebooks

    parser = argparse.ArgumentParser(description="Write students' copies of the notebooks; optionally run them.")
    parser.add_argument("output", nargs="?", default=str(config.PROJECT_ROOT / "build" / "exercises"))
    parser.add_argument(
        "--check", action="store_true", help="run each copy top to bottom; every check must answer 'not attempted yet'"
    )
    args = parser.parse_args(argv)
    out = Path(args.output)
    copies = []
    for notebook in find_notebooks([]):
        student_copy(notebook, out / notebook.name)
        copies.append(out / notebook.name)
    print(f"{len(copies)} student copies in {config.display_path(out)}")
    if not args.check:
        return 0
    problems = []
    for copy in copies:
        found = check_student_copy(copy)
        print(f"  {copy.name}: {'ok, every check answers not attempted yet' if not found else 'PROBLEMS'}", flush=True)
        problems += found
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
