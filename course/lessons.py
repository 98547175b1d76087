"""The lesson notebooks: which there are, their headings and titles, and their solutions cleared.

A lab's solution sits between nbgrader's markers (``### BEGIN SOLUTION`` ... ``### END SOLUTION``); clearing it
does what nbgrader's ``ClearSolutions`` does, without the database and notebook server nbgrader would install.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from utils.config import PROJECT_ROOT, display_path

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
BUILD = PROJECT_ROOT / "build"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SOLUTIONS_ONLY = "solutions-only"  # cell tag: the cell is left out of students' copies
COLAB_SETUP = "colab-setup"  # cell tag of each notebook's first code cell, which only Colab runs (course.publish)
CODE_STUB, TEXT_STUB = "# YOUR CODE HERE", "YOUR ANSWER HERE"


def lesson_notebooks(names: list[str] | None = None) -> list[Path]:
    """Return the lesson notebooks (``notebooks/NN_name.ipynb``) in lecture order, or only those named (``01_mnist``).

    Raises:
        SystemExit: a named notebook does not exist (the message lists those that do).
    """
    every = sorted(NOTEBOOKS_DIR.glob("[0-9]*.ipynb"))
    if not names:
        return every
    paths = [NOTEBOOKS_DIR / (Path(name).stem + ".ipynb") for name in names]
    for name, path in zip(names, paths):
        if path not in every:
            known = ", ".join(p.stem for p in every)
            raise SystemExit(f"No notebook {name!r} in {display_path(NOTEBOOKS_DIR)}; known: {known}")
    return paths


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


def clear_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Replace every solution in ``nb`` by its stub, in place, and return ``nb``.

    Cells that held a solution lose their outputs, cells tagged ``solutions-only`` go, other cells keep theirs.

    Raises:
        ValueError: a cell's solution markers do not pair up (:func:`clear_cell`).
    """
    nb.cells = [cell for cell in nb.cells if SOLUTIONS_ONLY not in cell.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        source, found = clear_cell(cell.source, CODE_STUB if cell.cell_type == "code" else TEXT_STUB)
        if found:
            cell.source = source
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    return nb


def read_lesson(path: Path) -> nbformat.NotebookNode:
    """Return notebook ``path`` as stored (outputs included), with every solution replaced by its stub."""
    return clear_solutions(nbformat.read(path, as_version=4))


def heading(cell: nbformat.NotebookNode) -> tuple[int, str]:
    """Return ``(level, text)`` of the heading a Markdown cell starts with (``## A``: ``(2, "A")``); ``(0, "")`` if none."""
    first = cell.source.strip().split("\n")[0] if cell.cell_type == "markdown" else ""
    match = re.match(r"(#{1,6})\s+(.+?)\s*#*\s*$", first)
    return (len(match.group(1)), match.group(2)) if match else (0, "")


def lesson_title(nb: nbformat.NotebookNode, fallback: str = "") -> str:
    """Return the notebook's title: its first level-1 heading without a leading number (``1. ``), else ``fallback``."""
    for cell in nb.cells:
        level, text = heading(cell)
        if level == 1:
            return re.sub(r"^\d+\.\s*", "", text)
    return fallback
