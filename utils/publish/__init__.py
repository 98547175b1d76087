"""Lecture mode: the committed notebooks, with their stored outputs, as slides and as a course site.

Nothing is executed again: every page and deck is made from the notebooks as committed, with
each exercise's solution replaced by its starter (:func:`utils.exercises.clear_solutions`).

- ``make slides`` (:mod:`.slides`): one reveal.js deck per notebook in ``build/slides/``. The
  slides follow the notebook's headings (``#``/``##`` start a slide, ``###`` a sub-slide) and
  cells are packed onto sub-slides by size; nothing is stored in the notebooks.
- ``make site`` (:mod:`.site`): a static site in ``build/site/``, made by Material for MkDocs
  with mkdocs-jupyter from a source folder generated in ``build/site-src/``: a home page (README's
  introduction, the notebook list, the results table and figure), one page per notebook, and
  the decks.
- ``make present``: copies of the notebooks with the slide metadata in ``build/present/``, for
  presenting live in JupyterLab with RISE (``jupyterlab-rise``) and running cells on the slides.

Both open from the file system with no network: MathJax comes from the ``jupyter-server-mathjax``
package, reveal.js (with require.js and jQuery, which nbconvert's deck template loads) from the
npm registry, fetched by ``make slides`` into ``build/npm/`` (:mod:`.offline`).
:mod:`.browser` checks the result in headless Chromium (``tests/test_publish_browser.py``).

    python -m utils.publish slides|site|present|check|picture   (see ``--help``)
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from ..config import PROJECT_ROOT
from ..exercises import clear_solutions

BUILD = PROJECT_ROOT / "build"
ASSETS = Path(__file__).resolve().parent / "assets"
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def lesson_notebooks(folder: Path = PROJECT_ROOT / "notebooks") -> list[Path]:
    """The lecture notebooks in ``folder`` (``NN_name.ipynb``), in lecture order."""
    return sorted(folder.glob("[0-9]*.ipynb"))


def read_lesson(path: Path) -> nbformat.NotebookNode:
    """Read notebook ``path`` as stored (outputs included), with every solution replaced by its starter."""
    return clear_solutions(nbformat.read(path, as_version=4))


def heading(cell: nbformat.NotebookNode) -> tuple[int, str] | None:
    """``(level, text)`` of the Markdown heading a cell starts with (``## Training`` gives ``(2, "Training")``), else None."""
    if cell.cell_type != "markdown":
        return None
    for line in cell.source.splitlines():
        if line.strip():
            match = _HEADING.match(line.strip())
            return (len(match.group(1)), match.group(2)) if match else None
    return None


def lesson_title(nb: nbformat.NotebookNode, fallback: str = "") -> str:
    """The notebook's title: its first level-1 heading, without a leading number (``1. ``)."""
    for cell in nb.cells:
        found = heading(cell)
        if found and found[0] == 1:
            return re.sub(r"^\d+\.\s*", "", found[1])
    return fallback
