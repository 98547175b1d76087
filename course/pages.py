"""The built site and decks as a reader sees them: headless Chromium, driven by Playwright.

    python -m course.pages [START ...]   # default build/site/index.html; exit status 1 on a fault

:func:`verify_tree` opens a start page from the file system, follows every link to another
page of the same folder, and reports for each page (:class:`PageCheck`): console errors, requests
that left the file system (none is let through), images that did not load, formulas MathJax did not
render, links to missing files and, on a deck, whether the space bar reaches its last slide.
Playwright drives the browser; what a reader would call broken is this module's own.

The browser is the system's Chromium (Debian: ``apt-get install chromium``), never one Playwright
downloads: ``DLS_CHROMIUM`` names another executable.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from utils.config import display_path

from .lessons import BUILD

# Flags for a headless Chromium on a machine without network: no background requests to Google.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
]
LOCAL_SCHEMES = ("file", "data", "blob", "about")
PAGES_AT_ONCE = 4
INSTALL_HINT = "install Chromium to run it (Debian/Ubuntu: sudo apt-get install chromium), or set DLS_CHROMIUM to a Chromium executable"

# Runs in the page once it has loaded: waits for MathJax's first typesetting and for every image,
# 30 s at most (what is not done by then is reported as not rendered, or not loaded).
_SETTLE = """async () => {
  const settled = (async () => {
    if (window.MathJax && MathJax.Hub) {
      await new Promise(done => MathJax.Hub.Register.StartupHook("End", done));
      await new Promise(done => MathJax.Hub.Queue(done));
    }
    await Promise.all(Array.from(document.images).map(img => img.complete ? null :
      new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
  })();
  await Promise.race([settled, new Promise(done => setTimeout(done, 30000))]);
}"""

# Runs in the page after _SETTLE: what it holds, for PageCheck.
_INSPECT = r"""() => {
  const skip = new Set(["SCRIPT", "STYLE", "CODE", "PRE", "TEXTAREA", "NOSCRIPT"]);
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode(node) {
    for (let el = node.parentElement; el; el = el.parentElement) {
      if (skip.has(el.tagName) || el.classList.contains("MathJax") || el.classList.contains("MathJax_Display")) {
        return NodeFilter.FILTER_REJECT;
      }
    }
    return NodeFilter.FILTER_ACCEPT;
  }});
  const tex = /\$\$[^$]+\$\$|\$[^$\s][^$]*\$|\\\(.+?\\\)|\\\[.+?\\\]/s;
  while (walker.nextNode()) {
    const found = walker.currentNode.textContent.match(tex);
    if (found) raw.push(found[0].slice(0, 80));
  }
  const images = Array.from(document.images);
  return {
    title: document.title,
    images: images.length,
    broken_images: images.filter(img => !img.complete || img.naturalWidth === 0)
                         .map(img => (img.getAttribute("src") || "").slice(0, 120)),
    formulas: document.querySelectorAll("span.MathJax").length,
    formula_errors: document.querySelectorAll(".MathJax_Error, .merror, [data-mjx-error]").length,
    raw_tex: raw,
    links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
    deck: !!document.querySelector(".reveal .slides"),
  };
}"""

# On a deck: the leaf slides (sections without sections inside), and which one is showing.
_SLIDE = """() => {
  const leaves = Array.from(document.querySelectorAll(".reveal .slides section"))
                      .filter(s => !s.querySelector("section"));
  return [leaves.length, leaves.findIndex(s => s.classList.contains("present"))];
}"""


@dataclass
class PageCheck:
    """What a page or deck showed in the browser; :meth:`problems` says what is wrong with it."""

    url: str
    title: str = ""
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    images: int = 0
    broken_images: list[str] = field(default_factory=list)
    formulas: int = 0
    formula_errors: int = 0
    raw_tex: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    deck: bool = False
    slides: int = 0
    visited: int = 0
    reached_last: bool = False

    def problems(self) -> list[str]:
        """Return one line per fault found on the page; empty when it is fine."""
        found = [f"console error: {e}" for e in self.console_errors]
        found += [f"request outside the file system: {u}" for u in self.outside_requests]
        found += [f"failed request: {u}" for u in self.failed_requests]
        found += [f"image not loaded: {s}" for s in self.broken_images]
        found += [f"formula not rendered: {t}" for t in self.raw_tex]
        found += [f"{self.formula_errors} formula(s) with a TeX error"] if self.formula_errors else []
        found += [f"link to a missing file: {u}" for u in self.broken_links]
        if self.deck and self.slides and not (self.reached_last and self.visited == self.slides):
            found.append(f"navigation reached {self.visited} of {self.slides} slides, not the last")
        return found


def find_chromium() -> str | None:
    """Return the Chromium to use: ``DLS_CHROMIUM``, else ``chromium`` (or another Chromium) on the PATH; None if none."""
    if os.environ.get("DLS_CHROMIUM"):
        return shutil.which(os.environ["DLS_CHROMIUM"])
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def file_path(url: str) -> Path | None:
    """Return the local path of a ``file://`` URL (query and fragment dropped), else None."""
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def verify_pages(urls: list[str], step: bool = True) -> list[PageCheck]:
    """Open each of ``urls`` and return what it showed, in order; a deck is stepped through unless ``step`` is False.

    Raises:
        FileNotFoundError: no Chromium is installed (the message says how to install it).
    """

    async def job(browser, slots):
        return await asyncio.gather(*(_verify(browser, slots, url, step) for url in urls))

    return _with_chromium(job)


def verify_tree(start: Path) -> list[PageCheck]:
    """Open ``start`` and every page it leads to by links within its folder (``.html`` files); one check per page.

    Raises:
        FileNotFoundError: no Chromium is installed (the message says how to install it).
    """
    root = start.parent.resolve()

    async def job(browser, slots):
        checks, seen, level = [], {start.resolve()}, [start.resolve()]
        while level:
            found = await asyncio.gather(*(_verify(browser, slots, page.as_uri(), True) for page in level))
            checks += found
            targets = {file_path(link) for check in found for link in check.links} - {None}
            level = [t.resolve() for t in targets if t.suffix == ".html" and t.exists()]
            level = sorted({t for t in level if t.is_relative_to(root)} - seen)
            seen.update(level)
        return checks

    return _with_chromium(job)


def _with_chromium(job):
    """Run ``await job(browser, slots)`` with a fresh headless Chromium, ``slots`` bounding the pages open at once.

    Playwright's async API, so that pages load, typeset and step through their slides side by side:
    most of a page's time is spent waiting, not computing.
    """
    executable = find_chromium()
    if executable is None:
        raise FileNotFoundError(f"no Chromium found: {INSTALL_HINT}")

    async def main():
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, chromium_sandbox=False, headless=True
            )
            try:
                return await job(browser, asyncio.Semaphore(PAGES_AT_ONCE))
            finally:
                await browser.close()

    return asyncio.run(main())


async def _verify(browser, slots: asyncio.Semaphore, url: str, step: bool) -> PageCheck:
    """Open ``url`` in a new page, every request off the file system blocked and recorded; return what it showed."""
    check = PageCheck(url)

    async def route(r):
        if urlsplit(r.request.url).scheme in LOCAL_SCHEMES:
            await r.continue_()
        else:
            check.outside_requests.append(r.request.url)
            await r.abort()

    def request_failed(r):
        if urlsplit(r.url).scheme in LOCAL_SCHEMES:
            check.failed_requests.append(f"{r.url[:160]} ({r.failure})")

    async with slots:
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            await page.route("**/*", route)
            page.on("console", lambda m: check.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: check.console_errors.append(f"uncaught: {e}"))
            page.on("requestfailed", request_failed)
            await page.goto(url, wait_until="load")
            await page.evaluate(_SETTLE)
            for key, value in (await page.evaluate(_INSPECT)).items():
                setattr(check, key, value)
            missing = {link.split("#")[0] for link in check.links if (path := file_path(link)) and not path.exists()}
            check.broken_links = sorted(missing)
            if check.deck and step:
                await _step_through(page, check)
        finally:
            await page.close()
    return check


async def _step_through(page, check: PageCheck) -> None:
    """Press the space bar until the deck shows its last slide; count the slides shown."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        await page.wait_for_selector(".reveal.ready", timeout=15_000)
    except PlaywrightTimeout:
        check.console_errors.append("reveal.js did not start within 15 s")
        return
    total, current = await page.evaluate(_SLIDE)
    shown = {current}
    for _ in range(total + 5):
        if current == total - 1:
            break
        await page.keyboard.press("Space")
        total, current = await page.evaluate(_SLIDE)
        shown.add(current)
    check.slides, check.visited, check.reached_last = total, len(shown - {-1}), current == total - 1


def main(argv: list[str] | None = None) -> int:
    """Verify the pages and print one line per page: 0 when all are fine, 1 when one has a fault, 2 without Chromium."""
    parser = argparse.ArgumentParser(prog="python -m course.pages", description=__doc__.splitlines()[0])
    parser.add_argument(
        "start",
        type=Path,
        nargs="*",
        default=[BUILD / "site" / "index.html"],
        help="start pages (default build/site/index.html); every page they link to is verified too",
    )
    args = parser.parse_args(argv)
    failed = 0
    for start in args.start:
        try:
            checks = verify_tree(start)
        except FileNotFoundError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        for check in checks:
            problems = check.problems()
            failed += bool(problems)
            kind = f"deck, {check.slides} slides" if check.deck else "page"
            where = display_path(file_path(check.url) or check.url)
            print(f"{'FAIL' if problems else 'ok'}  {where} ({kind}, {check.images} images, {check.formulas} formulas)")
            for problem in problems:
                print(f"      {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
