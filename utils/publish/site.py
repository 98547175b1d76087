"""The course site (``make site``): Material for MkDocs, with mkdocs-jupyter for the notebooks.

:func:`build_site` writes MkDocs's source folder (``build/site-src/``), runs the project's
``mkdocs.yml`` on it and leaves the site in ``build/site/``:

- ``index.md``, the home page: README's introduction, the notebooks with their titles, and
  ``results/summary.md`` (our values beside the lecture's) with ``results/summary.png`` above it
  when ``make run`` has drawn it;
- each notebook as committed (stored outputs, solutions cleared), with a link to its deck;
- ``slides/``, the decks (:mod:`.slides`), and ``assets/``, MathJax, reveal.js and the style sheet.

The decks need reveal.js, which comes from the npm registry: without npm the site is built
without them (and says so), unless ``slides=True`` asks for them.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..config import PROJECT_ROOT
from . import ASSETS, BUILD, heading, lesson_notebooks, lesson_title, read_lesson
from .offline import AssetsUnavailable, copy_mathjax
from .slides import build_slides, deck_name

CONFIG = PROJECT_ROOT / "mkdocs.yml"
SUMMARY_FIGURE_ALT = "Each notebook's key metric: ours beside the lecture's, and the time it took"


@dataclass
class Site:
    """What :func:`build_site` made: the site folder, its home page, one page per notebook, the decks (maybe none)."""

    folder: Path
    home: Path
    pages: list[Path] = field(default_factory=list)
    decks: list[Path] = field(default_factory=list)
    note: str = ""  # why the decks are missing, when they are


def readme_introduction(readme: Path) -> str:
    """The paragraphs of ``readme`` between its title and its first section: what the course is."""
    lines = readme.read_text(encoding="utf-8").splitlines() if readme.is_file() else []
    intro, started = [], False
    for line in lines:
        if line.startswith("# ") and not started:
            started = True
        elif line.startswith("## ") and started:
            break
        elif started:
            intro.append(line)
    return "\n".join(intro).strip()


def results_section(summary: Path) -> str:
    """``summary`` (``results/summary.md``) with every heading one level down, to sit under the home page's title."""
    if not summary.is_file():
        return "## Results\n\nNo results yet: `make run` writes them (`results/summary.md`).\n"
    text = summary.read_text(encoding="utf-8")
    return re.sub(r"^(#{1,5}) ", r"#\1 ", text, flags=re.MULTILINE).strip() + "\n"


def home_page(intro: str, lessons: list[tuple[str, str]], results: str, figure: str | None, decks: bool) -> str:
    """The home page's Markdown: ``lessons`` is ``[(file stem, title), ...]``; ``figure`` the results figure's path, if any."""
    rows = [
        f"| {number(stem)} | [{title}]({stem}.ipynb) | "
        + (f"[slides](slides/{stem}.slides.html)" if decks else "")
        + " |"
        for stem, title in lessons
    ]
    figure_md = f"![{SUMMARY_FIGURE_ALT}]({figure})\n\n" if figure else ""
    results = re.sub(r"^(## .*\n)", lambda m: m.group(1) + "\n" + figure_md, results, count=1) if figure_md else results
    return "\n".join(
        [
            "---",
            "title: Home",
            "hide: [navigation, toc]",
            "---",
            "",  # the whole width for the tables
            "# Building Deep Learning Systems",
            "",
            intro,
            "",
            "## The notebooks",
            "",
            "Each page shows a notebook as it was last run in full, outputs and figures included; "
            "its slides are the same notebook as a deck (space bar or arrow keys to move, `F` for full screen, `Esc` for an overview).",
            "",
            "| | notebook | " + ("slides |" if decks else " |"),
            "|--:|---|---|",
            *rows,
            "",
            results,
        ]
    )


def number(stem: str) -> str:
    """A notebook's number in the lecture, from its file name: ``01_mnist`` gives ``1``."""
    digits = re.match(r"\d+", stem)
    return str(int(digits.group(0))) if digits else ""


def slides_link_cell(stem: str) -> nbformat.NotebookNode:
    """The Markdown cell the site puts under a notebook's title: a link to its deck."""
    return nbformat.v4.new_markdown_cell(f"**Slides:** [this notebook as a slide deck](slides/{stem}.slides.html)")


def build_site(
    out: Path = BUILD / "site",
    source: Path = BUILD / "site-src",
    notebooks: list[Path] | None = None,
    readme: Path = PROJECT_ROOT / "README.md",
    results: Path = PROJECT_ROOT / "results",
    slides: bool | None = None,
) -> Site:
    """Build the site from ``notebooks`` (default: the lecture's) into ``out``, through MkDocs's source folder ``source``.

    ``slides``: True requires the decks, False leaves them out, None (default) includes them when
    reveal.js can be had (npm installed, or fetched before into ``build/npm/``).

    Raises:
        offline.AssetsUnavailable: ``slides=True`` and reveal.js cannot be had.
    """
    notebooks = lesson_notebooks() if notebooks is None else notebooks
    if source.exists():
        shutil.rmtree(source)
    assets = source / "assets"
    assets.mkdir(parents=True)
    decks, note = [], ""
    if slides is not False:
        try:
            decks = build_slides(source / "slides", notebooks, assets=assets, assets_url="../assets")
        except AssetsUnavailable as error:
            if slides:
                raise
            note = f"The site has no slides: {error}."
    if not decks:
        copy_mathjax(assets)
    shutil.copyfile(ASSETS / "site.css", assets / "site.css")
    figure = None
    if (results / "summary.png").is_file():
        shutil.copyfile(results / "summary.png", assets / "summary.png")
        figure = "assets/summary.png"

    lessons = []
    for notebook in notebooks:
        nb = read_lesson(notebook)
        if decks:
            title_at = next((i for i, cell in enumerate(nb.cells) if (heading(cell) or (0,))[0] == 1), -1)
            nb.cells.insert(title_at + 1, slides_link_cell(notebook.stem))
        nbformat.write(nb, source / notebook.name)
        lessons.append((notebook.stem, lesson_title(nb, notebook.stem)))
    (source / "index.md").write_text(
        home_page(readme_introduction(readme), lessons, results_section(results / "summary.md"), figure, bool(decks)),
        encoding="utf-8",
    )
    nav = [{"Home": "index.md"}] + [
        {f"{number(stem)}. {title}".lstrip(". "): f"{stem}.ipynb"} for stem, title in lessons
    ]
    _mkdocs_build(source, out, nav)
    return Site(
        out,
        out / "index.html",
        [out / f"{stem}.html" for stem, _ in lessons],
        [out / "slides" / deck_name(n) for n in notebooks] if decks else [],
        note,
    )


def _mkdocs_build(source: Path, out: Path, nav: list[dict[str, str]]) -> None:
    """Run MkDocs with the project's ``mkdocs.yml`` on ``source``, writing the site into ``out``, with navigation ``nav``."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(CONFIG), docs_dir=str(source), site_dir=str(out), nav=nav)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
