"""``make site``: the course site, made by Material for MkDocs with mkdocs-jupyter, in ``build/site/``.

    python -m course.site [--slides | --no-slides]

The home page holds README's introduction, the notebooks and ``results/summary.{md,png}``. Each notebook shows as
committed (solutions cleared, nothing executed, its Colab cell left out), linking to its deck (:mod:`course.slides`)
unless npm is missing, to Colab and Binder once the course has a public address (:mod:`course.publish`), and to its
students' copy (:mod:`course.student_copies`) in ``exercises/``: a download where the site is served (from the file
system, browsers ignore ``download`` and show the notebook's JSON).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from mkdocs.commands.build import build
from mkdocs.config import load_config

from utils.config import PROJECT_ROOT, display_path

from .javascript import ASSETS, AssetsUnavailable, copy_mathjax
from .lessons import BUILD, heading, lesson_notebooks, lesson_title, read_lesson
from .publish import HOW_TO_SET, Release, current_release, is_colab_cell
from .slides import build_slides, folder_size
from .student_copies import write_student_copy

EXERCISES = "exercises"  # the site's folder of students' copies: mkdocs.yml's mkdocs-jupyter `ignore` keeps them files
UNPUBLISHED = "Colab and Binder links will appear here once the course is published."
# Colab and Binder open the notebook as committed: the lecture's, with its solutions and outputs
RUN_IT = "the lecture's notebook, solutions included"


@dataclass
class Site:
    """What :func:`build_site` made: the site folder, its home page, one page per notebook, the decks (maybe none)."""

    folder: Path
    home: Path
    pages: list[Path] = field(default_factory=list)
    decks: list[Path] = field(default_factory=list)
    note: str = ""  # why the decks are missing, when they are


def readme_introduction(readme: Path) -> str:
    """Return the paragraphs of ``readme`` between its title and its first section: what the course is."""
    found = re.search(r"^# .*\n((?:(?!## ).*\n?)*)", readme.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return found.group(1).strip() if found else ""


def results_section(summary: Path) -> str:
    """Return ``summary`` (``results/summary.md``) with every heading one level down, for the home page."""
    if not summary.is_file():
        return "## Results\n\nNo results yet: `make run` writes them (`results/summary.md`).\n"
    return re.sub(r"^(#{1,5}) ", r"#\1 ", summary.read_text(encoding="utf-8"), flags=re.MULTILINE).strip() + "\n"


def lesson_number(stem: str) -> str:
    """Return a notebook's number in the lecture, from its file name: ``01_mnist`` gives ``1``."""
    digits = re.match(r"\d+", stem)
    return str(int(digits.group(0))) if digits else ""


def download_link(stem: str, text: str) -> str:
    """Return an HTML link that downloads the students' copy of notebook ``stem`` (``exercises/<stem>.ipynb``)."""
    # HTML rather than `{: download }`: nbconvert renders a notebook's Markdown, and it has no attr_list.
    return f'<a href="{EXERCISES}/{stem}.ipynb" download>{text}</a>'


def notebook_links(stem: str, release: Release, decks: bool) -> str:
    """Return the Markdown under notebook ``stem``'s title: links to its deck (when ``decks``), to Colab and Binder at
    ``release``, and to its students' copy; without a GitHub address, a line saying they will come instead of Colab's
    and Binder's."""
    links = [f"**Slides:** [this notebook as a slide deck](slides/{stem}.slides.html)"] if decks else []
    if release.github:
        colab, binder = release.colab_url(stem), release.binder_url(stem)
        links.append(f"**Run it** ({RUN_IT}): [Open in Colab]({colab}) · [Launch on Binder]({binder})")
    download = download_link(stem, "download the students' copy")
    links.append(f"**Exercises:** {download} (solutions cleared)")
    return " · ".join(links) + ("" if release.github else f"\n\n{UNPUBLISHED}")


def notebooks_table(lessons: list[tuple[str, str]], release: Release, decks: bool) -> str:
    """Return the home page's table of ``lessons`` (``[(file stem, title), ...]``): a row per notebook with its page,
    deck (when ``decks``), Colab and Binder (when ``release`` has a GitHub address) and students' copy, under a line
    saying what they open; without that address, a line saying how a lecturer sets it."""
    published = release.github is not None
    rows = [["", "notebook"] + ["slides"] * decks + ["Colab", "Binder"] * published + ["students' copy"]]
    rows.append(["--:"] + ["---"] * (len(rows[0]) - 1))
    for stem, title in lessons:
        row = [lesson_number(stem), f"[{title}]({stem}.ipynb)"]
        row += [f"[slides](slides/{stem}.slides.html)"] * decks
        if published:
            row += [f"[Open in Colab]({release.colab_url(stem)})", f"[Launch on Binder]({release.binder_url(stem)})"]
        rows.append([*row, download_link(stem, "download")])
    table = "\n".join(f"| {' | '.join(row)} |" for row in rows)
    if published:
        return f"To work on a notebook, open it in Colab or on Binder ({RUN_IT}), or download its students' copy.\n\n{table}"
    how = f"{UNPUBLISHED} A lecturer publishes it with {HOW_TO_SET} (see the README)."
    return f"To work on a notebook, download its students' copy.\n\n{table}\n\n{how}"


def home_page(intro: str, table: str, results: str, figure: str | None) -> str:
    """Return the home page's Markdown; ``table`` is :func:`notebooks_table`'s, ``figure`` the results figure's path."""
    if figure:
        image = f"![Each notebook's key metric: ours beside the lecture's, and the time it took]({figure})"
        results = re.sub(r"^(## .*\n)", rf"\1\n{image}\n\n", results, count=1)
    return f"""---
title: Home
hide: [navigation, toc]
---

# Building Deep Learning Systems

{intro}

## The notebooks

Each page shows a notebook as it was last run in full, outputs and figures included; its slides are the same \
notebook as a deck (space bar or arrow keys to move, `F` for full screen, `Esc` for an overview). A students' copy \
has the labs' solutions cleared and no outputs.

{table}

{results}"""


def build_site(
    out: Path = BUILD / "site",
    source: Path = BUILD / "site-src",
    notebooks: list[Path] | None = None,
    readme: Path = PROJECT_ROOT / "README.md",
    results: Path = PROJECT_ROOT / "results",
    slides: bool | None = None,
    release: Release | None = None,
) -> Site:
    """Build the site from ``notebooks`` (default: the lessons) into ``out``, through MkDocs's source folder ``source``.

    ``slides``: True requires the decks, False leaves them out, None includes them when npm can provide reveal.js.
    ``release``: where the Colab and Binder links lead (default: :func:`course.publish.current_release`).

    Raises:
        AssetsUnavailable: ``slides=True`` and reveal.js cannot be had.
        ValueError: a notebook's solution markers do not pair up.
    """
    notebooks = lesson_notebooks() if notebooks is None else notebooks
    release = current_release() if release is None else release
    shutil.rmtree(source, ignore_errors=True)
    assets = source / "assets"  # made by the copies into it
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
    figure = "assets/summary.png" if (results / "summary.png").is_file() else None
    if figure:
        shutil.copyfile(results / "summary.png", source / figure)
    lessons = []
    for notebook in notebooks:
        write_student_copy(notebook, source / EXERCISES / notebook.name)  # the Colab cell stays: it may go to Colab
        nb = read_lesson(notebook)
        nb.cells = [cell for cell in nb.cells if not is_colab_cell(cell)]  # the page's links do its job
        title_at = next((i for i, cell in enumerate(nb.cells) if heading(cell)[0] == 1), -1)
        links = notebook_links(notebook.stem, release, bool(decks))
        nb.cells.insert(title_at + 1, nbformat.v4.new_markdown_cell(links))
        nbformat.write(nb, source / notebook.name)
        lessons.append((notebook.stem, lesson_title(nb, notebook.stem)))
    intro, summary = readme_introduction(readme), results_section(results / "summary.md")
    table = notebooks_table(lessons, release, bool(decks))
    (source / "index.md").write_text(home_page(intro, table, summary, figure), encoding="utf-8")
    nav = [{"Home": "index.md"}]
    nav += [{f"{lesson_number(stem)}. {title}".lstrip(". "): f"{stem}.ipynb"} for stem, title in lessons]
    config = load_config(str(PROJECT_ROOT / "mkdocs.yml"), docs_dir=str(source), site_dir=str(out), nav=nav)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    pages = [out / f"{stem}.html" for stem, _ in lessons]
    return Site(out, out / "index.html", pages, [out / "slides" / deck.name for deck in decks], note)


def main(argv: list[str] | None = None) -> int:
    """``make site``: build the site and say where it is; 2 when ``--slides`` asks for decks that cannot be made."""
    parser = argparse.ArgumentParser(prog="python -m course.site", description=__doc__.splitlines()[0])
    parser.add_argument("--slides", action=argparse.BooleanOptionalAction, help="require the decks, or leave them out")
    try:
        site = build_site(slides=parser.parse_args(argv).slides)
    except AssetsUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if site.note:
        print(site.note)
    where = f"{display_path(site.folder)}/ ({folder_size(site.folder)}, {len(site.decks)} decks)"
    print(f"site in {where}: open index.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
