"""The built site and decks as a reader sees them: headless Chromium, driven by Playwright.

:func:`check_tree` opens a start page from the file system, follows every link to another page
of the same folder, and reports for each page (:class:`PageReport`): console errors, requests
that left the file system (none is let through), images that did not load, formulas MathJax did
not render, links to missing files and, on a deck, whether the space bar reaches its last slide.

The browser is the system's Chromium (Debian: ``apt-get install chromium``), never one Playwright
downloads: ``DLS_CHROMIUM`` names another executable.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

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

# Runs in the page after _SETTLE: what it holds, for PageReport.
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
class PageReport:
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
        """One line per fault found on the page; empty when it is fine."""
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
    """The Chromium to use: ``DLS_CHROMIUM``, else ``chromium`` (or another Chromium) on the PATH; None if there is none."""
    if os.environ.get("DLS_CHROMIUM"):
        return shutil.which(os.environ["DLS_CHROMIUM"])
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def file_path(url: str) -> Path | None:
    """The local path of a ``file://`` URL (query and fragment dropped), else None."""
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


class Browser:
    """A headless Chromium for checking pages, several at a time.

    ``with Browser() as browser: browser.check_pages(urls)``. Each method runs its own event loop
    (Playwright's async API), so that pages load, typeset and step through their slides side by
    side: most of a page's time is spent waiting, not computing.
    """

    def __init__(self, executable: str | None = None, size: tuple[int, int] = (1280, 800), concurrency: int = 4):
        self.executable = executable or find_chromium()
        if self.executable is None:
            raise FileNotFoundError(f"no Chromium found: {INSTALL_HINT}")
        self.size, self.concurrency = size, concurrency

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def check(self, url: str, step: bool = True) -> PageReport:
        """Open ``url`` and report what it showed; a deck is stepped through with the space bar unless ``step`` is False."""
        return self.check_pages([url], step)[0]

    def check_pages(self, urls: list[str], step: bool = True) -> list[PageReport]:
        """:meth:`check` for each of ``urls``, several at a time; the reports in the order of ``urls``."""

        async def run(browser):
            return await asyncio.gather(*(self._bounded(browser, url, step) for url in urls))

        return self._run(run)

    def check_tree(self, start: Path) -> list[PageReport]:
        """Check ``start`` and every page it leads to by links within its folder (``.html`` files); one report per page."""
        root = start.parent.resolve()

        async def run(browser):
            reports, seen, level = [], {start.resolve()}, [start.resolve()]
            while level:
                found = await asyncio.gather(*(self._bounded(browser, page.as_uri(), True) for page in level))
                reports += found
                level = []
                for report in found:
                    for link in report.links:
                        target = file_path(link)
                        if (
                            target
                            and target.suffix == ".html"
                            and target.exists()
                            and target.resolve().is_relative_to(root)
                            and target.resolve() not in seen
                        ):
                            seen.add(target.resolve())
                            level.append(target.resolve())
            return reports

        return self._run(run)

    def screenshot(self, url: str, path: Path, advance: int = 0, scroll_to: str | None = None) -> None:
        """Save a PNG of ``url`` as shown, after ``advance`` presses of the space bar, scrolled to the CSS selector ``scroll_to``."""

        async def run(browser):
            page = await self._open(browser, url, PageReport(url))
            try:
                if advance:
                    await page.wait_for_selector(".reveal.ready", timeout=15_000)
                for _ in range(advance):
                    await page.keyboard.press("Space")
                if scroll_to:
                    await page.locator(scroll_to).first.evaluate("element => element.scrollIntoView()")
                await page.wait_for_timeout(1200)  # the slide transition
                await page.screenshot(path=str(path))
            finally:
                await page.close()

        self._run(run)

    def _run(self, job):
        """Run ``await job(browser)`` with a fresh headless Chromium; return its result."""

        async def main():
            from playwright.async_api import async_playwright

            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=self.executable, args=CHROMIUM_ARGS, chromium_sandbox=False, headless=True
                )
                self._slots = asyncio.Semaphore(self.concurrency)
                try:
                    return await job(browser)
                finally:
                    await browser.close()

        return asyncio.run(main())

    async def _bounded(self, browser, url: str, step: bool) -> PageReport:
        async with self._slots:
            return await self._check(browser, url, step)

    async def _open(self, browser, url: str, report: PageReport):
        """A new page, with every request off the file system blocked and recorded, at ``url``."""
        page = await browser.new_page(viewport={"width": self.size[0], "height": self.size[1]})

        async def route(r):
            if urlsplit(r.request.url).scheme in LOCAL_SCHEMES:
                await r.continue_()
            else:
                report.outside_requests.append(r.request.url)
                await r.abort()

        await page.route("**/*", route)
        page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: report.console_errors.append(f"uncaught: {e}"))
        page.on(
            "requestfailed",
            lambda r: (
                report.failed_requests.append(f"{r.url[:160]} ({r.failure})")
                if urlsplit(r.url).scheme in LOCAL_SCHEMES
                else None
            ),
        )
        await page.goto(url, wait_until="load")
        await page.evaluate(_SETTLE)
        return page

    async def _check(self, browser, url: str, step: bool) -> PageReport:
        report = PageReport(url)
        page = await self._open(browser, url, report)
        try:
            seen = await page.evaluate(_INSPECT)
            for key in ("title", "images", "broken_images", "formulas", "formula_errors", "raw_tex", "links", "deck"):
                setattr(report, key, seen[key])
            report.broken_links = sorted(
                {
                    link.split("#")[0]
                    for link in report.links
                    if (path := file_path(link)) is not None and not path.exists()
                }
            )
            if report.deck and step:
                await self._step_through(page, report)
        finally:
            await page.close()
        return report

    @staticmethod
    async def _step_through(page, report: PageReport) -> None:
        """Press the space bar until the deck shows its last slide; count the slides shown."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        try:
            await page.wait_for_selector(".reveal.ready", timeout=15_000)
        except PlaywrightTimeout:
            report.console_errors.append("reveal.js did not start within 15 s")
            return
        total, current = await page.evaluate(_SLIDE)
        shown = {current}
        for _ in range(total + 5):
            if current == total - 1:
                break
            await page.keyboard.press("Space")
            total, current = await page.evaluate(_SLIDE)
            shown.add(current)
        report.slides, report.visited, report.reached_last = total, len(shown - {-1}), current == total - 1


def check_tree(start: Path, browser: Browser | None = None) -> list[PageReport]:
    """Check ``start`` and every page it leads to by links within its folder; one report per page (:meth:`Browser.check_tree`)."""
    return (browser or Browser()).check_tree(start)
