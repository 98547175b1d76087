"""The built site and decks in headless Chromium (course.pages); without Chromium skipped, or failed where CI is set."""

import os
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import nbformat
import pytest
from playwright.sync_api import sync_playwright
from test_site_and_slides import GITHUB, SECRET, synthetic_lesson

from course.lessons import BEGIN, CODE_STUB, lesson_notebooks, read_lesson
from course.pages import CHROMIUM_ARGS, INSTALL_HINT, find_chromium, verify_tree
from course.site import build_site
from course.slides import build_slides

IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
if find_chromium() is None:
    if IN_CI:
        pytest.fail(f"no Chromium found, and CI is set, so the browser test must run: {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"browser test skipped, no Chromium found: {INSTALL_HINT}", allow_module_level=True)


def skip_without_decks(site):
    if not site.decks:  # only outside CI: there the site fixture requires them
        pytest.skip(f"the decks were not built: {site.note}")


class NotebooksAsJson(SimpleHTTPRequestHandler):
    """Serves files, a notebook as JSON, which a browser shows: only a link's `download` attribute saves it."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".ipynb": "application/json"}

    def log_message(self, *args):
        pass


@contextmanager
def served(folder):
    """Serve ``folder`` over HTTP on this machine, as a host would publish the site; yield its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(NotebooksAsJson, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, with its decks where npm is there (and always in CI), built from the notebooks."""
    out = tmp_path_factory.mktemp("site")
    return build_site(out / "site", out / "site-src", slides=True if IN_CI else None)


@pytest.fixture(scope="module")
def checks(site):
    return {check.url: check for check in verify_tree(site.home)}


def test_every_page_and_deck_of_the_site_opens_cleanly(site, checks):
    expected = {p.resolve().as_uri() for p in [site.home, *site.pages, *site.decks]}
    assert expected <= set(checks), f"not reached by links from the home page: {expected - set(checks)}"
    problems = [f"{url.rsplit('/', 1)[-1]}: {problem}" for url, c in checks.items() for problem in c.problems()]
    assert not problems, "\n".join(problems)
    skip_without_decks(site)


def test_every_figure_and_formula_of_each_notebook_is_shown(site, checks):
    for notebook in lesson_notebooks():
        nb = read_lesson(notebook)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        figures = sum("image/png" in o.get("data", {}) for o in outputs)
        has_math = any("$" in c.source for c in nb.cells if c.cell_type == "markdown")
        views = [site.folder / f"{notebook.stem}.html"]
        views += [site.folder / "slides" / f"{notebook.stem}.slides.html"] if site.decks else []
        for view in views:
            check = checks[view.resolve().as_uri()]
            assert check.images - len(check.broken_images) >= figures, f"{view.name}: {check.images} for {figures}"
            assert check.formulas > 0 or not has_math, f"{view.name}: no formula rendered"
            assert not check.deck or (check.reached_last and check.slides > 1), f"{view.name}: {check.visited} slides"


def test_the_decks_of_make_slides_open_cleanly(site, tmp_path):
    skip_without_decks(site)
    # They differ from the site's only in where their scripts are: the first deck shows whether those load.
    problems = [f"{c.url}: {p}" for c in verify_tree(build_slides(tmp_path / "slides")[0]) for p in c.problems()]
    assert not problems, "\n".join(problems)


def test_a_pages_download_link_gives_its_students_copy_without_the_solution(tmp_path):
    # Over HTTP: from the file system Chromium ignores `download` (another origin) and shows the notebook's JSON.
    lesson = synthetic_lesson(tmp_path)
    site = build_site(tmp_path / "site", tmp_path / "src", [lesson], results=tmp_path, slides=False, release=GITHUB)
    with served(site.folder) as address, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.goto(f"{address}/{lesson.stem}.html")
        with page.expect_download(timeout=15_000) as download:
            page.get_by_role("link", name="download the students' copy").click()
        assert download.value.suggested_filename == lesson.name
        download.value.save_as(tmp_path / "downloaded.ipynb")
        browser.close()
    text = (tmp_path / "downloaded.ipynb").read_text()
    nbformat.validate(nbformat.reads(text, as_version=4))
    assert SECRET not in text and BEGIN not in text and CODE_STUB in text and "# your model here" in text


def test_the_page_checker_finds_a_missing_figure_a_console_error_and_the_rest(tmp_path):
    (tmp_path / "fine.html").write_text("<!DOCTYPE html><title>fine</title>fine")
    (tmp_path / "broken.html").write_text(
        '<!DOCTYPE html><title>broken</title><img src="missing-figure.png"><img src="https://example.invalid/x.png">'
        '<script>console.error("deliberate error")</script>'
        '<p>a formula left as $x^2 + 1$</p><a href="fine.html">fine</a> <a href="gone.html">gone</a>'
    )
    broken, fine = verify_tree(tmp_path / "broken.html")
    assert fine.problems() == [] and fine.title == "fine"
    assert any("missing-figure.png" in s for s in broken.broken_images)
    assert any("deliberate error" in e for e in broken.console_errors)
    assert broken.outside_requests == ["https://example.invalid/x.png"]
    assert broken.raw_tex == ["$x^2 + 1$"]
    assert [link.rsplit("/", 1)[-1] for link in broken.broken_links] == ["gone.html"]
    assert len(broken.problems()) >= 5
