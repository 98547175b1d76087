"""Slides (course.slides) and the course site (course.site) without solutions; in a browser: test_pages.py."""

import base64
import re
from html.parser import HTMLParser

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course import javascript
from course.lessons import BEGIN, CODE_STUB, read_lesson
from course.publish import Release, is_colab_cell, write_colab_cell
from course.site import UNPUBLISHED, build_site
from course.slides import SLIDE_LINES, build_slides, deck_html, mark_slides
from utils.config import PROJECT_ROOT

SECRET = "SECRET_SOLUTION_42"
SUMMARY = "# Results (full mode)\n\n| notebook | key metric |\n|---|---|\n| 09_x | acc 0.9 |\n"
# A script, style sheet, image or frame that built HTML loads from the network (what scripts fetch, test_pages sees).
REMOTE_LOAD = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//")
GITHUB = Release("https://github.com/some-university/dls-course", "1.2.3")
UNSET = Release("", "1.2.3")
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def synthetic_lesson(folder):
    """Write ``folder/09_synthetic.ipynb``, a lesson with a formula, a figure, a long log and a solution holding SECRET."""
    log = "".join(f"epoch {i}: loss 0.{i:03d}\n" for i in range(200))
    figure = {"image/png": PNG, "text/plain": "<Figure>"}
    solution = f"model = None  # your model here\n### BEGIN SOLUTION\nmodel = {SECRET}\n### END SOLUTION\nmodel"
    cells = [
        new_markdown_cell("# 9. A synthetic lesson\n\nWhat this lesson covers."),
        new_markdown_cell("## Setup\n\nEnergy is $E = mc^2$, and a sum:\n\n$$\\sum_{i=1}^{n} x_i.$$"),
        new_code_cell("x = 1\nprint(x)", outputs=[new_output("stream", name="stdout", text="1\n")]),
        new_markdown_cell("### Exercise\n\nBuild the model."),
        new_code_cell(solution, outputs=[new_output("execute_result", data={"text/plain": f"'{SECRET}'"})]),
        new_markdown_cell("## A figure"),
        new_code_cell("plot()", outputs=[new_output("display_data", data=figure)]),
        new_code_cell("train()", outputs=[new_output("stream", name="stdout", text=log)]),
    ]
    nbformat.write(new_notebook(cells=cells), folder / "09_synthetic.ipynb")
    return folder / "09_synthetic.ipynb"


@pytest.fixture
def lesson(tmp_path):
    return synthetic_lesson(tmp_path)


def links(html):
    """Return the links of ``html``: ``{href: {attribute: value}}``, one entry per ``<a href>``."""
    found = {}

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a" and dict(attrs).get("href"):
                found[dict(attrs)["href"]] = dict(attrs)

    Parser().feed(html)
    return found


def slide_types(nb):
    return [cell.metadata["slideshow"]["slide_type"] for cell in mark_slides(nb).cells]


def test_headings_start_slides_full_ones_continue_on_sub_slides_and_authors_notes_and_skips_stay(lesson):
    # title, ## Setup, its code, ### Exercise, its code, ## A figure, the figure, the long log
    nb = nbformat.read(lesson, as_version=4)
    assert slide_types(nb) == ["slide", "slide", "-", "subslide", "-", "slide", "-", "subslide"]
    cells = [new_markdown_cell("## Section")] + [new_markdown_cell("a line\n" * 5) for _ in range(8)]
    types = slide_types(new_notebook(cells=cells))
    first_break = types.index("subslide")
    assert types[:4] == ["slide", "-", "-", "-"] and 1 + 5 * (first_break - 1) <= SLIDE_LINES < 1 + 5 * first_break
    notes = new_markdown_cell("say this", metadata={"slideshow": {"slide_type": "notes"}})
    skip = new_code_cell("hidden()", metadata={"slideshow": {"slide_type": "skip"}})
    assert slide_types(new_notebook(cells=[new_markdown_cell("## Section"), notes, skip])) == ["slide", "notes", "skip"]


def test_a_deck_shows_no_solution_and_loads_nothing_from_the_network(lesson):
    html = deck_html(read_lesson(lesson), "assets")
    assert SECRET not in html and "# YOUR CODE HERE" in html and "# your model here" in html
    assert "A synthetic lesson" in html and "E = mc^2" in html and "data:image/png;base64," in html
    assert not REMOTE_LOAD.findall(html) and javascript.mathjax_url("assets") in html
    assert '"assets/reveal.js/dist/reveal.js"' in html


def test_the_site_config_uses_the_local_mathjax():
    config = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text())
    plugin = next(p["mkdocs-jupyter"] for p in config["plugins"] if isinstance(p, dict) and "mkdocs-jupyter" in p)
    assert plugin["custom_mathjax_url"] == javascript.mathjax_url("assets")
    assert plugin["execute"] is False and config["use_directory_urls"] is False and config["theme"]["font"] is False


def test_site_pages_show_outputs_but_no_solution_and_home_shows_readme_and_results(lesson, tmp_path):
    (tmp_path / "README.md").write_text("# Course\n\nWhat the course is.\n\n## Install\n\nnot this\n")
    (tmp_path / "summary.md").write_text(SUMMARY)
    (tmp_path / "summary.png").write_bytes(base64.b64decode(PNG))
    site = build_site(tmp_path / "site", tmp_path / "src", [lesson], tmp_path / "README.md", tmp_path, slides=False)
    page = site.pages[0].read_text()
    assert SECRET not in page and "# YOUR CODE HERE" in page and "# your model here" in page
    assert "data:image/png;base64," in page and "epoch 199: loss 0.199" in page
    home = (tmp_path / "src" / "index.md").read_text()
    assert "What the course is." in home and "not this" not in home and "[A synthetic lesson](09_synthetic" in home
    assert home.index("## Results (full mode)") < home.index("![") < home.index("| 09_x | acc 0.9 |")
    assert "acc 0.9" in site.home.read_text()
    assets = site.folder / "assets"
    assert (assets / "summary.png").is_file() and (assets / "mathjax" / "config" / "local" / "dls.js").is_file()
    assert not [html.name for html in site.folder.glob("*.html") if REMOTE_LOAD.search(html.read_text())]


def test_without_npm_the_site_is_built_without_its_decks(lesson, tmp_path, monkeypatch):
    monkeypatch.setattr(javascript, "NPM_DIR", tmp_path / "npm")  # nothing fetched before
    monkeypatch.setattr(javascript.shutil, "which", lambda name: None)  # and no npm
    site = build_site(tmp_path / "site", tmp_path / "src", [lesson], results=tmp_path)
    assert site.decks == [] and "npm is not installed" in site.note and "apt-get install nodejs npm" in site.note
    home = site.home.read_text()
    assert site.pages[0].is_file() and "slides/" not in home and "No results yet" in home
    with pytest.raises(javascript.AssetsUnavailable, match="npm is not installed"):
        build_slides(tmp_path / "slides", [lesson])
    assert not (tmp_path / "slides").exists()


def test_each_page_links_to_colab_binder_and_a_download_of_its_students_copy_and_leaves_out_the_colab_cell(
    lesson, tmp_path
):
    write_colab_cell(lesson, GITHUB)
    site = build_site(tmp_path / "site", tmp_path / "src", [lesson], results=tmp_path, slides=False, release=GITHUB)
    page = site.pages[0].read_text()
    for found in links(page), links(site.home.read_text()):
        assert GITHUB.colab_url("09_synthetic") in found and GITHUB.binder_url("09_synthetic") in found
        assert "download" in found["exercises/09_synthetic.ipynb"]
    assert "install_missing" not in page  # the Colab cell's code
    copy = site.folder / "exercises" / "09_synthetic.ipynb"
    text, nb = copy.read_text(), nbformat.read(copy, as_version=4)
    nbformat.validate(nb)
    assert SECRET not in text and BEGIN not in text and CODE_STUB in text and "# your model here" in text
    assert sum(map(is_colab_cell, nb.cells)) == 1 and not any(cell.get("outputs") for cell in nb.cells)
    assert not list(site.folder.glob("exercises/*.html")), "a students' copy became a page"


def test_without_a_public_address_a_page_says_how_to_set_it_and_links_to_neither_colab_nor_binder(lesson, tmp_path):
    site = build_site(tmp_path / "site", tmp_path / "src", [lesson], results=tmp_path, slides=False, release=UNSET)
    for html in site.pages[0].read_text(), site.home.read_text():
        assert html.count("Colab and Binder links will appear here once the course is published.") == 1
        assert not [href for href in links(html) if "colab" in href or "mybinder" in href]
        assert "download" in links(html)["exercises/09_synthetic.ipynb"]
    assert "make publish URL=" in site.home.read_text() and "make publish" not in site.pages[0].read_text()
    assert (tmp_path / "src" / "index.md").read_text().count(UNPUBLISHED) == 1
