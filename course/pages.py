"""The built site and decks as a reader sees them, in headless Chromium driven by Playwright.

    python -m course.pages [START ...]   # default build/site/index.html; exit status 1 on a fault

The browser is the system's Chromium, or the executable ``DLS_CHROMIUM`` names; never one Playwright downloads.
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

from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from utils.config import display_path

from .lessons import BUILD

CHROMIUM_ARGS = ["--disable-gpu", "--disable-sync", "--disable-quic"]  # no GPU, no background requests to Google
LOCAL_SCHEMES = ("file", "data", "blob", "about")
INSTALL_HINT = "install Chromium to run it (Debian/Ubuntu: sudo apt-get install chromium), or set DLS_CHROMIUM to a Chromium executable"

# Runs in the loaded page: waits, 30 s at most, for MathJax's first typesetting and for every image.
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
  const skip = "script, style, code, pre, textarea, noscript, .MathJax, .MathJax_Display";
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: node =>
    node.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
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
    links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href).filter(href => href.startsWith("file:")),
    deck: !!document.querySelector(".reveal .slides"),
  };
}"""

# On a deck: the leaf slides (sections without sections inside), and which one is showing.
_SLIDE = """() => {
  const leaves = Array.from(document.querySelectorAll(".reveal .slides section:not(:has(section))"));
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
    links: list[str] = field(default_factory=list)  # to local files
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
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def file_path(url: str) -> Path:
    """Return the local path of a ``file://`` URL, query and fragment dropped."""
    return Path(unquote(urlsplit(url).path))


def verify_tree(*starts: Path) -> list[PageCheck]:
    """Open each start page and every ``.html`` page its links lead to within its folder; return one check per page.

    Raises:
        FileNotFoundError: no Chromium is installed (the message says how to install it).
    """
    executable = find_chromium()
    if executable is None:
        raise FileNotFoundError(f"no Chromium found: {INSTALL_HINT}")

    async def main():
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            slots, checks = asyncio.Semaphore(4), []  # pages open at once
            level = sorted({start.resolve() for start in starts})
            roots, seen = [page.parent for page in level], set(level)
            while level:
                found = await asyncio.gather(*(_verify(browser, slots, page.as_uri()) for page in level))
                checks += found
                targets = set()
                for check in found:
                    targets.update(file_path(link).resolve() for link in check.links)
                targets = {t for t in targets - seen if t.suffix == ".html" and t.exists()}
                level = sorted(t for t in targets if any(t.is_relative_to(root) for root in roots))
                seen.update(level)
            return checks

    return asyncio.run(main())


async def _verify(browser, slots: asyncio.Semaphore, url: str) -> PageCheck:
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

    def console(message):
        if message.type == "error":
            check.console_errors.append(message.text)

    async with slots:
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        await page.route("**/*", route)
        page.on("console", console)
        page.on("pageerror", lambda e: check.console_errors.append(f"uncaught: {e}"))
        page.on("requestfailed", request_failed)
        await page.goto(url, wait_until="load")
        await page.evaluate(_SETTLE)
        for key, value in (await page.evaluate(_INSPECT)).items():
            setattr(check, key, value)
        check.broken_links = sorted({link.split("#")[0] for link in check.links if not file_path(link).exists()})
        if check.deck:  # press the space bar until the last slide shows
            try:
                await page.wait_for_selector(".reveal.ready", timeout=15_000)
                total, current = await page.evaluate(_SLIDE)
                shown = {current}
                while current != total - 1 and len(shown) <= total + 5:
                    await page.keyboard.press("Space")
                    total, current = await page.evaluate(_SLIDE)
                    shown.add(current)
                check.slides, check.visited, check.reached_last = total, len(shown - {-1}), current == total - 1
            except PlaywrightTimeout:
                check.console_errors.append("reveal.js did not start within 15 s")
        await page.close()
    return check


def main(argv: list[str] | None = None) -> int:
    """Verify the pages and print one line per page: 0 when all are fine, 1 when one has a fault, 2 without Chromium."""
    parser = argparse.ArgumentParser(prog="python -m course.pages", description=__doc__.splitlines()[0])
    parser.add_argument("start", type=Path, nargs="*", default=[BUILD / "site" / "index.html"], help="start pages")
    try:
        checks = verify_tree(*parser.parse_args(argv).start)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for check in checks:
        kind = f"deck, {check.slides} slides" if check.deck else "page"
        where, problems = display_path(file_path(check.url)), check.problems()
        print(f"{'FAIL' if problems else 'ok'}  {where} ({kind}, {check.images} images, {check.formulas} formulas)")
        print("".join(f"      {problem}\n" for problem in problems), end="")
    return 1 if any(check.problems() for check in checks) else 0


if __name__ == "__main__":
    raise SystemExit(main())
