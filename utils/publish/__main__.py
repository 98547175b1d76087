"""Command line of lecture mode: ``python -m utils.publish slides|site|present|check|picture``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..config import PROJECT_ROOT, display_path
from . import BUILD, lesson_notebooks
from .offline import AssetsUnavailable


def _size(folder: Path) -> str:
    total = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return f"{total / 1e6:.1f} MB"


def _slides(args) -> int:
    from .slides import build_slides

    decks = build_slides(args.out, lesson_notebooks(args.notebooks))
    print(
        f"{len(decks)} decks in {display_path(args.out)}/ ({_size(args.out)}): open {display_path(decks[0])} in a browser"
        if decks
        else "no notebooks, no decks"
    )
    return 0


def _site(args) -> int:
    from .site import build_site

    site = build_site(args.out, notebooks=lesson_notebooks(args.notebooks), slides=args.slides)
    if site.note:
        print(site.note)
    print(
        f"site in {display_path(site.folder)}/ ({_size(site.folder)}, {len(site.pages)} notebook pages, "
        f"{len(site.decks)} decks): open {display_path(site.home)} in a browser"
    )
    return 0


def _present(args) -> int:
    from .slides import presenter_copies

    copies = presenter_copies(args.out, lesson_notebooks(args.notebooks))
    print(
        f"{len(copies)} notebooks with their slides in {display_path(args.out)}/: open one in JupyterLab and "
        "press Alt+R (or the RISE button in its toolbar) to present; Shift+Enter runs a cell on the slide"
    )
    return 0


def _check(args) -> int:
    from .browser import check_tree, file_path

    failed = 0
    for start in args.start:
        for report in check_tree(start):
            problems = report.problems()
            failed += bool(problems)
            kind = f"deck, {report.slides} slides" if report.deck else "page"
            print(
                f"{'FAIL' if problems else 'ok'}  {display_path(file_path(report.url) or report.url)} "
                f"({kind}, {report.images} images, {report.formulas} formulas)"
            )
            for problem in problems:
                print(f"      {problem}")
    return 1 if failed else 0


def _picture(args) -> int:
    """The README's picture: a notebook page of the site beside one of its slides."""
    from PIL import Image

    from .browser import Browser

    page = (args.site / f"{args.notebook}.html").resolve()
    deck = (args.site / "slides" / f"{args.notebook}.slides.html").resolve()
    shots = [BUILD / "picture-page.png", BUILD / "picture-slide.png"]
    with Browser(size=(1280, 800)) as browser:
        browser.screenshot(page.as_uri(), shots[0], scroll_to=args.section)
        browser.screenshot(deck.as_uri(), shots[1], advance=args.slide)
    images = [Image.open(s).convert("RGB") for s in shots]
    gap = 16
    joined = Image.new("RGB", (sum(i.width for i in images) + gap, max(i.height for i in images)), "#9e9e9e")
    joined.paste(images[0], (0, 0))
    joined.paste(images[1], (images[0].width + gap, 0))
    joined = joined.resize((args.width, round(joined.height * args.width / joined.width)), Image.LANCZOS)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    joined.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(args.out, optimize=True)
    print(f"{display_path(args.out)}: {args.out.stat().st_size / 1e3:.0f} kB")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.publish", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("slides", help="one reveal.js deck per notebook (make slides)")
    command.add_argument("--out", type=Path, default=BUILD / "slides")
    command.add_argument(
        "--notebooks", type=Path, default=PROJECT_ROOT / "notebooks", help="folder of the notebooks (NN_*.ipynb)"
    )
    command.set_defaults(run=_slides)
    command = commands.add_parser("site", help="the course site (make site)")
    command.add_argument("--out", type=Path, default=BUILD / "site")
    command.add_argument(
        "--notebooks", type=Path, default=PROJECT_ROOT / "notebooks", help="folder of the notebooks (NN_*.ipynb)"
    )
    command.add_argument(
        "--slides",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="include the decks (default: when npm is there), or fail; --no-slides leaves them out",
    )
    command.set_defaults(run=_site)
    command = commands.add_parser("present", help="notebooks with slide metadata for RISE (make present)")
    command.add_argument("--out", type=Path, default=BUILD / "present")
    command.add_argument(
        "--notebooks", type=Path, default=PROJECT_ROOT / "notebooks", help="folder of the notebooks (NN_*.ipynb)"
    )
    command.set_defaults(run=_present)
    command = commands.add_parser("check", help="open pages in headless Chromium and report what is wrong")
    command.add_argument(
        "start",
        type=Path,
        nargs="*",
        default=[BUILD / "site" / "index.html"],
        help="start pages (default build/site/index.html); every page they link to is checked too",
    )
    command.set_defaults(run=_check)
    command = commands.add_parser("picture", help="the README's picture: a site page beside a slide")
    command.add_argument("out", type=Path)
    command.add_argument("--site", type=Path, default=BUILD / "site")
    command.add_argument("--notebook", default="04_boston_housing")
    command.add_argument("--section", default="#normalization", help="CSS selector the page is scrolled to")
    command.add_argument("--slide", type=int, default=8, help="presses of the space bar before the slide's picture")
    command.add_argument("--width", type=int, default=1400)
    command.set_defaults(run=_picture)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        code = args.run(args)
    except AssetsUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"({time.perf_counter() - started:.1f} s)")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
