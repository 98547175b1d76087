"""``make slides``: one reveal.js deck per notebook; ``make present``: copies of the notebooks for RISE.

    python -m course.slides [--present]   # the decks in build/slides/, or the RISE copies in build/present/

Both come from the notebooks as committed (stored outputs kept, solutions cleared); nothing is executed.
"""

from __future__ import annotations

import argparse
import copy
import math
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

from utils.config import display_path

from .javascript import ASSETS, AssetsUnavailable, copy_mathjax, copy_reveal, mathjax_url
from .lessons import BUILD, heading, lesson_notebooks, lesson_title, read_lesson

SLIDE_LINES = 24  # lines of text that fit on a slide at the deck's size and font sizes
OUTPUT_LINES = 16  # a longer output scrolls inside its cell (slides.css), taking this many
IMAGE_LINES = 16  # a figure (slides.css caps its height)
LINE_CHARS = 90  # characters on a line of a slide, for counting wrapped lines


def _lines(text: str) -> int:
    """Lines ``text`` takes on a slide, counting long lines as wrapped."""
    return sum(max(1, math.ceil(len(line) / LINE_CHARS)) for line in text.splitlines())


def cell_lines(cell: nbformat.NotebookNode) -> int:
    """Return an estimate of the lines a cell takes on a slide, outputs included."""
    if cell.cell_type == "markdown":
        return _lines(cell.source) + IMAGE_LINES * cell.source.count("![")
    total = _lines(cell.source) + 1
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if output.output_type == "stream":
            total += min(_lines(output.text), OUTPUT_LINES)
        elif output.output_type == "error":
            total += OUTPUT_LINES
        elif any(kind.startswith("image/") for kind in data):
            total += IMAGE_LINES
        elif "text/html" in data:
            total += min(data["text/html"].count("<tr") + 2, OUTPUT_LINES)
        elif "text/plain" in data:
            total += min(_lines(data["text/plain"]), OUTPUT_LINES)
    return total


def mark_slides(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Set every cell's ``metadata.slideshow.slide_type`` in place, and return ``nb``.

    A ``#`` or ``##`` heading starts a slide, ``###`` a sub-slide. Cells after a heading stay on its slide while they
    fit; the next one that would not fit starts a sub-slide, as does Markdown after code on a slide already half full.
    A cell is never split (a long output scrolls, ``slides.css``); a ``skip`` or ``notes`` an author set is kept.
    """
    used, code_on_slide, first = 0, False, True
    for cell in nb.cells:
        show = cell.metadata.setdefault("slideshow", nbformat.NotebookNode())
        if show.get("slide_type") in ("skip", "notes"):
            continue
        level = heading(cell)[0]
        size = cell_lines(cell)
        text_after_code = cell.cell_type == "markdown" and code_on_slide and used > SLIDE_LINES // 2
        new_slide = first or level in (1, 2)
        if new_slide or level == 3 or used + size > SLIDE_LINES or text_after_code:
            show["slide_type"] = "slide" if new_slide else "subslide"
            used, code_on_slide = 0, False
        else:
            show["slide_type"] = "-"
        used += size
        code_on_slide = code_on_slide or cell.cell_type == "code"
        first = False
    return nb


def deck_html(nb: nbformat.NotebookNode, assets_url: str = "assets") -> str:
    """Return the reveal.js deck of notebook ``nb`` (not changed) as one HTML page loading its scripts from ``assets_url``."""
    exporter = SlidesExporter(
        template_name="dls_reveal",
        extra_template_basedirs=[str(ASSETS / "templates")],
        reveal_url_prefix=f"{assets_url}/reveal.js",
        reveal_theme="white",
        reveal_scroll=True,
        reveal_number="c/t",
        reveal_width="1280",
        reveal_height="800",
        require_js_url=f"{assets_url}/require.js",
        jquery_url=f"{assets_url}/jquery.min.js",
        mathjax_url=mathjax_url(assets_url),
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    resources = {"metadata": {"name": lesson_title(nb)}}
    return exporter.from_notebook_node(mark_slides(copy.deepcopy(nb)), resources=resources)[0]


def deck_name(notebook: Path) -> str:
    """Return the file name of a notebook's deck: ``01_mnist.ipynb`` gives ``01_mnist.slides.html``."""
    return f"{notebook.stem}.slides.html"


def build_slides(
    out: Path = BUILD / "slides", notebooks: list[Path] | None = None, assets: Path | None = None, assets_url="assets"
) -> list[Path]:
    """Write one deck per notebook (default: the lessons) into ``out``, their scripts into ``assets``; return the decks.

    Raises:
        AssetsUnavailable: reveal.js cannot be had (npm missing); nothing is written then.
    """
    notebooks = lesson_notebooks() if notebooks is None else notebooks
    assets = out / "assets" if assets is None else assets
    copy_reveal(assets)  # first: without npm, this stops the build before anything is written
    copy_mathjax(assets)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.slides.html"):
        old.unlink()
    for notebook in notebooks:
        html = deck_html(read_lesson(notebook), assets_url)
        (out / deck_name(notebook)).write_text(html, encoding="utf-8")
    return [out / deck_name(notebook) for notebook in notebooks]


def presenter_copies(out: Path = BUILD / "present", notebooks: list[Path] | None = None) -> list[Path]:
    """Write copies of the notebooks (default: the lessons) with the derived slides into ``out``; return their paths."""
    notebooks = lesson_notebooks() if notebooks is None else notebooks
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ASSETS / "rise.css", out / "rise.css")
    for notebook in notebooks:
        nb = mark_slides(read_lesson(notebook))
        nb.metadata["rise"] = {"scroll": True, "theme": "white", "transition": "slide"}  # default theme: Google Fonts
        nbformat.write(nb, out / notebook.name)
    return [out / notebook.name for notebook in notebooks]


def folder_size(folder: Path) -> str:
    """Return the size of the files under ``folder`` in MB, for messages (``12.3 MB``)."""
    return f"{sum(f.stat().st_size for f in folder.rglob('*') if f.is_file()) / 1e6:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    """``make slides`` (the decks) or ``make present`` (``--present``: the copies for RISE); 2 when npm is missing."""
    parser = argparse.ArgumentParser(prog="python -m course.slides", description=__doc__.splitlines()[0])
    parser.add_argument("--present", action="store_true", help="copies of the notebooks with slide metadata, for RISE")
    if parser.parse_args(argv).present:
        copies = presenter_copies()
        print(f"{len(copies)} notebooks in {display_path(copies[0].parent)}/: in JupyterLab, Alt+R presents one")
        return 0
    try:
        decks = build_slides()
    except AssetsUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    folder = decks[0].parent
    print(f"{len(decks)} decks in {display_path(folder)}/ ({folder_size(folder)}): open one in a browser")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
